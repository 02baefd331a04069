package twin

import (
	"errors"
	"image"
	"math"
	"testing"
)

// faceLocator returns a fixed Face.
type faceLocator struct {
	f   Face
	err error
}

func (l *faceLocator) Locate(image.Image) (image.Rectangle, error) { return l.f.Box, l.err }
func (l *faceLocator) LocateFace(image.Image) (Face, error)        { return l.f, l.err }

// blobs draws bright Gaussian spots (σ = 1.5 px) at pts on a dark w×h
// image.
func blobs(w, h int, pts ...Point) *image.Gray {
	g := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			v := 20.0
			for _, p := range pts {
				dx, dy := float64(x)+0.5-p.X, float64(y)+0.5-p.Y
				v += 220 * math.Exp(-(dx*dx+dy*dy)/(2*1.5*1.5))
			}
			g.Pix[y*g.Stride+x] = uint8(min(255, v))
		}
	}
	return g
}

// peak is the intensity-weighted centre (continuous coordinates) of the
// input's values above half its maximum within columns [x0, x1).
func peak(in []float32, w, h, x0, x1 int) Point {
	var top float32
	for y := 0; y < h; y++ {
		for x := x0; x < x1; x++ {
			top = max(top, in[y*w+x])
		}
	}
	var sx, sy, sw float64
	for y := 0; y < h; y++ {
		for x := x0; x < x1; x++ {
			if v := in[y*w+x]; v > top/2 {
				sx += float64(v) * (float64(x) + 0.5)
				sy += float64(v) * (float64(y) + 0.5)
				sw += float64(v)
			}
		}
	}
	return Point{sx / sw, sy / sw}
}

// TestAlignEyes puts two spots where a locator says the eyes are, on a
// tilted line, and checks that the aligned input has them level at the
// metadata's eye distance and row, for a crop larger and smaller than the
// face (both samplers).
func TestAlignEyes(t *testing.T) {
	for _, c := range []struct {
		left, right Point
	}{
		{Point{40, 50}, Point{70, 62}},      // 32 px apart, tilted 22°: upsampled
		{Point{60, 140}, Point{210, 100}},   // 155 px apart, tilted −15°: averaged 3×3
		{Point{100.5, 80}, Point{90.5, 81}}, // the "left" eye on the right: upside down
	} {
		img := blobs(260, 200, c.left, c.right)
		n := testNet(Meta{InputC: 1, InputH: 64, InputW: 60, Crop: CropFace, CropMargin: 0.2,
			Align: AlignEyes, EyeDistance: 0.4, EyeRow: 0.35})
		n.SetLocator(&faceLocator{f: Face{Box: image.Rect(0, 0, 100, 100), LeftEye: c.left, RightEye: c.right, HasEyes: true}})
		in := input(t, n, img)
		l, r := peak(in, 60, 64, 0, 30), peak(in, 60, 64, 30, 60)
		wantL, wantR := Point{30 - 12, 0.35 * 64}, Point{30 + 12, 0.35 * 64}
		if math.Hypot(l.X-wantL.X, l.Y-wantL.Y) > 0.5 || math.Hypot(r.X-wantR.X, r.Y-wantR.Y) > 0.5 {
			t.Errorf("eyes %v, %v: input has them at %v and %v, want %v and %v", c.left, c.right, l, r, wantL, wantR)
		}
		if f, ok := n.Face(); !ok || f.LeftEye != c.left {
			t.Errorf("Face() = %v, %v", f, ok)
		}
	}
}

// TestAlignFallbacks: without located eyes the crop is aligned on where
// eyes lie in a box (BoxEyes), and a plain Locator works as before.
func TestAlignFallbacks(t *testing.T) {
	box := image.Rect(50, 40, 150, 140)
	left, right := BoxEyes(box)
	if left != (Point{82.5, 82.5}) || right != (Point{117.5, 82.5}) {
		t.Fatalf("BoxEyes(%v) = %v, %v", box, left, right)
	}
	img := blobs(200, 200, left, right)
	m := Meta{InputC: 1, InputH: 40, InputW: 40, Crop: CropFace, Align: AlignEyes, EyeDistance: 0.5, EyeRow: 0.4}
	withEyes := testNet(m)
	withEyes.SetLocator(&faceLocator{f: Face{Box: box, LeftEye: left, RightEye: right, HasEyes: true}})
	noEyes := testNet(m)
	noEyes.SetLocator(&faceLocator{f: Face{Box: box}})
	plain := testNet(m)
	plain.SetLocator(&fixedLocator{r: box})
	want := input(t, withEyes, img)
	for name, n := range map[string]*Net{"no eyes": noEyes, "plain Locator": plain} {
		if got := input(t, n, img); !near(got, want, 1e-3) {
			t.Errorf("%s: the crop differs from the one on the same eyes", name)
		}
	}
	// Eyes on one point, or far outside the image, cannot be aligned.
	for _, f := range []Face{{Box: box, LeftEye: left, RightEye: left, HasEyes: true},
		{Box: box, LeftEye: Point{-500, -500}, RightEye: Point{-400, -500}, HasEyes: true}} {
		withEyes.SetLocator(&faceLocator{f: f})
		if err := withEyes.Input(make([]float32, 1600), img); err == nil {
			t.Errorf("eyes %v, %v aligned", f.LeftEye, f.RightEye)
		}
	}
}

// TestQualityErrorFromLocator: a face refused for its quality is
// reported with its box (Face) and the error, and SkipReason names it.
func TestQualityErrorFromLocator(t *testing.T) {
	n := testNet(Meta{InputC: 1, InputH: 4, InputW: 4, Crop: CropFace, CropMargin: 0.2})
	q := &QualityError{Reason: "blurred", Value: 3, Limit: 10}
	n.SetLocator(&faceLocator{f: Face{Box: image.Rect(1, 1, 5, 5)}, err: q})
	err := n.Input(make([]float32, 16), image.NewGray(image.Rect(0, 0, 8, 8)))
	if !errors.Is(err, ErrQuality) || SkipReason(err) != "blurred" {
		t.Errorf("error %v, reason %q", err, SkipReason(err))
	}
	if f, ok := n.Face(); !ok || f.Box != image.Rect(1, 1, 5, 5) {
		t.Errorf("Face() = %v, %v", f, ok)
	}
	n.SetLocator(&faceLocator{err: ErrNotFound})
	err = n.Input(make([]float32, 16), image.NewGray(image.Rect(0, 0, 8, 8)))
	if _, ok := n.Face(); ok || SkipReason(err) != "no face" || SkipReason(ErrManyFaces) != "many faces" || SkipReason(errors.New("x")) != "error" {
		t.Errorf("no face: %v, %q", err, SkipReason(err))
	}
}

func TestAlignMeta(t *testing.T) {
	m := Meta{Name: "f", InputC: 3, InputH: 2, InputW: 3, Std: 1, Crop: CropFace, CropMargin: 0.2, Align: AlignEyes,
		EyeDistance: 0.35, EyeRow: 0.4, Resize: ResizeArea, EmbeddingSize: 1, Margin: 1, Threshold: 1, ThresholdFAR: 0.5, TrainedOn: "x"}
	p := m.Props()
	if back, err := ParseMeta(p); err != nil || back != m {
		t.Errorf("ParseMeta(Props()) = %+v, %v; want %+v", back, err, m)
	}
	delete(p, "edge.align")
	if back, err := ParseMeta(p); err != nil || back.Align != "" || back.EyeDistance != 0 {
		t.Errorf("without edge.align: %+v, %v", back, err)
	}
	for k, v := range map[string]string{"edge.align": "nose", "edge.eye_distance": "1.5", "edge.eye_row": "0"} {
		p := m.Props()
		p[k] = v
		if _, err := ParseMeta(p); !errors.Is(err, ErrMeta) {
			t.Errorf("%s = %s accepted", k, v)
		}
	}
	p = m.Props()
	delete(p, "edge.eye_row")
	if _, err := ParseMeta(p); err == nil {
		t.Error("align eyes without edge.eye_row accepted")
	}
}
