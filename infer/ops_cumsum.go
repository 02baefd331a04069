package infer

// CumSum: running sums along one axis, inclusive or exclusive, forward
// or reversed.

func init() {
	register("CumSum", []string{"exclusive", "reverse"}, buildCumSum)
}

// cumSumKernel walks each lane of the axis in order (or reversed),
// writing the sum so far before (exclusive) or after (inclusive) adding
// the element. Float sums accumulate in float64.
type cumSumKernel struct {
	n                  *node
	g                  laneGeom
	exclusive, reverse bool
	body               func(lo, hi int)
}

func buildCumSum(b *builder) (kernel, error) {
	if err := b.wantInputs(2, 2); err != nil {
		return nil, err
	}
	x := b.in(0)
	if x.dtype != Float32 && x.dtype != Int64 && x.dtype != Int32 {
		return nil, b.errf("data type %v is not supported by CumSum", x.dtype)
	}
	ax, err := b.constInts(1)
	if err != nil {
		return nil, err
	}
	if len(ax) != 1 || len(b.in(1).shape) > 1 || b.in(1).dtype == Bool {
		return nil, b.errf("axis must be an int32 or int64 scalar, is %v%v", b.in(1).dtype, b.in(1).shape)
	}
	if len(x.shape) == 0 {
		return nil, b.errf("input is a scalar; CumSum needs rank 1 or more")
	}
	axis, err := b.axis(ax[0], len(x.shape))
	if err != nil {
		return nil, err
	}
	flag := func(name string) (bool, error) {
		v := b.a.int(name, 0)
		if v != 0 && v != 1 {
			return false, b.errf("%s = %d, want 0 or 1", name, v)
		}
		return v == 1, nil
	}
	k := &cumSumKernel{n: b.n, g: laneAt(x.shape, axis)}
	if k.exclusive, err = flag("exclusive"); err != nil {
		return nil, err
	}
	if k.reverse, err = flag("reverse"); err != nil {
		return nil, err
	}
	return k, b.setOut(0, x.dtype, x.shape)
}

func (k *cumSumKernel) prepare(int) error {
	k.body = k.chunk
	return nil
}

func (k *cumSumKernel) run(p *workers) {
	if k.g.n == 0 {
		return
	}
	p.parallel(k.g.lanes(), max(1, 4096/k.g.n), k.body)
}

// chunk computes lanes [lo, hi).
func (k *cumSumKernel) chunk(lo, hi int) {
	x, y := k.n.in[0].t, k.n.out[0].t
	g := k.g
	step := g.inner
	for l := lo; l < hi; l++ {
		i := g.start(l)
		if k.reverse {
			i += (g.n - 1) * g.inner
			step = -g.inner
		}
		if y.DType.isInt() {
			acc := int64(0)
			for range g.n {
				if k.exclusive {
					y.I[i] = acc
					acc += x.I[i]
				} else {
					acc += x.I[i]
					y.I[i] = acc
				}
				if y.DType == Int32 {
					y.I[i] = int64(int32(y.I[i])) // wraps as int32 arithmetic does
				}
				i += step
			}
			continue
		}
		acc := 0.0
		for range g.n {
			if k.exclusive {
				y.F[i] = float32(acc)
				acc += float64(x.F[i])
			} else {
				acc += float64(x.F[i])
				y.F[i] = float32(acc)
			}
			i += step
		}
	}
}
