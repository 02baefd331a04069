package infer

import (
	"math"

	"github.com/edge-pi/edge/simd"
)

// poolAxis is one output position of a pooling window along one spatial
// axis: the window's first tap sits at input position start, taps
// [lo, hi) fall inside the input, and cnt taps count towards an average.
type poolAxis struct{ start, lo, hi, cnt int }

// poolKernel is MaxPool or AveragePool over 1, 2 or 3 spatial
// dimensions, each run as 3-D (missing leading axes have size 1). Padding
// is never a max candidate. An average divides by the taps inside the
// input, or with count_include_pad by the taps inside the padded input;
// with ceil_mode the part of a window past the padded end never counts.
type poolKernel struct {
	n       *node
	isMax   bool
	planes  int    // batch × channels
	ch      int    // channels, for per-channel fused activations
	in, out [3]int // spatial sizes, depth·height·width
	dil     [3]int
	taps    int           // window size, for the work estimate
	axes    [3][]poolAxis // per output position
	act     activation
	body    func(c, lo, hi int)
	rows    []float32 // per-thread row buffers of the separable 2-D path
	// wide is the stretch [wide[0], wide[1]) of output columns whose
	// max windows are 2 or 3 taps wide (wideTaps), stride 2, all inside
	// the input: the separable path's horizontal pass runs there through
	// simd.MaxPairs (and, for 3 taps, MaxRows); empty if none.
	wide     [2]int
	wideTaps int
	// whole3x3s2: every window of the 2-D plane is a 3×3 max window at
	// stride 2 inside the input (squeezenet's MaxPools): the plane in one
	// simd.MaxPool3x3s2Plane
	whole3x3s2 bool
	// pad3x3s2: every window a 3×3 max window at stride 2, some over the
	// padding (resnet18's MaxPool, padded by one): each plane is copied
	// into a plane of padH × padW with -Inf around it, and pooled there in
	// one simd.MaxPool3x3s2Plane (the border windows one at a time cost
	// three times ONNX Runtime's whole pool)
	pad3x3s2   bool
	padH, padW int
}

// globalPoolKernel is GlobalAveragePool or GlobalMaxPool: one value per
// (image, channel) plane.
type globalPoolKernel struct {
	n         *node
	isMax     bool
	ch, inner int
	act       activation
	body      func(lo, hi int)
}

func init() {
	window := []string{"auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "strides"}
	register("MaxPool", append([]string{"storage_order"}, window...), func(b *builder) (kernel, error) {
		return buildPool(b, true)
	})
	register("AveragePool", append([]string{"count_include_pad"}, window...), func(b *builder) (kernel, error) {
		return buildPool(b, false)
	})
	register("GlobalMaxPool", nil, func(b *builder) (kernel, error) {
		return buildGlobalPool(b, true)
	})
	register("GlobalAveragePool", nil, func(b *builder) (kernel, error) {
		return buildGlobalPool(b, false)
	})
}

func buildPool(b *builder, isMax bool) (kernel, error) {
	if err := b.wantInputs(1, 1); err != nil {
		return nil, err
	}
	if err := b.float(0); err != nil {
		return nil, err
	}
	countPad := false
	if isMax {
		if len(b.n.out) > 1 && b.n.out[1] != nil {
			return nil, b.errf("the Indices output of MaxPool is not supported")
		}
		// storage_order only changes the Indices output
		if so := b.a.int("storage_order", 0); so != 0 && so != 1 {
			return nil, b.errf("storage_order %d must be 0 or 1", so)
		}
	} else {
		countPad = b.a.int("count_include_pad", 0) != 0
	}
	x := b.in(0)
	r := len(x.shape) - 2
	if r < 1 || r > 3 {
		return nil, b.errf("input rank %d: pooling over %d spatial dimensions is not supported (1 to 3 are)", len(x.shape), r)
	}
	ks := toInts(b.a.ints("kernel_shape", nil))
	if len(ks) != r {
		return nil, b.errf("kernel_shape %v does not match %d spatial dimensions", ks, r)
	}
	ceil := b.a.int("ceil_mode", 0) != 0
	w, err := parseWindow(b, x.shape[2:], ks, ceil)
	if err != nil {
		return nil, err
	}
	k := &poolKernel{n: b.n, isMax: isMax, planes: x.shape[0] * x.shape[1], ch: x.shape[1], taps: numel(ks)}
	for d := 0; d < 3; d++ {
		k.in[d], k.out[d], k.dil[d] = 1, 1, 1
		kd, stride, padB, padE := 1, 1, 0, 0
		if i := d - (3 - r); i >= 0 {
			k.in[d], k.out[d], k.dil[d] = w.in[i], w.out[i], w.dil[i]
			kd, stride, padB, padE = w.k[i], w.strides[i], w.padBegin[i], w.padEnd[i]
		}
		k.axes[d] = make([]poolAxis, k.out[d])
		for o := range k.axes[d] {
			a := poolAxis{start: o*stride - padB}
			a.lo, a.hi = kd, 0
			for t := 0; t < kd; t++ {
				p := a.start + t*k.dil[d]
				if p >= 0 && p < k.in[d] {
					a.lo, a.hi = min(a.lo, t), t+1
				}
				if p < k.in[d]+padE && (countPad || (p >= 0 && p < k.in[d])) {
					a.cnt++
				}
			}
			if a.lo >= a.hi {
				return nil, b.errf("a pooling window at output %d of axis %d covers only padding", o, d-(3-r))
			}
			k.axes[d][o] = a
		}
	}
	if kw, sw := w.k[r-1], w.strides[r-1]; isMax && sw == 2 && (kw == 2 || kw == 3) {
		k.wideTaps = kw
		k.wide = wideStretch(k.axes[2], kw)
		if kw == 3 && r == 2 && k.wide[0] == 0 && k.wide[1] == k.out[2] && k.dil[1] == 1 && k.dil[2] == 1 {
			k.whole3x3s2 = true
			for oy, a := range k.axes[1] {
				if a.start != 2*oy+k.axes[1][0].start || a.lo != 0 || a.hi != 3 || k.axes[1][0].start != 0 {
					k.whole3x3s2 = false
				}
			}
		}
	}
	if isMax && r == 2 && !k.whole3x3s2 && w.k[0] == 3 && w.k[1] == 3 && w.strides[0] == 2 && w.strides[1] == 2 &&
		k.dil[1] == 1 && k.dil[2] == 1 {
		k.padH, k.padW = 2*k.out[1]+1, 2*k.out[2]+1
		k.pad3x3s2 = k.padH*k.padW <= pad3x3s2Max
	}
	out := append([]int{x.shape[0], x.shape[1]}, w.out...)
	return k, b.setOut(0, Float32, out)
}

// pad3x3s2Max bounds the padded plane (floats, one per thread) of the
// pad3x3s2 path.
const pad3x3s2Max = 1 << 18

// padded3x3s2 pools plane src into dst through buf, a padded plane whose
// border is -Inf (set by the caller; only the inside is written here).
func (k *poolKernel) padded3x3s2(src, dst, buf []float32) {
	h, w := k.in[1], k.in[2]
	y0, x0 := k.axes[1][0].start, k.axes[2][0].start // the padded plane's first row and column, in the input
	r0, c0 := max(0, y0), max(0, x0)                 // the first input row and column inside it
	rows, cols := min(h, y0+k.padH)-r0, min(w, x0+k.padW)-c0
	simd.CopyRows(buf[(r0-y0)*k.padW+c0-x0:], k.padW, src[r0*w+c0:], w, rows, cols)
	simd.MaxPool3x3s2Plane(dst, k.out[1], k.out[2], buf, k.padW, 0)
}

// wideStretch returns the longest run [lo, hi) of outputs whose windows
// have all taps taps inside the input: the outputs between the padded
// or ceil_mode windows at the borders. Consecutive windows start 2 apart
// (the caller checked the stride).
func wideStretch(ax []poolAxis, taps int) [2]int {
	best := [2]int{}
	for o := 0; o < len(ax); {
		if ax[o].lo != 0 || ax[o].hi != taps {
			o++
			continue
		}
		e := o
		for e < len(ax) && ax[e].lo == 0 && ax[e].hi == taps {
			e++
		}
		if e-o > best[1]-best[0] {
			best = [2]int{o, e}
		}
		o = e
	}
	return best
}

func (k *poolKernel) fuseAct(a *activation) bool {
	if k.act.kind != actNone || (a.channels() != 0 && a.channels() != k.ch) {
		return false
	}
	k.act = *a
	return true
}

func (k *poolKernel) prepare(int) error {
	k.body = k.chunk
	return nil
}

// separable reports whether the 2-D separable path applies: one depth
// slice and no dilation.
func (k *poolKernel) separable() bool {
	return k.in[0] == 1 && k.out[0] == 1 && k.dil == [3]int{1, 1, 1}
}

// rowLen is the per-thread scratch of the separable path: a row of the
// input width for the vertical pass, and one of the output width for the
// second MaxPairs of a 3-tap window.
func (k *poolKernel) rowLen() int { return k.in[2] + k.out[2] }

func (k *poolKernel) scratchLen(threads int) int {
	if k.pad3x3s2 {
		return threads * slotStride(k.padH*k.padW)
	}
	if !k.separable() {
		return 0
	}
	return threads * slotStride(k.rowLen())
}

func (k *poolKernel) setScratch(s []float32) { k.rows = s }

func (k *poolKernel) run(p *workers) {
	p.parallelChunks(k.planes, max(1, 16384/max(k.taps*numel(k.out[:]), 1)), k.body)
}

// chunk pools planes [lo, hi) of batch × channels.
func (k *poolKernel) chunk(c, lo, hi int) {
	x, y := k.n.in[0].t.F, k.n.out[0].t.F
	inPlane, outPlane := numel(k.in[:]), numel(k.out[:])
	var padded []float32
	if k.pad3x3s2 && k.rows != nil {
		padded = k.rows[c*slotStride(k.padH*k.padW):][:k.padH*k.padW]
		inf := float32(math.Inf(-1))
		for i := range padded {
			padded[i] = inf
		}
	}
	for r := lo; r < hi; r++ {
		src := x[r*inPlane : (r+1)*inPlane]
		dst := y[r*outPlane : (r+1)*outPlane]
		if padded != nil {
			k.padded3x3s2(src, dst, padded)
		} else if k.separable() && k.rows != nil {
			s := k.rows[c*slotStride(k.rowLen()):][:k.rowLen()]
			k.planeSeparable(src, dst, s[:k.in[2]], s[k.in[2]:])
		} else if k.dil[2] == 1 {
			k.planeContiguous(src, dst)
		} else {
			k.planeStrided(src, dst)
		}
		k.act.apply(dst, r%k.ch)
	}
}

// planeSeparable pools a 2-D plane in two passes per output row: first
// down the window's rows into buf (simd.MaxRows or AddRows, a vector
// pass; a one-row window reads its input row in place), then across each
// window of that row: the wide stretch of 2- or 3-tap stride-2 max
// windows through simd.MaxPairs (tmp holds the second one's result), the
// other windows (borders, other shapes, averages) one at a time. An
// output row whose windows are all 2×2/2 max windows inside the input
// (the common MaxPool without padding) is one simd.MaxPool2x2. An output
// row of 3-tap stride-2 max windows over three input rows runs its wide
// stretch as one simd.MaxPool3x3s2 from the input rows, and the vertical
// pass only over the columns its border windows read.
func (k *poolKernel) planeSeparable(src, dst, buf, tmp []float32) {
	w := k.in[2]
	ow := k.out[2]
	lo, hi := k.wide[0], k.wide[1]
	if k.whole3x3s2 { // every window 3×3 at stride 2 and inside the input: the plane in one call
		simd.MaxPool3x3s2Plane(dst, k.out[1], ow, src, w, k.axes[2][0].start)
		return
	}
	whole2x2 := k.wideTaps == 2 && lo == 0 && hi == ow
	for oy, ah := range k.axes[1] {
		r0 := (ah.start + ah.lo) * w
		out := dst[oy*ow : (oy+1)*ow]
		if whole2x2 && ah.hi-ah.lo == 2 {
			// every window of the row is 2×2 and inside the input: both
			// passes at once, from the two input rows
			s := k.axes[2][0].start
			simd.MaxPool2x2(out, src[r0+s:r0+w], src[r0+w+s:r0+2*w])
			continue
		}
		if n := hi - lo; k.wideTaps == 3 && n > 0 && ah.hi-ah.lo == 3 {
			s := k.axes[2][lo].start
			simd.MaxPool3x3s2(out[lo:hi], src[r0+s:r0+w], src[r0+w+s:r0+2*w], src[r0+2*w+s:r0+3*w])
			if lo > 0 || hi < ow {
				k.borders3(out, src[r0:r0+3*w], buf, ah.cnt, lo, hi)
			}
			continue
		}
		row := src[r0 : r0+w]
		if ah.hi-ah.lo > 1 {
			row = buf
			copy(row, src[r0:r0+w])
			for th := ah.lo + 1; th < ah.hi; th++ {
				next := src[(ah.start+th)*w : (ah.start+th+1)*w]
				if k.isMax {
					simd.MaxRows(row, next)
				} else {
					simd.AddRows(row, next)
				}
			}
		}
		if n := hi - lo; n > 0 {
			s := k.axes[2][lo].start
			simd.MaxPairs(out[lo:hi], row[s:s+2*n])
			if k.wideTaps == 3 {
				// max(a, b, c) = max(max(a, b), max(b, c))
				simd.MaxPairs(tmp[:n], row[s+1:s+1+2*n])
				simd.MaxRows(out[lo:hi], tmp[:n])
			}
		}
		k.windows(out, row, ah.cnt, 0, lo)
		k.windows(out, row, ah.cnt, hi, ow)
	}
}

// borders3 pools the max windows of output columns [0, lo) and [hi, ow)
// over the three input rows in rows (the columns of the wide stretch
// [lo, hi) are done): the vertical pass, into buf, only over the columns
// those windows read, then windows.
func (k *poolKernel) borders3(out, rows, buf []float32, cnt, lo, hi int) {
	w, ow := k.in[2], k.out[2]
	cl, cr := 0, w
	if lo > 0 {
		a := k.axes[2][lo-1]
		cl = a.start + a.hi
	}
	if hi < ow {
		a := k.axes[2][hi]
		cr = a.start + a.lo
	}
	r0, r1, r2 := rows[:w], rows[w:2*w], rows[2*w:3*w]
	for c := range cl {
		buf[c] = maxNaN(maxNaN(r0[c], r1[c]), r2[c])
	}
	for c := max(cr, cl); c < w; c++ {
		buf[c] = maxNaN(maxNaN(r0[c], r1[c]), r2[c])
	}
	k.windows(out, buf, cnt, 0, lo)
	k.windows(out, buf, cnt, hi, ow)
}

// windows pools the windows of output columns [from, to) across row, the
// result of the vertical pass over cnt rows (for the average's divisor).
func (k *poolKernel) windows(out, row []float32, cnt, from, to int) {
	for ox := from; ox < to; ox++ {
		aw := k.axes[2][ox]
		win := row[aw.start+aw.lo : aw.start+aw.hi]
		m := win[0]
		for _, v := range win[1:] {
			if k.isMax {
				m = maxNaN(m, v)
			} else {
				m += v
			}
		}
		if !k.isMax {
			m /= float32(cnt * aw.cnt)
		}
		out[ox] = m
	}
}

// maxNaN is the larger of a and b, NaN if either is (numpy's maximum).
func maxNaN(a, b float32) float32 {
	if a != a {
		return a
	}
	if b > a || b != b {
		return b
	}
	return a
}

// planeContiguous pools one plane when window rows are contiguous
// (no dilation along the width): each window row is a slice ranged over.
func (k *poolKernel) planeContiguous(src, dst []float32) {
	hw, w := k.in[1]*k.in[2], k.in[2]
	i := 0
	for _, ad := range k.axes[0] {
		for _, ah := range k.axes[1] {
			for _, aw := range k.axes[2] {
				c0, c1 := aw.start+aw.lo, aw.start+aw.hi
				if k.isMax {
					m := float32(math.Inf(-1))
					nan := false
					for td := ad.lo; td < ad.hi; td++ {
						pd := (ad.start + td*k.dil[0]) * hw
						for th := ah.lo; th < ah.hi; th++ {
							off := pd + (ah.start+th*k.dil[1])*w
							for _, v := range src[off+c0 : off+c1] {
								// compiled without branches; the builtin max,
								// which also orders ±0, is several times slower
								if v > m {
									m = v
								}
								nan = nan || v != v
							}
						}
					}
					if nan {
						m = float32(math.NaN()) // NaN wins, as in numpy
					}
					dst[i] = m
				} else {
					s := float32(0)
					for td := ad.lo; td < ad.hi; td++ {
						pd := (ad.start + td*k.dil[0]) * hw
						for th := ah.lo; th < ah.hi; th++ {
							off := pd + (ah.start+th*k.dil[1])*w
							for _, v := range src[off+c0 : off+c1] {
								s += v
							}
						}
					}
					dst[i] = s / float32(ad.cnt*ah.cnt*aw.cnt)
				}
				i++
			}
		}
	}
}

// planeStrided pools one plane with dilation along the width.
func (k *poolKernel) planeStrided(src, dst []float32) {
	hw, w := k.in[1]*k.in[2], k.in[2]
	i := 0
	for _, ad := range k.axes[0] {
		for _, ah := range k.axes[1] {
			for _, aw := range k.axes[2] {
				m, s := float32(math.Inf(-1)), float32(0)
				for td := ad.lo; td < ad.hi; td++ {
					pd := (ad.start + td*k.dil[0]) * hw
					for th := ah.lo; th < ah.hi; th++ {
						row := src[pd+(ah.start+th*k.dil[1])*w:]
						for tw := aw.lo; tw < aw.hi; tw++ {
							v := row[aw.start+tw*k.dil[2]]
							m = max(m, v)
							s += v
						}
					}
				}
				if k.isMax {
					dst[i] = m
				} else {
					dst[i] = s / float32(ad.cnt*ah.cnt*aw.cnt)
				}
				i++
			}
		}
	}
}

func buildGlobalPool(b *builder, isMax bool) (kernel, error) {
	if err := b.wantInputs(1, 1); err != nil {
		return nil, err
	}
	if err := b.float(0); err != nil {
		return nil, err
	}
	x := b.in(0)
	if len(x.shape) < 3 {
		return nil, b.errf("input rank %d is below 3", len(x.shape))
	}
	k := &globalPoolKernel{n: b.n, isMax: isMax, ch: x.shape[1], inner: numel(x.shape[2:])}
	if k.inner == 0 {
		return nil, b.errf("input %v has no spatial elements to pool", x.shape)
	}
	out := []int{x.shape[0], x.shape[1]}
	for range x.shape[2:] {
		out = append(out, 1)
	}
	return k, b.setOut(0, Float32, out)
}

func (k *globalPoolKernel) fuseAct(a *activation) bool {
	if k.act.kind != actNone || (a.channels() != 0 && a.channels() != k.ch) {
		return false
	}
	k.act = *a
	return true
}

func (k *globalPoolKernel) prepare(int) error {
	k.body = k.chunk
	return nil
}

func (k *globalPoolKernel) run(p *workers) {
	p.parallel(numel(k.n.in[0].shape[:2]), max(1, 16384/k.inner), k.body)
}

// chunk pools planes [lo, hi) of batch × channels.
func (k *globalPoolKernel) chunk(lo, hi int) {
	x, y := k.n.in[0].t.F, k.n.out[0].t.F
	if !k.isMax { // simd.Sum64's order, so equal to ReduceMean over the plane bit for bit
		simd.MeanPlanes(y[lo:hi], x[lo*k.inner:hi*k.inner], k.inner)
		for r := lo; r < hi; r++ {
			k.act.apply(y[r:r+1], r%k.ch)
		}
		return
	}
	for r := lo; r < hi; r++ {
		m := float32(math.Inf(-1))
		for _, v := range x[r*k.inner : (r+1)*k.inner] {
			if v > m || v != v {
				m = v
			}
		}
		y[r] = m
		k.act.apply(y[r:r+1], r%k.ch)
	}
}
