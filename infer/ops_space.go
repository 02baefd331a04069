package infer

// DepthToSpace, SpaceToDepth and Tile: rearrangements of a tensor, each
// run as a copy whose geometry is fixed when the plan is built (a strided
// copy of a 6-D view, or Expand's broadcast).

func init() {
	register("DepthToSpace", []string{"blocksize", "mode"}, buildDepthToSpace)
	register("SpaceToDepth", []string{"blocksize"}, buildSpaceToDepth)
	register("Tile", nil, buildTile)
}

// blockInput reads a 4-D input and the blocksize attribute.
func blockInput(b *builder) (*value, int, error) {
	if err := b.wantInputs(1, 1); err != nil {
		return nil, 0, err
	}
	x, err := b.dataIn()
	if err != nil {
		return nil, 0, err
	}
	if len(x.shape) != 4 {
		return nil, 0, b.errf("input of shape %v: want [N, C, H, W]", x.shape)
	}
	bs := b.a.int("blocksize", 0)
	if bs < 1 || bs > 1<<16 {
		return nil, 0, b.errf("blocksize %d: want a positive size", bs)
	}
	return x, int(bs), nil
}

// buildDepthToSpace moves blocks of channels into b×b blocks of pixels:
// output (n, c, h·b+i, w·b+j) is input channel (i·b+j)·C' + c (mode DCR,
// the default) or c·b² + i·b + j (CRD), pixel (h, w).
func buildDepthToSpace(b *builder) (kernel, error) {
	x, bs, err := blockInput(b)
	if err != nil {
		return nil, err
	}
	n, c, h, w := x.shape[0], x.shape[1], x.shape[2], x.shape[3]
	if c%(bs*bs) != 0 {
		return nil, b.errf("%d channels are not a multiple of blocksize² %d", c, bs*bs)
	}
	co, hw := c/(bs*bs), h*w
	// the output as [N, C', H, b, W, b], strides into the input
	dims := []int{n, co, h, bs, w, bs}
	var st []int
	switch mode := b.a.str("mode", "DCR"); mode {
	case "DCR":
		st = []int{c * hw, hw, w, bs * co * hw, 1, co * hw}
	case "CRD":
		st = []int{c * hw, bs * bs * hw, w, bs * hw, 1, hw}
	default:
		return nil, b.errf("mode %q: DCR or CRD", mode)
	}
	return b.newViewKernel(x, dims, st, 0, []int{n, co, h * bs, w * bs})
}

// buildSpaceToDepth moves b×b blocks of pixels into channels: output (n,
// (i·b+j)·C + c, h, w) is input (n, c, h·b+i, w·b+j).
func buildSpaceToDepth(b *builder) (kernel, error) {
	x, bs, err := blockInput(b)
	if err != nil {
		return nil, err
	}
	n, c, h, w := x.shape[0], x.shape[1], x.shape[2], x.shape[3]
	if h%bs != 0 || w%bs != 0 {
		return nil, b.errf("%d×%d pixels are not a multiple of blocksize %d", h, w, bs)
	}
	ho, wo := h/bs, w/bs
	// the output as [N, b, b, C, H', W'], strides into the input
	dims := []int{n, bs, bs, c, ho, wo}
	st := []int{c * h * w, w, 1, h * w, bs * w, bs}
	return b.newViewKernel(x, dims, st, 0, []int{n, c * bs * bs, ho, wo})
}

// buildTile repeats the input repeats[d] times along each axis d (a
// constant): the input viewed as [1, d0, 1, d1, …] broadcast to [r0, d0,
// r1, d1, …], whose elements in C order are the output's.
func buildTile(b *builder) (kernel, error) {
	if err := b.wantInputs(2, 2); err != nil {
		return nil, err
	}
	x, err := b.dataIn()
	if err != nil {
		return nil, err
	}
	reps, err := b.constInts(1)
	if err != nil {
		return nil, err
	}
	if len(reps) != len(x.shape) {
		return nil, b.errf("%d repeats for an input of rank %d", len(reps), len(x.shape))
	}
	var in2, out2 []int
	out := make([]int, len(reps))
	for d, r := range reps {
		if r < 0 || r > maxElems {
			return nil, b.errf("repeats %v: want sizes of at least 0", reps)
		}
		in2 = append(in2, 1, x.shape[d])
		out2 = append(out2, int(r), x.shape[d])
		out[d] = int(r) * x.shape[d]
		if x.shape[d] != 0 && int(r) > maxElems/x.shape[d] {
			return nil, b.errf("repeats %v of shape %v: too many elements", reps, x.shape)
		}
	}
	if err := b.setOut(0, x.dtype, out); err != nil {
		return nil, err
	}
	return b.broadcastKernel(x, in2, out2), nil
}
