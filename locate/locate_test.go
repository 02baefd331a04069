package locate

import (
	"errors"
	"image"
	"image/color"
	"image/draw"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"testing"

	"github.com/edge-pi/edge/imageio"
	"github.com/edge-pi/edge/internal/edgedata"
	"github.com/edge-pi/edge/twin"
)

var _ twin.Locator = (*Locator)(nil)

func newLocator(t testing.TB, o Options) *Locator {
	t.Helper()
	b, err := Cascade("")
	if err != nil {
		t.Fatal(err)
	}
	l, err := New(b, o)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func attFiles(t testing.TB) []string {
	attFaces := edgedata.Dir(t, "att-faces")
	files, _ := filepath.Glob(filepath.Join(attFaces, "s*", "*.pgm"))
	if len(files) == 0 {
		edgedata.Missing(t, filepath.Join(attFaces, "s*", "*.pgm"), edgedata.Hint)
	}
	sort.Strings(files)
	return files
}

func face(t testing.TB, path string) *image.Gray {
	t.Helper()
	g, err := imageio.LoadGray(path)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// TestAttFaces runs the default Locator over every AT&T image: each is a
// 92×112 crop of one face.
func TestAttFaces(t *testing.T) {
	files := attFiles(t)
	l := newLocator(t, Options{})
	var one, none, many int
	var size, cx, cy float64
	for _, f := range files {
		box, err := l.Locate(face(t, f))
		switch {
		case err == nil:
			one++
			size += float64(box.Dx())
			cx += float64(box.Min.X+box.Max.X) / 2
			cy += float64(box.Min.Y+box.Max.Y) / 2
		case errors.Is(err, twin.ErrNotFound):
			none++
			t.Logf("%s: no face", f)
		case errors.Is(err, ErrManyFaces):
			many++
			t.Logf("%s: %d faces %v", f, len(l.Faces()), l.Faces())
		default:
			t.Fatalf("%s: %v", f, err)
		}
	}
	n := float64(one)
	t.Logf("att-faces: one face in %d of %d images (%.1f%%), none in %d, several in %d; mean box %.1f px centred at (%.1f, %.1f)",
		one, len(files), 100*n/float64(len(files)), none, many, size/n, cx/n, cy/n)
	if one < len(files)*97/100 {
		t.Errorf("one face found in %d of %d images, want 97%%", one, len(files))
	}
}

// TestUnpadded shows why small images are padded: without the border,
// faces that fill the crop go unseen.
func TestUnpadded(t *testing.T) {
	files := attFiles(t)
	l := newLocator(t, Options{Pad: -1, MinSize: 20})
	found := 0
	for _, f := range files {
		if _, err := l.Locate(face(t, f)); err == nil {
			found++
		}
	}
	t.Logf("att-faces unpadded (min size 20): one face in %d of %d", found, len(files))
}

// canvas is a w × h frame of smooth background with noise.
func canvas(w, h int, seed uint64) *image.Gray {
	r := rand.New(rand.NewPCG(seed, 1))
	g := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			g.Pix[y*g.Stride+x] = uint8(90 + 60*x/w + 30*y/h + r.IntN(12))
		}
	}
	return g
}

func iou(a, b image.Rectangle) float64 {
	in := a.Intersect(b)
	i := float64(in.Dx() * in.Dy())
	return i / (float64(a.Dx()*a.Dy()+b.Dx()*b.Dy()) - i)
}

// TestSynthetic pastes faces into a 640×480 frame at known places.
func TestSynthetic(t *testing.T) {
	files := attFiles(t)
	l := newLocator(t, Options{})
	places := []image.Point{{100, 80}, {300, 200}, {520, 340}, {12, 360}}
	for i, f := range []string{files[0], files[57], files[123], files[299]} {
		frame := canvas(640, 480, uint64(i))
		src := face(t, f)
		at := image.Rectangle{places[i], places[i].Add(src.Rect.Size())}
		draw.Draw(frame, at, src, image.Point{}, draw.Src)
		box, err := l.Locate(frame)
		if err != nil {
			t.Errorf("%s at %v: %v", f, at, err)
			continue
		}
		if v := iou(box, at); v <= 0.5 {
			t.Errorf("%s at %v: box %v, IoU %.2f", f, at, box, v)
		} else {
			t.Logf("%s at %v: box %v, IoU %.2f", f, at, box, v)
		}
	}
}

func TestNoneAndMany(t *testing.T) {
	files := attFiles(t)
	l := newLocator(t, Options{})
	frame := canvas(640, 480, 9)
	if _, err := l.Locate(frame); !errors.Is(err, ErrNoFace) || !errors.Is(err, twin.ErrNotFound) {
		t.Errorf("empty frame: %v, want ErrNoFace", err)
	}
	a, b := face(t, files[10]), face(t, files[200])
	draw.Draw(frame, a.Rect.Add(image.Pt(60, 100)), a, image.Point{}, draw.Src)
	draw.Draw(frame, b.Rect.Add(image.Pt(400, 150)), b, image.Point{}, draw.Src)
	if _, err := l.Locate(frame); !errors.Is(err, ErrManyFaces) {
		t.Fatalf("two faces: %v, want ErrManyFaces", err)
	}
	if f := l.Faces(); len(f) != 2 || f[0].Q < f[1].Q {
		t.Errorf("two faces: Faces() = %v", f)
	}
	// Too small for the window: no face, no panic.
	if _, err := l.Locate(image.NewGray(image.Rect(0, 0, 3, 2))); !errors.Is(err, ErrNoFace) {
		t.Errorf("3×2 image: %v", err)
	}
	if _, err := l.Locate(image.NewGray(image.Rectangle{})); !errors.Is(err, ErrNoFace) {
		t.Errorf("empty image: %v", err)
	}
}

// TestImageTypes: a sub-image, a YCbCr and an RGBA image of one frame
// give the same box, in their own coordinates.
func TestImageTypes(t *testing.T) {
	files := attFiles(t)
	l := newLocator(t, Options{})
	frame := canvas(400, 300, 3)
	src := face(t, files[42])
	draw.Draw(frame, src.Rect.Add(image.Pt(150, 90)), src, image.Point{}, draw.Src)
	want, err := l.Locate(frame)
	if err != nil {
		t.Fatal(err)
	}
	// The search grid starts at the image's first pixel: a sub-image
	// holding the frame (stride wider than it, bounds not at the origin)
	// gives the same box, moved.
	at := image.Pt(50, 40)
	big := canvas(500, 400, 4)
	draw.Draw(big, frame.Rect.Add(at), frame, image.Point{}, draw.Src)
	sub := big.SubImage(frame.Rect.Add(at)).(*image.Gray)
	if got, err := l.Locate(sub); err != nil || got != want.Add(at) {
		t.Errorf("sub-image: %v, %v; want %v", got, err, want.Add(at))
	}
	ycc := image.NewYCbCr(frame.Rect, image.YCbCrSubsampleRatio420)
	rgba := image.NewRGBA(frame.Rect)
	for y := 0; y < 300; y++ {
		for x := 0; x < 400; x++ {
			v := frame.GrayAt(x, y).Y
			ycc.Y[ycc.YOffset(x, y)] = v
			ycc.Cb[ycc.COffset(x, y)], ycc.Cr[ycc.COffset(x, y)] = 128, 128
			rgba.Set(x, y, color.Gray{v})
		}
	}
	for name, img := range map[string]image.Image{"YCbCr": ycc, "RGBA": rgba} {
		if got, err := l.Locate(img); err != nil || got != want {
			t.Errorf("%s: %v, %v; want %v", name, got, err, want)
		}
	}
}

func TestCascadeChecks(t *testing.T) {
	b, err := Cascade("")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{0, 8, 15, 16, 17, 100, len(b) / 2, len(b) - 1} {
		if _, err := New(b[:n], Options{}); !errors.Is(err, ErrCascade) {
			t.Errorf("cascade cut to %d bytes: %v, want ErrCascade", n, err)
		}
	}
	if _, err := Cascade(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("missing --cascade file: no error")
	}
}

// TestModuleCache: the fallback finds the cascade where the module cache
// has it, and pigoVersion is go.mod's.
func TestModuleCache(t *testing.T) {
	gomod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*(?:require\s+)?github\.com/esimov/pigo\s+(\S+)`).FindSubmatch(gomod)
	if m == nil || string(m[1]) != pigoVersion {
		t.Errorf("go.mod has pigo %q, pigoVersion is %q", m, pigoVersion)
	}
	p := moduleCascadePath()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Skip("module cache:", err)
	}
	if e, err := Cascade(""); err != nil || string(e) != string(b) {
		t.Errorf("Cascade(\"\") differs from %s (err %v)", p, err)
	}
	t.Logf("embedded: %v; module cache copy: %s", Embedded(), p)

	// With no module cache, only the embedded copy is left.
	t.Setenv("GOMODCACHE", t.TempDir())
	_, err = Cascade("")
	if Embedded() && err != nil || !Embedded() && !errors.Is(err, ErrNoCascade) {
		t.Errorf("no module cache, embedded %v: %v", Embedded(), err)
	}
}

// BenchmarkFrame times one 640×480 frame with one face, by the smallest
// window and the goroutines searching.
func BenchmarkFrame(b *testing.B) {
	files := attFiles(b)
	for _, c := range []struct{ min, threads int }{{20, 1}, {40, 1}, {64, 1}, {64, 2}, {64, 4}} {
		b.Run("min"+itoa(c.min)+"/threads"+itoa(c.threads), func(b *testing.B) {
			l := newLocator(b, Options{MinSize: c.min, Threads: c.threads})
			frame := canvas(640, 480, 1)
			src := face(b, files[0])
			draw.Draw(frame, src.Rect.Add(image.Pt(300, 200)), src, image.Point{}, draw.Src)
			if _, err := l.Locate(frame); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				l.Locate(frame)
			}
		})
	}
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}
