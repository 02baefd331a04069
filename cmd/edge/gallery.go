package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"image"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/edge-pi/edge/eval"
	"github.com/edge-pi/edge/gallery"
	"github.com/edge-pi/edge/imageio"
	"github.com/edge-pi/edge/internal/safefile"
	"github.com/edge-pi/edge/locate"
	"github.com/edge-pi/edge/models"
	"github.com/edge-pi/edge/twin"
)

// defaultModel is the model a new gallery is enrolled with.
const defaultModel = "faces"

// newLocator returns the face detector the camera service uses, for
// models whose crop is "face" (the cascade built into the binary, or the
// file $EDGE_CASCADE names). --no-detect takes images as face crops.
var newLocator = func() (twin.Locator, error) {
	b, err := cascade(os.Getenv("EDGE_CASCADE"))
	if err != nil {
		return nil, fmt.Errorf("EDGE_CASCADE: %w", err)
	}
	return locate.New(b, locate.Options{})
}

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
	m := gallery.ModelID{Name: net.Meta.Name, SHA256: net.Model.SHA256, EmbeddingSize: net.Meta.EmbeddingSize}
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

func sha(m gallery.ModelID) string { return hex.EncodeToString(m.SHA256[:]) }

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
		Progress: progress(stderr, start),
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

const gallerySubs = "list | remove NAME | rename OLD NEW | export FILE|- | import FILE|- [--replace]"

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

// report prints v as JSON, or the formatted line.
func report(asJSON bool, w io.Writer, v any, format string, args ...any) error {
	if asJSON {
		return writeJSON(w, v)
	}
	_, err := fmt.Fprintf(w, format, args...)
	return err
}
