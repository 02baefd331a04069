package infer

// Expand broadcasts its input to a shape given as a constant (numpy
// broadcasting in both directions: a 1 in the shape keeps the input's
// size). It runs through the broadcast binary kernel with the input as
// both operands.
func init() {
	register("Expand", nil, func(b *builder) (kernel, error) {
		if err := b.wantInputs(2, 2); err != nil {
			return nil, err
		}
		dims, err := b.constInts(1)
		if err != nil {
			return nil, err
		}
		x := b.in(0)
		if !x.dtype.supported() {
			return nil, b.errf("data type %v is not supported", x.dtype)
		}
		want := make([]int, len(dims))
		for i, d := range dims {
			if d < 0 || d > maxElems {
				return nil, b.errf("shape %v is not valid", dims)
			}
			want[i] = int(d)
		}
		shape, err := broadcastShape(x.shape, want)
		if err != nil {
			return nil, b.errf("%v", err)
		}
		if err := b.setOut(0, x.dtype, shape); err != nil {
			return nil, err
		}
		return b.broadcastKernel(x, x.shape, shape), nil
	})
}

// broadcastKernel copies x, viewed as of shape in, broadcast to shape out
// (the output's elements in C order): the broadcast binary kernel with x
// as both operands. The node keeps x as its one input.
func (b *builder) broadcastKernel(x *value, in, out []int) kernel {
	inner := &node{name: b.n.name, op: b.n.op, in: []*value{x, x}, out: b.n.out}
	b.n.in = b.n.in[:1]
	return &binKernel{n: inner, g: newBinGeom(in, in, out),
		fn: func(a, _ float32) float32 { return a }, ifn: func(a, _ int64) int64 { return a }}
}
