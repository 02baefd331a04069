package simd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"
)

// TestGemmPackedBiasClamp: for every implementation, GemmPackedBiasClamp
// equals GemmPacked followed by BiasClampRows bit for bit (the AVX-512
// kernels apply the epilogue as they store): every strip width and tail
// up to 100 columns, one K block and several, rows cut inside panels,
// B's rows aligned (read in place) and not (packed), NaN in B and in a
// bias, infinite bounds, and C guarded.
func TestGemmPackedBiasClamp(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 12))
	for i := range impls {
		im := &impls[i]
		saved := active
		active = im
		for _, mk := range [][2]int{{9, 13}, {22, 300}, {40, 70}} {
			m, k := mk[0], mk[1]
			for n := 1; n <= 100; n++ {
				if k > 100 && n%7 != 0 && n < 95 {
					continue
				}
				for _, ldb := range []int{n, (n + 15) &^ 15} {
					a := randSlice(r, m*k)
					b := randSlice(r, (k-1)*ldb+n+16)
					b = b[(16-int(uintptr(unsafe.Pointer(&b[0]))/4)&15)&15:] // 64-byte aligned, so that ldb%16 == 0 reads in place
					b[(k/2)*ldb+n/2] = float32(math.NaN())
					bias := randSlice(r, m)
					bias[m/3] = float32(math.NaN())
					pa := PackA(make([]float32, PackedLen(m, k)), m, k, a, k)
					for _, bounds := range [][2]float32{{0, 6}, {float32(math.Inf(-1)), float32(math.Inf(1))}, {-0.25, 0.5}} {
						lo, hi := bounds[0], bounds[1]
						for _, rr := range [][2]int{{0, m}, {1, m - 2}} {
							r0, r1 := rr[0], rr[1]
							ldc := n + 3
							want := make([]float32, (r1-r0)*ldc)
							GemmPacked(pa, r0, r1, n, b, ldb, want, ldc)
							BiasClampRows(want, ldc, r1-r0, n, bias[r0:r1], lo, hi)
							outer, got := guarded((r1-r0)*ldc, 16)
							GemmPackedBiasClamp(pa, r0, r1, n, b, ldb, got, ldc, bias[r0:r1], lo, hi)
							what := fmt.Sprintf("%s m=%d n=%d k=%d ldb=%d rows [%d,%d) bounds %v", im.name, m, n, k, ldb, r0, r1, bounds)
							checkGuards(t, what, outer, 16)
							for row := 0; row < r1-r0; row++ {
								for col := 0; col < n; col++ {
									g, w := got[row*ldc+col], want[row*ldc+col]
									if math.Float32bits(g) != math.Float32bits(w) && !(g != g && w != w) {
										t.Fatalf("%s: C[%d][%d] = %v, GemmPacked and BiasClampRows %v", what, r0+row, col, g, w)
									}
								}
							}
						}
					}
				}
			}
		}
		active = saved
	}
}
