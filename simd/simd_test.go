package simd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// guard is written around every output slice; a kernel that writes past
// its bounds changes it.
const guard = float32(-12345.678)

func randSlice(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(r.NormFloat64())
	}
	return s
}

// guarded returns a slice of n values with pad guard values on each side,
// and the inner slice.
func guarded(n, pad int) (outer, inner []float32) {
	outer = make([]float32, n+2*pad)
	for i := range outer {
		outer[i] = guard
	}
	return outer, outer[pad : pad+n : pad+n]
}

func checkGuards(t *testing.T, what string, outer []float32, pad int) {
	t.Helper()
	for i := 0; i < pad; i++ {
		if outer[i] != guard || outer[len(outer)-1-i] != guard {
			t.Fatalf("%s: wrote outside its output", what)
		}
	}
}

// naiveGemm is C = A·B in float64, the specification of GemmPacked.
func naiveGemm(m, n, k int, a []float32, lda int, b []float32, ldb int) []float64 {
	c := make([]float64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			s := 0.0
			for p := 0; p < k; p++ {
				s += float64(a[i*lda+p]) * float64(b[p*ldb+j])
			}
			c[i*n+j] = s
		}
	}
	return c
}

func TestGemmPackedAllImplementations(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	sizes := [][3]int{{1, 1, 1}, {1, 17, 3}, {3, 5, 7}, {4, 16, 8}, {5, 33, 9}, {6, 16, 27}, {7, 1, 13},
		{8, 8, 8}, {9, 24, 1}, {12, 48, 64}, {13, 31, 17}, {16, 128, 75}, {17, 65, 300}, {32, 7, 5}, {64, 100, 27}}
	for _, im := range impls {
		for _, sz := range sizes {
			m, n, k := sz[0], sz[1], sz[2]
			lda, ldb, ldc := k+3, n+5, n+2
			a := randSlice(r, m*lda)
			b := randSlice(r, k*ldb+7)
			want := naiveGemm(m, n, k, a, lda, b, ldb)
			pk := make([]float32, im.packedLen(m, k))
			im.packA(pk, m, k, a, lda)
			pa := PackedA{M: m, K: k, data: pk, impl: &im}
			// whole, and split into row ranges like the thread pool does
			for _, split := range []int{m, (m + 1) / 2, 1} {
				if split == 0 {
					continue
				}
				outer, c := guarded(m*ldc, 16)
				for r0 := 0; r0 < m; r0 += split {
					r1 := min(m, r0+split)
					GemmPacked(pa, r0, r1, n, b, ldb, c[r0*ldc:], ldc)
				}
				checkGuards(t, fmt.Sprintf("%s %v", im.name, sz), outer, 16)
				for i := 0; i < m; i++ {
					for j := 0; j < n; j++ {
						got, w := float64(c[i*ldc+j]), want[i*n+j]
						if math.Abs(got-w) > 1e-4*(1+math.Abs(w))*math.Sqrt(float64(k)) {
							t.Fatalf("%s m=%d n=%d k=%d split %d: C[%d][%d] = %v, want %v", im.name, m, n, k, split, i, j, got, w)
						}
					}
					for j := n; j < ldc && i < m-1; j++ {
						if c[i*ldc+j] != guard {
							t.Fatalf("%s %v: wrote into the row gap at [%d][%d]", im.name, sz, i, j)
						}
					}
				}
			}
		}
	}
}

func TestGemmPackedNaNPropagates(t *testing.T) {
	for _, im := range impls {
		m, n, k := 5, 19, 6
		a := make([]float32, m*k)
		b := make([]float32, k*n)
		b[2*n+3] = float32(math.NaN())
		b[4*n+18] = float32(math.Inf(1))
		for i := range a {
			a[i] = 1
		}
		pk := make([]float32, im.packedLen(m, k))
		im.packA(pk, m, k, a, k)
		c := make([]float32, m*n)
		for i := range c {
			c[i] = float32(math.NaN()) // C is overwritten, never read
		}
		GemmPacked(PackedA{M: m, K: k, data: pk, impl: &im}, 0, m, n, b, n, c, n)
		for i := 0; i < m; i++ {
			for j := 0; j < n; j++ {
				v := c[i*n+j]
				switch {
				case j == 3:
					if !math.IsNaN(float64(v)) {
						t.Fatalf("%s: NaN lost at [%d][%d]: %v", im.name, i, j, v)
					}
				case j == 18:
					if !math.IsInf(float64(v), 1) {
						t.Fatalf("%s: Inf lost at [%d][%d]: %v", im.name, i, j, v)
					}
				default:
					if v != 0 {
						t.Fatalf("%s: [%d][%d] = %v, want 0", im.name, i, j, v)
					}
				}
			}
		}
	}
}

func TestSgemmTransposes(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 2))
	m, n, k := 5, 7, 9
	a := randSlice(r, m*k)
	b := randSlice(r, k*n)
	want := naiveGemm(m, n, k, a, k, b, n)
	at := make([]float32, k*m)
	bt := make([]float32, n*k)
	for i := 0; i < m; i++ {
		for p := 0; p < k; p++ {
			at[p*m+i] = a[i*k+p]
		}
	}
	for p := 0; p < k; p++ {
		for j := 0; j < n; j++ {
			bt[j*k+p] = b[p*n+j]
		}
	}
	for _, tc := range []struct {
		ta, tb   bool
		a, b     []float32
		lda, ldb int
	}{{false, false, a, b, k, n}, {true, false, at, b, m, n}, {false, true, a, bt, k, k}, {true, true, at, bt, m, k}} {
		c := randSlice(r, m*n)
		c0 := append([]float32(nil), c...)
		Sgemm(tc.ta, tc.tb, m, n, k, 2, tc.a, tc.lda, tc.b, tc.ldb, 0.5, c, n)
		for i := range c {
			w := 2*want[i] + 0.5*float64(c0[i])
			if math.Abs(float64(c[i])-w) > 1e-4 {
				t.Fatalf("transA=%v transB=%v: %v, want %v", tc.ta, tc.tb, c[i], w)
			}
		}
	}
}

func TestDistancesAllImplementations(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	for _, im := range impls {
		for n := 0; n <= 70; n++ {
			for _, off := range []int{0, 1, 3} {
				a := randSlice(r, n+off)[off:]
				b := randSlice(r, n+off+2)[off:]
				var l2, dot float64
				for i := 0; i < n; i++ {
					d := float64(a[i]) - float64(b[i])
					l2 += d * d
					dot += float64(a[i]) * float64(b[i])
				}
				if got := im.l2(a, b[:n]); math.Abs(float64(got)-l2) > 1e-4*(1+l2) {
					t.Fatalf("%s l2 n=%d off=%d: %v, want %v", im.name, n, off, got, l2)
				}
				if got := im.dot(a, b[:n]); math.Abs(float64(got)-dot) > 1e-4*(1+math.Abs(dot))*float64(n+1) {
					t.Fatalf("%s dot n=%d off=%d: %v, want %v", im.name, n, off, got, dot)
				}
			}
		}
		inf := []float32{float32(math.Inf(1)), 0, 0}
		if v := im.l2(inf, []float32{0, 0, 0}); !math.IsInf(float64(v), 1) {
			t.Errorf("%s: l2 with +Inf = %v", im.name, v)
		}
		nan := []float32{1, float32(math.NaN()), 2, 3, 4, 5, 6, 7, 8, 9}
		if v := im.l2(nan, make([]float32, 10)); !math.IsNaN(float64(v)) {
			t.Errorf("%s: l2 with NaN = %v", im.name, v)
		}
	}
}

func TestL2SquaredBatchAndArgMin(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	d, rows := 37, 101
	q := randSlice(r, d)
	g := randSlice(r, d*rows)
	copy(g[42*d:], q) // row 42 is the query itself
	outer, out := guarded(rows, 8)
	L2SquaredBatch(q, g, out)
	checkGuards(t, "L2SquaredBatch", outer, 8)
	for j := 0; j < rows; j++ {
		var s float64
		for i := 0; i < d; i++ {
			x := float64(q[i]) - float64(g[j*d+i])
			s += x * x
		}
		if math.Abs(float64(out[j])-s) > 1e-4*(1+s) {
			t.Fatalf("row %d: %v, want %v", j, out[j], s)
		}
	}
	if i, v := ArgMin(out); i != 42 || v != 0 {
		t.Errorf("ArgMin = %d, %v; want 42, 0", i, v)
	}
	if i, _ := ArgMin([]float32{float32(math.NaN()), 3, 1, 1}); i != 2 {
		t.Errorf("ArgMin skips NaN and takes the first minimum: got %d", i)
	}
	if i, _ := ArgMin(nil); i != -1 {
		t.Errorf("ArgMin(nil) = %d", i)
	}
}

func TestDepthwiseAllImplementations(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	for _, im := range impls {
		for _, p := range []DWConv{
			{H: 7, W: 9, KH: 3, KW: 3, StrideH: 1, StrideW: 1, PadT: 1, PadL: 1, DilH: 1, DilW: 1},
			{H: 16, W: 15, KH: 3, KW: 3, StrideH: 2, StrideW: 2, PadT: 1, PadL: 1, DilH: 1, DilW: 1},
			{H: 5, W: 5, KH: 5, KW: 5, StrideH: 1, StrideW: 1, PadT: 2, PadL: 2, DilH: 1, DilW: 1},
			{H: 12, W: 20, KH: 3, KW: 3, StrideH: 1, StrideW: 2, PadT: 0, PadL: 2, DilH: 2, DilW: 1},
			{H: 1, W: 33, KH: 1, KW: 7, StrideH: 1, StrideW: 1, PadT: 0, PadL: 3, DilH: 1, DilW: 1},
		} {
			p.OH = (p.H+2*p.PadT-((p.KH-1)*p.DilH+1))/p.StrideH + 1
			p.OW = (p.W+2*p.PadL-((p.KW-1)*p.DilW+1))/p.StrideW + 1
			in := randSlice(r, p.H*p.W)
			w := randSlice(r, p.KH*p.KW)
			outer, out := guarded(p.OH*p.OW, 8)
			im.dw(&p, in, w, 0.25, out)
			checkGuards(t, im.name+" depthwise", outer, 8)
			for oy := 0; oy < p.OH; oy++ {
				for ox := 0; ox < p.OW; ox++ {
					s := 0.25
					for ky := 0; ky < p.KH; ky++ {
						for kx := 0; kx < p.KW; kx++ {
							iy, ix := oy*p.StrideH-p.PadT+ky*p.DilH, ox*p.StrideW-p.PadL+kx*p.DilW
							if iy >= 0 && iy < p.H && ix >= 0 && ix < p.W {
								s += float64(w[ky*p.KW+kx]) * float64(in[iy*p.W+ix])
							}
						}
					}
					if got := out[oy*p.OW+ox]; math.Abs(float64(got)-s) > 1e-5*(1+math.Abs(s)) {
						t.Fatalf("%s %+v: out[%d][%d] = %v, want %v", im.name, p, oy, ox, got, s)
					}
				}
			}
		}
	}
}

// TestFMALoop: the peak loop reports the flops it did, or none.
func TestFMALoop(t *testing.T) {
	flops, what := FMALoop(10)
	if flops != 0 && (flops != 1920 || what == "") {
		t.Errorf("FMALoop(10) = %d, %q; want 1920 flops and a description (or 0)", flops, what)
	}
}
