package simd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestGemmWideStrips covers the blocking of column strips wider than 24
// (the 48-wide tiles of the AVX-512 kernels): every column count up to
// 100 (two 48-wide strips and every tail after them), with B both read in
// place (fewer than four panels) and packed, K in one block and in several
// (not a multiple of the unrolling), rows cut inside panels, and the
// offsets kernels on the same strips, which must equal GemmPacked on the
// gathered matrix bit for bit.
func TestGemmWideStrips(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 5))
	for i := range impls {
		im := &impls[i]
		for _, mk := range [][2]int{{9, 13}, {22, 13}, {9, 301}, {19, 301}} {
			m, k := mk[0], mk[1]
			for n := 1; n <= 100; n++ {
				if k > 100 && n%5 != 0 && n < 90 { // fewer of the slow ones
					continue
				}
				lda, ldb, ldc := k+3, n+7, n+1
				a := randSlice(r, m*lda)
				b := randSlice(r, (k-1)*ldb+n)
				want := naiveGemm(m, n, k, a, lda, b, ldb)
				pk := make([]float32, im.packedLen(m, k))
				im.packA(pk, m, k, a, lda)
				pa := PackedA{M: m, K: k, data: pk, impl: im}
				whole := gemmCase(t, im, pa, 0, m, m, n, b, ldb, ldc)
				for i := 0; i < m; i++ {
					for j := 0; j < n; j++ {
						got, w := float64(whole[i*ldc+j]), want[i*n+j]
						if math.Abs(got-w) > 1e-5*math.Sqrt(float64(k))*(1+math.Abs(w)) {
							t.Fatalf("%s m=%d n=%d k=%d: C[%d][%d] = %v, want %v", im.name, m, n, k, i, j, got, w)
						}
					}
				}
				part := gemmCase(t, im, pa, 1, m-2, 6, n, b, ldb, ldc)
				for i := 1; i < m-2; i++ {
					for j := 0; j < n; j++ {
						if g, w := part[(i-1)*ldc+j], whole[i*ldc+j]; g != w {
							t.Fatalf("%s m=%d n=%d k=%d rows [1,%d) split 6: C[%d][%d] = %v, whole matrix gave %v",
								im.name, m, n, k, m-2, i, j, g, w)
						}
					}
				}

				// the same product through offsets: B's rows at ldb apart, reversed
				offs := make([]int32, k)
				for p := range offs {
					offs[p] = int32((k - 1 - p) * ldb)
				}
				gathered := make([]float32, k*n)
				for p, o := range offs {
					copy(gathered[p*n:(p+1)*n], b[o:int(o)+n])
				}
				ref := make([]float32, m*n)
				GemmPacked(pa, 0, m, n, gathered, n, ref, n)
				what := fmt.Sprintf("%s offsets m=%d n=%d k=%d rows [2,%d)", im.name, m, n, k, m-1)
				outer, c := guarded((m-3)*ldc, 16)
				GemmOffsets(pa, 2, m-1, n, b, offs, make([]float32, k*n), c, ldc)
				checkGuards(t, what, outer, 16)
				checkRowGaps(t, what, c, m-3, n, ldc)
				for i := 2; i < m-1; i++ {
					for j := 0; j < n; j++ {
						if g, w := c[(i-2)*ldc+j], ref[i*n+j]; math.Float32bits(g) != math.Float32bits(w) {
							t.Fatalf("%s: C[%d][%d] = %v, GemmPacked gives %v", what, i, j, g, w)
						}
					}
				}
			}
		}
	}
}
