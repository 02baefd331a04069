package gallery

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"time"
)

// Version is the file format version Marshal writes.
const Version = 1

const (
	magic       = "edge-gallery "          // then the version and "\n"
	trailerTag  = "sha256 "                // then 64 hex digits and "\n"
	trailerSize = len(trailerTag) + 64 + 1 // the checksum line
)

// ErrCorrupt is wrapped by the error for a gallery file that is damaged
// or not a gallery file (a *CorruptError).
var ErrCorrupt = errors.New("gallery corrupt")

// CorruptError reports a gallery file that fails its checksum or does
// not decode. It is never half-used: the gallery is refused whole.
type CorruptError struct {
	Path   string // the file, "" for data not read from a file
	Reason string // what is wrong, such as "checksum mismatch"
}

func (e *CorruptError) Error() string {
	if e.Path == "" {
		// Data to import, not the gallery in use: nothing to restore.
		return fmt.Sprintf("gallery data is corrupt (%s)", e.Reason)
	}
	return fmt.Sprintf("gallery file %s is corrupt (%s): restore a backup or remove it and enrol again", e.Path, e.Reason)
}

// Unwrap makes errors.Is(err, ErrCorrupt) true.
func (e *CorruptError) Unwrap() error { return ErrCorrupt }

// ErrModelMismatch is wrapped by the error for a gallery made with
// another model (a *ModelError).
var ErrModelMismatch = errors.New("gallery made with another model")

// ModelError reports a gallery whose embeddings come from a model other
// than the one in use: its distances would be meaningless.
type ModelError struct {
	Path string  // the file, "" for data not read from a file
	File ModelID // the model that made the gallery
	Want ModelID // the model in use
}

func (e *ModelError) Error() string {
	what := "the gallery"
	if e.Path != "" {
		what = "gallery file " + e.Path
	}
	how := fmt.Sprintf("use model %s to read it, or enrol everyone again with %s (into a new gallery, or after removing this one)", e.File.Name, e.Want.Name)
	if e.File.Name == e.Want.Name {
		// Same name, other weights: the other version is not at hand.
		how = fmt.Sprintf("model %s has changed since; enrol everyone again (into a new gallery, or after removing this one)", e.Want.Name)
	}
	return fmt.Sprintf("%s was made with model %s, not %s: %s", what, e.File, e.Want, how)
}

// Unwrap makes errors.Is(err, ErrModelMismatch) true.
func (e *ModelError) Unwrap() error { return ErrModelMismatch }

// VersionError reports a gallery file of a format version this edge
// does not read (written by a newer edge).
type VersionError struct {
	Path    string
	Version int
}

func (e *VersionError) Error() string {
	what := "gallery data"
	if e.Path != "" {
		what = "gallery file " + e.Path
	}
	return fmt.Sprintf("%s has format version %d, this edge reads version %d: upgrade edge", what, e.Version, Version)
}

// CheckModel returns a *ModelError if the gallery was not made with
// model m.
func (g *Gallery) CheckModel(m ModelID) error {
	if g.Model != m {
		return &ModelError{File: g.Model, Want: m}
	}
	return nil
}

type fileModel struct {
	Name          string `json:"name"`
	SHA256        string `json:"sha256"`
	EmbeddingSize int    `json:"embedding_size"`
}

type fileIdentity struct {
	Name       string    `json:"name"`
	Enrolled   time.Time `json:"enrolled"`
	Embeddings [][]byte  `json:"embeddings"` // little-endian float32s, base64 in JSON
}

type fileBody struct {
	Model        fileModel      `json:"model"`
	Threshold    float32        `json:"threshold"`
	ThresholdFAR float64        `json:"threshold_far"`
	Identities   []fileIdentity `json:"identities"`
}

// maxEmbeddingSize bounds embedding_size in a file.
const maxEmbeddingSize = 1 << 16

// Marshal encodes g in the file format of the package documentation.
func Marshal(g *Gallery) ([]byte, error) {
	if err := checkThreshold(g.Threshold, g.ThresholdFAR); err != nil {
		return nil, err
	}
	body := fileBody{
		Model:        fileModel{Name: g.Model.Name, SHA256: hex.EncodeToString(g.Model.SHA256[:]), EmbeddingSize: g.Model.EmbeddingSize},
		Threshold:    g.Threshold,
		ThresholdFAR: g.ThresholdFAR,
		Identities:   make([]fileIdentity, len(g.ids)),
	}
	for i, id := range g.ids {
		fi := fileIdentity{Name: id.Name, Enrolled: id.Enrolled, Embeddings: make([][]byte, len(id.Embeddings))}
		for k, e := range id.Embeddings {
			b := make([]byte, 0, 4*len(e))
			for _, v := range e {
				b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
			}
			fi.Embeddings[k] = b
		}
		body.Identities[i] = fi
	}
	var buf bytes.Buffer
	buf.WriteString(magic + strconv.Itoa(Version) + "\n")
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(body); err != nil { // ends with "\n"
		return nil, err
	}
	sum := sha256.Sum256(buf.Bytes())
	buf.WriteString(trailerTag + hex.EncodeToString(sum[:]) + "\n")
	return buf.Bytes(), nil
}

func checkThreshold(t float32, far float64) error {
	if !(t >= 0) || math.IsInf(float64(t), 0) {
		return fmt.Errorf("threshold %v: want a finite distance ≥ 0", t)
	}
	if !(far >= 0 && far <= 1) {
		return fmt.Errorf("threshold FAR %v: want 0 ≤ FAR ≤ 1", far)
	}
	return nil
}

// trailer returns the checksum line data must end with.
func trailer(data []byte) []byte {
	sum := sha256.Sum256(data)
	return []byte(trailerTag + hex.EncodeToString(sum[:]) + "\n")
}

// Unmarshal decodes a gallery in the file format, refusing anything that
// does not check out with a *CorruptError (or a *VersionError for a
// newer format). It does not check the model: see CheckModel.
func Unmarshal(data []byte) (*Gallery, error) {
	bad := func(format string, args ...any) error {
		return &CorruptError{Reason: fmt.Sprintf(format, args...)}
	}
	if len(data) < len(magic)+trailerSize || !bytes.HasPrefix(data, []byte(magic)) {
		return nil, bad("not an edge gallery file, or its header is damaged")
	}
	n := len(data) - trailerSize
	// The comparison is byte for byte: the digits are lowercase, so an
	// upper-case digit (one flipped bit) is damage too.
	if !bytes.Equal(data[n:], trailer(data[:n])) {
		if !bytes.HasPrefix(data[n:], []byte(trailerTag)) || data[len(data)-1] != '\n' {
			return nil, bad("truncated or damaged checksum line")
		}
		return nil, bad("checksum mismatch")
	}
	// The checksum holds: what follows is what a writer wrote.
	line, rest, ok := bytes.Cut(data[len(magic):n], []byte("\n"))
	v, err := strconv.Atoi(string(line))
	if !ok || err != nil || v < 1 || strconv.Itoa(v) != string(line) {
		return nil, bad("bad header line")
	}
	if v != Version {
		return nil, &VersionError{Version: v}
	}
	var body fileBody
	dec := json.NewDecoder(bytes.NewReader(rest))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		return nil, bad("body: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, bad("body: data after the JSON value")
	}
	g, err := fromBody(&body)
	if err != nil {
		return nil, bad("%v", err)
	}
	return g, nil
}

func fromBody(b *fileBody) (*Gallery, error) {
	m := ModelID{Name: b.Model.Name, EmbeddingSize: b.Model.EmbeddingSize}
	if m.Name == "" {
		return nil, errors.New("no model name")
	}
	if len(b.Model.SHA256) != 64 || hex.EncodeToString(mustHex(b.Model.SHA256)) != b.Model.SHA256 {
		return nil, fmt.Errorf("model sha256 %q: want 64 lowercase hex digits", b.Model.SHA256)
	}
	copy(m.SHA256[:], mustHex(b.Model.SHA256))
	if m.EmbeddingSize < 1 || m.EmbeddingSize > maxEmbeddingSize {
		return nil, fmt.Errorf("embedding size %d", m.EmbeddingSize)
	}
	if err := checkThreshold(b.Threshold, b.ThresholdFAR); err != nil {
		return nil, err
	}
	g := New(m)
	g.Threshold, g.ThresholdFAR = b.Threshold, b.ThresholdFAR
	d := m.EmbeddingSize
	for _, fi := range b.Identities {
		if _, dup := g.find(fi.Name); dup {
			return nil, fmt.Errorf("%q enrolled twice", fi.Name)
		}
		embs := make([][]float32, len(fi.Embeddings))
		for k, raw := range fi.Embeddings {
			if len(raw) != 4*d {
				return nil, fmt.Errorf("%q: embedding of %d bytes, want %d", fi.Name, len(raw), 4*d)
			}
			e := make([]float32, d)
			for j := range e {
				e[j] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*j:]))
			}
			embs[k] = e
		}
		// A file may hold names that CheckName now refuses (an older
		// edge wrote them): they load, so that no one's enrolment is lost.
		if err := checkStoredName(fi.Name); err != nil {
			return nil, err
		}
		if err := g.add(fi.Name, fi.Enrolled, embs); err != nil {
			return nil, err
		}
	}
	return g, nil
}

// mustHex decodes s, or returns nil if it is not hex.
func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil
	}
	return b
}

// Export writes g to w in the file format.
func (g *Gallery) Export(w io.Writer) error {
	data, err := Marshal(g)
	if err != nil {
		return err
	}
	_, err = w.Write(data)
	return err
}

// Import reads a gallery in the file format from r (at most
// MaxFileBytes) and checks that it was
// made with model m (a *ModelError if not). Merge it into another
// gallery, or save it in place of one.
func Import(r io.Reader, m ModelID) (*Gallery, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileBytes {
		return nil, fmt.Errorf("gallery data of more than %d bytes", MaxFileBytes)
	}
	g, err := Unmarshal(data)
	if err != nil {
		return nil, err
	}
	if err := g.CheckModel(m); err != nil {
		return nil, err
	}
	return g, nil
}

// Equal reports whether a and b hold the same model, threshold and
// identities, embeddings compared bit for bit.
func Equal(a, b *Gallery) bool {
	if a.Model != b.Model || a.Threshold != b.Threshold || a.ThresholdFAR != b.ThresholdFAR || len(a.ids) != len(b.ids) {
		return false
	}
	for i, x := range a.ids {
		y := b.ids[i]
		if x.Name != y.Name || !x.Enrolled.Equal(y.Enrolled) ||
			!slices.EqualFunc(x.Embeddings, y.Embeddings, sameBits) {
			return false
		}
	}
	return true
}
