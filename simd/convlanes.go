package simd

// A convolution with the output channels in the vector lanes, for maps
// whose rows are narrow against the GEMM's strips: the shifted GEMM puts
// the pixels of a padded row in the lanes and computes the dropped
// columns too (a 7×7 convolution on a 48-wide map: 42 of 48), where here
// every lane is an output channel and only the row's pixels are computed.
//
// The input is read in place, as by the shifted GEMM: pixel r of a run
// and tap t read x[r + offs[t]] (a zero-padded plane, or the phase planes
// of a strided convolution, the offsets those of the taps). The weights
// are packed once (NewLanes).

// LanesGroup is how many output channels Lanes.Run computes at once (the
// lanes of its tile), and LanesRun how many pixels.
const (
	LanesGroup = 32
	LanesRun   = 14
)

// Lanes is a convolution with one group packed for Run: its tap offsets
// and its weights, for each group of LanesGroup output channels tap after
// tap, the group's weights of the tap (those past cout zero).
type Lanes struct {
	offs   []int32
	span   int // the largest offset
	w      []float32
	Cout   int
	Groups int // ⌈Cout / LanesGroup⌉
}

// NewLanes packs the weights w (cout × len(offs), row-major: the ONNX
// weights of a convolution with one group) for the tap offsets offs (≥ 0).
func NewLanes(w []float32, cout int, offs []int32) *Lanes {
	taps := len(offs)
	if cout <= 0 || taps == 0 || len(w) < cout*taps {
		panic("simd: NewLanes arguments out of range")
	}
	l := &Lanes{offs: append([]int32(nil), offs...), Cout: cout, Groups: (cout + LanesGroup - 1) / LanesGroup}
	for _, o := range offs {
		if o < 0 {
			panic("simd: NewLanes offset negative")
		}
		l.span = max(l.span, int(o))
	}
	l.w = make([]float32, l.Groups*taps*LanesGroup)
	for co := 0; co < cout; co++ {
		g, j := co/LanesGroup, co%LanesGroup
		for t := 0; t < taps; t++ {
			l.w[(g*taps+t)*LanesGroup+j] = w[co*taps+t]
		}
	}
	return l
}

// Run computes n pixels of a run (pixel r reads x[r + offs[t]] at tap t)
// for the output channels of groups [g0, g1): dst[r·ldd + (g−g0)·LanesGroup
// + j] for r < n, over all LanesGroup channels j of each group (those
// past Cout zero). It reads x up to LanesRun−1 floats past the last pixel's
// taps and writes dst's rows up to the next multiple of LanesRun (whole
// runs of LanesRun pixels): both buffers need that slack.
func (l *Lanes) Run(dst []float32, ldd int, x []float32, g0, g1, n int) {
	if n <= 0 || g1 <= g0 {
		return
	}
	runs := (n + LanesRun - 1) / LanesRun
	if g0 < 0 || g1 > l.Groups || ldd < (g1-g0)*LanesGroup || len(dst) < (runs*LanesRun-1)*ldd+(g1-g0)*LanesGroup {
		panic("simd: Lanes.Run arguments out of range")
	}
	if len(x) < l.span+runs*LanesRun {
		panic("simd: Lanes.Run input too short for its runs")
	}
	active.convLanes(dst, ldd, x, l.offs, l.w, g0, g1, runs)
}

// convLanesGeneric is Lanes.Run's loop in Go over runs whole runs.
func convLanesGeneric(dst []float32, ldd int, x []float32, offs []int32, w []float32, g0, g1, runs int) {
	taps := len(offs)
	var acc [LanesRun * LanesGroup]float32
	for g := g0; g < g1; g++ {
		wg := w[g*taps*LanesGroup : (g+1)*taps*LanesGroup]
		for run := 0; run < runs; run++ {
			clear(acc[:])
			xr := x[run*LanesRun:]
			for t, o := range offs {
				wt := wg[t*LanesGroup : (t+1)*LanesGroup]
				for r := 0; r < LanesRun; r++ {
					v := xr[int(o)+r]
					a := acc[r*LanesGroup : (r+1)*LanesGroup]
					for j, wv := range wt {
						a[j] += v * wv
					}
				}
			}
			for r := 0; r < LanesRun; r++ {
				copy(dst[(run*LanesRun+r)*ldd+(g-g0)*LanesGroup:][:LanesGroup], acc[r*LanesGroup:(r+1)*LanesGroup])
			}
		}
	}
}

// LanesNative reports whether Lanes.Run has a kernel of its own here
// (convolutions choose it only then).
func LanesNative() bool { return active.lanesNative }

// TransposeBiasClamp writes the rows × cols matrix src (row stride lds)
// transposed into dst (row stride ldd) with a bias per column of src, a
// residual res (nil: none; else laid out as dst) and a clamp: dst[j·ldd +
// i] = clamp((src[i·lds + j] + bias[j]) + res[j·ldd + i], lo, hi) (NaN
// bounds: no clamp on that side, as BiasClamp and BiasAddClamp).
// Lanes.Run's pixels × channels into the output's channel planes.
func TransposeBiasClamp(dst []float32, ldd int, src []float32, lds, rows, cols int, bias, res []float32, lo, hi float32) {
	if rows <= 0 || cols <= 0 {
		return
	}
	if ldd < rows || lds < cols || len(bias) < cols || len(dst) < (cols-1)*ldd+rows || len(src) < (rows-1)*lds+cols ||
		(res != nil && len(res) < (cols-1)*ldd+rows) || int64(rows-1)*int64(lds) >= 1<<31 {
		panic("simd: TransposeBiasClamp arguments out of range")
	}
	if lo != lo || hi != hi {
		transposeBiasClampGeneric(dst, ldd, src, lds, rows, cols, bias, res, lo, hi)
		return
	}
	active.transposeClamp(dst, ldd, src, lds, rows, cols, bias, res, lo, hi)
}

// TransposeNative reports whether TransposeBiasClamp has a kernel of its
// own here (rather than a loop in Go): the transposed convolution path,
// which transposes every output, pays only then (AVX2 without it, AMD
// Zen 3, one thread: a 4×4 map's 160 → 960 pointwise convolution 175 µs
// transposed against 56, two thirds of it the loop in Go; with that loop
// a transposing copy then BiasClamp, still 81 against 56, and a 6×6
// map's 64 → 256 3×3 154 against 136).
func TransposeNative() bool { return active.transposeNative }

// transposeBiasClampGeneric is TransposeBiasClamp in Go, by blocks of 8 × 8
// so that both sides stay in cache.
func transposeBiasClampGeneric(dst []float32, ldd int, src []float32, lds, rows, cols int, bias, res []float32, lo, hi float32) {
	const bs = 8
	for j0 := 0; j0 < cols; j0 += bs {
		j1 := min(cols, j0+bs)
		for i0 := 0; i0 < rows; i0 += bs {
			i1 := min(rows, i0+bs)
			for j := j0; j < j1; j++ {
				d := dst[j*ldd+i0 : j*ldd+i1]
				for ii := range d {
					v := src[(i0+ii)*lds+j] + bias[j]
					if res != nil {
						v += res[j*ldd+i0+ii]
					}
					if v < lo {
						v = lo
					}
					if v > hi {
						v = hi
					}
					d[ii] = v
				}
			}
		}
	}
}
