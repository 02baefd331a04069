package simd

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestPRelu: every implementation and the branchless Go loop equal the
// generic loop bit for bit, on lengths around the vector widths, with
// NaN (both signs), ±0, ±Inf, denormals and slopes of every sign, the
// input ending against an inaccessible page.
func TestPRelu(t *testing.T) {
	r := rand.New(rand.NewPCG(40, 40))
	specials := []float32{float32(math.NaN()), math.Float32frombits(0xffc00001), 0, float32(math.Copysign(0, -1)),
		float32(math.Inf(1)), float32(math.Inf(-1)), math.Float32frombits(1), math.Float32frombits(0x80000001), -1e-30, 3e38, -3e38}
	type variant struct {
		name string
		f    func([]float32, float32)
	}
	vs := []variant{{"bits", preluBits}}
	for i := range impls {
		vs = append(vs, variant{impls[i].name, impls[i].prelu})
	}
	for _, v := range vs {
		for _, slope := range []float32{0.25, -0.5, 0, 2, float32(math.Inf(1))} {
			for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, 33, 100} {
				src := make([]float32, n)
				for i := range src {
					src[i] = float32(r.NormFloat64())
					if r.IntN(4) == 0 {
						src[i] = specials[r.IntN(len(specials))]
					}
				}
				want := append([]float32(nil), src...)
				preluGeneric(want, slope)
				got := fenced(t, n, true)
				copy(got, src)
				v.f(got, slope)
				for i := range want {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("%s slope %v n=%d: x[%d] = %v → %v, want %v", v.name, slope, n, i, src[i], got[i], want[i])
					}
				}
			}
		}
	}
}
