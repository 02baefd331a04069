package infer

import "errors"

// Pad: constant, reflect and edge padding through a per-axis table.

func init() {
	register("Pad", []string{"mode", "pads", "paddings", "value"}, buildPad)
}

// padDim is one dimension of a pad geometry: output index o reads input
// index src[o], or the constant where src[o] is -1. Dimensions without
// padding have src nil (src[o] = o). Output indices [lo, hi) read the
// input contiguously from lo-shift.
type padDim struct {
	out    int
	src    []int
	lo, hi int
	shift  int
}

func (d *padDim) at(o int) int {
	if d.src == nil {
		return o
	}
	return d.src[o]
}

// padKernel writes the output row by row: the rows of the last dimension
// hold a padded left part, a copied middle and a padded right part.
type padKernel struct {
	n     *node
	dims  []padDim
	inSt  []int // input strides of dims
	f     float32
	i     int64
	body  func(lo, hi int)
	cvalF bool // the constant is input 2, read when the kernel runs
}

const (
	padConstant = "constant"
	padReflect  = "reflect"
	padEdge     = "edge"
)

func buildPad(b *builder) (kernel, error) {
	var pads []int64
	var axes []int64
	mode := b.a.str("mode", padConstant)
	k := &padKernel{n: b.n}
	if b.opset < 11 {
		if err := b.wantInputs(1, 1); err != nil {
			return nil, err
		}
		name := "pads"
		if b.opset < 2 {
			name = "paddings"
		}
		if !b.a.has(name) {
			return nil, b.errf("attribute %q is required", name)
		}
		pads = b.a.ints(name, nil)
		k.f = b.a.float("value", 0)
		k.i = castInt(float64(k.f))
	} else {
		maxIn := 3
		if b.opset >= 18 {
			maxIn = 4
		}
		if err := b.wantInputs(2, maxIn); err != nil {
			return nil, err
		}
		var err error
		if pads, err = b.constInts(1); err != nil {
			return nil, err
		}
		if v := b.in(2); v != nil {
			if numel(v.shape) != 1 {
				return nil, b.errf("constant_value must be a scalar, has shape %v", v.shape)
			}
			k.cvalF = true
		}
		if axes, err = b.constInts(3); err != nil {
			return nil, err
		}
	}
	switch mode {
	case padConstant, padReflect, padEdge:
	default:
		return nil, b.errf("mode %q is not supported", mode)
	}
	x, err := b.dataIn()
	if err != nil {
		return nil, err
	}
	r := len(x.shape)
	begin, end := make([]int64, r), make([]int64, r)
	if axes == nil {
		if len(pads) != 2*r {
			return nil, b.errf("%d pads for rank %d", len(pads), r)
		}
		copy(begin, pads[:r])
		copy(end, pads[r:])
	} else {
		ax, err := b.normAxes(axes, r)
		if err != nil {
			return nil, err
		}
		if len(pads) != 2*len(ax) {
			return nil, b.errf("%d pads for %d axes", len(pads), len(ax))
		}
		for i, a := range ax {
			begin[a], end[a] = pads[i], pads[len(ax)+i]
		}
	}
	shape := make([]int, r)
	for i, d := range x.shape {
		o := int64(d) + begin[i] + end[i]
		if begin[i] < -maxElems || end[i] < -maxElems || o < 0 || o > maxElems {
			return nil, b.errf("pads %v do not fit shape %v", pads, x.shape)
		}
		shape[i] = int(o)
	}
	if err := b.setOut(0, x.dtype, shape); err != nil {
		return nil, err
	}
	// Merge runs of unpadded dimensions; build index tables for the rest.
	inSt := strides(x.shape)
	for i := 0; i < r; i++ {
		if x.shape[i] == 1 && begin[i] == 0 && end[i] == 0 {
			continue
		}
		if begin[i] == 0 && end[i] == 0 {
			if n := len(k.dims) - 1; n >= 0 && k.dims[n].src == nil && k.inSt[n] == inSt[i]*x.shape[i] {
				k.dims[n].out *= shape[i]
				k.dims[n].hi = k.dims[n].out
				k.inSt[n] = inSt[i]
				continue
			}
			k.dims = append(k.dims, padDim{out: shape[i], lo: 0, hi: shape[i]})
			k.inSt = append(k.inSt, inSt[i])
			continue
		}
		pd, err := padTable(x.shape[i], shape[i], int(begin[i]), int(end[i]), mode)
		if err != nil {
			return nil, b.errf("axis %d: %v", i, err)
		}
		k.dims = append(k.dims, pd)
		k.inSt = append(k.inSt, inSt[i])
	}
	if len(k.dims) == 0 {
		k.dims, k.inSt = []padDim{{out: 1, lo: 0, hi: 1}}, []int{1}
	}
	if len(k.dims) > moveMaxRank {
		return nil, b.errf("padding %d dimensions is not supported", len(k.dims))
	}
	return k, nil
}

// padTable maps the output indices of one dimension to input indices.
// Negative pads crop; edge and reflect then work on the cropped range.
func padTable(in, out, begin, end int, mode string) (padDim, error) {
	lo, hi := max(0, -begin), in-max(0, -end) // the kept input range
	n := hi - lo
	if n <= 0 && out > 0 && mode != padConstant {
		return padDim{}, errors.New("cannot pad an empty dimension in mode " + mode)
	}
	d := padDim{out: out, src: make([]int, out), shift: begin}
	d.lo = min(out, max(0, begin+lo))
	d.hi = max(d.lo, min(out, begin+hi))
	for o := range d.src {
		i := o - begin
		switch {
		case i >= lo && i < hi:
		case mode == padConstant:
			i = -1
		case mode == padEdge:
			i = max(lo, min(hi-1, i))
		default: // reflect, repeatedly for pads longer than the data
			j := 0
			if n > 1 {
				p := 2 * (n - 1)
				j = ((i-lo)%p + p) % p
				if j >= n {
					j = p - j
				}
			}
			i = lo + j
		}
		d.src[o] = i
	}
	return d, nil
}

func (k *padKernel) prepare(int) error {
	k.body = k.chunk
	return nil
}

func (k *padKernel) rows() int {
	r := 1
	for _, d := range k.dims[:len(k.dims)-1] {
		r *= d.out
	}
	return r
}

func (k *padKernel) run(p *workers) {
	if k.cvalF {
		v := k.n.in[2].t
		if v.DType.isInt() {
			k.i, k.f = v.I[0], float32(v.I[0])
		} else {
			k.f, k.i = v.F[0], castInt(float64(v.F[0]))
		}
	}
	n := k.dims[len(k.dims)-1].out
	if n == 0 {
		return
	}
	p.parallel(k.rows(), max(1, moveGrain/n), k.body)
}

func (k *padKernel) chunk(lo, hi int) {
	x, y := k.n.in[0].t, k.n.out[0].t
	if y.DType.isInt() {
		padRows(k, y.I, x.I, k.i, lo, hi)
	} else {
		padRows(k, y.F, x.F, k.f, lo, hi)
	}
}

// padRows writes output rows [lo, hi).
func padRows[T moveElem](k *padKernel, dst, src []T, c T, lo, hi int) {
	m := len(k.dims) - 1
	last := &k.dims[m]
	n := last.out
	var idx [moveMaxRank]int
	for i, r := m-1, lo; i >= 0; i-- {
		idx[i] = r % k.dims[i].out
		r /= k.dims[i].out
	}
	for r := lo; r < hi; r++ {
		d := dst[r*n : r*n+n]
		off, blank := 0, false
		for i := 0; i < m; i++ {
			s := k.dims[i].at(idx[i])
			if s < 0 {
				blank = true
				break
			}
			off += s * k.inSt[i]
		}
		if blank {
			for i := range d {
				d[i] = c
			}
		} else {
			st := k.inSt[m]
			for o := 0; o < last.lo; o++ {
				d[o] = padAt(src, off, last.src[o], st, c)
			}
			if last.lo == last.hi {
				// nothing of the input is kept on this row
			} else if st == 1 {
				copy(d[last.lo:last.hi], src[off+last.lo-last.shift:])
			} else {
				for o := last.lo; o < last.hi; o++ {
					d[o] = src[off+(o-last.shift)*st]
				}
			}
			for o := last.hi; o < n; o++ {
				d[o] = padAt(src, off, last.src[o], st, c)
			}
		}
		for i := m - 1; i >= 0; i-- {
			idx[i]++
			if idx[i] < k.dims[i].out {
				break
			}
			idx[i] = 0
		}
	}
}

func padAt[T moveElem](src []T, off, s, st int, c T) T {
	if s < 0 {
		return c
	}
	return src[off+s*st]
}
