package locate

import (
	"errors"
	"image"
	"image/draw"
	"math"
	"testing"

	"github.com/edge-pi/edge/twin"
)

var _ twin.FaceLocator = (*Locator)(nil)

// TestEyesAttFaces places the eyes on every AT&T photo: all are found,
// level within 12°, 0.29–0.45 of the box apart (0.2996–0.437 with the
// default window sizes, 64 px up) and centred in it; and
// the same photo gives the same eyes twice (no random jitter).
func TestEyesAttFaces(t *testing.T) {
	files := attFiles(t)
	l := newLocator(t, Options{})
	if !l.Eyes() {
		t.Skip("no pupil cascade (go generate ./locate/, or the module cache)")
	}
	for _, p := range files {
		img := face(t, p)
		f, q, err := l.Measure(img)
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		if !f.HasEyes || math.Abs(q.Tilt) > 12 || q.EyeDistance < 0.29 || q.EyeDistance > 0.45 || math.Abs(q.EyeOffset) > 0.09 {
			t.Errorf("%s: eyes %v %v (found %v), %+v", p, f.LeftEye, f.RightEye, f.HasEyes, q)
		}
		if g, err := l.LocateFace(img); err != nil || g != f {
			t.Errorf("%s: again %v, %v; first %v", p, g, err, f)
		}
	}
}

func TestPupilCascadeChecks(t *testing.T) {
	b, err := PuplocCascade("")
	if err != nil {
		t.Skip(err)
	}
	if _, err := newPupils(b); err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{0, 15, 16, 100, len(b) - 1} {
		if _, err := newPupils(b[:n]); !errors.Is(err, ErrCascade) {
			t.Errorf("pupil cascade cut to %d bytes: %v", n, err)
		}
	}
	c, _ := Cascade("")
	if _, err := New(c, Options{Pupils: b[:100]}); !errors.Is(err, ErrCascade) {
		t.Errorf("New with a cut pupil cascade: %v", err)
	}
	l, err := New(c, Options{NoEyes: true})
	if err != nil || l.Eyes() {
		t.Errorf("NoEyes: %v, eyes %v", err, l.Eyes())
	}
}

// TestGateReasons: each limit refuses with its reason, the first failed
// in the order small, dark, blurred, turned; Off passes everything.
func TestGateReasons(t *testing.T) {
	good := Quality{Side: 100, Mean: 110, Bright: 190, Sharpness: 900, Tilt: 3, EyeOffset: 0.02, EyeDistance: 0.38, HasEyes: true}
	var g Gate
	if err := g.Check(good); err != nil {
		t.Fatalf("a good face: %v", err)
	}
	for _, c := range []struct {
		change func(*Quality)
		reason string
	}{
		{func(q *Quality) { q.Side = 40 }, "small"},
		{func(q *Quality) { q.Side, q.Mean = 40, 5 }, "small"},
		{func(q *Quality) { q.Mean = 10 }, "dark"},
		{func(q *Quality) { q.Bright = 40 }, "dark"},
		{func(q *Quality) { q.Sharpness = 5 }, "blurred"},
		{func(q *Quality) { q.Sharpness, q.Tilt = 5, 40 }, "blurred"},
		{func(q *Quality) { q.Tilt = -40 }, "turned"},
		{func(q *Quality) { q.EyeOffset = 0.2 }, "turned"},
		{func(q *Quality) { q.EyeDistance = 0.1 }, "turned"},
		{func(q *Quality) { q.EyeDistance = 0.7 }, "turned"},
	} {
		q := good
		c.change(&q)
		err := g.Check(q)
		var qe *twin.QualityError
		if !errors.As(err, &qe) || qe.Reason != c.reason || !errors.Is(err, twin.ErrQuality) {
			t.Errorf("%+v: %v, want %s", q, err, c.reason)
		}
		if err := (Gate{Off: true}).Check(q); err != nil {
			t.Errorf("Off: %v", err)
		}
	}
	// Without eyes the eye checks do not apply.
	q := good
	q.HasEyes, q.Tilt = false, 80
	if err := g.Check(q); err != nil {
		t.Errorf("no eyes: %v", err)
	}
	// Limits given replace the defaults.
	if err := (Gate{MinSide: 120}).Check(good); twin.SkipReason(err) != "small" {
		t.Errorf("MinSide 120: %v", err)
	}
}

// TestGateImages measures real photos: an AT&T face passes; darkened,
// blurred or shrunk it is refused for that reason.
func TestGateImages(t *testing.T) {
	files := attFiles(t)
	l := newLocator(t, Options{})
	src := face(t, files[0])
	frame := func(f func(x, y int) uint8, w, h int) *image.Gray {
		g := image.NewGray(image.Rect(0, 0, w, h))
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				g.Pix[y*g.Stride+x] = f(x, y)
			}
		}
		return g
	}
	at := func(x, y int) uint8 { return src.Pix[min(111, max(0, y))*src.Stride+min(91, max(0, x))] }
	blur := func(x, y int) uint8 {
		var s, n float64
		for dy := -8; dy <= 8; dy++ {
			for dx := -8; dx <= 8; dx++ {
				w := math.Exp(-float64(dx*dx+dy*dy) / (2 * 4 * 4))
				s += w * float64(at(x+dx, y+dy))
				n += w
			}
		}
		return uint8(s/n + 0.5)
	}
	for _, c := range []struct {
		img    *image.Gray
		reason string
	}{
		{src, ""},
		{frame(func(x, y int) uint8 { return at(x, y) / 6 }, 92, 112), "dark"},
		{frame(blur, 92, 112), "blurred"},
	} {
		_, err := l.LocateFace(c.img)
		if got := twin.SkipReason(err); got != c.reason {
			_, q, _ := l.Measure(c.img)
			t.Errorf("want %q: %v (%+v)", c.reason, err, q)
		}
	}
	if _, err := (&Locator{cascade: l.cascade, o: l.o, pupils: l.pupils, gate: Gate{MinSide: 200}}).LocateFace(src); twin.SkipReason(err) != "small" {
		t.Errorf("MinSide 200: %v", err)
	}
}

// BenchmarkEyes times LocateFace's additions to Locate on a 640×480
// frame: the two pupil searches (15 jittered runs each) and the gate's
// measures.
func BenchmarkEyes(b *testing.B) {
	files := attFiles(b)
	l := newLocator(b, Options{})
	if !l.Eyes() {
		b.Skip("no pupil cascade")
	}
	frame := canvas(640, 480, 1)
	src := face(b, files[0])
	draw.Draw(frame, src.Rect.Add(image.Pt(300, 200)), src, image.Point{}, draw.Src)
	f, err := l.LocateFace(frame)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		l.eyes(f.Box)
		l.measure(f)
	}
}
