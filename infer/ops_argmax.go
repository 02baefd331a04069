package infer

// ArgMax and ArgMin: the index of the largest (smallest) element along an
// axis, int64, the first of equal ones or (select_last_index) the last; a
// NaN counts as the extreme, as numpy's argmax and argmin, which the ONNX
// reference uses, take the first NaN. Their output is the one integer
// tensor computed at run time (intOutputs): it may be a graph output (a
// classifier's label, a detector's class), not an input of another step.
type argKernel struct {
	n    *node
	min  bool
	last bool
	g    laneGeom
	body func(lo, hi int)
}

// intOutputs marks kernels whose outputs are int64 at run time.
type intOutputs interface{ intOutputs() }

func (*argKernel) intOutputs() {}

func init() {
	attrs := []string{"axis", "keepdims", "select_last_index"}
	register("ArgMax", attrs, func(b *builder) (kernel, error) { return buildArg(b, false) })
	register("ArgMin", attrs, func(b *builder) (kernel, error) { return buildArg(b, true) })
}

func buildArg(b *builder, isMin bool) (kernel, error) {
	if err := b.wantInputs(1, 1); err != nil {
		return nil, err
	}
	if err := b.float(0); err != nil {
		return nil, err
	}
	x := b.in(0)
	if len(x.shape) == 0 {
		return nil, b.errf("a scalar has no axis")
	}
	ax, err := b.axis(b.a.int("axis", 0), len(x.shape))
	if err != nil {
		return nil, err
	}
	if x.shape[ax] == 0 {
		return nil, b.errf("axis %d of %v is empty: there is no index to give", ax, x.shape)
	}
	k := &argKernel{n: b.n, min: isMin, last: b.a.int("select_last_index", 0) != 0, g: laneAt(x.shape, ax)}
	out := append([]int(nil), x.shape...)
	if b.a.int("keepdims", 1) != 0 {
		out[ax] = 1
	} else {
		out = append(out[:ax], out[ax+1:]...)
	}
	return k, b.setOut(0, Int64, out)
}

func (k *argKernel) prepare(int) error {
	k.body = k.chunk
	return nil
}

func (k *argKernel) run(p *workers) {
	p.parallel(k.g.lanes(), max(1, 4096/max(k.g.n, 1)), k.body)
}

// chunk computes lanes [lo, hi): output l is lane l's index.
func (k *argKernel) chunk(lo, hi int) {
	x, y := k.n.in[0].t.F, k.n.out[0].t.I
	g := k.g
	for l := lo; l < hi; l++ {
		s := g.start(l)
		best, at := x[s], 0
		for i := 1; i < g.n; i++ {
			v := x[s+i*g.inner]
			if best != best { // a NaN is already the extreme
				break
			}
			better := v > best
			if k.min {
				better = v < best
			}
			if better || v != v || k.last && v == best {
				best, at = v, i
			}
		}
		y[l] = int64(at)
	}
}
