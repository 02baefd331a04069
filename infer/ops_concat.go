package infer

// Concat and Split: slabs of the inputs copied into one output, and back.

func init() {
	register("Concat", []string{"axis"}, buildConcat)
	register("Split", []string{"axis", "split", "num_outputs"}, buildSplit)
}

// slabs describes Concat and Split: the big tensor is outer slabs of
// total elements; part i owns elements [off[i], off[i]+size[i]) of each.
type slabs struct {
	outer, total int
	off, size    []int
	avg          int // elements per part, for the parallel grain
}

func newSlabs(shape []int, axis int, parts []int) slabs {
	inner := numel(shape[axis+1:])
	s := slabs{outer: numel(shape[:axis]), off: make([]int, len(parts)), size: make([]int, len(parts))}
	for i, p := range parts {
		s.off[i] = s.total
		s.size[i] = p * inner
		s.total += p * inner
	}
	s.avg = max(1, s.total/max(1, len(parts)))
	return s
}

func (s *slabs) units() int { return s.outer * len(s.size) }
func (s *slabs) grain() int { return max(1, moveGrain/s.avg) }

// slabCopy copies units [lo, hi): unit u is part u%parts of slab
// u/parts, gathered into the big tensor (concat) or scattered from it.
func slabCopy[T moveElem](s *slabs, big []T, parts []*value, get func(*Tensor) []T, concat bool, lo, hi int) {
	np := len(s.size)
	for u := lo; u < hi; u++ {
		o, i := u/np, u%np
		n := s.size[i]
		if n == 0 || parts[i] == nil {
			continue
		}
		b := big[o*s.total+s.off[i] : o*s.total+s.off[i]+n]
		p := get(parts[i].t)[o*n : o*n+n]
		if concat {
			copy(b, p)
		} else {
			copy(p, b)
		}
	}
}

type concatKernel struct {
	n    *node
	s    slabs
	body func(lo, hi int)
}

func buildConcat(b *builder) (kernel, error) {
	if b.nin() < 1 {
		return nil, b.errf("wants at least one input")
	}
	var def int64
	if b.opset >= 4 {
		if !b.a.has("axis") {
			return nil, b.errf("attribute \"axis\" is required")
		}
	} else {
		def = 1
	}
	x, err := b.dataIn()
	if err != nil {
		return nil, err
	}
	r := len(x.shape)
	axis, err := b.axis(b.a.int("axis", def), r)
	if err != nil {
		return nil, err
	}
	shape := append([]int(nil), x.shape...)
	shape[axis] = 0
	parts := make([]int, b.nin())
	for i := range parts {
		v := b.in(i)
		if v == nil {
			return nil, b.errf("input %d is missing", i)
		}
		if v.dtype != x.dtype {
			return nil, b.errf("input %d is %v, input 0 is %v", i, v.dtype, x.dtype)
		}
		if len(v.shape) != r {
			return nil, b.errf("input %d has shape %v, input 0 %v", i, v.shape, x.shape)
		}
		for j, d := range v.shape {
			if j != axis && d != x.shape[j] {
				return nil, b.errf("input %d has shape %v, input 0 %v", i, v.shape, x.shape)
			}
		}
		parts[i] = v.shape[axis]
		shape[axis] += v.shape[axis]
	}
	if b.nin() == 1 {
		return b.aliasOut(x, shape)
	}
	return &concatKernel{n: b.n, s: newSlabs(shape, axis, parts)}, b.setOut(0, x.dtype, shape)
}

func (k *concatKernel) prepare(int) error {
	k.body = k.chunk
	return nil
}

func (k *concatKernel) run(p *workers) { p.parallel(k.s.units(), k.s.grain(), k.body) }

func (k *concatKernel) chunk(lo, hi int) {
	y := k.n.out[0].t
	if y.DType.isInt() {
		slabCopy(&k.s, y.I, k.n.in, moveI, true, lo, hi)
	} else {
		slabCopy(&k.s, y.F, k.n.in, moveF, true, lo, hi)
	}
}

type splitKernel struct {
	n    *node
	s    slabs
	body func(lo, hi int)
}

func buildSplit(b *builder) (kernel, error) {
	var split []int64
	var err error
	switch {
	case b.opset < 2:
		// Split-1 takes the sizes from an optional input or the attribute.
		if err := b.wantInputs(1, 2); err != nil {
			return nil, err
		}
		if split, err = b.constInts(1); err != nil {
			return nil, err
		}
		if split == nil {
			split = b.a.ints("split", nil)
		}
	case b.opset < 13:
		if err := b.wantInputs(1, 1); err != nil {
			return nil, err
		}
		split = b.a.ints("split", nil)
	default:
		if err := b.wantInputs(1, 2); err != nil {
			return nil, err
		}
		if split, err = b.constInts(1); err != nil {
			return nil, err
		}
	}
	x, err := b.dataIn()
	if err != nil {
		return nil, err
	}
	axis, err := b.axis(b.a.int("axis", 0), len(x.shape))
	if err != nil {
		return nil, err
	}
	d := x.shape[axis]
	nOut := len(b.n.out)
	if nOut == 0 {
		return nil, b.errf("has no outputs")
	}
	parts := make([]int, nOut)
	switch {
	case split != nil:
		if len(split) != nOut {
			return nil, b.errf("split %v has %d parts for %d outputs", split, len(split), nOut)
		}
		sum := int64(0)
		for i, v := range split {
			if v < 0 || v > int64(d) {
				return nil, b.errf("split %v does not fit axis %d of size %d", split, axis, d)
			}
			parts[i] = int(v)
			sum += v
		}
		if sum != int64(d) {
			return nil, b.errf("split %v does not add up to axis %d of size %d", split, axis, d)
		}
	case b.opset >= 18 && b.a.has("num_outputs"):
		// num_outputs parts of ceil(d/num_outputs), the last one smaller.
		if no := b.a.int("num_outputs", 0); no != int64(nOut) {
			return nil, b.errf("num_outputs %d for %d outputs", no, nOut)
		}
		chunk := (d + nOut - 1) / nOut
		for i := range parts {
			parts[i] = max(0, min(chunk, d-i*chunk))
		}
	default:
		if d%nOut != 0 {
			return nil, b.errf("axis %d of size %d does not split into %d equal parts", axis, d, nOut)
		}
		for i := range parts {
			parts[i] = d / nOut
		}
	}
	for i, p := range parts {
		shape := append([]int(nil), x.shape...)
		shape[axis] = p
		if err := b.setOut(i, x.dtype, shape); err != nil {
			return nil, err
		}
	}
	return &splitKernel{n: b.n, s: newSlabs(x.shape, axis, parts)}, nil
}

func (k *splitKernel) prepare(int) error {
	k.body = k.chunk
	return nil
}

func (k *splitKernel) run(p *workers) { p.parallel(k.s.units(), k.s.grain(), k.body) }

func (k *splitKernel) chunk(lo, hi int) {
	x := k.n.in[0].t
	if x.DType.isInt() {
		slabCopy(&k.s, x.I, k.n.out, moveI, false, lo, hi)
	} else {
		slabCopy(&k.s, x.F, k.n.out, moveF, false, lo, hi)
	}
}
