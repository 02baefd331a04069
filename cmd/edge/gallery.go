package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/edge-pi/edge/gallery"
	"github.com/edge-pi/edge/internal/safefile"
)

type listReport struct {
	Gallery      string         `json:"gallery"`
	Model        string         `json:"model"`
	ModelSHA256  string         `json:"model_sha256"`
	Embedding    int            `json:"embedding_size"`
	Threshold    float32        `json:"threshold"`
	ThresholdFAR float64        `json:"threshold_far"`
	Identities   []listIdentity `json:"identities"`
}

type listIdentity struct {
	Name     string    `json:"name"`
	Photos   int       `json:"photos"`
	Enrolled time.Time `json:"enrolled"`
}

const gallerySubs = "list | remove NAME | rename OLD NEW | export FILE|- | import FILE|- [--replace] [--model M]"

// cmdGallery is edge gallery list|remove|rename|export|import. Only
// import needs a model (to check the file against); the others work on
// the gallery as its model made it.
func cmdGallery(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return errors.New("want a subcommand: " + gallerySubs)
	}
	sub := args[0]
	var o galleryOpts
	fl := flags("gallery "+sub, stderr)
	replace := false
	o.register(fl, sub == "import", false)
	if sub == "import" {
		fl.BoolVar(&replace, "replace", false, "replace the gallery (identities and calibrated threshold) with the file's, instead of adding its identities")
	}
	pos, err := parse(fl, args[1:])
	if err != nil {
		return err
	}
	want := map[string]int{"list": 0, "remove": 1, "rename": 2, "export": 1, "import": 1}
	n, ok := want[sub]
	if !ok {
		return fmt.Errorf("unknown subcommand %q: want %s", sub, gallerySubs)
	}
	if len(pos) != n {
		return fmt.Errorf("gallery %s: want %d argument(s); usage: edge gallery %s", sub, n, gallerySubs)
	}
	path, err := o.galleryPath()
	if err != nil {
		return err
	}
	if sub == "import" {
		o.replacing = replace
		return galleryImport(ctx, &o, pos[0], replace, stdout)
	}
	g, err := gallery.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("no gallery at %s (enrol someone first)", path)
	}
	if err != nil {
		return err
	}
	switch sub {
	case "list":
		r := listReport{Gallery: path, Model: g.Model.Name, ModelSHA256: sha(g.Model), Embedding: g.Model.EmbeddingSize,
			Threshold: g.Threshold, ThresholdFAR: g.ThresholdFAR, Identities: []listIdentity{}}
		for _, id := range g.List() {
			r.Identities = append(r.Identities, listIdentity{Name: id.Name, Photos: len(id.Embeddings), Enrolled: id.Enrolled})
		}
		if o.asJSON {
			return writeJSON(stdout, r)
		}
		th := "model default"
		if g.Threshold > 0 {
			th = fmt.Sprintf("%.6g (calibrated for FAR %g)", g.Threshold, g.ThresholdFAR)
		}
		fmt.Fprintf(stdout, "gallery %s: model %s, threshold %s, %d identities\n", path, g.Model, th, g.Len())
		for _, id := range r.Identities {
			fmt.Fprintf(stdout, "  %-24s %3d photo(s)  enrolled %s\n", id.Name, id.Photos, id.Enrolled.Local().Format(time.DateTime))
		}
		return nil
	case "export":
		if pos[0] == "-" {
			return g.Export(stdout)
		}
		if err := gallery.WriteFile(pos[0], g); err != nil {
			return err
		}
		return report(o.asJSON, stdout, map[string]any{"exported": path, "to": pos[0], "identities": g.Len()},
			"exported %s to %s: %d identities\n", path, pos[0], g.Len())
	}
	// remove and rename: read-modify-write under the lock, with the model
	// the gallery was made with.
	store := gallery.NewStore(path, g.Model)
	switch sub {
	case "remove":
		_, err = store.Update(func(g *gallery.Gallery) error { return g.Remove(pos[0]) })
		if err != nil {
			return err
		}
		return report(o.asJSON, stdout, map[string]any{"removed": pos[0], "gallery": path},
			"removed %s from %s\n", pos[0], path)
	default: // rename
		var lookAlike string
		_, err = store.Update(func(g *gallery.Gallery) error {
			if other, ok := g.LookAlike(pos[1]); ok && other != pos[0] {
				lookAlike = other
			}
			return g.Rename(pos[0], pos[1])
		})
		if err != nil {
			return err
		}
		if lookAlike != "" {
			fmt.Fprintf(stderr, "edge gallery rename: warning: %q looks like the enrolled %q: people may read one as the other\n", pos[1], lookAlike)
		}
		return report(o.asJSON, stdout, map[string]any{"renamed": pos[0], "to": pos[1], "gallery": path},
			"renamed %s to %s in %s\n", pos[0], pos[1], path)
	}
}

// galleryImport reads a gallery file (or stdin), checks it was made with
// the model in use (--model, else the gallery's, else the default), and
// adds its identities to the gallery or replaces it.
func galleryImport(ctx context.Context, o *galleryOpts, from string, replace bool, stdout io.Writer) error {
	s, err := o.open()
	if err != nil {
		return err
	}
	defer s.close()
	var data []byte
	if from == "-" {
		data, err = safefile.ReadAll(ctx, os.Stdin, maxGalleryBytes)
	} else {
		data, err = safefile.ReadFile(from, maxGalleryBytes)
	}
	if err != nil {
		return err
	}
	in, err := gallery.Import(bytes.NewReader(data), s.model)
	if err != nil {
		return fmt.Errorf("importing %s: %w (%s is unchanged)", from, err, s.path)
	}
	if replace && in.Threshold != 0 {
		if err := checkThreshold(in.Threshold, s.net.Meta, "importing "+from); err != nil {
			return err
		}
	}
	g := in
	if replace {
		// Written whole, over whatever is there: restoring a backup must
		// work over a corrupt gallery too.
		err = s.store.Replace(in)
	} else {
		g, err = s.store.Update(func(g *gallery.Gallery) error { return g.Merge(in) })
	}
	if err != nil {
		return err
	}
	return report(o.asJSON, stdout, map[string]any{"imported": from, "gallery": s.path, "identities": g.Len(), "replaced": replace},
		"imported %s into %s: %d identities now\n", from, s.path, g.Len())
}
