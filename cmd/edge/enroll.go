package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/edge-pi/edge/gallery"
)

type enrollReport struct {
	Name        string `json:"name"`
	PhotosAdded int    `json:"photos_added"`
	Photos      int    `json:"photos"`
	New         bool   `json:"new"`
	Identities  int    `json:"identities"`
	Model       string `json:"model"`
	ModelSHA256 string `json:"model_sha256"`
	Gallery     string `json:"gallery"`
}

func cmdEnroll(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o galleryOpts
	fs := flags("enroll", stderr)
	name := fs.String("name", "", "the name to enrol the photos as (photos are added to an existing name)")
	o.register(fs, true, false)
	images, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := gallery.CheckName(*name); err != nil && !o.enrolled(*name) {
		// A name enrolled before the profile may still get photos.
		return fmt.Errorf("--name: %w", err)
	}
	if len(images) == 0 {
		return errors.New("want one or more IMAGE arguments")
	}
	s, err := o.open()
	if err != nil {
		return err
	}
	defer s.close()
	embs := make([][]float32, len(images))
	for i, p := range images {
		if err := ctx.Err(); err != nil {
			return err
		}
		if embs[i], err = s.embed(p); err != nil {
			return err
		}
	}
	isNew := false
	var warnings []string
	g, err := s.store.Update(func(g *gallery.Gallery) error {
		_, found := g.Lookup(*name)
		isNew = !found
		warnings = enrollWarnings(g, *name, embs, s)
		return g.Enroll(*name, embs...)
	})
	if err != nil {
		return err
	}
	for _, w := range warnings {
		fmt.Fprintf(stderr, "edge enroll: warning: %s\n", w)
	}
	id, _ := g.Lookup(*name)
	r := enrollReport{Name: *name, PhotosAdded: len(embs), Photos: len(id.Embeddings), New: isNew, Identities: g.Len(),
		Model: s.model.Name, ModelSHA256: sha(s.model), Gallery: s.path}
	if o.asJSON {
		return writeJSON(stdout, r)
	}
	fmt.Fprintf(stdout, "enrolled %s: %d photo(s) added, %d in all; %d identities in %s (model %s)\n",
		r.Name, r.PhotosAdded, r.Photos, r.Identities, r.Gallery, s.model)
	return nil
}

// enrollWarnings says what is suspect about enrolling embs as name in g:
// a new name that looks like an enrolled one, and a photo that already
// matches someone else (the same person under two names, or a threshold
// that accepts too much).
func enrollWarnings(g *gallery.Gallery, name string, embs [][]float32, s *session) []string {
	var w []string
	if _, found := g.Lookup(name); !found {
		if other, ok := g.LookAlike(name); ok {
			w = append(w, fmt.Sprintf("%q looks like the enrolled %q: people may read one as the other", name, other))
		}
	}
	t, err := settleThreshold(0, "", g, s.path, s.net.Meta)
	if err != nil {
		return w
	}
	for k, e := range embs {
		if other, d, ok := g.Identify(e, t); ok && other != name {
			w = append(w, fmt.Sprintf("photo %d already matches %q (distance %.4g ≤ threshold %.4g): the same person under two names, or a threshold that accepts too much", k+1, other, d, t))
		}
	}
	return w
}
