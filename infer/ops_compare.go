package infer

import "math"

// Comparisons and logic: Equal, Less, LessOrEqual, Greater,
// GreaterOrEqual, Not, And, Or, Xor, IsNaN and IsInf, and Where, which
// selects by a condition. Bool tensors are held as 0/1 in Tensor.I. Computed at run
// time (a comparison of float32 values, a detector's score mask) they
// have storage of their own, outside the arena (intOutputs), and the
// steps that read bools at run time are these, Where's condition and
// Cast (boolInputs); others refuse them when the plan is built.

func init() {
	cmp := func(op string, f func(a, b float64) bool) {
		register(op, nil, func(b *builder) (kernel, error) { return buildCompare(b, f, false) })
	}
	cmp("Equal", func(a, b float64) bool { return a == b })
	cmp("Less", func(a, b float64) bool { return a < b })
	cmp("LessOrEqual", func(a, b float64) bool { return a <= b })
	cmp("Greater", func(a, b float64) bool { return a > b })
	cmp("GreaterOrEqual", func(a, b float64) bool { return a >= b })
	logic := func(op string, f func(a, b float64) bool) {
		register(op, nil, func(b *builder) (kernel, error) { return buildCompare(b, f, true) })
	}
	logic("And", func(a, b float64) bool { return a != 0 && b != 0 })
	logic("Or", func(a, b float64) bool { return a != 0 || b != 0 })
	logic("Xor", func(a, b float64) bool { return (a != 0) != (b != 0) })
	register("Not", nil, buildNot)
	register("Where", nil, buildWhere)
	register("IsNaN", nil, func(b *builder) (kernel, error) { return buildIsClass(b, true) })
	register("IsInf", []string{"detect_negative", "detect_positive"}, func(b *builder) (kernel, error) { return buildIsClass(b, false) })
}

// classKernel is IsNaN, or IsInf (of either sign, or the one asked for):
// a bool per float32 element.
type classKernel struct {
	n        *node
	nan      bool
	neg, pos bool
}

func (*classKernel) intOutputs() {}

func buildIsClass(b *builder, nan bool) (kernel, error) {
	if err := b.wantInputs(1, 1); err != nil {
		return nil, err
	}
	if err := b.float(0); err != nil {
		return nil, err
	}
	k := &classKernel{n: b.n, nan: nan}
	if !nan {
		k.neg, k.pos = b.a.int("detect_negative", 1) != 0, b.a.int("detect_positive", 1) != 0
	}
	return k, b.setOut(0, Bool, b.in(0).shape)
}

func (k *classKernel) run(*workers) {
	x, y := k.n.in[0].t.F, k.n.out[0].t.I
	for i, v := range x {
		is := v != v
		if !k.nan {
			is = k.pos && v > math.MaxFloat32 || k.neg && v < -math.MaxFloat32
		}
		y[i] = 0
		if is {
			y[i] = 1
		}
	}
}

// bcastGeom walks the output of a broadcast over several inputs by rows
// of the last dimension: row r of n elements starts at input i's offset
// off(r, i) and steps by inner[i].
type bcastGeom struct {
	out   []int   // output shape without the last dimension
	st    [][]int // per input, strides of out's dimensions
	inner []int   // per input, the stride of the last dimension
	n     int
}

func newBcastGeom(out []int, ins ...[]int) bcastGeom {
	g := bcastGeom{n: 1}
	if len(out) > 0 {
		g.n = out[len(out)-1]
		g.out = out[:len(out)-1]
	}
	for _, s := range ins {
		st := bcastStrides(s, out)
		if len(out) > 0 {
			g.inner = append(g.inner, st[len(st)-1])
			st = st[:len(st)-1]
		} else {
			g.inner = append(g.inner, 0)
		}
		g.st = append(g.st, st)
	}
	return g
}

func (g *bcastGeom) rows() int { return numel(g.out) }

// off is input i's offset of row r's first element.
func (g *bcastGeom) off(r, i int) int {
	o := 0
	for d := len(g.out) - 1; d >= 0; d-- {
		o += (r % g.out[d]) * g.st[i][d]
		r /= g.out[d]
	}
	return o
}

// compareKernel computes a bool output from two broadcast inputs (or
// one, for Not).
type compareKernel struct {
	n   *node
	g   bcastGeom
	f   func(a, b float64) bool
	not bool
}

// buildCompare builds a comparison (numbers of one type) or, when logic
// is set, And/Or/Xor (bools).
func buildCompare(b *builder, f func(a, b float64) bool, logic bool) (kernel, error) {
	if err := b.wantInputs(2, 2); err != nil {
		return nil, err
	}
	x, y := b.in(0), b.in(1)
	if x.dtype != y.dtype {
		return nil, b.errf("input types differ: %v and %v", x.dtype, y.dtype)
	}
	switch {
	case logic && x.dtype != Bool:
		return nil, b.errf("inputs are %v, want bool", x.dtype)
	case !x.dtype.supported():
		return nil, b.errf("data type %v is not supported", x.dtype)
	}
	shape, err := broadcastShape(x.shape, y.shape)
	if err != nil {
		return nil, b.errf("%v", err)
	}
	return &compareKernel{n: b.n, g: newBcastGeom(shape, x.shape, y.shape), f: f}, b.setOut(0, Bool, shape)
}

func buildNot(b *builder) (kernel, error) {
	if err := b.wantInputs(1, 1); err != nil {
		return nil, err
	}
	x := b.in(0)
	if x.dtype != Bool {
		return nil, b.errf("input is %v, want bool", x.dtype)
	}
	return &compareKernel{n: b.n, g: newBcastGeom(x.shape, x.shape, x.shape), not: true}, b.setOut(0, Bool, x.shape)
}

func (*compareKernel) intOutputs() {}
func (*compareKernel) boolInputs() {}
func (*whereKernel) boolInputs()   {}

// boolInputs marks kernels that read bool tensors computed at run time.
type boolInputs interface{ boolInputs() }

func (k *compareKernel) run(*workers) {
	x, y, z := k.n.in[0].t, k.n.in[0].t, k.n.out[0].t
	if !k.not {
		y = k.n.in[1].t
	}
	g := &k.g
	for r := 0; r < g.rows(); r++ {
		oa, ob := g.off(r, 0), g.off(r, 1)
		for i := 0; i < g.n; i++ {
			a := x.Float64At(oa + i*g.inner[0])
			var v bool
			if k.not {
				v = a == 0
			} else {
				v = k.f(a, y.Float64At(ob+i*g.inner[1]))
			}
			z.I[r*g.n+i] = 0
			if v {
				z.I[r*g.n+i] = 1
			}
		}
	}
}

// whereKernel is Where: out = cond ? x : y, broadcast over the three.
type whereKernel struct {
	n    *node
	g    bcastGeom
	body func(lo, hi int)
}

func buildWhere(b *builder) (kernel, error) {
	if err := b.wantInputs(3, 3); err != nil {
		return nil, err
	}
	c, x, y := b.in(0), b.in(1), b.in(2)
	if c.dtype != Bool {
		return nil, b.errf("the condition is %v, want bool", c.dtype)
	}
	if x.dtype != y.dtype {
		return nil, b.errf("input types differ: %v and %v", x.dtype, y.dtype)
	}
	if !x.dtype.supported() {
		return nil, b.errf("data type %v is not supported", x.dtype)
	}
	shape, err := broadcastShape(c.shape, x.shape, y.shape)
	if err != nil {
		return nil, b.errf("%v", err)
	}
	return &whereKernel{n: b.n, g: newBcastGeom(shape, c.shape, x.shape, y.shape)}, b.setOut(0, x.dtype, shape)
}

func (k *whereKernel) prepare(int) error {
	k.body = k.chunk
	return nil
}

func (k *whereKernel) run(p *workers) {
	p.parallel(k.g.rows(), max(1, moveGrain/max(k.g.n, 1)), k.body)
}

// chunk computes rows [lo, hi).
func (k *whereKernel) chunk(lo, hi int) {
	c, x, y, z := k.n.in[0].t, k.n.in[1].t, k.n.in[2].t, k.n.out[0].t
	if z.DType.isInt() {
		whereRows(&k.g, c.I, x.I, y.I, z.I, lo, hi)
	} else {
		whereRows(&k.g, c.I, x.F, y.F, z.F, lo, hi)
	}
}

func whereRows[T moveElem](g *bcastGeom, c []int64, x, y, z []T, lo, hi int) {
	for r := lo; r < hi; r++ {
		oc, ox, oy := g.off(r, 0), g.off(r, 1), g.off(r, 2)
		dst := z[r*g.n : (r+1)*g.n]
		for i := range dst {
			if c[oc+i*g.inner[0]] != 0 {
				dst[i] = x[ox+i*g.inner[1]]
			} else {
				dst[i] = y[oy+i*g.inner[2]]
			}
		}
	}
}
