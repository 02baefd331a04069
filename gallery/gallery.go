// Package gallery keeps the people a twin network has been shown once:
// their embeddings, the model that made them and the threshold that
// decides "same person", in one file that is never lost or half-written.
//
// The package deals in embeddings ([]float32) and a model identity; it
// does not run networks, read images or log. Computing an embedding is
// package twin's job.
//
// # Several photos per person: minimum distance
//
// An identity may hold several embeddings (photos). A query's distance
// to an identity is the minimum over that identity's photos, not the
// distance to their mean. Each photo keeps its own pose, light and
// expression, so a second photo taken in profile widens what matches
// without moving the frontal one; a mean embedding sits between poses,
// closer to none of them, and can fall where no real photo of that
// person maps to (for an L2-normalised model, inside the sphere all
// photos lie on; the measurement below used the mean renormalised). The
// minimum
// also makes one photo a special case of several, and adding a photo can
// only bring its owner closer, never push a match away. The price is
// one distance per photo instead of one per person, which the batched
// SIMD distance makes small (10,000 rows of 64 floats in about half a
// millisecond on one core).
//
// Measured on att-faces s21–s30 (people the faces model was not trained
// on), 100 draws enrolling K random photos per person and probing with
// the others, minimum versus mean:
//
//	                       rank-1 accuracy      TAR at FAR 1%
//	raw pixels, K = 3      96.1% vs 96.6%       82.5% vs 78.8%
//	raw pixels, K = 5      98.1% vs 98.3%       89.1% vs 82.5%
//	faces v1,   K = 3      76.0% vs 63.3%       36.1% vs 26.8%
//	faces v1,   K = 5      86.4% vs 66.6%       49.2% vs 28.5%
//
// (faces v1 being the first, weak model, sha256 27bc79842eb5.) The mean
// is as good at naming the nearest person on raw pixels, but accepts
// fewer genuine photos at a low false-accept rate, which is what a door
// runs at; with a learned embedding the minimum wins on both.
//
// # Matching
//
// All embeddings live in one contiguous row-major matrix, rebuilt after
// a change (lazily, on the next query), never per query. Identify
// computes every row's distance with simd.L2SquaredBatch and takes the
// smallest with simd.ArgMin; it answers "unknown" (ok = false) when that
// distance exceeds the threshold, so that a stranger does not get the
// name of the nearest enrolled person. Identify and Verify allocate
// nothing.
//
// Distances are Euclidean. Score maps one to the number shown to
// people, max(0, 1 − d/(2·threshold)) (models/METADATA.md).
//
// # Names
//
// A new name (Enroll of a name not in the gallery, Rename, Merge of a
// name new to the gallery) must pass CheckName, an identifier profile
// that refuses invisible and bidi-control characters, words that mix
// Latin, Cyrillic and Greek letters, path separators, "." and "..", and
// names that start with '-'; and it must not be an enrolled name in
// another case or width ("Alice" beside "alice"). LookAlike finds an
// enrolled name that merely looks like a new one (a confusable
// skeleton), for the CLI to warn about. Names in a gallery file are held
// only to the looser rules of older edge versions, so a gallery written
// before the profile still loads whole: its names match, and can be
// given more photos, removed or renamed; only new names meet the
// profile.
//
// # File format
//
// A gallery is stored as one file (version 1):
//
//	edge-gallery 1\n
//	{ JSON body }\n
//	sha256 <64 lowercase hex digits>\n
//
// The last line is the SHA-256 of every byte before it (header and
// body). Every future version keeps the first line's "edge-gallery N"
// form and the trailing checksum line, so that corruption is told apart
// from a newer format. The body is
//
//	{
//	  "model": {"name": "faces", "sha256": "<hex of the ONNX bytes' SHA-256>", "embedding_size": 64},
//	  "threshold": 0.85,          // calibrated; 0 = the model's default
//	  "threshold_far": 0.001,     // the false-accept rate it was calibrated for
//	  "identities": [
//	    {"name": "ada", "enrolled": "2025-01-02T03:04:05Z",
//	     "embeddings": ["<base64 of embedding_size little-endian float32s>", ...]},
//	    ...
//	  ]
//	}
//
// Embeddings are stored as their exact bits, so a gallery read back is
// the gallery written. A reader refuses unknown fields, a body that does
// not check out, and a model other than the one it is asked for.
//
// # Storage
//
// Store keeps the file in a state directory (DefaultDir): written to a
// temporary file in the same directory, synced, renamed over the old one
// and the directory synced, so a crash or kill -9 leaves the old file or
// the new one, never a mix. Writers (Store.Update) hold an advisory lock
// on a lock file beside the gallery for the whole read-modify-write;
// readers need no lock because the file is only ever replaced whole. A
// running service polls Store.ReloadIfChanged, which reads only the
// checksum line when nothing changed.
package gallery

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/edge-pi/edge/simd"
)

// ModelID names the twin network a gallery's embeddings come from: the
// embeddings of one network mean nothing to another, even a retrained
// one of the same name.
type ModelID struct {
	Name          string   // the model's short name (edge.name), such as "faces"
	SHA256        [32]byte // SHA-256 of the ONNX file's bytes
	EmbeddingSize int      // floats per embedding
}

// String names the model with the start of its hash: "faces (sha256
// 1a2b3c4d5e6f, 64-d)".
func (m ModelID) String() string {
	return fmt.Sprintf("%s (sha256 %x, %d-d)", m.Name, m.SHA256[:6], m.EmbeddingSize)
}

// Identity is one enrolled person (or object): a name and the
// embeddings of one or more photos.
type Identity struct {
	Name       string
	Embeddings [][]float32
	Enrolled   time.Time // when the name was first enrolled
}

// Errors that the operations wrap.
var (
	// ErrNotEnrolled is wrapped by errors about a name not in the gallery.
	ErrNotEnrolled = errors.New("not enrolled")
	// ErrExists is wrapped by Rename's error when the new name is taken.
	ErrExists = errors.New("already enrolled")
	// ErrBadName is wrapped by errors about a name that cannot be enrolled.
	ErrBadName = errors.New("invalid name")
	// ErrBadEmbedding is wrapped by errors about an embedding of the wrong
	// length or with a NaN or infinite value.
	ErrBadEmbedding = errors.New("invalid embedding")
)

// Unknown is the answer people and scripts see when Identify finds no
// one within the threshold; it cannot be enrolled as a name.
const Unknown = "unknown"

// MaxNameLen is the longest name in bytes.
const MaxNameLen = 256

// Gallery is a set of identities enrolled with one model. It is not
// safe for concurrent use: Identify and Verify share a scratch buffer.
// Give each goroutine its own Gallery (they are cheap to read again) or
// guard one with a mutex.
type Gallery struct {
	// Model made every embedding of the gallery.
	Model ModelID
	// Threshold is the calibrated distance at or below which two
	// embeddings are the same person; 0 means the model's default (see
	// ThresholdOr).
	Threshold float32
	// ThresholdFAR is the false-accept rate Threshold was calibrated for
	// (0 when not calibrated).
	ThresholdFAR float64

	ids []Identity // sorted by name; embeddings owned by the gallery

	// The search index, rebuilt by index() after a change.
	stale  bool
	byName map[string]int // identity index of each name
	mat    []float32      // all embeddings, row-major, grouped by identity
	owner  []int32        // identity index of each row
	first  []int32        // first row of identity i is first[i]; len(ids)+1 entries
	dist   []float32      // scratch: squared distances, one per row
}

// New returns an empty gallery for embeddings of model m.
func New(m ModelID) *Gallery {
	return &Gallery{Model: m, stale: true}
}

// ThresholdOr returns the gallery's calibrated threshold, or def (the
// model's default) when it has none.
func (g *Gallery) ThresholdOr(def float32) float32 {
	if g.Threshold > 0 {
		return g.Threshold
	}
	return def
}

// Len returns the number of identities.
func (g *Gallery) Len() int { return len(g.ids) }

// Photos returns the number of embeddings over all identities.
func (g *Gallery) Photos() int {
	n := 0
	for _, id := range g.ids {
		n += len(id.Embeddings)
	}
	return n
}

// List returns the identities sorted by name. The slice is a copy, but
// the embeddings are the gallery's own: do not modify them.
func (g *Gallery) List() []Identity { return slices.Clone(g.ids) }

// Lookup returns the identity enrolled as name. Its embeddings are the
// gallery's own: do not modify them.
func (g *Gallery) Lookup(name string) (Identity, bool) {
	i, ok := g.find(name)
	if !ok {
		return Identity{}, false
	}
	return g.ids[i], true
}

func (g *Gallery) find(name string) (int, bool) {
	return slices.BinarySearchFunc(g.ids, name, func(id Identity, name string) int {
		return strings.Compare(id.Name, name)
	})
}

func (g *Gallery) checkEmbedding(e []float32) error {
	if len(e) != g.Model.EmbeddingSize {
		return fmt.Errorf("%w: %d floats, model %s makes %d", ErrBadEmbedding, len(e), g.Model.Name, g.Model.EmbeddingSize)
	}
	for i, v := range e {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("%w: element %d is %v", ErrBadEmbedding, i, v)
		}
	}
	return nil
}

// Enroll adds the embeddings of one or more photos to name, creating the
// identity if it is new. The embeddings are copied. On error the gallery
// is unchanged.
func (g *Gallery) Enroll(name string, embeddings ...[]float32) error {
	return g.enroll(name, time.Now().UTC(), embeddings)
}

func (g *Gallery) enroll(name string, when time.Time, embeddings [][]float32) error {
	if _, ok := g.find(name); !ok {
		if err := g.checkNewName(name); err != nil {
			return err
		}
	}
	return g.add(name, when, embeddings)
}

// add is enroll without the checks of a new name (for a gallery file).
func (g *Gallery) add(name string, when time.Time, embeddings [][]float32) error {
	if len(embeddings) == 0 {
		return fmt.Errorf("enrolling %q: no embeddings", name)
	}
	for _, e := range embeddings {
		if err := g.checkEmbedding(e); err != nil {
			return fmt.Errorf("enrolling %q: %w", name, err)
		}
	}
	d := g.Model.EmbeddingSize
	block := make([]float32, len(embeddings)*d) // one allocation for all photos
	copies := make([][]float32, len(embeddings))
	for k, e := range embeddings {
		copies[k] = block[k*d : (k+1)*d : (k+1)*d]
		copy(copies[k], e)
	}
	i, ok := g.find(name)
	if ok {
		g.ids[i].Embeddings = append(g.ids[i].Embeddings, copies...)
	} else {
		g.ids = slices.Insert(g.ids, i, Identity{Name: name, Embeddings: copies, Enrolled: when})
	}
	g.stale = true
	return nil
}

// checkNewName is CheckName for a name not in g, which must also not be
// an enrolled name in another case or form.
func (g *Gallery) checkNewName(name string) error {
	if err := CheckName(name); err != nil {
		return err
	}
	if other, ok := g.sameName(name); ok {
		return fmt.Errorf("%q is %w as %q (names are compared ignoring case and width): use that name", name, ErrExists, other)
	}
	return nil
}

// Remove deletes name and its embeddings.
func (g *Gallery) Remove(name string) error {
	i, ok := g.find(name)
	if !ok {
		return fmt.Errorf("%q: %w", name, ErrNotEnrolled)
	}
	g.ids = slices.Delete(g.ids, i, i+1)
	g.stale = true
	return nil
}

// Rename gives the identity old the name new, which must be free.
func (g *Gallery) Rename(old, new string) error {
	i, ok := g.find(old)
	if !ok {
		return fmt.Errorf("%q: %w", old, ErrNotEnrolled)
	}
	if old == new {
		return nil
	}
	if _, ok := g.find(new); ok {
		return fmt.Errorf("renaming %q: %q is %w", old, new, ErrExists)
	}
	if err := CheckName(new); err != nil {
		return err
	}
	if other, ok := g.sameName(new); ok && other != old {
		return fmt.Errorf("renaming %q: %q is %w as %q (names are compared ignoring case and width)", old, new, ErrExists, other)
	}
	id := g.ids[i]
	g.ids = slices.Delete(g.ids, i, i+1)
	id.Name = new
	j, _ := g.find(new)
	g.ids = slices.Insert(g.ids, j, id)
	g.stale = true
	return nil
}

// Merge adds other's identities to g: new names are added, and photos of
// a name in both are added to it unless g already holds the identical
// embedding (so merging the same file twice changes nothing). The models
// must be the same.
func (g *Gallery) Merge(other *Gallery) error {
	if other.Model != g.Model {
		return &ModelError{File: other.Model, Want: g.Model}
	}
	for _, id := range other.ids {
		var add [][]float32
		if i, ok := g.find(id.Name); ok {
			for _, e := range id.Embeddings {
				if !slices.ContainsFunc(g.ids[i].Embeddings, func(x []float32) bool { return sameBits(x, e) }) {
					add = append(add, e)
				}
			}
		} else {
			add = id.Embeddings
		}
		if len(add) == 0 {
			continue
		}
		if err := g.enroll(id.Name, id.Enrolled, add); err != nil {
			return err
		}
	}
	return nil
}

func sameBits(a, b []float32) bool {
	return slices.EqualFunc(a, b, func(x, y float32) bool { return math.Float32bits(x) == math.Float32bits(y) })
}

// index rebuilds the search matrix after a change. It reuses the old
// buffers' capacity, so a gallery that shrinks or grows a little does
// not reallocate.
func (g *Gallery) index() {
	if !g.stale {
		return
	}
	d := g.Model.EmbeddingSize
	rows := g.Photos()
	g.mat = slices.Grow(g.mat[:0], rows*d)
	g.owner = slices.Grow(g.owner[:0], rows)
	g.first = slices.Grow(g.first[:0], len(g.ids)+1)
	if g.byName == nil {
		g.byName = make(map[string]int, len(g.ids))
	}
	clear(g.byName)
	for i, id := range g.ids {
		g.byName[id.Name] = i
		g.first = append(g.first, int32(len(g.owner)))
		for _, e := range id.Embeddings {
			g.mat = append(g.mat, e...)
			g.owner = append(g.owner, int32(i))
		}
	}
	g.first = append(g.first, int32(len(g.owner)))
	if cap(g.dist) < rows {
		g.dist = make([]float32, rows)
	}
	g.dist = g.dist[:rows]
	g.stale = false
}

func (g *Gallery) checkQuery(q []float32) {
	if len(q) != g.Model.EmbeddingSize {
		panic(fmt.Sprintf("gallery: query of %d floats, model %s makes %d", len(q), g.Model.Name, g.Model.EmbeddingSize))
	}
}

// Nearest returns the identity with the photo nearest to query and that
// distance, whatever it is: ("", +Inf) for an empty gallery, ("", NaN)
// for a query with a NaN. It is the search under Identify; to answer
// "who is this?", use Identify, which says "unknown" for a stranger.
// Nearest panics if len(query) is not the model's embedding size.
func (g *Gallery) Nearest(query []float32) (name string, distance float32) {
	g.checkQuery(query)
	g.index()
	if len(g.dist) == 0 {
		return "", float32(math.Inf(1))
	}
	simd.L2SquaredBatch(query, g.mat, g.dist)
	j, sq := simd.ArgMin(g.dist)
	if j < 0 {
		return "", float32(math.NaN())
	}
	return g.ids[g.owner[j]].Name, sqrt32(sq)
}

// Identify returns the identity nearest to query (the minimum distance
// over each identity's photos) with ok = true when that distance is at
// most threshold. Otherwise ok is false and name is "": a stranger gets
// no one's name, only the distance to the nearest photo. A threshold of
// 0, negative or NaN matches only an identical embedding or nothing: pass
// g.ThresholdOr(the model's default). Identify allocates nothing (after
// the first call following a change) and panics if len(query) is not the
// model's embedding size.
func (g *Gallery) Identify(query []float32, threshold float32) (name string, distance float32, ok bool) {
	name, distance = g.Nearest(query)
	if !(distance <= threshold) {
		return "", distance, false
	}
	return name, distance, true
}

// Verify answers "is this name?": the minimum distance from query to
// name's photos and whether it is at most threshold. It is an error if
// name is not enrolled. Verify allocates nothing when name is enrolled
// and panics if len(query) is not the model's embedding size.
func (g *Gallery) Verify(name string, query []float32, threshold float32) (match bool, distance float32, err error) {
	g.checkQuery(query)
	g.index()
	i, ok := g.byName[name]
	if !ok {
		return false, 0, fmt.Errorf("%q: %w", name, ErrNotEnrolled)
	}
	d := g.Model.EmbeddingSize
	lo, hi := int(g.first[i]), int(g.first[i+1])
	out := g.dist[lo:hi]
	simd.L2SquaredBatch(query, g.mat[lo*d:hi*d], out)
	if j, sq := simd.ArgMin(out); j >= 0 {
		distance = sqrt32(sq)
	} else {
		distance = float32(math.NaN())
	}
	return distance <= threshold, distance, nil
}

func sqrt32(x float32) float32 { return float32(math.Sqrt(float64(x))) }
