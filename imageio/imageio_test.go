package imageio

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/edge-pi/edge/internal/edgedata"
)

// encodePNM writes img as raw P5 or P6 at maxval 255 (8-bit images) or
// 65535 (16-bit ones), the inverse of decodePNM for the types it returns.
func encodePNM(img image.Image) []byte {
	var b bytes.Buffer
	r := img.Bounds()
	switch m := img.(type) {
	case *image.Gray:
		fmt.Fprintf(&b, "P5\n%d %d\n255\n", r.Dx(), r.Dy())
		b.Write(m.Pix)
	case *image.Gray16:
		fmt.Fprintf(&b, "P5\n%d %d\n65535\n", r.Dx(), r.Dy())
		b.Write(m.Pix)
	case *image.RGBA:
		fmt.Fprintf(&b, "P6\n%d %d\n255\n", r.Dx(), r.Dy())
		for i := 0; i < len(m.Pix); i += 4 {
			b.Write(m.Pix[i : i+3])
		}
	case *image.RGBA64:
		fmt.Fprintf(&b, "P6\n%d %d\n65535\n", r.Dx(), r.Dy())
		for i := 0; i < len(m.Pix); i += 8 {
			b.Write(m.Pix[i : i+6])
		}
	default:
		panic(fmt.Sprintf("encodePNM: %T", img))
	}
	return b.Bytes()
}

func TestDecodePNM(t *testing.T) {
	for _, c := range []struct {
		name string
		in   string
		want image.Image
	}{
		{"P2", "P2\n# a comment\n3 2\n255\n0 1 2\n253   254\n255\n",
			&image.Gray{Pix: []uint8{0, 1, 2, 253, 254, 255}, Stride: 3, Rect: image.Rect(0, 0, 3, 2)}},
		{"P2 maxval 15", "P2 2 1 15 0 15",
			&image.Gray{Pix: []uint8{0, 255}, Stride: 2, Rect: image.Rect(0, 0, 2, 1)}},
		{"P2 maxval 3 rounds", "P2 4 1 3\n0 1 2 3",
			&image.Gray{Pix: []uint8{0, 85, 170, 255}, Stride: 4, Rect: image.Rect(0, 0, 4, 1)}},
		{"P2 comment in raster", "P2 2 1 255\n7 # seven\n9\n",
			&image.Gray{Pix: []uint8{7, 9}, Stride: 2, Rect: image.Rect(0, 0, 2, 1)}},
		{"P5", "P5 2 2\n#c\n255\n\x00\x80\xff\x01",
			&image.Gray{Pix: []uint8{0, 128, 255, 1}, Stride: 2, Rect: image.Rect(0, 0, 2, 2)}},
		{"P5 maxval 1", "P5 3 1 1\n\x00\x01\x00",
			&image.Gray{Pix: []uint8{0, 255, 0}, Stride: 3, Rect: image.Rect(0, 0, 3, 1)}},
		{"P5 16-bit", "P5 2 1 65535\n\x12\x34\xff\xff",
			&image.Gray16{Pix: []uint8{0x12, 0x34, 0xff, 0xff}, Stride: 4, Rect: image.Rect(0, 0, 2, 1)}},
		{"P5 maxval 1023", "P5 2 1 1023\n\x03\xff\x00\x01",
			&image.Gray16{Pix: []uint8{0xff, 0xff, 0x00, 0x40}, Stride: 4, Rect: image.Rect(0, 0, 2, 1)}}, // 1·65535/1023 = 64.06
		{"P5 trailing data", "P5 1 1 255\n\x2aMORE",
			&image.Gray{Pix: []uint8{42}, Stride: 1, Rect: image.Rect(0, 0, 1, 1)}},
		{"P3", "P3\n2 1\n255\n255 0 0  0 128 255\n",
			&image.RGBA{Pix: []uint8{255, 0, 0, 255, 0, 128, 255, 255}, Stride: 8, Rect: image.Rect(0, 0, 2, 1)}},
		{"P6", "P6 1 2 255\r\x01\x02\x03\x04\x05\x06",
			&image.RGBA{Pix: []uint8{1, 2, 3, 255, 4, 5, 6, 255}, Stride: 4, Rect: image.Rect(0, 0, 1, 2)}},
		{"P6 16-bit", "P6 1 1 65535\n\x00\x01\x02\x03\x04\x05",
			&image.RGBA64{Pix: []uint8{0, 1, 2, 3, 4, 5, 0xff, 0xff}, Stride: 8, Rect: image.Rect(0, 0, 1, 1)}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, f, err := DecodeBytes([]byte(c.in))
			if err != nil {
				t.Fatal(err)
			}
			if f != PNM {
				t.Errorf("format %q", f)
			}
			if fmt.Sprintf("%T", got) != fmt.Sprintf("%T", c.want) {
				t.Fatalf("type %T, want %T", got, c.want)
			}
			if !sameImage(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

func sameImage(a, b image.Image) bool {
	if a.Bounds() != b.Bounds() {
		return false
	}
	r := a.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			r1, g1, b1, a1 := a.At(x, y).RGBA()
			r2, g2, b2, a2 := b.At(x, y).RGBA()
			if r1 != r2 || g1 != g2 || b1 != b2 || a1 != a2 {
				return false
			}
		}
	}
	return true
}

func TestDecodePNMErrors(t *testing.T) {
	for _, c := range []struct{ in, msg string }{
		{"", "not PGM"},
		{"P", "not PGM"},
		{"P1 1 1 1", "not PGM"},
		{"P4 1 1\n\x00", "not PGM"},
		{"P5", "truncated before width"},
		{"P5 ", "truncated before width"},
		{"P5 x", "width: want a decimal"},
		{"P512 12 255\n", "width: want whitespace"},
		{"P5 2 2", "truncated before maxval"},
		{"P5 0 2 255\n", "empty image"},
		{"P5 2 0 255\n", "empty image"},
		{"P5 99999999999999999999 1 255\n", "width is larger"},
		{"P5 65536 65536 255\n", "more than 16777216 pixels"},
		{"P5 4096 4097 255\n", "more than 16777216 pixels"},
		{"P5 1 1 0\n\x00", "maxval is 0"},
		{"P5 1 1 65536\n\x00", "maxval is larger"},
		{"P5 1 1 255", "no whitespace after maxval"},
		{"P5 1 1 255x\x00", "maxval: want whitespace"},
		{"P5 2 2 255\n\x00\x00\x00", "truncated: 3 bytes of pixel data, want 4"},
		{"P5 2 1 1000\n\x00\x00\x00", "want 4"},
		{"P5 1 1 100\n\x65", "sample 101 at pixel (0,0) is above maxval 100"},
		{"P5 1 1 1000\n\x03\xe9", "sample 1001"},
		{"P6 1 1 255\n\x00\x00", "want 3"},
		{"P2 2 2 255\n1 2 3", "truncated: 4 samples"},
		{"P2 2 1 255\n1 2x", "want whitespace"},
		{"P2 2 1 255\n1 -2", "want a decimal"},
		{"P2 3 1 255\n1 256 3", "sample is larger than 255"},
		{"P2 3 1 255\n1 2      ", "truncated before sample"},
		{"P3 1 1 255\n1 2 # 3", "truncated before sample"},
		{"\x89PNG\r\n\x1a\nnonsense", "png"},
		{"\xff\xd8\xff\xe0junk", "jpeg"},
	} {
		img, _, err := DecodeBytes([]byte(c.in))
		if err == nil {
			t.Errorf("%q: no error, image %v", c.in, img.Bounds())
			continue
		}
		if !errors.Is(err, ErrFormat) {
			t.Errorf("%q: error %v does not wrap ErrFormat", c.in, err)
		}
		if !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%q: error %q does not mention %q", c.in, err, c.msg)
		}
	}
}

func TestPNGAndJPEG(t *testing.T) {
	src := image.NewRGBA(image.Rect(0, 0, 16, 8))
	for i := range src.Pix {
		src.Pix[i] = uint8(i * 7)
	}
	for i := 3; i < len(src.Pix); i += 4 {
		src.Pix[i] = 255
	}
	var pb, jb bytes.Buffer
	if err := png.Encode(&pb, src); err != nil {
		t.Fatal(err)
	}
	if err := jpeg.Encode(&jb, src, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	img, f, err := Decode(&pb)
	if err != nil || f != PNG || !sameImage(img, src) {
		t.Errorf("PNG: %v %q", err, f)
	}
	img, f, err = Decode(&jb)
	if err != nil || f != JPEG || img.Bounds() != src.Bounds() {
		t.Errorf("JPEG: %v %q", err, f)
	}

	// A PNG whose header claims more than MaxPixels is refused before
	// decoding (the zlib data here would not even be valid).
	big := image.NewGray(image.Rect(0, 0, 1, 1))
	var bb bytes.Buffer
	if err := png.Encode(&bb, big); err != nil {
		t.Fatal(err)
	}
	hdr := bb.Bytes()
	copy(hdr[16:24], []byte{0, 0, 0x40, 0, 0, 0, 0x40, 0}) // IHDR width, height = 16384
	fixPNGCRC(hdr[12:33])
	if _, _, err := DecodeBytes(hdr); err == nil || !strings.Contains(err.Error(), "more than") {
		t.Errorf("16384² PNG: %v", err)
	}
}

// fixPNGCRC recomputes the CRC of a PNG chunk (type, data, crc).
func fixPNGCRC(chunk []byte) {
	n := len(chunk) - 4
	var tab [256]uint32
	for i := range tab {
		c := uint32(i)
		for k := 0; k < 8; k++ {
			if c&1 != 0 {
				c = 0xedb88320 ^ c>>1
			} else {
				c >>= 1
			}
		}
		tab[i] = c
	}
	crc := ^uint32(0)
	for _, b := range chunk[:n] {
		crc = tab[byte(crc)^b] ^ crc>>8
	}
	crc = ^crc
	chunk[n], chunk[n+1], chunk[n+2], chunk[n+3] = byte(crc>>24), byte(crc>>16), byte(crc>>8), byte(crc)
}

func TestLoadNamesThePath(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.pgm")
	if err := os.WriteFile(bad, []byte("P5 4 4 255\n\x00"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadFile(bad)
	if err == nil || !strings.Contains(err.Error(), bad) || !errors.Is(err, ErrFormat) {
		t.Errorf("corrupt file: %v", err)
	}
	_, err = LoadFile(filepath.Join(dir, "missing.png"))
	if err == nil || !strings.Contains(err.Error(), "missing.png") || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	if _, err := LoadFile(dir); err == nil || !strings.Contains(err.Error(), "directory") {
		t.Errorf("directory: %v", err)
	}

	fsys := fstest.MapFS{
		"a/ok.pgm":  {Data: []byte("P2 1 1 9 9")},
		"a/bad.ppm": {Data: []byte("P6 1 1 255\n")},
	}
	img, err := Load(fsys, "a/ok.pgm")
	if err != nil || img.(*image.Gray).Pix[0] != 255 {
		t.Errorf("Load from fs: %v", err)
	}
	if _, err := Load(fsys, "a/bad.ppm"); err == nil || !strings.Contains(err.Error(), "a/bad.ppm") {
		t.Errorf("corrupt file in fs: %v", err)
	}
}

func TestGray(t *testing.T) {
	c := image.NewRGBA(image.Rect(2, 3, 4, 4))
	c.Set(2, 3, color.RGBA{255, 0, 0, 255})
	c.Set(3, 3, color.RGBA{0, 0, 255, 255})
	g := Gray(c)
	if g.Rect != c.Rect || g.GrayAt(2, 3).Y != 76 || g.GrayAt(3, 3).Y != 29 {
		t.Errorf("Gray: %v %v", g.Rect, g.Pix)
	}
	if Gray(g) != g {
		t.Error("Gray of a Gray copies")
	}
}

// TestSharedData loads the real files the evaluations read.
func TestSharedData(t *testing.T) {
	face := edgedata.Dir(t, "att-faces/s1/1.pgm")
	item := edgedata.Dir(t, "omniglot/runs-sample/run01/test/item01.png")
	g, err := LoadGray(face)
	if err != nil {
		t.Fatal(err)
	}
	if g.Rect != image.Rect(0, 0, 92, 112) {
		t.Errorf("face is %v, want 92×112", g.Rect)
	}
	img, err := LoadFile(item)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := img.(*image.Gray); !ok || img.Bounds().Dx() != 105 {
		t.Errorf("omniglot item is %T %v", img, img.Bounds())
	}
}

// FuzzDecode checks that no input makes a decoder panic or allocate out
// of proportion, that every error wraps ErrFormat, and that whatever
// DecodePNM accepts survives a round trip through a raw PNM encoding.
// The seed corpus lives in testdata/fuzz/FuzzDecode: files named valid-*
// must decode and broken-* must not (see TestFuzzCorpus).
func FuzzDecode(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		img, format, err := DecodeBytes(b)
		if err != nil {
			if img != nil {
				t.Fatal("image and error")
			}
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("error %v does not wrap ErrFormat", err)
			}
			return
		}
		r := img.Bounds()
		if r.Empty() || r.Dx()*r.Dy() > MaxPixels {
			t.Fatalf("bounds %v", r)
		}
		if format != PNM {
			return
		}
		// Raw data takes at least one byte per sample, plain data two.
		if r.Dx()*r.Dy() > len(b) {
			t.Fatalf("%v from %d bytes", r, len(b))
		}
		back, _, err := DecodeBytes(encodePNM(img))
		if err != nil {
			t.Fatalf("decoding the re-encoded image: %v", err)
		}
		if !sameImage(img, back) {
			t.Fatal("round trip changed the pixels")
		}
	})
}

func TestFuzzCorpus(t *testing.T) {
	dir := "testdata/fuzz/FuzzDecode"
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	valid := 0
	for _, e := range ents {
		b, err := readCorpusFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatalf("%s: %v", e.Name(), err)
		}
		_, _, err = DecodeBytes(b)
		switch {
		case strings.HasPrefix(e.Name(), "valid-"):
			valid++
			if err != nil {
				t.Errorf("%s: %v", e.Name(), err)
			}
		case strings.HasPrefix(e.Name(), "broken-"):
			if err == nil {
				t.Errorf("%s decodes", e.Name())
			}
		default:
			t.Errorf("%s: name is neither valid-* nor broken-*", e.Name())
		}
	}
	if valid < 6 {
		t.Errorf("only %d valid seeds", valid)
	}
}

// readCorpusFile reads a one-value seed file in the format `go test`
// uses: the line "go test fuzz v1", then []byte("...").
func readCorpusFile(path string) ([]byte, error) {
	text, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	head, value, ok := strings.Cut(strings.TrimRight(string(text), "\n"), "\n")
	if !ok || head != "go test fuzz v1" || strings.Contains(value, "\n") {
		return nil, errors.New("not a one-value corpus file")
	}
	lit, ok1 := strings.CutPrefix(value, "[]byte(")
	lit, ok2 := strings.CutSuffix(lit, ")")
	if !ok1 || !ok2 {
		return nil, errors.New("value is not []byte(...)")
	}
	s, err := strconv.Unquote(lit)
	return []byte(s), err
}

var updateSeeds = flag.Bool("update-seeds", false, "rewrite testdata/fuzz/FuzzDecode from seeds()")

// seeds is the committed corpus of FuzzDecode: every PNM variant, small
// PNG and JPEG files, and broken headers and data.
func seeds(t *testing.T) map[string][]byte {
	s := map[string][]byte{
		"valid-p2":            []byte("P2\n# comment\n3 2\n15\n0 1 2\n13 14 15\n"),
		"valid-p2-wide":       []byte("P2 2 1 65535 0 65535\n"),
		"valid-p3":            []byte("P3 2 1 255\n255 0 0 0 128 255\n"),
		"valid-p5":            []byte("P5\n4 2\n255\n\x00\x10\x20\x30\x40\x50\x60\x70"),
		"valid-p5-maxval-1":   []byte("P5 2 2 1\n\x00\x01\x01\x00"),
		"valid-p5-16bit":      []byte("P5 2 1 1000\n\x03\xe8\x00\x01"),
		"valid-p6":            []byte("P6 2 1 255\n\x01\x02\x03\x04\x05\x06"),
		"valid-p6-16bit":      []byte("P6 1 1 65535\n\x00\x01\x02\x03\x04\x05"),
		"broken-p1":           []byte("P1 1 1 1"),
		"broken-p5-truncated": []byte("P5 8 8 255\n\x00\x00\x00"),
		"broken-p5-huge":      []byte("P5 65536 65536 255\n\x00"),
		"broken-p5-above-max": []byte("P5 1 1 9\n\x0a"),
		"broken-p2-truncated": []byte("P2 3 3 255\n1 2 3"),
		"broken-p2-junk":      []byte("P2 1 1 255\n1e3"),
		"broken-p6-overflow":  []byte("P6 9999999999999999999 1 255\n"),
		"broken-maxval-0":     []byte("P5 1 1 0\n\x00"),
		"broken-empty":        nil,
	}
	src := image.NewGray(image.Rect(0, 0, 6, 5))
	for i := range src.Pix {
		src.Pix[i] = uint8(40 * i)
	}
	var pb, jb bytes.Buffer
	if err := png.Encode(&pb, src); err != nil {
		t.Fatal(err)
	}
	if err := jpeg.Encode(&jb, src, nil); err != nil {
		t.Fatal(err)
	}
	s["valid-png"] = pb.Bytes()
	s["valid-jpeg"] = jb.Bytes()
	s["broken-png-truncated"] = pb.Bytes()[:40]
	s["broken-jpeg-truncated"] = jb.Bytes()[:60]
	return s
}

func TestSeedCorpusUpToDate(t *testing.T) {
	dir := "testdata/fuzz/FuzzDecode"
	for name, b := range seeds(t) {
		path := filepath.Join(dir, name)
		text := "go test fuzz v1\n[]byte(" + strconv.Quote(string(b)) + ")\n"
		if *updateSeeds {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := readCorpusFile(path)
		if err != nil || !bytes.Equal(got, b) {
			t.Errorf("%s differs from seeds() (%v); run go test -run TestSeedCorpusUpToDate -update-seeds", path, err)
		}
	}
}
