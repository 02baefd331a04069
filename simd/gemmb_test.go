package simd

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestGemmPackedB: for every implementation, C = A·B with A packed from its
// transpose (PackAT) and B packed (PackB) equals GemmPacked of A packed
// with PackA and B as it is, bit for bit (the same kernels in the same
// order), over shapes with every strip tail, several K blocks, row ranges
// cut inside panels, and guarded outputs; and it is close to the float64
// product.
func TestGemmPackedB(t *testing.T) {
	r := rand.New(rand.NewPCG(41, 41))
	type shape struct{ m, n, k int }
	var shapes []shape
	for n := 1; n <= 50; n++ {
		shapes = append(shapes, shape{9, n, 13})
	}
	shapes = append(shapes, shape{36, 1000, 64}, shape{32, 9, 300}, shape{32, 7, 40}, shape{49, 96, 300}, shape{7, 49, 600}, shape{13, 196, 300}, shape{5, 100, 40}, shape{7, 17, 600}, shape{52, 48, 1}, shape{3, 5, 0}, shape{130, 20, 20})
	for i := range impls {
		im := &impls[i]
		saved := active
		active = im
		for _, s := range shapes {
			a := randSlice(r, s.m*s.k)
			at := make([]float32, s.k*(s.m+3)) // A transposed, row stride m+3
			for row := 0; row < s.m; row++ {
				for q := 0; q < s.k; q++ {
					at[q*(s.m+3)+row] = a[row*s.k+q]
				}
			}
			b := randSlice(r, s.k*s.n+2)
			pa := PackA(make([]float32, PackedLen(s.m, s.k)), s.m, s.k, a, s.k)
			pt := PackAT(make([]float32, PackedLen(s.m, s.k)), s.m, s.k, at, s.m+3)
			for j := range pa.data {
				if pa.data[j] != pt.data[j] {
					t.Fatalf("%s %+v: PackAT differs from PackA at %d", im.name, s, j)
				}
			}
			pb := PackB(make([]float32, PackedBLen(s.k, s.n)), s.k, s.n, b, s.n)
			for _, rr := range [][2]int{{0, s.m}, {1, s.m - 1}, {s.m / 2, s.m}} {
				r0, r1 := rr[0], rr[1]
				if r1 <= r0 {
					continue
				}
				ldc := s.n + 2
				want := make([]float32, (r1-r0)*ldc)
				GemmPacked(pa, r0, r1, s.n, b, s.n, want, ldc)
				outer, got := guarded((r1-r0)*ldc, 16)
				GemmPackedB(pt, r0, r1, pb, got, ldc)
				what := fmt.Sprintf("%s m=%d n=%d k=%d rows [%d,%d)", im.name, s.m, s.n, s.k, r0, r1)
				checkGuards(t, what, outer, 16)
				ref := naiveGemm(s.m, s.n, s.k, a, s.k, b, s.n)
				for row := r0; row < r1; row++ {
					for col := 0; col < s.n; col++ {
						g, w := got[(row-r0)*ldc+col], want[(row-r0)*ldc+col]
						if g != w {
							t.Fatalf("%s: C[%d][%d] = %v, GemmPacked %v", what, row, col, g, w)
						}
						if d := float64(g) - ref[row*s.n+col]; d > 1e-4*float64(1+s.k) || d < -1e-4*float64(1+s.k) {
							t.Fatalf("%s: C[%d][%d] = %v, want %v", what, row, col, g, ref[row*s.n+col])
						}
					}
				}
			}
		}
		active = saved
	}
}
