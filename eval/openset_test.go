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
