package main

// The options and the session that enroll, verify, identify, calibrate
// and gallery share: where the gallery is, which model embeds and whether
// it finds the face (newLocator, in files.go), and what a photo without
// a face to match means.

import (
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"image"
	"io/fs"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/edge-pi/edge/gallery"
	"github.com/edge-pi/edge/imageio"
	"github.com/edge-pi/edge/models"
	"github.com/edge-pi/edge/twin"
)

// defaultModel is the model a new gallery is enrolled with.
const defaultModel = "faces"

// galleryOpts are the flags the gallery commands share.
type galleryOpts struct {
	path      string
	stateDir  string
	model     string
	noDetect  bool
	threshold float64
	threads   int
	asJSON    bool
	// replacing is import --replace: with --model, a gallery that does
	// not read (corrupt, another model or format) is to be replaced.
	replacing bool
}

func (o *galleryOpts) register(fs *flag.FlagSet, withModel, withThreshold bool) {
	fs.Func("gallery", "the gallery file (default: "+gallery.FileName+" in the state directory)", pathFlag(&o.path))
	fs.Func("state-dir", "the state directory (default: $STATE_DIRECTORY, $XDG_STATE_HOME/edge or ~/.local/state/edge)", pathFlag(&o.stateDir))
	fs.BoolVar(&o.asJSON, "json", false, "print JSON")
	if withModel {
		fs.StringVar(&o.model, "model", "", "an embedded model ("+strings.Join(models.Names(), ", ")+") or an ONNX file (default: the gallery's model, or "+defaultModel+" for a new gallery)")
		fs.BoolVar(&o.noDetect, "no-detect", false, "take each image as the face crop instead of finding the face")
		fs.IntVar(&o.threads, "threads", 0, "threads per forward pass (0: one per core)")
	}
	if withThreshold {
		fs.Func("threshold", "distance at or below which a face matches (default: the gallery's calibrated threshold, else the model's)", func(v string) error {
			t, err := strconv.ParseFloat(v, 32)
			if err != nil {
				return errors.New("not a number")
			}
			if t == 0 || math.IsNaN(t) { // 0 would mean "not given" below
				return fmt.Errorf("%v is not a distance > 0", v)
			}
			o.threshold = t
			return nil
		})
	}
}

// pathFlag sets *dst to a flag's value, refusing "": --gallery "" must
// not silently mean the default gallery.
func pathFlag(dst *string) func(string) error {
	return func(v string) error {
		if v == "" {
			return errors.New("empty: give a path, or leave the flag out for the default")
		}
		*dst = v
		return nil
	}
}

// galleryPath resolves --gallery and --state-dir.
func (o *galleryOpts) galleryPath() (string, error) {
	switch {
	case o.path != "" && o.stateDir != "":
		return "", errors.New("give --gallery or --state-dir, not both")
	case o.path != "":
		return o.path, nil
	case o.stateDir != "":
		return filepath.Join(o.stateDir, gallery.FileName), nil
	}
	return gallery.DefaultPath()
}

// enrolled reports whether name is in the gallery (false if it does not
// read).
func (o *galleryOpts) enrolled(name string) bool {
	path, err := o.galleryPath()
	if err != nil {
		return false
	}
	g, err := gallery.ReadFile(path)
	if err != nil {
		return false
	}
	_, ok := g.Lookup(name)
	return ok
}

// session is what a command that embeds images works with.
type session struct {
	path  string
	net   *twin.Net
	model gallery.ModelID
	store *gallery.Store
}

// open resolves the gallery and the model: --model, else the model the
// gallery was made with, else the default. The gallery is read first, so
// that a damaged one is reported before anything else.
func (o *galleryOpts) open() (*session, error) {
	path, err := o.galleryPath()
	if err != nil {
		return nil, err
	}
	name := o.model
	if g, err := gallery.ReadFile(path); err == nil {
		if name == "" {
			name = g.Model.Name
			if _, err := models.Open(name); err != nil {
				return nil, fmt.Errorf("gallery %s was made with model %s, which is not embedded in this edge: pass --model with its ONNX file", path, g.Model)
			}
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		if !o.replacing {
			return nil, err
		}
		if name == "" {
			return nil, fmt.Errorf("%w; to restore a backup over it, give the backup's model with --model", err)
		}
	}
	if name == "" {
		name = defaultModel
	}
	net, err := openNet(name, o.threads)
	if err != nil {
		return nil, err
	}
	if net.Model == nil {
		net.Close()
		return nil, errors.New("--model raw-pixels has no model to enrol with: use a twin network")
	}
	if net.Meta.Crop == twin.CropFace && !o.noDetect {
		if newLocator == nil {
			net.Close()
			return nil, fmt.Errorf("model %s looks at faces, and this edge has no face detector yet: pass --no-detect if the images are face crops", name)
		}
		l, err := newLocator()
		if err != nil {
			net.Close()
			return nil, err
		}
		net.SetLocator(l)
	}
	m := modelID(net)
	return &session{path: path, net: net, model: m, store: gallery.NewStore(path, m)}, nil
}

func (s *session) close() { s.net.Close() }

// embed reads an image file and returns a copy of its embedding.
func (s *session) embed(path string) ([]float32, error) {
	img, err := imageio.LoadFile(path)
	if err != nil {
		return nil, err
	}
	e, err := s.embedImage(img)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return e, nil
}

// errNoFace wraps the errors of a photo in which no face could be
// matched: none found, several, or one the quality gate refuses. To
// enroll it is an error (nothing was enrolled, exit 2); to verify and
// identify it is an answer: nobody who can be matched is in the photo
// (exit 1).
var errNoFace = errors.New("no face to match")

// noFaceError says why a photo has no face to match.
type noFaceError struct{ msg string }

func (e *noFaceError) Error() string { return e.msg }
func (e *noFaceError) Unwrap() error { return errNoFace }

// noFaceReason is the reason of a noFaceError in err, without the path.
func noFaceReason(err error) string {
	var nf *noFaceError
	if errors.As(err, &nf) {
		return nf.msg
	}
	return err.Error()
}

func (s *session) embedImage(img image.Image) ([]float32, error) {
	e, err := s.net.Embed(img)
	switch {
	case errors.Is(err, twin.ErrNotFound):
		return nil, &noFaceError{"no face found: use a photo of one face, or --no-detect if it is a face crop"}
	case errors.Is(err, twin.ErrManyFaces):
		return nil, &noFaceError{"several faces found: use a photo of one face"}
	case errors.Is(err, twin.ErrQuality):
		return nil, &noFaceError{fmt.Sprintf("the face cannot be matched: %v", err)}
	case err != nil:
		return nil, err
	}
	return append([]float32(nil), e...), nil
}

// modelID is the identity a gallery is tied to.
func modelID(n *twin.Net) gallery.ModelID {
	id := gallery.ModelID{Name: n.Meta.Name, EmbeddingSize: n.Meta.EmbeddingSize}
	if n.Model != nil {
		id.SHA256 = n.Model.SHA256
	}
	return id
}

func sha(m gallery.ModelID) string { return hex.EncodeToString(m.SHA256[:]) }

type matchReport struct {
	Image string `json:"image"`
	Name  string `json:"name"` // the identity, or "unknown"
	Match bool   `json:"match"`
	// Reason says why a photo could not be matched at all (no face,
	// several, or one too poor); Name is then "unknown".
	Reason    string  `json:"reason,omitempty"`
	Distance  float32 `json:"distance"`
	Threshold float32 `json:"threshold"`
	Score     float32 `json:"score"`
}

// loadForMatch opens the session and the gallery, and settles the
// threshold.
func (o *galleryOpts) loadForMatch() (*session, *gallery.Gallery, float32, error) {
	s, err := o.open()
	if err != nil {
		return nil, nil, 0, err
	}
	g, err := s.store.Load()
	if err == nil {
		var t float32
		if t, err = settleThreshold(float32(o.threshold), "--threshold", g, s.path, s.net.Meta); err == nil {
			return s, g, t, nil
		}
	}
	s.close()
	return nil, nil, 0, err
}
