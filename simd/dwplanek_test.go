package simd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestDepthwisePlaneK: for every implementation, each output is the
// clamped sum of the bias and the filter's taps over the padded plane,
// within rounding of the float64 sum, over filters of 1×1 to 7×7 (and
// not square), maps of one row to ten and widths around the kernels'
// vectors of 16; nothing is written past the output; a NaN sum stays
// NaN; the plane is fenced by an inaccessible page right after its last
// tap (the masked loads read nothing past it).
func TestDepthwisePlaneK(t *testing.T) {
	r := rand.New(rand.NewPCG(61, 61))
	for _, f := range [][2]int{{7, 7}, {5, 5}, {1, 1}, {3, 5}} {
		kh, kw := f[0], f[1]
		for _, oh := range []int{1, 3, 4, 5, 10} {
			for _, ow := range []int{1, 7, 16, 17, 28, 40} {
				wp := ow + kw - 1 + oh%3 // rows sometimes wider than the taps
				n := (oh+kh-2)*wp + ow + kw - 1
				p := fenced(t, n, true)
				fill(r, p)
				w := randSlice(r, kh*kw)
				bias := float32(r.NormFloat64())
				if oh == 5 && ow == 17 {
					p[n/2] = float32(math.NaN())
				}
				for _, b := range [][2]float32{{0, 6}, {float32(math.Inf(-1)), float32(math.Inf(1))}} {
					lo, hi := b[0], b[1]
					for i := range impls {
						im := &impls[i]
						saved := active
						active = im
						what := fmt.Sprintf("%s %d×%d on %d×%d (wp %d) clamp [%v, %v]", im.name, kh, kw, oh, ow, wp, lo, hi)
						outer, out := guarded(oh*ow, 16)
						DepthwisePlaneK(out, oh, ow, p, wp, kh, kw, w, bias, lo, hi)
						checkGuards(t, what, outer, 16)
						for y := 0; y < oh; y++ {
							for x := 0; x < ow; x++ {
								s := float64(bias)
								for dy := 0; dy < kh; dy++ {
									for dx := 0; dx < kw; dx++ {
										s += float64(w[dy*kw+dx]) * float64(p[(y+dy)*wp+x+dx])
									}
								}
								s = math.Min(math.Max(s, float64(lo)), float64(hi))
								got := out[y*ow+x]
								if math.IsNaN(s) {
									if got == got {
										t.Fatalf("%s: out[%d][%d] = %v, want NaN", what, y, x, got)
									}
									continue
								}
								if d := math.Abs(float64(got) - s); d > 1e-5*(1+math.Abs(s))*float64(kh*kw) {
									t.Fatalf("%s: out[%d][%d] = %v, want %v", what, y, x, got, s)
								}
							}
						}
						active = saved
					}
				}
			}
		}
	}
}
