package main

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/edge-pi/edge/eval"
	"github.com/edge-pi/edge/models"
	"github.com/edge-pi/edge/twin"
)

// evalReport is the JSON of `edge eval --data`.
type evalReport struct {
	Model         string  `json:"model"`
	ModelSHA256   string  `json:"model_sha256,omitempty"`
	Data          string  `json:"data"`
	Images        int     `json:"images"`
	Classes       int     `json:"classes"`
	Skipped       int     `json:"skipped"`
	NWay          int     `json:"n_way"`
	Draws         int     `json:"draws"`
	Seed          uint64  `json:"seed"`
	Probes        int     `json:"probes_per_draw"`
	OneShot       float64 `json:"oneshot_nway_acc"`
	OneShotStd    float64 `json:"oneshot_nway_std"`
	GenuinePairs  int64   `json:"genuine_pairs"`
	ImpostorPairs int64   `json:"impostor_pairs"`
	AUC           float64 `json:"auc"`
	EER           float64 `json:"eer"`
	EERThreshold  float64 `json:"eer_threshold"`
	TAR           float64 `json:"tar_at_far1"`
	FAR1Threshold float64 `json:"far1_threshold"`
	Change        string  `json:"change,omitempty"`
	// Detect counts what became of the generated frames (--detect).
	Detect *eval.DetectResult `json:"detect,omitempty"`
	Roll   float64            `json:"roll,omitempty"` // --roll
	// Geometry is the crop the model's input was taken with, when it
	// looks at faces.
	Geometry string `json:"geometry,omitempty"`
	// OpenSet is the verify flow at the model's threshold (or
	// --threshold): half the classes enrolled with one image each.
	OpenSet *eval.OpenSetResult `json:"open_set,omitempty"`
	// AtThreshold is verification over all pairs at that threshold.
	AtThreshold *pairRates `json:"at_threshold,omitempty"`
	Seconds     float64    `json:"seconds"`
}

// pairRates are the false- and true-accept rates over all pairs at one
// threshold.
type pairRates struct {
	Threshold float64 `json:"threshold"`
	FAR       float64 `json:"far"`
	TAR       float64 `json:"tar"`
}

// omniglotReport is the JSON of `edge eval --omniglot-runs`.
type omniglotReport struct {
	Model       string           `json:"model"`
	ModelSHA256 string           `json:"model_sha256,omitempty"`
	Runs        string           `json:"runs"`
	Accuracy    float64          `json:"accuracy"`
	Trials      int              `json:"trials"`
	Correct     int              `json:"correct"`
	Skipped     int              `json:"skipped"`
	PerRun      []eval.RunResult `json:"per_run"`
	Seconds     float64          `json:"seconds"`
}

func cmdEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flags("eval", stderr)
	model := fs.String("model", "", "an embedded model ("+strings.Join(models.Names(), ", ")+"), an ONNX file, or raw-pixels[:WxH] (default 92x112)")
	data := fs.String("data", "", "folder-per-class data set: a folder or .zip with one folder of images per class")
	runs := fs.String("omniglot-runs", "", "Omniglot one-shot runs: a folder or .zip of runNN folders, or one run folder")
	draws := fs.Int("draws", 100, "one-shot draws")
	seed := fs.Uint64("seed", 0, "seed of the one-shot draws")
	asJSON := fs.Bool("json", false, "print JSON")
	plot := fs.String("plot", "", "write roc.png and distances.png to this folder (with --data)")
	threads := fs.Int("threads", 0, "threads per forward pass (0: one per core)")
	change := fs.String("change", "", "apply a camera-like change to every image first: "+strings.Join(eval.ChangeNames(), ", ")+" (with --data)")
	threshold := fs.Float64("threshold", 0, "the distance threshold of the open-set check (default: the model's)")
	detect := fs.Bool("detect", false, "put each image into a generated 640×480 camera-like frame (seeded by --seed) and find, align and crop its face as enrol and the camera service do (with --data)")
	roll := fs.Float64("roll", 0, "with --detect: turn each photo in its frame by up to ± this many degrees, a head tilted aside")
	meta := map[string]string{}
	fs.Func("meta", "KEY=VALUE: use this crop geometry instead of the model's ("+strings.Join(geometryKeys, ", ")+"); repeatable", func(v string) error {
		k, val, ok := strings.Cut(v, "=")
		if !ok || !slices.Contains(geometryKeys, k) {
			return fmt.Errorf("want KEY=VALUE with KEY one of %s", strings.Join(geometryKeys, ", "))
		}
		meta[k] = val
		return nil
	})
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) > 0:
		return fmt.Errorf("unexpected argument %q", pos[0])
	case *model == "":
		return errors.New("want --model")
	case (*data == "") == (*runs == ""):
		return errors.New("want one of --data and --omniglot-runs")
	case *plot != "" && *data == "":
		return errors.New("--plot needs --data")
	case *change != "" && *data == "":
		return errors.New("--change needs --data")
	case *detect && *data == "":
		return errors.New("--detect needs --data")
	case *roll != 0 && !*detect:
		return errors.New("--roll needs --detect")
	case *roll < 0 || *roll > 90 || math.IsNaN(*roll):
		return fmt.Errorf("--roll %v: want degrees in [0, 90]", *roll)
	case *detect && *change != "":
		return errors.New("--detect and --change: the frames carry their own light change; give one")
	case *threshold < 0 || math.IsNaN(*threshold) || math.IsInf(*threshold, 0):
		return fmt.Errorf("--threshold %v: want a positive number", *threshold)
	case *draws < 1:
		return fmt.Errorf("--draws %d: want at least 1", *draws)
	}
	net, err := openNet(*model, *threads)
	if err != nil {
		return err
	}
	defer net.Close()
	if err := setGeometry(net, meta); err != nil {
		return err
	}
	if *detect {
		if net.Meta.Crop != twin.CropFace {
			return fmt.Errorf("--detect: model %s does not crop faces (edge.crop %s)", *model, net.Meta.Crop)
		}
		l, err := newLocator()
		if err != nil {
			return err
		}
		net.SetLocator(l)
	}
	sum := ""
	if net.Model != nil {
		sum = hex.EncodeToString(net.Model.SHA256[:])
	}
	start := time.Now()
	// Skipped images are named by their path on disk (or in the zip):
	// the data root joined with their path in the file system eval reads.
	root := *data
	if *runs != "" {
		root = *runs
		if st, err := os.Stat(filepath.Join(root, "class_labels.txt")); err == nil && !st.IsDir() {
			root = filepath.Dir(filepath.Clean(root)) // a single run is read from its parent
		}
	}
	skipped := 0
	o := eval.Options{
		Progress: progress(stderr, "eval", start),
		Skip: func(p string, err error) {
			skipped++
			msg := strings.TrimPrefix(strings.TrimPrefix(err.Error(), p), ": ")
			fmt.Fprintf(stderr, "edge eval: skipped %s: %s\n", filepath.Join(root, filepath.FromSlash(p)), msg)
		},
	}
	if *runs != "" {
		fsys, rs, closer, err := eval.OpenRuns(*runs)
		if err != nil {
			return err
		}
		defer closer.Close()
		res, err := eval.Omniglot(ctx, fsys, rs, net, o)
		if err != nil {
			return err
		}
		r := omniglotReport{Model: *model, ModelSHA256: sum, Runs: *runs, Accuracy: res.Accuracy, Trials: res.Trials,
			Correct: res.Correct, Skipped: skipped, PerRun: res.Runs, Seconds: time.Since(start).Seconds()}
		if *asJSON {
			return writeJSON(stdout, r)
		}
		fmt.Fprintf(stdout, "model       %s\n", describe(net, *model))
		fmt.Fprintf(stdout, "runs        %s: %d runs, %d trials (%d images skipped)\n", *runs, len(res.Runs), res.Trials, skipped)
		fmt.Fprintf(stdout, "20-way      %.1f%% (%d of %d trials correct)\n", 100*res.Accuracy, res.Correct, res.Trials)
		return nil
	}

	fsys, closer, err := eval.Open(*data)
	if err != nil {
		return err
	}
	defer closer.Close()
	var emb eval.Embedder = net
	if *change != "" {
		if emb, err = eval.NewChanged(net, *change, *seed); err != nil {
			return err
		}
	}
	var set *eval.Set
	var det *eval.DetectResult
	if *detect {
		set, det, err = eval.EmbedFrames(ctx, fsys, emb, *seed, eval.FrameOptions{MaxRoll: *roll}, o)
	} else {
		set, err = eval.EmbedFolder(ctx, fsys, emb, o)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", *data, err)
	}
	one, err := eval.OneShot(set, *draws, *seed)
	if err != nil {
		return fmt.Errorf("%s: %w", *data, err)
	}
	ver, err := eval.Verify(set)
	if err != nil {
		return fmt.Errorf("%s: %w", *data, err)
	}
	if *plot != "" {
		if err := writePlots(*plot, ver, describe(net, *model)); err != nil {
			return err
		}
	}
	r := evalReport{Model: *model, ModelSHA256: sum, Data: *data, Images: len(set.Paths), Classes: len(set.Classes),
		Skipped: skipped, NWay: one.NWay, Draws: one.Draws, Seed: *seed, Probes: one.Probes,
		OneShot: one.Accuracy, OneShotStd: one.Std, GenuinePairs: ver.GenuinePairs, ImpostorPairs: ver.ImpostorPairs,
		AUC: ver.AUC, EER: ver.EER, EERThreshold: ver.EERThreshold, TAR: ver.TARAtFAR1, FAR1Threshold: ver.FAR1Threshold,
		Change: *change, Detect: det, Roll: *roll, Geometry: geometry(net), Seconds: time.Since(start).Seconds()}
	t := float64(net.Meta.Threshold)
	if *threshold > 0 {
		t = *threshold
	}
	if t > 0 && len(set.Classes) >= 2 {
		res, err := eval.OpenSet(set, t)
		if err != nil {
			return fmt.Errorf("%s: %w", *data, err)
		}
		r.OpenSet = &res
		far, tar, _, _ := eval.PairRates(set, t)
		r.AtThreshold = &pairRates{Threshold: t, FAR: far, TAR: tar}
	}
	if *asJSON {
		return writeJSON(stdout, r)
	}
	fmt.Fprintf(stdout, "model         %s\n", describe(net, *model))
	if r.Change != "" {
		fmt.Fprintf(stdout, "change        %s (seed %d)\n", r.Change, r.Seed)
	}
	fmt.Fprintf(stdout, "data          %s: %d images of %d classes (%d skipped)\n", r.Data, r.Images, r.Classes, r.Skipped)
	if d := r.Detect; d != nil {
		var skips []string
		for _, k := range d.Reasons() {
			skips = append(skips, fmt.Sprintf("%s %d", k, d.Skips[k]))
		}
		if len(skips) == 0 {
			skips = []string{"none"}
		}
		turned := ""
		if r.Roll > 0 {
			turned = fmt.Sprintf(", turned up to ±%g°", r.Roll)
		}
		fmt.Fprintf(stdout, "frames        %d generated (seed %d%s): %d faces found where put (%.1f%%), %d embedded; skipped: %s\n",
			d.Frames, r.Seed, turned, d.Found, 100*d.FoundRate(), d.Embedded, strings.Join(skips, ", "))
	}
	if r.Geometry != "" {
		fmt.Fprintf(stdout, "crop          %s\n", r.Geometry)
	}
	fmt.Fprintf(stdout, "one-shot      %d-way %.1f%% ± %.1f%% over %d draws (seed %d), %d probes each\n",
		r.NWay, 100*r.OneShot, 100*r.OneShotStd, r.Draws, r.Seed, r.Probes)
	fmt.Fprintf(stdout, "pairs         %d genuine, %d impostor\n", r.GenuinePairs, r.ImpostorPairs)
	fmt.Fprintf(stdout, "AUC           %.4f\n", r.AUC)
	fmt.Fprintf(stdout, "EER           %.1f%% (distance %.4g)\n", 100*r.EER, r.EERThreshold)
	fmt.Fprintf(stdout, "TAR@FAR=1%%    %.1f%% (distance %.4g)\n", 100*r.TAR, r.FAR1Threshold)
	if a := r.AtThreshold; a != nil {
		fmt.Fprintf(stdout, "at distance   %.4g: FAR %.3f%%, TAR %.2f%% over the pairs\n", a.Threshold, 100*a.FAR, 100*a.TAR)
	}
	if o := r.OpenSet; o != nil {
		fmt.Fprintf(stdout, "open set      at distance %.4g, half the classes enrolled (each half in turn): %d of %d enrolled probes named (%d as another), %d of %d strangers' probes accepted\n",
			o.Threshold, o.Named, o.Enrolled, o.Misnamed, o.Accepted, o.Strangers)
	}
	if *plot != "" {
		fmt.Fprintf(stdout, "plots         %s, %s\n", filepath.Join(*plot, "roc.png"), filepath.Join(*plot, "distances.png"))
	}
	return nil
}

// geometryKeys are the metadata keys --meta may set: how the face crop
// is taken, nothing that changes the network's input shape.
var geometryKeys = []string{"edge.crop_margin", "edge.align", "edge.eye_distance", "edge.eye_row", "edge.resize"}

// setGeometry replaces the model's crop geometry with the keys of kv
// (geometryKeys).
func setGeometry(net *twin.Net, kv map[string]string) error {
	if len(kv) == 0 {
		return nil
	}
	if net.Model == nil || net.Meta.Crop != twin.CropFace {
		return errors.New("--meta: the model does not crop faces")
	}
	props := net.Meta.Props()
	for k, v := range kv {
		props[k] = v
	}
	m, err := twin.ParseMeta(props)
	if err != nil {
		return fmt.Errorf("--meta: %w", err)
	}
	net.Meta = m
	return nil
}

// geometry describes how a face model crops: the box with its margin, or
// aligned on the eyes.
func geometry(n *twin.Net) string {
	m := n.Meta
	switch {
	case m.Crop != twin.CropFace:
		return ""
	case m.Align == twin.AlignEyes:
		return fmt.Sprintf("aligned on the eyes: eye distance %.3g of the width, eye row %.3g of the height (%s)", m.EyeDistance, m.EyeRow, m.Resize)
	}
	return fmt.Sprintf("the face box with a margin of %.3g on each side (%s)", m.CropMargin, m.Resize)
}

func writePlots(dir string, v *eval.Verification, title string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, p := range []struct {
		name string
		img  image.Image
	}{{"roc.png", eval.PlotROC(v, title)}, {"distances.png", eval.PlotDistances(v, title)}} {
		f, err := os.Create(filepath.Join(dir, p.name))
		if err != nil {
			return err
		}
		err = png.Encode(f, p.img)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	return nil
}
