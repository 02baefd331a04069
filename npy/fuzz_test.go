package npy

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// FuzzRead checks that Read never panics or over-allocates, that every
// error is classified, and that whatever Read accepts survives a round
// trip through Write. The seed corpus lives in testdata/fuzz/FuzzRead:
// files named valid-* must decode and broken-* must not (see
// TestFuzzCorpus). Plain `go test` runs every seed; `go test -fuzz=FuzzRead`
// explores further.
func FuzzRead(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		r := bytes.NewReader(b)
		a, err := Read(r)
		if err != nil {
			if a != nil {
				t.Fatalf("Read returned an array and error %v", err)
			}
			if !errors.Is(err, ErrFormat) && !errors.Is(err, ErrUnsupported) {
				t.Fatalf("error %v wraps neither ErrFormat nor ErrUnsupported", err)
			}
			return
		}
		n := 1
		for _, d := range a.Shape {
			if d < 0 {
				t.Fatalf("negative dimension in %v", a.Shape)
			}
			n *= d
		}
		if n != len(a.Data) {
			t.Fatalf("shape %v holds %d elements, Data has %d", a.Shape, n, len(a.Data))
		}
		// Every element takes at least one byte of input, so memory
		// must stay proportional to the input.
		if consumed := len(b) - r.Len(); len(a.Data) > consumed {
			t.Fatalf("%d elements from %d bytes", len(a.Data), consumed)
		}
		if c := cap(a.Data); c > maxPrealloc+2*len(b) {
			t.Fatalf("capacity %d for %d input bytes", c, len(b))
		}
		var w bytes.Buffer
		if err := Write(&w, a); err != nil {
			t.Fatalf("Write of an array Read accepted: %v", err)
		}
		back, err := Read(&w)
		if err != nil {
			t.Fatalf("Read of Write's output: %v", err)
		}
		if !slicesEqualInt(back.Shape, a.Shape) || !sameFloats(back.Data, a.Data) {
			t.Fatalf("round trip changed %v to %v", a.Shape, back.Shape)
		}
	})
}

func slicesEqualInt(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestFuzzCorpus checks the seed corpus is what its file names say, so the
// fuzz seeds cannot silently rot into all-valid or all-broken inputs.
func TestFuzzCorpus(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("testdata", "fuzz", "FuzzRead", "*"))
	if err != nil {
		t.Fatal(err)
	}
	var valid, broken int
	for _, path := range paths {
		b, err := readCorpusFile(path)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		_, err = Read(bytes.NewReader(b))
		switch name := filepath.Base(path); {
		case strings.HasPrefix(name, "valid-"):
			valid++
			if err != nil {
				t.Errorf("%s: %v", name, err)
			}
		case strings.HasPrefix(name, "broken-"):
			broken++
			if err == nil {
				t.Errorf("%s: read without error", name)
			}
		default:
			t.Errorf("%s: name starts with neither valid- nor broken-", name)
		}
	}
	if valid < 5 || broken < 10 {
		t.Errorf("corpus has %d valid and %d broken seeds, want at least 5 and 10", valid, broken)
	}
}

// readCorpusFile decodes a one-argument []byte corpus file in the format
// `go test` reads ("go test fuzz v1" then `[]byte("...")`).
func readCorpusFile(path string) ([]byte, error) {
	text, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(strings.TrimRight(string(text), "\n"), "\n")
	if len(lines) != 2 || lines[0] != "go test fuzz v1" {
		return nil, errors.New("not a one-value corpus file")
	}
	lit, ok := strings.CutPrefix(lines[1], "[]byte(")
	if lit, ok2 := strings.CutSuffix(lit, ")"); ok && ok2 {
		s, err := strconv.Unquote(lit)
		return []byte(s), err
	}
	return nil, errors.New("value is not []byte(...)")
}
