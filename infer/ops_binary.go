package infer

import (
	"fmt"
	"math"
)

// broadcastShape returns the numpy broadcast of shapes.
func broadcastShape(shapes ...[]int) ([]int, error) {
	rank := 0
	for _, s := range shapes {
		rank = max(rank, len(s))
	}
	out := make([]int, rank)
	for i := range out {
		out[i] = 1
	}
	for _, s := range shapes {
		off := rank - len(s)
		for i, d := range s {
			o := out[off+i]
			switch {
			case d == o || d == 1:
			case o == 1:
				out[off+i] = d
			default:
				return nil, fmt.Errorf("shapes %v do not broadcast", shapes)
			}
		}
	}
	return out, nil
}

// bcastStrides returns the element strides of a tensor of shape s read as
// the broadcast shape out (0 along broadcast dimensions).
func bcastStrides(s, out []int) []int {
	st := make([]int, len(out))
	off := len(out) - len(s)
	acc := 1
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] != 1 {
			st[off+i] = acc
		}
		acc *= s[i]
	}
	return st
}

// binGeom is the loop nest of a broadcast element-wise operation, with
// adjacent dimensions merged where both operands allow it. The innermost
// dimension is a row of n elements with strides sa and sb.
type binGeom struct {
	dims   []int // outer dimensions
	stA    []int
	stB    []int
	n      int
	sa, sb int
}

func newBinGeom(a, b, out []int) binGeom {
	if len(out) == 0 {
		return binGeom{n: 1, sa: 1, sb: 1}
	}
	sa, sb := bcastStrides(a, out), bcastStrides(b, out)
	dims := append([]int(nil), out...)
	// merge dimension i into i+1 when both operands are contiguous across them
	var md, ma, mb []int
	md, ma, mb = []int{dims[0]}, []int{sa[0]}, []int{sb[0]}
	for i := 1; i < len(dims); i++ {
		j := len(md) - 1
		if ma[j] == sa[i]*dims[i] && mb[j] == sb[i]*dims[i] {
			md[j] *= dims[i]
			ma[j], mb[j] = sa[i], sb[i]
			continue
		}
		if dims[i] == 1 {
			continue
		}
		if md[j] == 1 {
			md[j], ma[j], mb[j] = dims[i], sa[i], sb[i]
			continue
		}
		md, ma, mb = append(md, dims[i]), append(ma, sa[i]), append(mb, sb[i])
	}
	last := len(md) - 1
	return binGeom{dims: md[:last], stA: ma[:last], stB: mb[:last], n: md[last], sa: ma[last], sb: mb[last]}
}

// rows is the number of inner rows.
func (g *binGeom) rows() int { return numel(g.dims) }

// offsets returns the operand offsets of row r.
func (g *binGeom) offsets(r int) (oa, ob int) {
	for i := len(g.dims) - 1; i >= 0; i-- {
		c := r % g.dims[i]
		r /= g.dims[i]
		oa += c * g.stA[i]
		ob += c * g.stB[i]
	}
	return oa, ob
}

// binKernel applies a binary function with numpy broadcasting.
type binKernel struct {
	n    *node
	g    binGeom
	fn   func(a, b float32) float32
	ifn  func(a, b int64) int64
	fast binFast
	body func(lo, hi int)
}

// binFast names the operators with hand-written row loops.
type binFast int

const (
	fastNone binFast = iota
	fastAdd
	fastSub
	fastMul
	fastDiv
	fastSquare // Pow by a constant 2: a·a
)

func (k *binKernel) prepare(int) error {
	k.body = k.chunk
	return nil
}

func (k *binKernel) run(p *workers) {
	p.parallel(k.g.rows(), max(1, 16384/max(k.g.n, 1)), k.body)
}

func (k *binKernel) chunk(lo, hi int) {
	a, b, y := k.n.in[0].t, k.n.in[1].t, k.n.out[0].t
	g := &k.g
	if y.DType.isInt() || (a.DType.isInt() && y.DType != Float32) {
		for r := lo; r < hi; r++ {
			oa, ob := g.offsets(r)
			dst := y.I[r*g.n : (r+1)*g.n]
			for i := range dst {
				dst[i] = k.ifn(a.I[oa+i*g.sa], b.I[ob+i*g.sb])
			}
		}
		return
	}
	for r := lo; r < hi; r++ {
		oa, ob := g.offsets(r)
		dst := y.F[r*g.n : (r+1)*g.n]
		if g.sa == 1 && g.sb == 1 && k.fast != fastNone {
			x, z := a.F[oa:oa+g.n], b.F[ob:ob+g.n]
			switch k.fast {
			case fastAdd:
				for i := range dst {
					dst[i] = x[i] + z[i]
				}
			case fastSub:
				for i := range dst {
					dst[i] = x[i] - z[i]
				}
			case fastMul:
				for i := range dst {
					dst[i] = x[i] * z[i]
				}
			case fastDiv:
				for i := range dst {
					dst[i] = x[i] / z[i]
				}
			case fastSquare:
				for i := range dst {
					dst[i] = x[i] * x[i]
				}
			}
			continue
		}
		if k.fast != fastNone && (g.sa == 1 && g.sb == 0 || g.sa == 0 && g.sb == 1) {
			k.scalarRow(dst, a.F[oa:], b.F[ob:], g.sa == 0)
			continue
		}
		for i := range dst {
			dst[i] = k.fn(a.F[oa+i*g.sa], b.F[ob+i*g.sb])
		}
	}
}

// scalarRow is a row of a fast operator with one operand a scalar for the
// whole row (a row's mean or scale, a constant): x is the row and s[0]
// the scalar, or (aScalar) a[0] the scalar and b the row. Through fn, a
// call an element, a row of ViT's 3072 features divided by √2 took five
// times as long (1.37 ms for 197 rows).
func (k *binKernel) scalarRow(dst, a, b []float32, aScalar bool) {
	if aScalar {
		s, z := a[0], b[:len(dst)]
		switch k.fast {
		case fastSquare:
			for i := range dst {
				dst[i] = s * s
			}
		case fastAdd:
			for i := range dst {
				dst[i] = s + z[i]
			}
		case fastSub:
			for i := range dst {
				dst[i] = s - z[i]
			}
		case fastMul:
			for i := range dst {
				dst[i] = s * z[i]
			}
		case fastDiv:
			for i := range dst {
				dst[i] = s / z[i]
			}
		}
		return
	}
	x, s := a[:len(dst)], b[0]
	switch k.fast {
	case fastSquare:
		for i := range dst {
			dst[i] = x[i] * x[i]
		}
	case fastAdd:
		for i := range dst {
			dst[i] = x[i] + s
		}
	case fastSub:
		for i := range dst {
			dst[i] = x[i] - s
		}
	case fastMul:
		for i := range dst {
			dst[i] = x[i] * s
		}
	case fastDiv:
		for i := range dst {
			dst[i] = x[i] / s
		}
	}
}

// newBinary builds a broadcast binary kernel for the node's first two
// inputs. ifn may be nil when the operator has no integer form.
func newBinary(b *builder, fn func(a, b float32) float32, ifn func(a, b int64) int64) (kernel, error) {
	x, y := b.in(0), b.in(1)
	if x == nil || y == nil {
		return nil, b.errf("wants 2 inputs")
	}
	if x.dtype != y.dtype {
		return nil, b.errf("input types differ: %v and %v", x.dtype, y.dtype)
	}
	if !x.dtype.supported() || x.dtype == Bool {
		return nil, b.errf("data type %v is not supported", x.dtype)
	}
	if x.dtype.isInt() && ifn == nil {
		return nil, b.errf("data type %v is not supported by %s", x.dtype, b.n.op)
	}
	shape, err := broadcastShape(x.shape, y.shape)
	if err != nil {
		return nil, b.errf("%v", err)
	}
	k := &binKernel{n: b.n, g: newBinGeom(x.shape, y.shape, shape), fn: fn, ifn: ifn}
	return k, b.setOut(0, x.dtype, shape)
}

func idiv(a, b int64) int64 {
	if b == 0 {
		return 0
	}
	return a / b
}

func ipow(a, b int64) int64 {
	if b < 0 {
		return 0
	}
	r := int64(1)
	for ; b > 0; b-- {
		r *= a
	}
	return r
}

func init() {
	bin := func(op string, fast binFast, fn func(a, b float32) float32, ifn func(a, b int64) int64) {
		register(op, nil, func(b *builder) (kernel, error) {
			if err := b.wantInputs(2, 2); err != nil {
				return nil, err
			}
			k, err := newBinary(b, fn, ifn)
			if bk, ok := k.(*binKernel); ok {
				bk.fast = fast
			}
			return k, err
		})
	}
	bin("Add", fastAdd, func(a, b float32) float32 { return a + b }, func(a, b int64) int64 { return a + b })
	bin("Sub", fastSub, func(a, b float32) float32 { return a - b }, func(a, b int64) int64 { return a - b })
	bin("Mul", fastMul, func(a, b float32) float32 { return a * b }, func(a, b int64) int64 { return a * b })
	bin("Div", fastDiv, func(a, b float32) float32 { return a / b }, idiv)
	register("Pow", nil, buildPow)
	register("Mod", []string{"fmod"}, buildMod)
	variadic := func(op string, fn func(a, b float32) float32, ifn func(a, b int64) int64, mean bool) {
		register(op, nil, func(b *builder) (kernel, error) {
			return buildVariadic(b, fn, ifn, mean)
		})
	}
	fmax := func(a, b float32) float32 {
		if a != a || b != b {
			return float32(math.NaN())
		}
		return max(a, b)
	}
	fmin := func(a, b float32) float32 {
		if a != a || b != b {
			return float32(math.NaN())
		}
		return min(a, b)
	}
	variadic("Max", fmax, func(a, b int64) int64 { return max(a, b) }, false)
	variadic("Min", fmin, func(a, b int64) int64 { return min(a, b) }, false)
	variadic("Sum", func(a, b float32) float32 { return a + b }, func(a, b int64) int64 { return a + b }, false)
	variadic("Mean", func(a, b float32) float32 { return a + b }, nil, true)
}

// buildPow supports a float base with a float or integer exponent.
func buildPow(b *builder) (kernel, error) {
	if err := b.wantInputs(2, 2); err != nil {
		return nil, err
	}
	x, e := b.in(0), b.in(1)
	pw := func(a, b float32) float32 { return float32(math.Pow(float64(a), float64(b))) }
	square := e.isConst && e.t != nil && numel(e.shape) == 1 && e.t.Float64At(0) == 2
	if square {
		// x² (LayerNorm's variance): the float64 product of two float32
		// values is exact, so a·a rounded once is math.Pow's answer bit for
		// bit, at a fraction of its cost (and in a row loop, fastSquare,
		// without a call an element: ViT's 25 took 8 ms through it).
		pw = func(a, _ float32) float32 { return a * a }
	}
	fast := func(k kernel, err error) (kernel, error) {
		if bk, ok := k.(*binKernel); ok && square && x.dtype == Float32 {
			bk.fast = fastSquare
		}
		return k, err
	}
	if x.dtype == e.dtype {
		return fast(newBinary(b, pw, ipow))
	}
	// Mixed types: the exponent must be constant and is converted to the
	// base's type.
	if !e.isConst {
		return nil, b.errf("a run-time exponent of type %v with a %v base is not supported", e.dtype, x.dtype)
	}
	conv := NewTensor(x.dtype, e.shape...)
	for i := range max(len(e.t.F), len(e.t.I)) {
		if x.dtype.isInt() {
			conv.I[i] = castInt(e.t.Float64At(i))
		} else {
			conv.F[i] = float32(e.t.Float64At(i))
		}
	}
	b.n.in[1] = &value{name: e.name, dtype: x.dtype, shape: e.shape, t: conv, isConst: true}
	return fast(newBinary(b, pw, ipow))
}

// buildMod is Mod: with fmod = 1 the remainder of truncated division
// (the sign of the dividend, C's fmod), with fmod = 0 (integers only)
// that of floored division (the sign of the divisor, Python's %). An
// integer remainder by zero is 0, as integer Div's quotient is.
func buildMod(b *builder) (kernel, error) {
	if err := b.wantInputs(2, 2); err != nil {
		return nil, err
	}
	fmod := b.a.int("fmod", 0)
	if fmod != 0 && fmod != 1 {
		return nil, b.errf("fmod = %d, want 0 or 1", fmod)
	}
	if fmod == 0 && !b.in(0).dtype.isInt() {
		return nil, b.errf("a floating-point Mod needs fmod = 1")
	}
	ffmod := func(a, b float32) float32 { return float32(math.Mod(float64(a), float64(b))) }
	if fmod == 1 {
		return newBinary(b, ffmod, func(a, b int64) int64 {
			if b == 0 {
				return 0
			}
			return a % b
		})
	}
	return newBinary(b, ffmod, func(a, b int64) int64 {
		if b == 0 {
			return 0
		}
		r := a % b
		if r != 0 && (r < 0) != (b < 0) {
			r += b
		}
		return r
	})
}

// variadicKernel folds a chain of binary steps into one: Sum(a, b, c) is
// (a + b) + c, each partial result broadcast to the final shape.
type variadicKernel struct {
	n     *node
	steps []*binKernel
	mean  bool
}

func buildVariadic(b *builder, fn func(a, b float32) float32, ifn func(a, b int64) int64, mean bool) (kernel, error) {
	if b.nin() < 1 {
		return nil, b.errf("wants at least one input")
	}
	for i := 0; i < b.nin(); i++ {
		if b.in(i) == nil {
			return nil, b.errf("input %d is missing", i)
		}
	}
	if mean {
		if err := b.float(0); err != nil {
			return nil, err
		}
	}
	var shapes [][]int
	for i := 0; i < b.nin(); i++ {
		shapes = append(shapes, b.in(i).shape)
	}
	shape, err := broadcastShape(shapes...)
	if err != nil {
		return nil, b.errf("%v", err)
	}
	dt := b.in(0).dtype
	if !dt.supported() || dt == Bool || (dt.isInt() && ifn == nil) {
		return nil, b.errf("data type %v is not supported", dt)
	}
	if err := b.setOut(0, dt, shape); err != nil {
		return nil, err
	}
	k := &variadicKernel{n: b.n, mean: mean}
	// step i computes out = acc (op) in[i]; acc starts as in[0] broadcast by
	// combining it with itself through a max-like identity: out = in[0]
	// (op) ... handled by the first step reading in[0] and in[1].
	acc := b.in(0)
	if b.nin() == 1 {
		id := &binKernel{n: &node{in: []*value{acc, acc}, out: b.n.out}, g: newBinGeom(acc.shape, acc.shape, acc.shape),
			fn: func(a, _ float32) float32 { return a }, ifn: func(a, _ int64) int64 { return a }}
		k.steps = append(k.steps, id)
	}
	for i := 1; i < b.nin(); i++ {
		next := b.in(i)
		s, err := broadcastShape(acc.shape, next.shape)
		if err != nil {
			return nil, b.errf("%v", err)
		}
		// intermediate results are written straight into the output:
		// every partial shape broadcasts into the final one, so reading
		// the partial from the output buffer needs its own shape.
		out := b.n.out[0]
		if i < b.nin()-1 && !sameShape(s, shape) {
			return nil, b.errf("partial broadcast %v differs from the result %v; not supported", s, shape)
		}
		st := &binKernel{n: &node{in: []*value{acc, next}, out: []*value{out}}, g: newBinGeom(acc.shape, next.shape, s), fn: fn, ifn: ifn}
		k.steps = append(k.steps, st)
		acc = out
	}
	return k, nil
}

func (k *variadicKernel) prepare(t int) error {
	for _, s := range k.steps {
		s.prepare(t)
	}
	return nil
}

func (k *variadicKernel) run(p *workers) {
	for _, s := range k.steps {
		s.run(p)
	}
	if k.mean {
		y := k.n.out[0].t.F
		inv := 1 / float32(len(k.n.in))
		for i := range y {
			y[i] *= inv
		}
	}
}
