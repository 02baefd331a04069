package simd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// gemmCase multiplies with implementation im over rows [r0, r1) split into
// pieces of `split` rows (as the thread pool would) and returns C (row
// stride ldc, guards checked).
func gemmCase(t *testing.T, im *impl, pa PackedA, r0, r1, split, n int, b []float32, ldb, ldc int) []float32 {
	t.Helper()
	rows := r1 - r0
	outer, c := guarded(max(rows*ldc, 1), 16)
	for lo := r0; lo < r1; lo += split {
		hi := min(r1, lo+split)
		GemmPacked(pa, lo, hi, n, b, ldb, c[(lo-r0)*ldc:], ldc)
	}
	what := fmt.Sprintf("%s m=%d n=%d k=%d rows [%d,%d) split %d", im.name, pa.M, n, pa.K, r0, r1, split)
	checkGuards(t, what, outer, 16)
	checkRowGaps(t, what, c, rows, n, ldc)
	return c
}

// TestGemmPackedShapes covers the blocking of the optimised kernels: K
// past one and several K blocks (and not a multiple of the unrolling), row
// blocks, every column tail of a 24-wide tile, row ranges starting and
// ending inside a packed panel, strides, and a single column (the
// matrix-vector path). Results must not depend on the row split: each
// element is summed in the same order, so they are compared bit for bit.
func TestGemmPackedShapes(t *testing.T) {
	r := rand.New(rand.NewPCG(6, 6))
	type shape struct{ m, n, k int }
	var shapes []shape
	for n := 1; n <= 50; n++ {
		shapes = append(shapes, shape{9, n, 11})
	}
	shapes = append(shapes, shape{32, 5, 40}, shape{32, 8, 40}, shape{32, 9, 300}, shape{32, 12, 40}, shape{32, 57, 40}, shape{32, 60, 40}, shape{5, 1, 1}, shape{13, 1, 1023}, shape{7, 3, 2}, shape{300, 40, 20}, shape{21, 24, 257},
		shape{10, 49, 600}, shape{6, 130, 513}, shape{33, 2, 5000}, shape{3, 72, 4608}, shape{270, 17, 31},
		shape{37, 1, 301}, shape{37, 3, 7}, shape{41, 4, 2}, shape{20, 1, 1})
	for i := range impls {
		im := &impls[i]
		for _, sz := range shapes {
			m, n, k := sz.m, sz.n, sz.k
			lda, ldb, ldc := k+1, n+3, n+5
			if sz.n == 24 {
				ldb, ldc = n, n // tight
			}
			a := randSlice(r, m*lda)
			b := randSlice(r, (k-1)*ldb+n) // no slack after the last element
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
			for _, rr := range [][3]int{{1, m, 3}, {2, m - 1, 5}, {0, m, 1}, {m / 2, m/2 + 1, 1}, {3, m, 7}} {
				r0, r1, split := rr[0], min(m, rr[1]), rr[2]
				if r0 >= r1 {
					continue
				}
				part := gemmCase(t, im, pa, r0, r1, split, n, b, ldb, ldc)
				for i := r0; i < r1; i++ {
					for j := 0; j < n; j++ {
						if g, w := part[(i-r0)*ldc+j], whole[i*ldc+j]; g != w && !(g != g && w != w) {
							t.Fatalf("%s m=%d n=%d k=%d rows [%d,%d) split %d: C[%d][%d] = %v, whole matrix gave %v",
								im.name, m, n, k, r0, r1, split, i, j, g, w)
						}
					}
				}
			}
		}
	}
}

// TestGemmPackedZeroK: an empty sum is zero, and C is not read.
func TestGemmPackedZeroK(t *testing.T) {
	for i := range impls {
		im := &impls[i]
		for _, n := range []int{1, 5, 30} {
			pa := PackA(make([]float32, 0), 6, 0, nil, 0)
			pa.impl = im
			c := make([]float32, 6*n)
			for j := range c {
				c[j] = float32(math.NaN())
			}
			GemmPacked(pa, 1, 6, n, make([]float32, n), n, c, n)
			for j, v := range c[:5*n] {
				if v != 0 {
					t.Fatalf("%s n=%d: C[%d] = %v, want 0", im.name, n, j, v)
				}
			}
		}
	}
}

// TestDistancesLong covers lengths past the 32-float blocks, with
// unaligned starts, large values and cancellation.
func TestDistancesLong(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	for i := range impls {
		im := &impls[i]
		for _, n := range []int{31, 32, 33, 39, 40, 63, 64, 65, 127, 128, 129, 512, 1000, 4099} {
			for _, off := range []int{0, 1, 5} {
				a := randSlice(r, n+off)[off:]
				b := randSlice(r, n+off)[off:]
				for j := range b {
					b[j] = b[j]*1e3 + 1e4
				}
				var l2, dot, mag float64
				for j := 0; j < n; j++ {
					d := float64(a[j]) - float64(b[j])
					l2 += d * d
					dot += float64(a[j]) * float64(b[j])
					mag += math.Abs(float64(a[j]) * float64(b[j]))
				}
				if got := float64(im.l2(a, b)); math.Abs(got-l2) > 1e-5*l2 {
					t.Fatalf("%s l2 n=%d off=%d: %v, want %v", im.name, n, off, got, l2)
				}
				if got := float64(im.dot(a, b)); math.Abs(got-dot) > 1e-6*mag*math.Sqrt(float64(n)) {
					t.Fatalf("%s dot n=%d off=%d: %v, want %v", im.name, n, off, got, dot)
				}
			}
		}
	}
}

func TestImplementationRegistered(t *testing.T) {
	names := ""
	for _, im := range impls {
		names += " " + im.name
	}
	t.Logf("implementations:%s; active %s", names, Implementation())
	if Implementation() != impls[len(impls)-1].name {
		t.Errorf("active implementation %s is not the last registered", Implementation())
	}
}

// TestDepthwiseShapes sweeps widths (every tail of an 8-wide vector),
// paddings, vertical strides and dilations, and kernel heights, with an
// infinite input pixel whose taps at the border must be skipped, not
// multiplied by zero, and for some widths an infinite weight (which must
// not meet the zero padding of the small-image path).
func TestDepthwiseShapes(t *testing.T) {
	r := rand.New(rand.NewPCG(10, 10))
	for i := range impls {
		im := &impls[i]
		for w := 1; w <= 41; w++ {
			for _, c := range []struct{ h, kh, kw, sh, sw, pt, pl, dh, dw int }{
				{5, 3, 3, 1, 1, 1, 1, 1, 1}, {6, 3, 3, 2, 1, 1, 1, 1, 1}, {4, 3, 3, 1, 1, 0, 0, 1, 1},
				{7, 3, 3, 1, 1, 2, 2, 2, 1}, {3, 2, 3, 1, 1, 0, 1, 1, 1}, {2, 1, 3, 1, 1, 0, 2, 1, 1},
				{6, 3, 3, 2, 2, 1, 1, 1, 1}, {5, 3, 3, 1, 1, 3, 1, 1, 1}, {7, 3, 3, 2, 1, 0, 0, 1, 1}, {9, 3, 3, 3, 1, 0, 0, 1, 1},
			} {
				p := DWConv{H: c.h, W: w, KH: c.kh, KW: c.kw, StrideH: c.sh, StrideW: c.sw, PadT: c.pt, PadL: c.pl, DilH: c.dh, DilW: c.dw}
				p.OH = (p.H+2*p.PadT-((p.KH-1)*p.DilH+1))/p.StrideH + 1
				p.OW = (p.W+2*p.PadL-((p.KW-1)*p.DilW+1))/p.StrideW + 1
				if p.OH <= 0 || p.OW <= 0 {
					continue
				}
				in := randSlice(r, p.H*p.W)
				in[len(in)-1] = float32(math.Inf(1)) // bottom-right pixel
				wt := randSlice(r, p.KH*p.KW)
				if w%4 == 0 { // an infinite weight: the taps outside the image still count as nothing
					wt[r.IntN(len(wt))] = float32(math.Inf(-1))
				}
				outer, out := guarded(p.OH*p.OW, 8)
				im.dw(&p, in, wt, -0.5, out)
				checkGuards(t, im.name+" depthwise", outer, 8)
				for oy := 0; oy < p.OH; oy++ {
					for ox := 0; ox < p.OW; ox++ {
						s := -0.5
						for ky := 0; ky < p.KH; ky++ {
							for kx := 0; kx < p.KW; kx++ {
								iy, ix := oy*p.StrideH-p.PadT+ky*p.DilH, ox*p.StrideW-p.PadL+kx*p.DilW
								if iy >= 0 && iy < p.H && ix >= 0 && ix < p.W {
									s += float64(wt[ky*p.KW+kx]) * float64(in[iy*p.W+ix])
								}
							}
						}
						got := float64(out[oy*p.OW+ox])
						if math.IsInf(s, 0) || math.IsNaN(s) {
							if got != s && !(math.IsNaN(s) && math.IsNaN(got)) {
								t.Fatalf("%s %+v: out[%d][%d] = %v, want %v", im.name, p, oy, ox, got, s)
							}
							continue
						}
						if math.Abs(got-s) > 1e-5*(1+math.Abs(s)) {
							t.Fatalf("%s %+v: out[%d][%d] = %v, want %v", im.name, p, oy, ox, got, s)
						}
					}
				}
			}
		}
	}
}

// TestBiasClamp checks BiasClamp and BiasAddClamp of every implementation
// against the generic loops: lengths 0…70 and longer (every tail of the
// vector loops, and the overlapping last vector of the amd64 kernels),
// unaligned starts, guards around x, the bounds of Relu, ReLU6, none, a
// narrow range and an inverted one, and inputs holding NaN, ±Inf, ±0 and
// the bounds themselves. A NaN must come out NaN; zeros compare equal
// whatever their sign (NEON's FMAX(-0, +0) is +0).
func TestBiasClamp(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 11))
	inf := float32(math.Inf(1))
	nan := float32(math.NaN())
	negZero := float32(math.Copysign(0, -1))
	special := []float32{nan, inf, -inf, 0, negZero, 6, -1, 1, 1e30, -1e30}
	bounds := [][2]float32{{0, inf}, {0, 6}, {-inf, inf}, {-0.5, 0.25}, {1, -1}}
	biases := []float32{negZero, 0, 0.75, -2, inf}
	var lengths []int
	for n := 0; n <= 70; n++ {
		lengths = append(lengths, n)
	}
	lengths = append(lengths, 127, 128, 129, 1000, 4099)
	same := func(a, b float32) bool { return a == b || (a != a && b != b) }
	for i := range impls {
		im := &impls[i]
		for _, n := range lengths {
			for _, off := range []int{0, 1, 3} {
				for _, bd := range bounds {
					for _, bias := range biases {
						src := randSlice(r, n)
						for j := range src {
							if r.IntN(4) == 0 {
								src[j] = special[r.IntN(len(special))]
							}
						}
						res := randSlice(r, n+off)[off:]
						for j := range res {
							if r.IntN(8) == 0 {
								res[j] = special[r.IntN(len(special))]
							}
						}
						for _, withRes := range []bool{false, true} {
							want := append([]float32(nil), src...)
							outer, x := guarded(n+off, 8)
							x = x[off:]
							copy(x, src)
							what := fmt.Sprintf("%s BiasClamp n=%d off=%d bias %v bounds %v", im.name, n, off, bias, bd)
							if withRes {
								what = "residual " + what
								biasAddClampGeneric(want, res, bias, bd[0], bd[1])
								im.biasAddClamp(x, res, bias, bd[0], bd[1])
							} else {
								biasClampGeneric(want, bias, bd[0], bd[1])
								im.biasClamp(x, bias, bd[0], bd[1])
							}
							checkGuards(t, what, outer, 8)
							for j := 0; j < off; j++ {
								if outer[8+j] != guard {
									t.Fatalf("%s: wrote before its start", what)
								}
							}
							for j := range x {
								if !same(x[j], want[j]) {
									t.Fatalf("%s: x[%d] = %v, want %v (input %v)", what, j, x[j], want[j], src[j])
								}
							}
						}
					}
				}
			}
		}
	}
}

// TestBiasClampNaNBounds: a NaN bound takes the generic loop, whose
// comparisons with it are false: the bound does nothing.
func TestBiasClampNaNBounds(t *testing.T) {
	nan := float32(math.NaN())
	x := []float32{-3, -1, 0, 2, 9, 1, 2, 3, 4, 5, 6, 7, 8}
	want := []float32{-2, 0, 1, 3, 6, 2, 3, 4, 5, 6, 6, 6, 6}
	BiasClamp(x, 1, nan, 6)
	for i := range x {
		if x[i] != want[i] {
			t.Fatalf("x[%d] = %v, want %v", i, x[i], want[i])
		}
	}
	y := []float32{-3, -1, 0, 2, 9, 1, 2, 3, 4}
	BiasAddClamp(y, []float32{1, 1, 1, 1, 1, 1, 1, 1, 1, 99}, 0, 0, nan)
	for i, w := range []float32{0, 0, 1, 3, 10, 2, 3, 4, 5} {
		if y[i] != w {
			t.Fatalf("y[%d] = %v, want %v", i, y[i], w)
		}
	}
}

// checkRowGaps fails if any of the columns n…ldc-1 between the rows of a
// guarded C was written.
func checkRowGaps(t *testing.T, what string, c []float32, rows, n, ldc int) {
	t.Helper()
	for i := 0; i < rows; i++ {
		for j := n; j < ldc && i*ldc+j < len(c); j++ {
			if c[i*ldc+j] != guard {
				t.Fatalf("%s: wrote column %d of row %d, past the %d columns of C", what, j, i, n)
			}
		}
	}
}
