package simd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestConvLanes: for every implementation, Lanes.Run over the taps of a
// k×k window in a padded plane (and of several planes) gives each pixel's
// sums over the taps of the weights NewLanes packed, for runs that end
// inside the last LanesRun and groups whose channels end inside the last
// group; the kernels agree with the loop in Go within rounding, and
// nothing is written past the slack Run documents or outside the
// groups asked for.
func TestConvLanes(t *testing.T) {
	r := rand.New(rand.NewPCG(51, 51))
	for _, tc := range []struct{ cin, cout, k, wp, n int }{
		{16, 32, 7, 48, 42}, // Koch's 7×7 layer: three runs a row
		{1, 32, 3, 20, 14},
		{3, 70, 4, 30, 27}, // three groups, the last of 6 channels
		{32, 64, 4, 21, 18},
		{2, 5, 1, 16, 1},
	} {
		plane := (tc.n/tc.wp + tc.k + 2) * tc.wp // rows enough for the run and the window
		var offs []int32
		for c := 0; c < tc.cin; c++ {
			for ky := 0; ky < tc.k; ky++ {
				for kx := 0; kx < tc.k; kx++ {
					offs = append(offs, int32(c*plane+ky*tc.wp+kx))
				}
			}
		}
		taps := len(offs)
		runs := (tc.n + LanesRun - 1) / LanesRun
		x := randSlice(r, tc.cin*plane+LanesRun)
		w := randSlice(r, tc.cout*taps)
		l := NewLanes(w, tc.cout, offs)
		groups := l.Groups
		ldd := groups*LanesGroup + 3
		var ref []float32
		for i := range impls {
			im := &impls[i]
			saved := active
			active = im
			what := fmt.Sprintf("%s %+v", im.name, tc)
			outer, dst := guarded(runs*LanesRun*ldd, 16)
			l.Run(dst, ldd, x, 0, groups, tc.n)
			checkGuards(t, what, outer, 16)
			for p := 0; p < tc.n; p++ {
				for co := 0; co < groups*LanesGroup; co++ {
					var want float64
					if co < tc.cout {
						for q, o := range offs {
							want += float64(x[p+int(o)]) * float64(w[co*taps+q])
						}
					}
					got := dst[p*ldd+co]
					if d := float64(got) - want; d > 1e-4*float64(taps) || d < -1e-4*float64(taps) {
						t.Fatalf("%s: pixel %d channel %d = %v, want %v", what, p, co, got, want)
					}
				}
			}
			if i == 0 {
				ref = append([]float32(nil), dst...)
			}
			for p := 0; p < tc.n; p++ {
				for co := 0; co < groups*LanesGroup; co++ {
					if g, w := dst[p*ldd+co], ref[p*ldd+co]; g != w && (g-w > 1e-5*float32(taps) || w-g > 1e-5*float32(taps)) {
						t.Fatalf("%s: pixel %d channel %d = %v, generic %v", what, p, co, g, w)
					}
				}
			}
			// the last group alone, into a buffer of its width: the
			// same sums, in its first LanesGroup columns
			one, ld1 := runs*LanesRun*LanesGroup, LanesGroup
			outer, dst1 := guarded(one, 16)
			l.Run(dst1, ld1, x, groups-1, groups, tc.n)
			checkGuards(t, what+" last group", outer, 16)
			for p := 0; p < tc.n; p++ {
				for j := 0; j < LanesGroup; j++ {
					if g, w := dst1[p*ld1+j], dst[p*ldd+(groups-1)*LanesGroup+j]; g != w {
						t.Fatalf("%s: the last group alone gives pixel %d lane %d = %v, with the others %v", what, p, j, g, w)
					}
				}
			}
			active = saved
		}
	}
}

// BenchmarkConvLanes: Koch's 7×7 layer (16 → 32 channels, 48² → 42²),
// every output row in three runs, as the convolution calls it.
func BenchmarkConvLanes(b *testing.B) {
	const cin, cout, k, wp, oh, ow = 16, 32, 7, 48, 42, 42
	plane := 48 * 48
	var offs []int32
	for c := 0; c < cin; c++ {
		for ky := 0; ky < k; ky++ {
			for kx := 0; kx < k; kx++ {
				offs = append(offs, int32(c*plane+ky*wp+kx))
			}
		}
	}
	r := rand.New(rand.NewPCG(1, 1))
	x := randSlice(r, cin*plane+64)
	l := NewLanes(randSlice(r, cout*len(offs)), cout, offs)
	dst := make([]float32, 48*LanesGroup)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for oy := 0; oy < oh; oy++ {
			l.Run(dst, LanesGroup, x[oy*wp:], 0, 1, ow)
		}
	}
	flops := 2.0 * cout * float64(len(offs)) * oh * ow
	b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// TestTransposeBiasClamp: for every implementation, each element of
// dst's rows is the clamped sum of its column of src and the column's
// bias (and of the residual, with one), bit for bit as the loop in Go (a
// NaN stays NaN), for row counts
// around the kernels' 16 and strides wider than the matrices, nothing
// written past the rows or outside the guards; NaN bounds clamp nothing
// on their side.
func TestTransposeBiasClamp(t *testing.T) {
	r := rand.New(rand.NewPCG(52, 52))
	nan := float32(math.NaN())
	for _, sh := range []struct{ rows, cols int }{{1, 1}, {15, 3}, {16, 32}, {17, 5}, {42, 32}, {33, 64}, {7, 70}, {56, 64}, {3, 16}, {16, 16}, {1, 48}, {31, 17}} {
		lds, ldd := sh.cols+5, sh.rows+3
		src := randSlice(r, (sh.rows-1)*lds+sh.cols)
		src[len(src)/2] = nan
		bias := randSlice(r, sh.cols)
		resid := randSlice(r, (sh.cols-1)*ldd+sh.rows)
		for _, b := range [][2]float32{{0, float32(math.Inf(1))}, {-0.5, 0.5}, {nan, 0.25}, {-1, 1}} {
			lo, hi := b[0], b[1]
			var res []float32
			if lo == -1 { // the last bounds with a residual
				res = resid
			}
			want := make([]float32, (sh.cols-1)*ldd+sh.rows)
			transposeBiasClampGeneric(want, ldd, src, lds, sh.rows, sh.cols, bias, res, lo, hi)
			for i := range impls {
				im := &impls[i]
				saved := active
				active = im
				what := fmt.Sprintf("%s %+v bounds [%v, %v]", im.name, sh, lo, hi)
				outer, got := guarded(len(want), 16)
				for i := range got {
					got[i] = -9
				}
				TransposeBiasClamp(got, ldd, src, lds, sh.rows, sh.cols, bias, res, lo, hi)
				checkGuards(t, what, outer, 16)
				for j := 0; j < sh.cols; j++ {
					for i := 0; i < ldd && j*ldd+i < len(got); i++ {
						g, w := got[j*ldd+i], want[j*ldd+i]
						if i >= sh.rows {
							if g != -9 {
								t.Fatalf("%s: wrote dst[%d][%d], past the rows", what, j, i)
							}
							continue
						}
						if math.Float32bits(g) != math.Float32bits(w) && !(g != g && w != w) {
							t.Fatalf("%s: dst[%d][%d] = %v, want %v", what, j, i, g, w)
						}
						v := src[i*lds+j] + bias[j]
						if res != nil {
							v += res[j*ldd+i]
						}
						if lo == lo && v < lo {
							v = lo
						}
						if hi == hi && v > hi {
							v = hi
						}
						if g != v && !(g != g && v != v) {
							t.Fatalf("%s: dst[%d][%d] = %v, the clamped sum is %v", what, j, i, g, v)
						}
					}
				}
				active = saved
			}
		}
	}
}
