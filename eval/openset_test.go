package eval

import "testing"

// TestOpenSet: four classes on a line, two images each; distances known.
func TestOpenSet(t *testing.T) {
	// Class c's images sit at 10c and 10c+0.5 on one axis, except class
	// 3's second image, which sits at 20.9: nearer class 2 (20) than its
	// own first image (30).
	s := &Set{Classes: []string{"a", "b", "c", "d"}, Dim: 1,
		Labels: []int{0, 0, 1, 1, 2, 2, 3, 3},
		Emb:    []float32{0, 0.5, 10, 10.5, 20, 20.5, 30, 20.9}}
	for _, tc := range []struct {
		t                                              float64
		named, misnamed, enrolled, accepted, strangers int
	}{
		// Enrolled a, b: probes a2 (0.5 from a), b2 (0.5 from b); strangers
		// c2 (10 from b), d2 (10.9 from b). Swapped: enrolled c, d: probes
		// c2 (0.5), d2 (0.9 from c: misnamed); strangers a2 (19.5 from c), b2 (9.5).
		{0.6, 3, 0, 4, 0, 4},
		{1, 3, 1, 4, 0, 4},
		{9.6, 3, 1, 4, 1, 4},
		{0.1, 0, 0, 4, 0, 4},
	} {
		r, err := OpenSet(s, tc.t)
		if err != nil {
			t.Fatal(err)
		}
		if r.Named != tc.named || r.Misnamed != tc.misnamed || r.Enrolled != tc.enrolled ||
			r.Accepted != tc.accepted || r.Strangers != tc.strangers {
			t.Errorf("t=%v: %+v, want named %d misnamed %d of %d, accepted %d of %d",
				tc.t, r, tc.named, tc.misnamed, tc.enrolled, tc.accepted, tc.strangers)
		}
	}
	for _, bad := range []float64{0, -1} {
		if _, err := OpenSet(s, bad); err == nil {
			t.Errorf("threshold %v accepted", bad)
		}
	}
	if _, err := OpenSet(&Set{Classes: []string{"a"}, Dim: 1, Labels: []int{0, 0}, Emb: []float32{0, 1}}, 1); err == nil {
		t.Error("one class accepted")
	}
}

func TestPairRates(t *testing.T) {
	// The set of TestOpenSet: genuine pairs at 0.5, 0.5, 0.5 and 9.1;
	// the nearest impostor pairs at 0.4 (c2, d2) and 0.9 (c1, d2).
	s := &Set{Classes: []string{"a", "b", "c", "d"}, Dim: 1,
		Labels: []int{0, 0, 1, 1, 2, 2, 3, 3},
		Emb:    []float32{0, 0.5, 10, 10.5, 20, 20.5, 30, 20.9}}
	far, tar, imp, gen := PairRates(s, 0.6)
	if imp != 24 || gen != 4 || far != 1.0/24 || tar != 0.75 {
		t.Errorf("t=0.6: FAR %v TAR %v over %d impostor, %d genuine pairs", far, tar, imp, gen)
	}
	if far, tar, _, _ = PairRates(s, 0.3); far != 0 || tar != 0 {
		t.Errorf("t=0.3: FAR %v TAR %v, want 0 and 0", far, tar)
	}
	if far, tar, _, _ = PairRates(s, 10); far != 10.0/24 || tar != 1 { // a–b, b–c 3 each, c–d 4
		t.Errorf("t=10: FAR %v TAR %v, want 10/24 and 1", far, tar)
	}
}
