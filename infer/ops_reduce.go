package infer

import (
	"math"

	"github.com/edge-pi/edge/simd"
)

// reduceOp names the reduction of reduceKernel.
type reduceOp int

const (
	reduceSum reduceOp = iota
	reduceMean
	reduceMax
	reduceL2
	reduceMin
	reduceL1
	reduceSumSquare
	reduceLogSum
	reduceLogSumExp
	reduceProd
)

// reduceDim is a run of adjacent input dimensions of the same kind (all
// reduced or all kept), merged into one: n positions, stride elements apart.
type reduceDim struct{ n, stride int }

// reduceKernel reduces a tensor over a set of axes. The input's
// dimensions are merged into alternating kept and reduced runs; each
// output element walks the reduced runs from the offset its kept
// coordinates give. Float sums accumulate in float64.
type reduceKernel struct {
	n     *node
	op    reduceOp
	kept  []reduceDim // in C order; the output is laid out in this order
	red   []reduceDim // in C order
	count int         // number of reduced elements per output
	body  func(lo, hi int)
}

func init() {
	attrNames := []string{"axes", "keepdims", "noop_with_empty_axes"}
	reg := func(name string, op reduceOp, axesInputSince int64) {
		register(name, attrNames, func(b *builder) (kernel, error) {
			return buildReduce(b, op, axesInputSince)
		})
	}
	reg("ReduceSum", reduceSum, 13)
	reg("ReduceMean", reduceMean, 18)
	reg("ReduceMax", reduceMax, 18)
	reg("ReduceL2", reduceL2, 18)
	reg("ReduceMin", reduceMin, 18)
	reg("ReduceL1", reduceL1, 18)
	reg("ReduceSumSquare", reduceSumSquare, 18)
	reg("ReduceLogSum", reduceLogSum, 18)
	reg("ReduceLogSumExp", reduceLogSumExp, 18)
	reg("ReduceProd", reduceProd, 18)
}

// buildReduce reads the axes (an attribute before axesInputSince, the
// optional second input from then on) and the reduction's geometry.
func buildReduce(b *builder, op reduceOp, axesInputSince int64) (kernel, error) {
	keep := b.a.int("keepdims", 1) != 0
	var axes []int64
	noop := false
	if b.opset < axesInputSince {
		if err := b.wantInputs(1, 1); err != nil {
			return nil, err
		}
		axes = b.a.ints("axes", nil)
	} else {
		if err := b.wantInputs(1, 2); err != nil {
			return nil, err
		}
		noop = b.a.int("noop_with_empty_axes", 0) != 0
		var err error
		if axes, err = b.constInts(1); err != nil {
			return nil, err
		}
	}
	x := b.in(0)
	switch {
	case x.dtype == Float32:
	case (x.dtype == Int64 || x.dtype == Int32) && (op == reduceSum || op == reduceMax || op == reduceMin || op == reduceProd):
	default:
		return nil, b.errf("data type %v is not supported by %s", x.dtype, b.n.op)
	}
	rank := len(x.shape)
	if len(axes) == 0 && noop {
		return alias{}, b.setOut(0, x.dtype, x.shape)
	}
	reduced := make([]bool, rank)
	if len(axes) == 0 {
		for i := range reduced {
			reduced[i] = true
		}
	}
	for _, a := range axes {
		ax, err := b.axis(a, rank)
		if err != nil {
			return nil, err
		}
		if reduced[ax] {
			return nil, b.errf("axis %d is listed twice in %v", a, axes)
		}
		reduced[ax] = true
	}
	var out []int
	for i, d := range x.shape {
		switch {
		case !reduced[i]:
			out = append(out, d)
		case keep:
			out = append(out, 1)
		}
	}
	k := &reduceKernel{n: b.n, op: op, count: 1}
	st := strides(x.shape)
	lastRed := false
	for i, d := range x.shape {
		if reduced[i] {
			k.count *= d
		}
		if d == 1 {
			continue // contributes no offset
		}
		runs := &k.kept
		if reduced[i] {
			runs = &k.red
		}
		// merge with the previous run when it is of the same kind; C
		// order makes adjacent dimensions contiguous
		if len(*runs) > 0 && lastRed == reduced[i] {
			r := &(*runs)[len(*runs)-1]
			r.n *= d
			r.stride = st[i]
		} else {
			*runs = append(*runs, reduceDim{d, st[i]})
		}
		lastRed = reduced[i]
	}
	return k, b.setOut(0, x.dtype, out)
}

func (k *reduceKernel) prepare(int) error {
	k.body = k.chunk
	if k.op >= reduceMin {
		k.body = k.chunkMore
	}
	return nil
}

func (k *reduceKernel) run(p *workers) {
	p.parallel(numel(k.n.out[0].shape), max(1, 16384/max(k.count, 1)), k.body)
}

// base is the input offset of output element o.
func (k *reduceKernel) base(o int) int {
	off := 0
	for i := len(k.kept) - 1; i >= 0; i-- {
		d := k.kept[i]
		off += (o % d.n) * d.stride
		o /= d.n
	}
	return off
}

// chunk computes output elements [lo, hi).
func (k *reduceKernel) chunk(lo, hi int) {
	x, y := k.n.in[0].t, k.n.out[0].t
	if y.DType.isInt() {
		for o := lo; o < hi; o++ {
			acc := int64(0)
			if k.op == reduceMax {
				acc = math.MinInt64
			}
			y.I[o] = k.accInt(x.I, k.base(o), 0, acc)
		}
		return
	}
	init := 0.0
	if k.op == reduceMax {
		init = math.Inf(-1)
	}
	for o := lo; o < hi; o++ {
		v := k.acc(x.F, k.base(o), 0, init)
		switch k.op {
		case reduceMean:
			v /= float64(k.count)
		case reduceL2:
			v = math.Sqrt(v)
		}
		y.F[o] = float32(v)
	}
}

// acc folds the reduced runs from level lvl on, starting at offset off,
// into acc: a sum, a sum of squares (L2) or a maximum (NaN wins).
func (k *reduceKernel) acc(x []float32, off, lvl int, acc float64) float64 {
	if lvl == len(k.red) {
		v := float64(x[off])
		switch k.op {
		case reduceMax:
			if v > acc || v != v {
				acc = v
			}
		case reduceL2:
			acc += v * v
		default:
			acc += v
		}
		return acc
	}
	d := k.red[lvl]
	if lvl < len(k.red)-1 {
		for i := 0; i < d.n; i++ {
			acc = k.acc(x, off+i*d.stride, lvl+1, acc)
		}
		return acc
	}
	// innermost run: a plain loop
	switch k.op {
	case reduceMax:
		for i := 0; i < d.n; i++ {
			if v := float64(x[off+i*d.stride]); v > acc || v != v {
				acc = v
			}
			if acc != acc {
				break
			}
		}
	case reduceL2:
		for i := 0; i < d.n; i++ {
			v := float64(x[off+i*d.stride])
			acc += v * v
		}
	default:
		if d.stride == 1 {
			acc += simd.Sum64(x[off : off+d.n])
		} else {
			for i := 0; i < d.n; i++ {
				acc += float64(x[off+i*d.stride])
			}
		}
	}
	return acc
}

// accInt is acc for integer data (Sum and Max).
func (k *reduceKernel) accInt(x []int64, off, lvl int, acc int64) int64 {
	if lvl == len(k.red) {
		if k.op == reduceMax {
			return max(acc, x[off])
		}
		return acc + x[off]
	}
	d := k.red[lvl]
	for i := 0; i < d.n; i++ {
		acc = k.accInt(x, off+i*d.stride, lvl+1, acc)
	}
	return acc
}

// chunkMore computes output elements [lo, hi) of the reductions added
// after the first four (Min, L1, SumSquare, LogSum, LogSumExp, Prod),
// which walk the reduced runs one element at a time. LogSumExp finds
// the maximum first and sums exp(x - max), so that large inputs do not
// overflow.
func (k *reduceKernel) chunkMore(lo, hi int) {
	x, y := k.n.in[0].t, k.n.out[0].t
	if y.DType.isInt() {
		for o := lo; o < hi; o++ {
			acc := int64(1)
			if k.op == reduceMin {
				acc = math.MaxInt64
			}
			v := k.accIntMore(x.I, k.base(o), 0, acc)
			if y.DType == Int32 {
				v = int64(int32(v)) // a product wraps as int32 arithmetic does
			}
			y.I[o] = v
		}
		return
	}
	for o := lo; o < hi; o++ {
		off := k.base(o)
		var v float64
		switch k.op {
		case reduceMin:
			v = k.accMore(reduceMin, x.F, off, 0, math.Inf(1), 0)
		case reduceProd:
			v = k.accMore(reduceProd, x.F, off, 0, 1, 0)
		case reduceLogSum:
			v = math.Log(k.accMore(reduceLogSum, x.F, off, 0, 0, 0))
		case reduceLogSumExp:
			m := k.accMore(reduceMax, x.F, off, 0, math.Inf(-1), 0)
			if math.IsInf(m, 0) || m != m {
				v = m // every element -Inf (or none), or one +Inf or NaN
			} else {
				v = m + math.Log(k.accMore(reduceLogSumExp, x.F, off, 0, 0, m))
			}
		default: // L1, SumSquare
			v = k.accMore(k.op, x.F, off, 0, 0, 0)
		}
		y.F[o] = float32(v)
	}
}

// accMore folds the reduced runs from level lvl on, starting at offset
// off, into acc by op; m is the maximum LogSumExp subtracts.
func (k *reduceKernel) accMore(op reduceOp, x []float32, off, lvl int, acc, m float64) float64 {
	if lvl < len(k.red) {
		d := k.red[lvl]
		for i := 0; i < d.n; i++ {
			acc = k.accMore(op, x, off+i*d.stride, lvl+1, acc, m)
		}
		return acc
	}
	v := float64(x[off])
	switch op {
	case reduceMax:
		if v > acc || v != v {
			acc = v
		}
	case reduceMin:
		if v < acc || v != v {
			acc = v
		}
	case reduceL1:
		acc += math.Abs(v)
	case reduceSumSquare:
		acc += v * v
	case reduceLogSum:
		acc += v
	case reduceLogSumExp:
		acc += math.Exp(v - m)
	case reduceProd:
		acc *= v
	}
	return acc
}

// accIntMore is accMore for integer data (Min and Prod).
func (k *reduceKernel) accIntMore(x []int64, off, lvl int, acc int64) int64 {
	if lvl == len(k.red) {
		if k.op == reduceMin {
			return min(acc, x[off])
		}
		return acc * x[off]
	}
	d := k.red[lvl]
	for i := 0; i < d.n; i++ {
		acc = k.accIntMore(x, off+i*d.stride, lvl+1, acc)
	}
	return acc
}

// sumSq64 is simd.Sum64 of the float32 squares of s (each square rounded
// to float32, as Pow 2 gives it), in its order.
func sumSq64(s []float32) float64 {
	var a, b, c, d float64
	i := 0
	for ; i+4 <= len(s); i += 4 {
		a += float64(s[i] * s[i])
		b += float64(s[i+1] * s[i+1])
		c += float64(s[i+2] * s[i+2])
		d += float64(s[i+3] * s[i+3])
	}
	for ; i < len(s); i++ {
		a += float64(s[i] * s[i])
	}
	return (a + b) + (c + d)
}
