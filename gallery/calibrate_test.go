package gallery

import (
	"math"
	"math/rand/v2"
	"testing"
)

func far(imp []float32, t float32) float64 {
	n := 0
	for _, d := range imp {
		if d <= t {
			n++
		}
	}
	return float64(n) / float64(len(imp))
}

func TestCalibrateSmall(t *testing.T) {
	gen := []float32{0.1, 0.2, 0.3, 0.9}
	imp := []float32{0.5, 1.0, 0.8, 0.6, 0.7, 1.1, 1.2, 1.3, 1.4, 1.5} // N = 10
	cases := []struct {
		target float64
		below  float32 // the threshold is the float32 just below this
		far    float64
		tar    float64
	}{
		{0, 0.5, 0, 0.75},
		{0.05, 0.5, 0, 0.75}, // 1/N > target: no impostor may pass
		{0.1, 0.6, 0.1, 0.75},
		{0.29, 0.7, 0.2, 0.75},
		{0.3, 0.8, 0.3, 0.75},
		{0.99, 1.5, 0.9, 1},
	}
	for _, c := range cases {
		cal, err := Calibrate(gen, imp, c.target)
		if err != nil {
			t.Fatalf("target %v: %v", c.target, err)
		}
		want := math.Nextafter32(c.below, 0)
		if cal.Threshold != want || cal.FAR != c.far || cal.TAR != c.tar || cal.Genuine != 4 || cal.Impostor != 10 {
			t.Errorf("target %v: %+v; want threshold %v, FAR %v, TAR %v", c.target, cal, want, c.far, c.tar)
		}
	}
}

// TestCalibrateRounding: 0.29·100 is 28.999999999999996 in float64, but
// 29 of 100 impostor pairs is a FAR of 0.29 and allowed.
func TestCalibrateRounding(t *testing.T) {
	imp := make([]float32, 100)
	for i := range imp {
		imp[i] = float32(i + 1)
	}
	cal, err := Calibrate([]float32{1}, imp, 0.29)
	if err != nil || cal.FAR != 0.29 || cal.Threshold != math.Nextafter32(30, 0) {
		t.Errorf("%+v, %v; want 29 impostor pairs accepted", cal, err)
	}
}

func TestCalibrateTies(t *testing.T) {
	// Three impostor pairs at 0.5: a FAR of 0.2 (2 of 10) cannot accept
	// two of them and not the third, so none is accepted.
	imp := []float32{0.5, 0.5, 0.5, 1, 1, 1, 1, 1, 1, 1}
	cal, err := Calibrate([]float32{0.5, 0.4}, imp, 0.2)
	if err != nil {
		t.Fatal(err)
	}
	if cal.Threshold >= 0.5 || cal.FAR != 0 || cal.TAR != 0.5 {
		t.Errorf("%+v: want a threshold below the tie, FAR 0, and the genuine pair at the tie rejected", cal)
	}
	cal, err = Calibrate([]float32{0.5}, imp, 0.3)
	if err != nil || cal.Threshold != math.Nextafter32(1, 0) || cal.FAR != 0.3 {
		t.Errorf("FAR 0.3: %+v, %v; want the three tied pairs accepted", cal, err)
	}
}

// TestCalibrateProperty checks on random data that the threshold meets
// the target and is the largest that does: the next float32 up does not.
func TestCalibrateProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	for i := 0; i < 200; i++ {
		n := 1 + r.IntN(300)
		imp := make([]float32, n)
		for k := range imp {
			imp[k] = float32(r.IntN(50)) / 10 // many ties
			if imp[k] == 0 {
				imp[k] = 0.05
			}
		}
		gen := []float32{1}
		target := r.Float64() * 0.5
		cal, err := Calibrate(gen, imp, target)
		if err != nil {
			t.Fatal(err)
		}
		if f := far(imp, cal.Threshold); f > target || f != cal.FAR {
			t.Fatalf("n %d target %v: FAR %v at %v (reported %v)", n, target, f, cal.Threshold, cal.FAR)
		}
		if up := math.Nextafter32(cal.Threshold, float32(math.Inf(1))); far(imp, up) <= target {
			t.Fatalf("n %d target %v: %v also meets the target; %v is not the largest", n, target, up, cal.Threshold)
		}
	}
}

func TestCalibrateErrors(t *testing.T) {
	ok := []float32{1, 2}
	nan := float32(math.NaN())
	bad := []struct {
		gen, imp []float32
		target   float64
	}{
		{ok, ok, -0.1},
		{ok, ok, 1},
		{ok, ok, math.NaN()},
		{nil, ok, 0.1},
		{ok, nil, 0.1},
		{ok, []float32{1, nan}, 0.1},
		{[]float32{-1}, ok, 0.1},
		{ok, []float32{0, 1}, 0.1}, // an impostor pair at 0 cannot be rejected
	}
	for _, b := range bad {
		if _, err := Calibrate(b.gen, b.imp, b.target); err == nil {
			t.Errorf("Calibrate(%v, %v, %v): no error", b.gen, b.imp, b.target)
		}
	}
	// An impostor pair at 0 is fine when the target allows accepting it.
	if _, err := Calibrate(ok, []float32{0, 1}, 0.5); err != nil {
		t.Error(err)
	}
}

func TestPairs(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 2))
	const n, dim = 23, 5
	emb := randEmb(r, n*dim)
	labels := make([]int, n)
	for i := range labels {
		labels[i] = r.IntN(4)
	}
	gen, imp, err := Pairs(emb, dim, labels)
	if err != nil {
		t.Fatal(err)
	}
	var wantGen, wantImp []float64
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			d := refDist(emb[i*dim:(i+1)*dim], emb[j*dim:(j+1)*dim])
			if labels[i] == labels[j] {
				wantGen = append(wantGen, d)
			} else {
				wantImp = append(wantImp, d)
			}
		}
	}
	if len(gen) != len(wantGen) || len(imp) != len(wantImp) || len(gen)+len(imp) != n*(n-1)/2 {
		t.Fatalf("%d genuine, %d impostor; want %d, %d", len(gen), len(imp), len(wantGen), len(wantImp))
	}
	for i := range gen {
		if math.Abs(float64(gen[i])-wantGen[i]) > 1e-5 {
			t.Errorf("genuine %d: %v, want %v", i, gen[i], wantGen[i])
		}
	}
	for i := range imp {
		if math.Abs(float64(imp[i])-wantImp[i]) > 1e-5 {
			t.Errorf("impostor %d: %v, want %v", i, imp[i], wantImp[i])
		}
	}
	if _, _, err := Pairs(emb[1:], dim, labels); err == nil {
		t.Error("Pairs with a short matrix: no error")
	}
	if g, i, err := Pairs(nil, 3, nil); len(g)+len(i) != 0 || err != nil {
		t.Errorf("Pairs of nothing: %v, %v, %v", g, i, err)
	}
}

func TestScore(t *testing.T) {
	nan := float32(math.NaN())
	cases := []struct{ d, t, want float32 }{
		{0, 0.8, 1},
		{0.8, 0.8, 0.5},
		{0.4, 0.8, 0.75},
		{1.6, 0.8, 0},
		{5, 0.8, 0},
		{0, 0, 1},
		{0.1, 0, 0},
		{nan, 0.8, 0},
		{0.1, nan, 0},
	}
	for _, c := range cases {
		if got := Score(c.d, c.t); got != c.want {
			t.Errorf("Score(%v, %v) = %v, want %v", c.d, c.t, got, c.want)
		}
	}
}
