package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/edge-pi/edge/decide"
	"github.com/edge-pi/edge/eval"
	"github.com/edge-pi/edge/liveness"
	"github.com/edge-pi/edge/twin"
)

// livenessReport is what `edge eval-liveness --json` prints.
type livenessReport struct {
	Model      string                        `json:"model"`
	Data       string                        `json:"data"`
	Mode       string                        `json:"mode"`
	Motion     float64                       `json:"motion_threshold"`
	Passive    float64                       `json:"passive_threshold"`
	Threshold  float64                       `json:"distance_threshold"`
	People     int                           `json:"people"`
	Seeds      int                           `json:"seeds"`
	Kinds      map[string]*eval.LivenessKind `json:"kinds"`
	MotionAUC  map[string]float64            `json:"motion_auc"`
	PassiveAUC map[string]float64            `json:"passive_auc"`
	MotionMs   float64                       `json:"motion_ms_per_frame"`
	PassiveMs  float64                       `json:"passive_ms_per_frame"`
	CPU        string                        `json:"cpu"`
	Seconds    float64                       `json:"seconds"`
}

// cmdEvalLiveness measures the liveness checks on generated visits and
// attacks (eval.Liveness).
func cmdEvalLiveness(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flags("eval-liveness", stderr)
	model := fs.String("model", "faces", "the face model: an embedded one or an ONNX file")
	data := fs.String("data", "", "folder-per-person photos (AT&T faces): a folder or .zip")
	mode := fs.String("mode", "both", "the checks: off, passive, motion, both")
	seeds := fs.Int("seeds", 12, "sequences per person and kind")
	seed := fs.Uint64("seed", 0, "seed of the sequences")
	motion := fs.Float64("motion", liveness.DefaultMotion, "the motion threshold")
	passive := fs.Float64("passive", liveness.DefaultPassive, "the passive threshold")
	threshold := fs.Float64("threshold", 0, "the distance threshold (default: the model's)")
	threads := fs.Int("threads", 0, "threads per forward pass (0: one per core)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	lm, err := liveness.ParseMode(*mode)
	switch {
	case err != nil:
		return fmt.Errorf("--mode: %w", err)
	case *data == "":
		return errors.New("--data is required")
	case *seeds < 1 || *seeds > 1000:
		return fmt.Errorf("--seeds %d: want 1 to 1000", *seeds)
	case !(*threshold >= 0) || math.IsInf(*threshold, 0):
		return fmt.Errorf("--threshold %v: want a positive number", *threshold)
	}
	net, err := openNet(*model, *threads)
	if err != nil {
		return err
	}
	defer net.Close()
	if net.Meta.Crop != twin.CropFace {
		return fmt.Errorf("--model %s does not crop faces (edge.crop %s)", *model, net.Meta.Crop)
	}
	loc, err := newLocator()
	if err != nil {
		return err
	}
	net.SetLocator(loc)
	thr := *threshold
	if thr == 0 {
		thr = float64(net.Meta.Threshold)
	}
	fsys, closer, err := eval.Open(*data)
	if err != nil {
		return err
	}
	defer closer.Close()
	_, people, err := eval.LoadPeople(fsys)
	if err != nil {
		return fmt.Errorf("--data %s: %w", *data, err)
	}
	// The passive network runs in every mode, so that its scores (and
	// their ROC) are measured alongside; only the mode's checks decide.
	p, err := liveness.NewPassive(1)
	if err != nil {
		return err
	}
	defer p.Close()
	start := time.Now()
	o := eval.LivenessOptions{Seed: *seed, Seeds: *seeds, Threshold: thr, Decide: decide.Config{K: 3, N: 5},
		Liveness: liveness.Config{Mode: lm, Motion: *motion, Passive: float32(*passive)},
		Options:  eval.Options{Progress: sequenceProgress(stderr, start)}}
	res, err := eval.Liveness(ctx, people, net, p, o)
	if err != nil {
		return err
	}
	r := livenessReport{Model: *model, Data: *data, Mode: string(lm), Motion: *motion, Passive: *passive, Threshold: thr,
		People: len(people), Seeds: *seeds, Kinds: res.Kinds, MotionAUC: map[string]float64{}, PassiveAUC: map[string]float64{},
		MotionMs: ms(res.MotionTime), PassiveMs: ms(res.PassiveTime), CPU: cpuModel(), Seconds: time.Since(start).Seconds()}
	g := res.Kinds["genuine"]
	for _, k := range eval.SpoofKinds[1:] {
		r.MotionAUC[k] = eval.AUC(g.Motion, res.Kinds[k].Motion)
		r.PassiveAUC[k] = eval.AUC(g.Passive, res.Kinds[k].Passive)
	}
	if *asJSON {
		return writeJSON(stdout, r)
	}
	fmt.Fprintf(stdout, "model %s, %d people × %d sequences a kind, distance threshold %.4f, mode %s (motion ≥ %.3f, passive ≥ %.3f)\n",
		*model, len(people), *seeds, thr, lm, *motion, *passive)
	fmt.Fprintf(stdout, "cpu %s (%s/%s)\n\n", r.CPU, runtime.GOOS, runtime.GOARCH)
	fmt.Fprintln(stdout, "| kind | attempts | unlocks (mode) | unlocks (no liveness) | motion p5 / p50 / p95 | passive p5 / p50 / p95 | AUC motion | AUC passive |")
	fmt.Fprintln(stdout, "|---|--:|--:|--:|---|---|--:|--:|")
	for _, k := range eval.SpoofKinds {
		v := res.Kinds[k]
		auc := func(m map[string]float64) string {
			if k == "genuine" {
				return ""
			}
			return fmt.Sprintf("%.4f", m[k])
		}
		fmt.Fprintf(stdout, "| %s | %d | %d (%.1f%%) | %d | %.3f / %.3f / %.3f | %.3f / %.3f / %.3f | %s | %s |\n", k, v.Attempts, v.Unlocks, 100*v.UnlockRate(), v.UnlocksWithout,
			eval.Quantile(v.Motion, 0.05), eval.Quantile(v.Motion, 0.5), eval.Quantile(v.Motion, 0.95),
			eval.Quantile(v.Passive, 0.05), eval.Quantile(v.Passive, 0.5), eval.Quantile(v.Passive, 0.95), auc(r.MotionAUC), auc(r.PassiveAUC))
	}
	u, n := res.AttackUnlocks()
	fmt.Fprintf(stdout, "\nattacks unlocked: %d of %d; genuine unlocked: %d of %d\n", u, n, g.Unlocks, g.Attempts)
	fmt.Fprintf(stdout, "per frame checked: motion %.2f ms, passive %.2f ms\n", r.MotionMs, r.PassiveMs)
	return nil
}

// cpuModel is /proc/cpuinfo's first model name (with its family on
// x86), or the architecture where there is none.
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	defer f.Close()
	name, family := "", ""
	sc := bufio.NewScanner(io.LimitReader(f, 1<<20))
	for sc.Scan() && (name == "" || family == "") {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		switch strings.TrimSpace(k) {
		case "model name":
			name = strings.TrimSpace(v)
		case "cpu family":
			family = strings.TrimSpace(v)
		}
	}
	if name == "" {
		return runtime.GOARCH
	}
	if family != "" {
		name += ", family " + family
	}
	return name
}

// sequenceProgress reports eval-liveness's progress every 10 s.
func sequenceProgress(w io.Writer, start time.Time) func(done, total int) {
	last := start
	return func(done, total int) {
		if now := time.Now(); now.Sub(last) >= 10*time.Second {
			last = now
			fmt.Fprintf(w, "edge eval-liveness: %d of %d sequences (%.0f s)\n", done, total, now.Sub(start).Seconds())
		}
	}
}
