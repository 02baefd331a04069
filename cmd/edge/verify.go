package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/edge-pi/edge/gallery"
)

func cmdVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o galleryOpts
	fs := flags("verify", stderr)
	name := fs.String("name", "", "the enrolled name to check the photo against")
	o.register(fs, true, true)
	images, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *name == "" || len(images) != 1 {
		return errors.New("want --name NAME and one IMAGE")
	}
	s, g, t, err := o.loadForMatch()
	if err != nil {
		return err
	}
	defer s.close()
	if _, ok := g.Lookup(*name); !ok {
		return fmt.Errorf("%q is not enrolled in %s", *name, s.path)
	}
	e, err := s.embed(images[0])
	if errors.Is(err, errNoFace) {
		r := matchReport{Image: images[0], Name: *name, Threshold: t, Reason: noFaceReason(err)}
		if o.asJSON {
			err = writeJSON(stdout, r)
		} else {
			_, err = fmt.Fprintf(stdout, "no match %s: %s\n", *name, r.Reason)
		}
		if err == nil {
			err = errNo
		}
		return err
	}
	if err != nil {
		return err
	}
	match, d, err := g.Verify(*name, e, t)
	if err != nil {
		return err
	}
	r := matchReport{Image: images[0], Name: *name, Match: match, Distance: d, Threshold: t, Score: gallery.Score(d, t)}
	if o.asJSON {
		err = writeJSON(stdout, r)
	} else {
		verdict, cmp := "match", "≤"
		if !match {
			verdict, cmp = "no match", ">"
		}
		fmt.Fprintf(stdout, "%s %s: distance %.4g %s threshold %.4g (score %.2f)\n", verdict, *name, d, cmp, t, r.Score)
	}
	if err == nil && !match {
		err = errNo
	}
	return err
}
