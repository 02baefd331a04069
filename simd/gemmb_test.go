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

// TestGemmPackedBCols: for every implementation, the products of the
// column ranges between consecutive cuts of B (PackedBCut, every cut and
// a coarse set of them) write exactly those columns of C, nothing else
// (guards, and columns outside the range left as they were), and together
// equal GemmPackedB: bit for bit where B has a layout of its own, within
// rounding elsewhere. B is far deeper than a K block in some shapes, so
// that a strip's blocks follow one another (packB512's layout).
func TestGemmPackedBCols(t *testing.T) {
	r := rand.New(rand.NewPCG(43, 43))
	type shape struct{ m, n, k int }
	shapes := []shape{{16, 512, 600}, {16, 100, 40}, {9, 57, 13}, {4, 3, 20}, {8, 1000, 300}, {7, 49, 700}, {5, 96, 1}}
	for i := range impls {
		im := &impls[i]
		saved := active
		active = im
		for _, s := range shapes {
			at := randSlice(r, s.k*s.m)
			b := randSlice(r, s.k*s.n)
			pa := PackAT(make([]float32, PackedLen(s.m, s.k)), s.m, s.k, at, s.m)
			pb := PackB(make([]float32, PackedBLen(s.k, s.n)), s.k, s.n, b, s.n)
			want := make([]float32, s.m*s.n)
			GemmPackedB(pa, 0, s.m, pb, want, s.n)
			var every []int
			for j := 0; j <= s.n; j++ {
				if PackedBCut(pb, j) == j {
					every = append(every, j)
				}
			}
			if every[0] != 0 || every[len(every)-1] != s.n {
				t.Fatalf("%s %+v: cuts %v do not span the columns", im.name, s, every)
			}
			coarse := []int{0}
			for q := 1; q <= 3; q++ {
				if c := PackedBCut(pb, q*s.n/3); c > coarse[len(coarse)-1] {
					coarse = append(coarse, c)
				}
			}
			pieces := PackedBCuts(pb, 48)
			for q, c := range pieces {
				if PackedBCut(pb, c) != c || q > 0 && c <= pieces[q-1] || q == 0 && c != 0 || q == len(pieces)-1 && c != s.n {
					t.Fatalf("%s %+v: PackedBCuts(48) %v: not increasing cuts from 0 to %d", im.name, s, pieces, s.n)
				}
			}
			for _, cuts := range [][]int{every, coarse, pieces} {
				outer, got := guarded(s.m*s.n, 16)
				for i := range got {
					got[i] = -7
				}
				for q := 0; q+1 < len(cuts); q++ {
					j0, j1 := cuts[q], cuts[q+1]
					GemmPackedBCols(pa, 0, s.m, pb, j0, j1, got, s.n)
					for row := 0; row < s.m; row++ {
						for col := j1; col < s.n; col++ {
							if got[row*s.n+col] != -7 {
								t.Fatalf("%s %+v: columns [%d,%d) wrote C[%d][%d]", im.name, s, j0, j1, row, col)
							}
						}
					}
				}
				what := fmt.Sprintf("%s m=%d n=%d k=%d cuts %v", im.name, s.m, s.n, s.k, cuts)
				checkGuards(t, what, outer, 16)
				for i := range want {
					g, w := got[i], want[i]
					if im.packedBNative && g != w {
						t.Fatalf("%s: C[%d] = %v, GemmPackedB %v", what, i, g, w)
					}
					if d := g - w; d > 1e-5*float32(1+s.k) || d < -1e-5*float32(1+s.k) {
						t.Fatalf("%s: C[%d] = %v, GemmPackedB %v", what, i, g, w)
					}
				}
			}
		}
		active = saved
	}
}

// TestPackedAInParts: PackAT of rows in parts of whole panels
// (PackedPanelRows), each at dst[PackedLen(p0, k):], writes what one call
// for all the rows writes, and PackedAIn names it.
func TestPackedAInParts(t *testing.T) {
	r := rand.New(rand.NewPCG(44, 44))
	for i := range impls {
		im := &impls[i]
		saved := active
		active = im
		pr := PackedPanelRows()
		for _, s := range []struct{ m, k int }{{16, 300}, {13, 7}, {1, 5}, {33, 64}} {
			at := randSlice(r, s.k*s.m)
			whole := PackAT(make([]float32, PackedLen(s.m, s.k)), s.m, s.k, at, s.m)
			for _, rows := range []int{pr, 2 * pr, 3 * pr} {
				parts := make([]float32, PackedLen(s.m, s.k))
				for p0 := 0; p0 < s.m; p0 += rows {
					PackAT(parts[PackedLen(p0, s.k):], min(rows, s.m-p0), s.k, at[p0:], s.m)
				}
				pa := PackedAIn(parts, s.m, s.k)
				if pa.M != s.m || pa.K != s.k || len(pa.data) != len(whole.data) {
					t.Fatalf("%s %+v: PackedAIn is %d×%d of %d floats", im.name, s, pa.M, pa.K, len(pa.data))
				}
				for j := range whole.data {
					if pa.data[j] != whole.data[j] {
						t.Fatalf("%s %+v in parts of %d rows: float %d is %v, whole %v", im.name, s, rows, j, pa.data[j], whole.data[j])
					}
				}
			}
		}
		active = saved
	}
}
