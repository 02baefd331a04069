package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/edge-pi/edge/eval"
	"github.com/edge-pi/edge/gallery"
)

type calibrateReport struct {
	Model        string  `json:"model"`
	ModelSHA256  string  `json:"model_sha256"`
	Data         string  `json:"data"`
	Images       int     `json:"images"`
	Classes      int     `json:"classes"`
	Skipped      int     `json:"skipped"`
	Genuine      int     `json:"genuine_pairs"`
	Impostor     int     `json:"impostor_pairs"`
	TargetFAR    float64 `json:"target_far"`
	Threshold    float32 `json:"threshold"`
	FAR          float64 `json:"far"`
	TAR          float64 `json:"tar"`
	ModelDefault float32 `json:"model_threshold"`
	Gallery      string  `json:"gallery"`
}

func cmdCalibrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o galleryOpts
	fs := flags("calibrate", stderr)
	data := fs.String("data", "", "folder-per-person data set: a folder or .zip with one folder of images per person")
	target := fs.Float64("far", 0.001, "the false-accept rate to meet on the data's impostor pairs")
	o.register(fs, true, false)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) > 0:
		return fmt.Errorf("unexpected argument %q", pos[0])
	case *data == "":
		return errors.New("want --data DIR")
	case !(*target >= 0 && *target < 1):
		return fmt.Errorf("--far %v: want 0 ≤ FAR < 1", *target)
	}
	s, err := o.open()
	if err != nil {
		return err
	}
	defer s.close()
	fsys, closer, err := eval.Open(*data)
	if err != nil {
		return err
	}
	defer closer.Close()
	start, skipped := time.Now(), 0
	set, err := eval.EmbedFolder(ctx, fsys, s.net, eval.Options{
		Progress: progress(stderr, "calibrate", start),
		Skip: func(p string, err error) {
			skipped++
			fmt.Fprintf(stderr, "edge calibrate: skipped %v\n", err)
		},
	})
	if err != nil {
		return fmt.Errorf("%s: %w", *data, err)
	}
	genuine, impostor, err := gallery.Pairs(set.Emb, set.Dim, set.Labels)
	if err != nil {
		return err
	}
	cal, err := gallery.Calibrate(genuine, impostor, *target)
	if err != nil {
		return fmt.Errorf("%s: %w", *data, err)
	}
	if err := checkThreshold(cal.Threshold, s.net.Meta, "calibrated on "+*data); err != nil {
		return fmt.Errorf("%w; the gallery is unchanged", err)
	}
	if _, err := s.store.Update(func(g *gallery.Gallery) error {
		g.Threshold, g.ThresholdFAR = cal.Threshold, cal.TargetFAR
		return nil
	}); err != nil {
		return err
	}
	r := calibrateReport{Model: s.model.Name, ModelSHA256: sha(s.model), Data: *data, Images: len(set.Paths),
		Classes: len(set.Classes), Skipped: skipped, Genuine: cal.Genuine, Impostor: cal.Impostor,
		TargetFAR: cal.TargetFAR, Threshold: cal.Threshold, FAR: cal.FAR, TAR: cal.TAR,
		ModelDefault: s.net.Meta.Threshold, Gallery: s.path}
	if o.asJSON {
		return writeJSON(stdout, r)
	}
	fmt.Fprintf(stdout, "data       %s: %d images of %d people (%d skipped)\n", r.Data, r.Images, r.Classes, r.Skipped)
	fmt.Fprintf(stdout, "pairs      %d genuine, %d impostor\n", r.Genuine, r.Impostor)
	fmt.Fprintf(stdout, "threshold  %.6g for FAR ≤ %g: FAR %.4g, TAR %.1f%% on these pairs (model default %.4g)\n",
		r.Threshold, r.TargetFAR, r.FAR, 100*r.TAR, r.ModelDefault)
	if 1/float64(r.Impostor) > r.TargetFAR {
		fmt.Fprintf(stdout, "note       %d impostor pairs cannot measure a FAR of %g: the threshold admits none of them\n", r.Impostor, r.TargetFAR)
	}
	fmt.Fprintf(stdout, "saved in   %s (model %s)\n", r.Gallery, s.model)
	return nil
}
