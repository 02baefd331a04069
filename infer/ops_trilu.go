package infer

// Trilu keeps the upper or lower triangle of the matrices in a tensor's
// last two dimensions, the k-th diagonal on, and zeroes the rest.

func init() {
	register("Trilu", []string{"upper"}, buildTrilu)
}

// triluKernel copies each row of each matrix, keeping columns j with
// j - i ≥ k (upper) or j - i ≤ k (lower).
type triluKernel struct {
	n     *node
	rows  int // rows per matrix
	cols  int
	k     int
	upper bool
	body  func(lo, hi int)
}

func buildTrilu(b *builder) (kernel, error) {
	if err := b.wantInputs(1, 2); err != nil {
		return nil, err
	}
	x, err := b.dataIn()
	if err != nil {
		return nil, err
	}
	if x.dtype == Bool {
		return nil, b.errf("data type bool is not supported by Trilu")
	}
	if len(x.shape) < 2 {
		return nil, b.errf("input has rank %d; Trilu needs rank 2 or more", len(x.shape))
	}
	upper := b.a.int("upper", 1)
	if upper != 0 && upper != 1 {
		return nil, b.errf("upper = %d, want 0 or 1", upper)
	}
	r, c := x.shape[len(x.shape)-2], x.shape[len(x.shape)-1]
	k := int64(0)
	if b.in(1) != nil {
		ks, err := b.constInts(1)
		if err != nil {
			return nil, err
		}
		if len(ks) != 1 || len(b.in(1).shape) != 0 && !sameShape(b.in(1).shape, []int{1}) || b.in(1).dtype != Int64 {
			return nil, b.errf("k must be an int64 scalar, is %v%v", b.in(1).dtype, b.in(1).shape)
		}
		// beyond the matrix every diagonal is the same: clamp so that
		// the column arithmetic cannot overflow
		k = max(-int64(r)-1, min(int64(c)+1, ks[0]))
	}
	t := &triluKernel{n: b.n, rows: r, cols: c, k: int(k), upper: upper == 1}
	return t, b.setOut(0, x.dtype, x.shape)
}

func (k *triluKernel) prepare(int) error {
	k.body = k.chunk
	return nil
}

func (k *triluKernel) run(p *workers) {
	if k.cols == 0 {
		return
	}
	p.parallel(numel(k.n.out[0].shape)/k.cols, max(1, moveGrain/k.cols), k.body)
}

// chunk computes rows [lo, hi) of all the matrices stacked.
func (k *triluKernel) chunk(lo, hi int) {
	x, y := k.n.in[0].t, k.n.out[0].t
	if y.DType.isInt() {
		triluRows(k, y.I, x.I, lo, hi)
	} else {
		triluRows(k, y.F, x.F, lo, hi)
	}
}

func triluRows[T moveElem](k *triluKernel, dst, src []T, lo, hi int) {
	n := k.cols
	for r := lo; r < hi; r++ {
		i := r % k.rows
		// the kept columns are [from, to)
		from, to := 0, n
		if k.upper {
			from = max(0, min(n, i+k.k))
		} else {
			to = max(0, min(n, i+k.k+1))
		}
		d, s := dst[r*n:r*n+n], src[r*n:r*n+n]
		clear(d[:from])
		copy(d[from:to], s[from:to])
		clear(d[to:])
	}
}
