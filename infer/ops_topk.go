package infer

// TopK: the k largest (or smallest) elements along an axis and their
// indices, best first; of equal values the lower index first (the
// operator's tie-break), and a NaN counted larger than any number, as
// PyTorch's topk does. Values are float32 and may feed later steps; the
// indices are int64 computed at run time (intOutputs): a graph output (a
// detector's best candidates), not an input of another step. k comes
// from the attribute (opset 1) or a constant input (opset 10 on).
type topKKernel struct {
	n       *node
	g       laneGeom // the input's lanes along the axis
	k       int
	largest bool
	heap    []int32 // per thread, k indices: the lane's best so far
	body    func(c, lo, hi int)
}

func (*topKKernel) intOutputs() {}

func init() {
	register("TopK", []string{"axis", "k", "largest", "sorted"}, buildTopK)
}

func buildTopK(b *builder) (kernel, error) {
	maxIn := 2
	if b.opset < 10 {
		maxIn = 1
	}
	if err := b.wantInputs(1, maxIn); err != nil {
		return nil, err
	}
	if err := b.float(0); err != nil {
		return nil, err
	}
	x := b.in(0)
	if len(x.shape) == 0 {
		return nil, b.errf("a scalar has no axis")
	}
	ax, err := b.axis(b.a.int("axis", -1), len(x.shape))
	if err != nil {
		return nil, err
	}
	var k int64
	if b.opset < 10 {
		k = b.a.int("k", -1)
	} else {
		ks, err := b.constInts(1)
		if err != nil {
			return nil, err
		}
		if len(ks) != 1 {
			return nil, b.errf("K has %d values, wants one", len(ks))
		}
		k = ks[0]
	}
	if k < 0 || k > int64(x.shape[ax]) {
		return nil, b.errf("k = %d out of range for axis %d of %v", k, ax, x.shape)
	}
	b.a.int("sorted", 1) // the result is always sorted, which sorted=0 allows
	t := &topKKernel{n: b.n, g: laneAt(x.shape, ax), k: int(k), largest: b.a.int("largest", 1) != 0}
	out := append([]int(nil), x.shape...)
	out[ax] = int(k)
	if err := b.setOut(0, Float32, out); err != nil {
		return nil, err
	}
	return t, b.setOut(1, Int64, out)
}

func (t *topKKernel) prepare(threads int) error {
	// a heap per participant, at most one a lane: no more indices than
	// the output has values (which the plan's budget counted)
	t.heap = make([]int32, min(threads, t.g.lanes())*t.k)
	t.body = t.chunk
	return nil
}

func (t *topKKernel) run(p *workers) {
	if t.k == 0 {
		return // empty outputs
	}
	p.parallelChunks(t.g.lanes(), max(1, 4096/max(t.g.n, 1)), t.body)
}

// lane selects one lane's best k.
type topKLane struct {
	x       []float32 // from the lane's first element
	inner   int       // the lane's stride
	largest bool
	h       []int32
}

// better reports whether element i ranks before element j.
func (l *topKLane) better(i, j int32) bool {
	a, b := l.x[int(i)*l.inner], l.x[int(j)*l.inner]
	an, bn := a != a, b != b
	switch {
	case an || bn:
		if an && bn {
			return i < j
		}
		return an == l.largest // a NaN is larger than any number
	case a != b:
		return a > b == l.largest
	}
	return i < j
}

// down restores the heap (the worst kept at the root) below position p
// among the first n.
func (l *topKLane) down(p, n int) {
	h := l.h
	for {
		c := 2*p + 1
		if c >= n {
			return
		}
		if c+1 < n && l.better(h[c], h[c+1]) {
			c++ // the worse child
		}
		if !l.better(h[p], h[c]) {
			return
		}
		h[p], h[c] = h[c], h[p]
		p = c
	}
}

// selectSorted fills h with the lane's best len(h) of its n elements,
// best first.
func (l *topKLane) selectSorted(n int) {
	k := len(l.h)
	if k == 0 {
		return
	}
	for i := 0; i < k; i++ {
		l.h[i] = int32(i)
	}
	l.heapify()
	for i := k; i < n; i++ {
		if l.better(int32(i), l.h[0]) {
			l.h[0] = int32(i)
			l.down(0, k)
		}
	}
	l.sortHeap()
}

// heapify makes h a heap, the worst at the root.
func (l *topKLane) heapify() {
	for p := len(l.h)/2 - 1; p >= 0; p-- {
		l.down(p, len(l.h))
	}
}

// sortHeap sorts the heap h best first: the worst to the back, in turn.
func (l *topKLane) sortHeap() {
	for end := len(l.h) - 1; end > 0; end-- {
		l.h[0], l.h[end] = l.h[end], l.h[0]
		l.down(0, end)
	}
}

// chunk computes lanes [lo, hi) with thread c's heap.
func (t *topKKernel) chunk(c, lo, hi int) {
	x := t.n.in[0].t.F
	var vals []float32
	var idx []int64
	if o := t.n.out[0]; o != nil {
		vals = o.t.F
	}
	if len(t.n.out) > 1 && t.n.out[1] != nil {
		idx = t.n.out[1].t.I
	}
	g := t.g
	og := laneGeom{g.outer, t.k, g.inner}
	l := topKLane{inner: g.inner, largest: t.largest, h: t.heap[c*t.k : (c+1)*t.k]}
	for ln := lo; ln < hi; ln++ {
		s, o := g.start(ln), og.start(ln)
		l.x = x[s : s+(g.n-1)*g.inner+1]
		l.selectSorted(g.n)
		for j, i := range l.h {
			if vals != nil {
				vals[o+j*g.inner] = l.x[int(i)*g.inner]
			}
			if idx != nil {
				idx[o+j*g.inner] = int64(i)
			}
		}
	}
}
