package eval

import (
	"image"
	"math"
	"strings"
	"testing"
)

func flatGray(w, h int, v uint8) *image.Gray {
	g := image.NewGray(image.Rect(0, 0, w, h))
	for i := range g.Pix {
		g.Pix[i] = v
	}
	return g
}

// identity is an Embedder that returns the image's pixels.
type identity struct{ last image.Image }

func (e *identity) Embed(img image.Image) ([]float32, error) {
	e.last = img
	return []float32{1}, nil
}

func TestChangeNames(t *testing.T) {
	got := strings.Join(ChangeNames(), ",")
	if got != "blur,crop,gamma,jpeg,mixed,noise" {
		t.Errorf("ChangeNames() = %s", got)
	}
	if _, err := NewChanged(&identity{}, "sepia", 0); err == nil || !strings.Contains(err.Error(), "gamma") {
		t.Errorf("unknown change: %v, want an error listing the changes", err)
	}
}

// TestChangesDeterministic: the same seed and order give the same
// images; each image of a run draws its own parameters.
func TestChangesDeterministic(t *testing.T) {
	src := flatGray(40, 50, 128)
	for _, name := range ChangeNames() {
		a, _ := NewChanged(&identity{}, name, 7)
		b, _ := NewChanged(&identity{}, name, 7)
		var first []byte
		differs := false
		for i := 0; i < 4; i++ {
			x, err := a.Apply(src)
			if err != nil {
				t.Fatal(name, err)
			}
			y, _ := b.Apply(src)
			gx, ok := x.(*image.Gray)
			if !ok || x.Bounds() != src.Bounds() {
				t.Fatalf("%s: %T %v, want a grey image of the source's size", name, x, x.Bounds())
			}
			if string(gx.Pix) != string(y.(*image.Gray).Pix) {
				t.Errorf("%s: image %d differs between two runs of one seed", name, i)
			}
			if i == 0 {
				first = gx.Pix
			} else if string(first) != string(gx.Pix) {
				differs = true
			}
		}
		if (name == "gamma" || name == "noise" || name == "mixed") && !differs {
			t.Errorf("%s: every image drew the same change", name)
		}
	}
}

func TestGammaRange(t *testing.T) {
	c, _ := NewChanged(&identity{}, "gamma", 1)
	lo := 255 * 0.6 * math.Pow(100.0/255, 2)
	hi := 255 * 1.2 * math.Pow(100.0/255, 0.5)
	seen := map[uint8]bool{}
	for i := 0; i < 50; i++ {
		out, _ := c.Apply(flatGray(8, 8, 100))
		g := out.(*image.Gray)
		v := g.Pix[0]
		for _, p := range g.Pix {
			if p != v {
				t.Fatal("a flat image did not stay flat")
			}
		}
		if float64(v) < lo-1 || float64(v) > hi+1 {
			t.Errorf("level %d outside [%.1f, %.1f]", v, lo, hi)
		}
		seen[v] = true
	}
	if len(seen) < 10 {
		t.Errorf("50 draws gave %d distinct levels", len(seen))
	}
}

func TestBlurAndNoise(t *testing.T) {
	p := &planes{w: 21, h: 21, c: [][]float32{make([]float32, 21*21)}}
	p.c[0][10*21+10] = 1000
	p.blur(1.5)
	var sum float64
	for _, v := range p.c[0] {
		sum += float64(v)
	}
	peak := float64(p.c[0][10*21+10])
	if math.Abs(sum-1000) > 1 || math.Abs(peak-1000/(2*math.Pi*1.5*1.5)) > 2 {
		t.Errorf("blurred impulse: sum %.2f (want 1000), peak %.2f (want %.2f)", sum, peak, 1000/(2*math.Pi*2.25))
	}

	n := &planes{w: 100, h: 100, c: [][]float32{make([]float32, 10000)}}
	n.noise(&rng{s: 3}, 12)
	var s2 float64
	for _, v := range n.c[0] {
		s2 += float64(v) * float64(v)
	}
	if sd := math.Sqrt(s2 / 10000); math.Abs(sd-12) > 0.5 {
		t.Errorf("noise σ = %.2f, want 12", sd)
	}
}

func TestCropAndJPEG(t *testing.T) {
	g := image.NewGray(image.Rect(0, 0, 64, 64))
	for y := 0; y < 64; y++ {
		for x := 0; x < 64; x++ {
			g.Pix[y*64+x] = uint8(4 * x)
		}
	}
	c, _ := NewChanged(&identity{}, "crop", 2)
	out, _ := c.Apply(g)
	o := out.(*image.Gray)
	// A horizontal ramp stays a ramp, stretched: its slope grows by 1/f ≤ 1/0.85.
	slope := float64(int(o.Pix[63])-int(o.Pix[0])) / 63
	if slope < 4-0.2 || slope > 4/0.85+0.2 {
		t.Errorf("ramp slope after crop %.2f, want in [4, %.2f]", slope, 4/0.85)
	}
	if o.Pix[5*64+7] != o.Pix[40*64+7] {
		t.Error("a horizontal ramp's columns did not stay constant")
	}
	j, _ := NewChanged(&identity{}, "jpeg", 0)
	out, _ = j.Apply(g)
	var diff float64
	for i, v := range out.(*image.Gray).Pix {
		diff += math.Abs(float64(v) - float64(g.Pix[i]))
	}
	if diff == 0 || diff/4096 > 12 {
		t.Errorf("JPEG q20 mean error %.2f, want in (0, 12]", diff/4096)
	}
}

func TestChangedRGB(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 16, 16))
	for i := 0; i < 256; i++ {
		img.Pix[4*i], img.Pix[4*i+1], img.Pix[4*i+2], img.Pix[4*i+3] = 200, 100, 50, 255
	}
	e := &identity{}
	c, _ := NewChanged(e, "blur", 0)
	if _, err := c.Embed(img); err != nil {
		t.Fatal(err)
	}
	o, ok := e.last.(*image.NRGBA)
	if !ok || o.Pix[0] != 200 || o.Pix[1] != 100 || o.Pix[2] != 50 {
		t.Errorf("blurred flat RGB image: %T %v", e.last, o.Pix[:4])
	}
	if _, err := c.Apply(image.NewGray(image.Rect(0, 0, 0, 0))); err == nil {
		t.Error("an empty image was changed without an error")
	}
}
