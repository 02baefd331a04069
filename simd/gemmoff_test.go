package simd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestGemmOffsets checks GemmOffsets of every implementation against the
// naive product of A and the gathered B, on the offsets of 3×3 (and 1×5,
// 5×1) stride-1 convolutions over padded planes and on random offsets:
// every column tail of the 24-wide tile, K past one K block, row ranges
// cut inside a panel, guards around C, and B ending right after the last
// row read.
func TestGemmOffsets(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 3))
	type shape struct{ m, cin, kh, kw, wp, n int }
	var shapes []shape
	for n := 1; n <= 50; n++ {
		shapes = append(shapes, shape{9, 2, 3, 3, 13, n})
	}
	shapes = append(shapes, shape{32, 4, 3, 3, 16, 9}, shape{32, 4, 3, 3, 16, 6}, shape{32, 4, 3, 3, 16, 8}, shape{32, 4, 3, 3, 16, 57}, shape{16, 16, 3, 3, 48, 144}, shape{32, 64, 3, 3, 16, 72}, shape{5, 1, 3, 3, 30, 57},
		shape{20, 40, 3, 3, 9, 96}, shape{7, 3, 1, 5, 20, 40}, shape{12, 4, 5, 1, 8, 33}, shape{64, 32, 3, 3, 13, 130})
	for i := range impls {
		im := &impls[i]
		for _, s := range shapes {
			k := s.cin * s.kh * s.kw
			plane := (s.n/s.wp + s.kh + 1) * s.wp
			offs := make([]int32, 0, k)
			for c := 0; c < s.cin; c++ {
				for ky := 0; ky < s.kh; ky++ {
					for kx := 0; kx < s.kw; kx++ {
						offs = append(offs, int32(c*plane+ky*s.wp+kx))
					}
				}
			}
			if s.n%7 == 3 { // any order, repeats
				for p := range offs {
					offs[p] = int32(r.IntN(s.cin * plane))
				}
			}
			top := 0
			for _, o := range offs {
				top = max(top, int(o)+s.n)
			}
			b := randSlice(r, top) // nothing after the last element read
			gathered := make([]float32, k*s.n)
			for p, o := range offs {
				copy(gathered[p*s.n:(p+1)*s.n], b[o:int(o)+s.n])
			}
			a := randSlice(r, s.m*k)
			want := naiveGemm(s.m, s.n, k, a, k, gathered, s.n)
			pk := make([]float32, im.packedLen(s.m, k))
			im.packA(pk, s.m, k, a, k)
			pa := PackedA{M: s.m, K: k, data: pk, impl: im}
			col := make([]float32, k*s.n)
			ldc := s.n + 3
			for _, cut := range [][2]int{{0, s.m}, {1, s.m - 1}, {2, 3}} {
				r0, r1 := cut[0], cut[1]
				if r1 <= r0 {
					continue
				}
				name := fmt.Sprintf("%s m=%d k=%d n=%d rows [%d,%d)", im.name, s.m, k, s.n, r0, r1)
				outer, c := guarded((r1-r0)*ldc, 16)
				GemmOffsets(pa, r0, r1, s.n, b, offs, col, c, ldc)
				checkGuards(t, name, outer, 16)
				checkRowGaps(t, name, c, r1-r0, s.n, ldc)
				for i := r0; i < r1; i++ {
					for j := 0; j < s.n; j++ {
						got, w := float64(c[(i-r0)*ldc+j]), want[i*s.n+j]
						if math.Abs(got-w) > 1e-5*math.Sqrt(float64(k))*(1+math.Abs(w)) {
							t.Fatalf("%s: C[%d][%d] = %v, want %v", name, i, j, got, w)
						}
					}
				}
				// with the epilogue: what GemmOffsets then BiasClampRows
				// give, bit for bit (the AVX-512 kernels apply it as they
				// store C)
				bias := randSlice(r, r1-r0)
				for _, cl := range [][2]float32{{0, 6}, {float32(math.Inf(-1)), float32(math.Inf(1))}, {-0.5, 0.5}} {
					outer2, c2 := guarded((r1-r0)*ldc, 16)
					GemmOffsetsBiasClamp(pa, r0, r1, s.n, b, offs, col, c2, ldc, bias, cl[0], cl[1])
					checkGuards(t, name+" bias-clamp", outer2, 16)
					GemmOffsets(pa, r0, r1, s.n, b, offs, col, c, ldc)
					BiasClampRows(c, ldc, r1-r0, s.n, bias, cl[0], cl[1])
					for i := 0; i < r1-r0; i++ {
						for j := 0; j < s.n; j++ {
							if math.Float32bits(c2[i*ldc+j]) != math.Float32bits(c[i*ldc+j]) {
								t.Fatalf("%s clamp %v: GemmOffsetsBiasClamp C[%d][%d] = %v, two passes %v", name, cl, r0+i, j, c2[i*ldc+j], c[i*ldc+j])
							}
						}
					}
				}
			}
		}
	}
}

// TestGemmOffsetsMatchesPacked: the indirect kernels sum in the order of
// the packed ones, so GemmOffsets equals GemmPacked on the gathered matrix
// bit for bit, and NaN and Inf in B reach C as they do there.
func TestGemmOffsetsMatchesPacked(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 4))
	for i := range impls {
		im := &impls[i]
		for _, n := range []int{8, 24, 48, 61, 144} {
			m, k := 16, 3*9
			b := randSlice(r, 4*n+64)
			b[5], b[40] = float32(math.NaN()), float32(math.Inf(1))
			offs := make([]int32, k)
			for p := range offs {
				offs[p] = int32(r.IntN(len(b) - n + 1))
			}
			gathered := make([]float32, k*n)
			for p, o := range offs {
				copy(gathered[p*n:(p+1)*n], b[o:int(o)+n])
			}
			a := randSlice(r, m*k)
			pk := make([]float32, im.packedLen(m, k))
			im.packA(pk, m, k, a, k)
			pa := PackedA{M: m, K: k, data: pk, impl: im}
			want := make([]float32, m*n)
			GemmPacked(pa, 0, m, n, gathered, n, want, n)
			got := make([]float32, m*n)
			GemmOffsets(pa, 0, m, n, b, offs, make([]float32, k*n), got, n)
			for j := range got {
				if math.Float32bits(got[j]) != math.Float32bits(want[j]) && !(got[j] != got[j] && want[j] != want[j]) {
					t.Fatalf("%s n=%d: C[%d] = %v, GemmPacked gives %v", im.name, n, j, got[j], want[j])
				}
			}
		}
	}
}

func TestGemmOffsetsChecksOffsets(t *testing.T) {
	pa := PackA(make([]float32, PackedLen(4, 2)), 4, 2, make([]float32, 8), 2)
	for _, offs := range [][]int32{{0, 9}, {-1, 0}, {0}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("offsets %v over a B of 12 floats, n 4: no panic", offs)
				}
			}()
			GemmOffsets(pa, 0, 4, 4, make([]float32, 12), offs, make([]float32, 8), make([]float32, 16), 4)
		}()
	}
}
