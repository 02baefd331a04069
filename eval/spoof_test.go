package eval

import (
	"bytes"
	"image"
	"math"
	"testing"
)

// wavePhoto is a small synthetic face-sized picture with structure.
func wavePhoto(seed float64) image.Image {
	g := image.NewGray(image.Rect(0, 0, 92, 112))
	for y := 0; y < 112; y++ {
		for x := 0; x < 92; x++ {
			g.Pix[y*g.Stride+x] = uint8(128 + 100*math.Sin(float64(x)/7+seed)*math.Cos(float64(y)/9))
		}
	}
	return g
}

func TestMakeSequence(t *testing.T) {
	photos := []image.Image{wavePhoto(0), wavePhoto(1), wavePhoto(2)}
	for _, kind := range SpoofKinds {
		a, err := MakeSequence(photos, kind, 7, SequenceOptions{Frames: 4})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := MakeSequence(photos, kind, 7, SequenceOptions{Frames: 4})
		c, _ := MakeSequence(photos, kind, 8, SequenceOptions{Frames: 4})
		if len(a.Frames) != 4 || len(a.Photos) != 4 {
			t.Fatalf("%s: %d frames, want 4", kind, len(a.Frames))
		}
		for i := range a.Frames {
			if !bytes.Equal(a.Frames[i].Image.Pix, b.Frames[i].Image.Pix) {
				t.Fatalf("%s frame %d: the same seed drew another frame", kind, i)
			}
			if f := a.Frames[i].Face; f.Empty() || !f.In(a.Frames[i].Image.Rect) {
				t.Errorf("%s frame %d: photo at %v, not inside the frame", kind, i, f)
			}
		}
		if bytes.Equal(a.Frames[0].Image.Pix, c.Frames[0].Image.Pix) {
			t.Errorf("%s: seeds 7 and 8 drew the same frame", kind)
		}
		for i := 1; i < len(a.Photos); i++ {
			if want := (a.Photos[0] + i) % len(photos); kind == "genuine" && a.Photos[i] != want {
				t.Errorf("genuine frame %d shows photo %d, want %d (in order)", i, a.Photos[i], want)
			}
			if kind != "genuine" && a.Photos[i] != a.Photos[0] {
				t.Errorf("%s frame %d shows photo %d, want the one photo %d", kind, i, a.Photos[i], a.Photos[0])
			}
		}
	}
	if _, err := MakeSequence(photos, "mask", 1, SequenceOptions{}); err == nil {
		t.Error("an unknown kind was accepted")
	}
	if _, err := MakeSequence(nil, "genuine", 1, SequenceOptions{}); err == nil {
		t.Error("a sequence without photos was made")
	}
}

func TestNaturalLess(t *testing.T) {
	for _, c := range []struct {
		a, b string
		less bool
	}{{"2.pgm", "10.pgm", true}, {"10.pgm", "2.pgm", false}, {"s1", "s1", false}, {"a9b", "a10a", true}, {"007.png", "8.png", true}, {"x.pgm", "y.pgm", true}} {
		if got := naturalLess(c.a, c.b); got != c.less {
			t.Errorf("naturalLess(%q, %q) = %v, want %v", c.a, c.b, got, c.less)
		}
	}
}

func TestAUC(t *testing.T) {
	if v := AUC([]float64{0.5, 0.6}, []float64{0.1, 0.2}); v != 1 {
		t.Errorf("separated: %v, want 1", v)
	}
	if v := AUC([]float64{0.1}, []float64{0.5}); v != 0 {
		t.Errorf("reversed: %v, want 0", v)
	}
	if v := AUC([]float64{0.3, math.NaN()}, []float64{0.3, 0.1}); v != 0.375 {
		t.Errorf("a tie, a win, a NaN below both (1.5 of 4): %v, want 0.375", v)
	}
	if tpr, fpr := RatesAt([]float64{0.2, 0.4}, []float64{0.1, 0.3, math.NaN()}, 0.25); tpr != 0.5 || math.Abs(fpr-1.0/3) > 1e-12 {
		t.Errorf("RatesAt = %v, %v; want 0.5, 1/3", tpr, fpr)
	}
}
