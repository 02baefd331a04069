package simd

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestMeanPlanes: every implementation's MeanPlanes equals the generic
// loop bit for bit (NaN for NaN), for 1–9 planes (four at a time and the
// rest), planes of 0–53 floats (every length mod 4), values of very
// different sizes (where the order of the additions shows), an infinity
// and a NaN; and writes nothing past dst.
func TestMeanPlanes(t *testing.T) {
	r := rand.New(rand.NewPCG(44, 1))
	for i := range impls {
		im := &impls[i]
		for planes := 1; planes <= 9; planes++ {
			for n := 0; n <= 53; n++ {
				src := make([]float32, planes*n)
				for j := range src {
					src[j] = float32(r.NormFloat64() * math.Pow(10, float64(r.IntN(14)-7)))
				}
				if n > 5 && planes > 2 {
					src[n+3] = float32(math.Inf(1))
					src[2*n+1] = float32(math.NaN())
				}
				want := make([]float32, planes)
				meanPlanesGeneric(want, src, n)
				got := make([]float32, planes+1)
				got[planes] = 7
				im.meanPlanes(got[:planes], src, n)
				for j := range want {
					if math.Float32bits(got[j]) != math.Float32bits(want[j]) && !(got[j] != got[j] && want[j] != want[j]) {
						t.Fatalf("%s planes=%d n=%d: dst[%d] = %v, generic %v", im.name, planes, n, j, got[j], want[j])
					}
				}
				if got[planes] != 7 {
					t.Fatalf("%s planes=%d n=%d: wrote past dst", im.name, planes, n)
				}
			}
		}
	}
	// the order: (p0 + p1) + (p2 + p3), the tail into p0
	src := []float32{1e8, 1, -1e8, 1, 3}
	var got [1]float32
	MeanPlanes(got[:], src, 5)
	a, b, c, d := float64(1e8)+3, 1.0, -1e8, 1.0
	if want := float32(((a + b) + (c + d)) / 5); got[0] != want {
		t.Errorf("MeanPlanes order: %v, want %v", got[0], want)
	}
}
