package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/edge-pi/edge/gallery"
)

func cmdIdentify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o galleryOpts
	fs := flags("identify", stderr)
	o.register(fs, true, true)
	images, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(images) == 0 {
		return errors.New("want one or more IMAGE arguments")
	}
	s, g, t, err := o.loadForMatch()
	if err != nil {
		return err
	}
	defer s.close()
	var reports []matchReport
	unknown := 0
	for _, p := range images {
		if err := ctx.Err(); err != nil {
			return err
		}
		e, err := s.embed(p)
		var r matchReport
		ok := false
		switch {
		case errors.Is(err, errNoFace):
			r = matchReport{Image: p, Name: gallery.Unknown, Threshold: t, Reason: noFaceReason(err)}
		case err != nil:
			return err
		default:
			var name string
			var d float32
			name, d, ok = g.Identify(e, t)
			r = matchReport{Image: p, Name: name, Match: ok, Distance: d, Threshold: t, Score: gallery.Score(d, t)}
		}
		if !ok {
			r.Name = gallery.Unknown
			unknown++
		}
		if o.asJSON {
			reports = append(reports, r)
			continue
		}
		prefix := ""
		if len(images) > 1 {
			prefix = p + ": "
		}
		switch {
		case r.Reason != "":
			fmt.Fprintf(stdout, "%s%s (%s)\n", prefix, gallery.Unknown, r.Reason)
		case ok:
			fmt.Fprintf(stdout, "%s%s (distance %.4g ≤ %.4g, score %.2f)\n", prefix, r.Name, r.Distance, t, r.Score)
		default:
			fmt.Fprintf(stdout, "%s%s (nearest distance %.4g > %.4g)\n", prefix, gallery.Unknown, r.Distance, t)
		}
	}
	if o.asJSON {
		if err := writeJSON(stdout, reports); err != nil {
			return err
		}
	}
	if unknown > 0 {
		return errNo
	}
	return nil
}
