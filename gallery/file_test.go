package gallery

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/v1.edge")

// smallGallery is a gallery with awkward values: -0, a subnormal, the
// largest float32, Unicode names, a calibrated threshold.
func smallGallery() *Gallery {
	g := New(testModel(3))
	g.Threshold, g.ThresholdFAR = 0.85, 0.001
	when := time.Date(2025, 1, 2, 3, 4, 5, 6, time.UTC)
	must := func(err error) {
		if err != nil {
			panic(err)
		}
	}
	must(g.enroll("ada", when, [][]float32{{1, -2, 0.5}, {float32(math.Copysign(0, -1)), 1e-45, math.MaxFloat32}}))
	must(g.enroll("Zoë 李", when.Add(time.Hour), [][]float32{{0.1, 0.2, 0.3}}))
	return g
}

func TestRoundTrip(t *testing.T) {
	g := smallGallery()
	data, err := Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Unmarshal(data)
	if err != nil {
		t.Fatal(err)
	}
	if !Equal(g, back) {
		t.Errorf("read back a different gallery:\n%s", data)
	}
	again, _ := Marshal(back)
	if !bytes.Equal(data, again) {
		t.Error("encoding is not deterministic")
	}
	if !strings.HasPrefix(string(data), "edge-gallery 1\n{") {
		t.Errorf("header %q", data[:20])
	}
	if id, _ := back.Lookup("ada"); math.Signbit(float64(id.Embeddings[1][0])) != true {
		t.Error("-0 lost its sign")
	}
	// An empty gallery too.
	e := New(testModel(5))
	data, _ = Marshal(e)
	if back, err := Unmarshal(data); err != nil || !Equal(e, back) {
		t.Errorf("empty gallery: %v", err)
	}
}

// TestGoldenV1 reads a version 1 file written when the format was made:
// later versions of edge must keep reading it.
func TestGoldenV1(t *testing.T) {
	path := filepath.Join("testdata", "v1.edge")
	g := smallGallery()
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		data, _ := Marshal(g)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Unmarshal(data)
	if err != nil {
		t.Fatal(err)
	}
	if !Equal(g, back) {
		t.Error("testdata/v1.edge decodes to another gallery")
	}
}

// TestFlippedBytes damages each byte of a small gallery file in several
// ways; every one must be refused as corrupt, with a message that names
// the file and says what to do.
func TestFlippedBytes(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	g := smallGallery()
	if err := WriteFile(path, g); err != nil {
		t.Fatal(err)
	}
	good, _ := os.ReadFile(path)
	s := NewStore(path, g.Model)
	for i := range good {
		for _, mask := range []byte{0x01, 0x20, 0x80, 0xff} {
			bad := bytes.Clone(good)
			bad[i] ^= mask
			var err error
			if i%32 == 0 { // through the file system now and then; decode is what Load runs on the bytes
				if err := os.WriteFile(path, bad, 0o600); err != nil {
					t.Fatal(err)
				}
				_, err = s.Load()
			} else {
				_, err = s.decode(bad)
			}
			var ce *CorruptError
			if !errors.As(err, &ce) || !errors.Is(err, ErrCorrupt) {
				t.Fatalf("byte %d ^ %#x: error %v, want a CorruptError", i, mask, err)
			}
			msg := err.Error()
			if !strings.Contains(msg, "gallery file "+path+" is ") || !strings.Contains(msg, "corrupt") ||
				!strings.Contains(msg, "restore a backup or remove it and enrol again") {
				t.Fatalf("byte %d ^ %#x: message %q", i, mask, msg)
			}
		}
	}
	t.Logf("%d bytes × 4 flips refused", len(good))
}

func TestTruncated(t *testing.T) {
	good, _ := Marshal(smallGallery())
	for n := 0; n < len(good); n++ {
		if _, err := Unmarshal(good[:n]); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("first %d of %d bytes: %v", n, len(good), err)
		}
	}
	if _, err := Unmarshal(append(bytes.Clone(good), '\n')); !errors.Is(err, ErrCorrupt) {
		t.Errorf("a byte appended: %v", err)
	}
	if _, err := Unmarshal([]byte("\x89PNG\r\n\x1a\n...")); !errors.Is(err, ErrCorrupt) ||
		!strings.Contains(err.Error(), "not an edge gallery file") {
		t.Errorf("a PNG: %v", err)
	}
}

// seal replaces the header line and body of a file and recomputes its
// checksum: damage the checksum does not catch.
func seal(header, body string) []byte {
	data := []byte(header + body)
	return append(data, trailer(data)...)
}

func TestVersion(t *testing.T) {
	good, _ := Marshal(smallGallery())
	body := string(good[len("edge-gallery 1\n") : len(good)-trailerSize])
	_, err := Unmarshal(seal("edge-gallery 2\n", body))
	var ve *VersionError
	if !errors.As(err, &ve) || ve.Version != 2 || !strings.Contains(err.Error(), "upgrade edge") {
		t.Errorf("version 2: %v", err)
	}
	for _, h := range []string{"edge-gallery 0\n", "edge-gallery 01\n", "edge-gallery x\n", "edge-gallery 1 \n", "edge-gallery -1\n"} {
		if _, err := Unmarshal(seal(h, body)); !errors.Is(err, ErrCorrupt) {
			t.Errorf("header %q: %v", h, err)
		}
	}
}

// TestBadContent: bodies that pass the checksum (a buggy or hand-edited
// file) but not validation are refused too.
func TestBadContent(t *testing.T) {
	m2 := testModel(2)
	sha := hex.EncodeToString(m2.SHA256[:])
	emb := "AACAPwAAAEA=" // 1, 2 as little-endian float32
	nanEmb := "AADAfwAAAEA="
	model := `"model":{"name":"test","sha256":"` + sha + `","embedding_size":2}`
	ok := `{` + model + `,"threshold":0,"threshold_far":0,"identities":[{"name":"a","enrolled":"2025-01-01T00:00:00Z","embeddings":["` + emb + `"]}]}` + "\n"
	if _, err := Unmarshal(seal("edge-gallery 1\n", ok)); err != nil {
		t.Fatalf("the valid body: %v", err)
	}
	ident := func(name, embs string) string {
		return `{"name":"` + name + `","enrolled":"2025-01-01T00:00:00Z","embeddings":[` + embs + `]}`
	}
	bad := []string{
		`{` + model + `,"threshold":0,"threshold_far":0,"identities":[],"extra":1}`,
		`{` + model + `,"threshold":-1,"threshold_far":0,"identities":[]}`,
		`{` + model + `,"threshold":0,"threshold_far":2,"identities":[]}`,
		`{"model":{"name":"","sha256":"` + sha + `","embedding_size":2},"identities":[]}`,
		`{"model":{"name":"t","sha256":"` + strings.ToUpper(sha) + `","embedding_size":2},"identities":[]}`,
		`{"model":{"name":"t","sha256":"abc","embedding_size":2},"identities":[]}`,
		`{"model":{"name":"t","sha256":"` + sha + `","embedding_size":0},"identities":[]}`,
		`{` + model + `,"identities":[` + ident("a", `"`+emb+`"`) + `,` + ident("a", `"`+emb+`"`) + `]}`,
		`{` + model + `,"identities":[` + ident("a", `"AACAPw=="`) + `]}`,
		`{` + model + `,"identities":[` + ident("a", `"`+nanEmb+`"`) + `]}`,
		`{` + model + `,"identities":[` + ident("a", ``) + `]}`,
		`{` + model + `,"identities":[` + ident("unknown", `"`+emb+`"`) + `]}`,
		`{` + model + `,"identities":[]} {}`,
		`[]`,
		``,
	}
	for _, b := range bad {
		if _, err := Unmarshal(seal("edge-gallery 1\n", b+"\n")); !errors.Is(err, ErrCorrupt) {
			t.Errorf("body %s: %v, want ErrCorrupt", b, err)
		}
	}
}

func TestModelMismatch(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	g := smallGallery()
	if err := WriteFile(path, g); err != nil {
		t.Fatal(err)
	}
	other := g.Model
	other.Name = "digits"
	_, err := NewStore(path, other).Load()
	var me *ModelError
	if !errors.As(err, &me) || !errors.Is(err, ErrModelMismatch) || me.File != g.Model {
		t.Fatalf("another model: %v", err)
	}
	for _, s := range []string{path, "made with model test (sha256 00070e151c23, 3-d)", "not digits", "use model test", "enrol everyone again with digits"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("message %q lacks %q", err, s)
		}
	}
	retrained := g.Model
	retrained.SHA256 = sha256.Sum256([]byte("new weights"))
	_, err = NewStore(path, retrained).Load()
	if !errors.Is(err, ErrModelMismatch) || !strings.Contains(err.Error(), "model test has changed since; enrol everyone again") {
		t.Errorf("same name, other weights: %v", err)
	}
	bigger := g.Model
	bigger.EmbeddingSize = 4
	if _, err := NewStore(path, bigger).Load(); !errors.Is(err, ErrModelMismatch) {
		t.Errorf("other embedding size: %v", err)
	}
}

func TestExportImport(t *testing.T) {
	g := smallGallery()
	var buf bytes.Buffer
	if err := g.Export(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := Import(bytes.NewReader(buf.Bytes()), g.Model)
	if err != nil || !Equal(g, back) {
		t.Fatalf("Import: %v", err)
	}
	if _, err := Import(bytes.NewReader(buf.Bytes()), testModel(4)); !errors.Is(err, ErrModelMismatch) {
		t.Errorf("Import with another model: %v", err)
	}
	buf.Bytes()[40] ^= 1
	if _, err := Import(&buf, g.Model); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "gallery data is corrupt") {
		t.Errorf("Import of damaged data: %v", err)
	}
	g.Threshold = float32(math.Inf(1))
	if err := g.Export(&buf); err == nil {
		t.Error("Export with an infinite threshold: no error")
	}
}
