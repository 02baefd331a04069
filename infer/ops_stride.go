package infer

import "fmt"

// Strided copies (Transpose, Slice), Gather and GatherElements: each
// output element read through an index geometry fixed when the plan is
// built.

func init() {
	register("Transpose", []string{"perm"}, buildTranspose)
	register("Slice", []string{"starts", "ends", "axes"}, buildSlice)
	register("Gather", []string{"axis"}, buildGather)
	register("GatherElements", []string{"axis"}, buildGatherElements)
}

// strideGeom copies a strided view of a source into a dense destination:
// destination element (i0, …, ik), in C order, is
//
//	src[base + i0·st[0] + … + ik·st[k]]
//
// Dimensions that are contiguous in both tensors are merged and size-1
// dimensions dropped when the geometry is built. When the innermost
// destination dimension is strided in the source but another one (tj) is
// contiguous there (a transpose), the copy goes by square tiles so that
// both sides stay in cache.
type strideGeom struct {
	dims []int // destination dimensions, innermost last
	st   []int // source strides
	base int

	tj               int   // tiled: the dimension contiguous in the source; -1 otherwise
	dstSt            []int // destination strides of dims
	odims, ost, odst []int // tiled: the dimensions other than tj and the last
	tiles            int   // tiled: tiles along dims[tj]
}

// moveTile is the side of a transpose tile, in elements.
const moveTile = 32

func newStrideGeom(dims, st []int, base int) (strideGeom, error) {
	var d, s []int
	for i := range dims {
		if dims[i] == 1 {
			continue
		}
		if k := len(d) - 1; k >= 0 && s[k] == st[i]*dims[i] {
			d[k] *= dims[i]
			s[k] = st[i]
			continue
		}
		d, s = append(d, dims[i]), append(s, st[i])
	}
	if len(d) == 0 {
		d, s = []int{1}, []int{1}
	}
	if len(d) > moveMaxRank {
		return strideGeom{}, fmt.Errorf("a copy through %d dimensions is not supported", len(d))
	}
	g := strideGeom{dims: d, st: s, base: base, tj: -1, dstSt: strides(d)}
	last := len(d) - 1
	if s[last] != 1 {
		for j := 0; j < last; j++ {
			if s[j] == 1 {
				g.tj = j
				break
			}
		}
	}
	if g.tj >= 0 {
		for i := 0; i < last; i++ {
			if i != g.tj {
				g.odims = append(g.odims, d[i])
				g.ost = append(g.ost, s[i])
				g.odst = append(g.odst, g.dstSt[i])
			}
		}
		g.tiles = (d[g.tj] + moveTile - 1) / moveTile
	}
	return g, nil
}

// identity reports whether the copy reproduces the whole source in order.
func (g *strideGeom) identity(srcLen int) bool {
	return len(g.dims) == 1 && g.st[0] == 1 && g.base == 0 && g.dims[0] == srcLen
}

// units is the number of independent pieces of work.
func (g *strideGeom) units() int {
	if numel(g.dims) == 0 {
		return 0
	}
	if g.tj >= 0 {
		return numel(g.odims) * g.tiles
	}
	return numel(g.dims[:len(g.dims)-1])
}

// grain is the number of units per parallel chunk.
func (g *strideGeom) grain() int {
	n := g.dims[len(g.dims)-1]
	if g.tj >= 0 {
		n *= moveTile
	}
	return max(1, moveGrain/max(n, 1))
}

// strideCopy copies units [lo, hi) of g from src to dst.
func strideCopy[T moveElem](g *strideGeom, dst, src []T, lo, hi int) {
	if g.tj >= 0 {
		strideTiles(g, dst, src, lo, hi)
		return
	}
	m := len(g.dims) - 1
	n, s := g.dims[m], g.st[m]
	var idx [moveMaxRank]int
	off := g.base
	for i, r := m-1, lo; i >= 0; i-- {
		idx[i] = r % g.dims[i]
		r /= g.dims[i]
		off += idx[i] * g.st[i]
	}
	for r := lo; r < hi; r++ {
		d := dst[r*n : r*n+n]
		if s == 1 {
			copy(d, src[off:off+n])
		} else {
			stridedRow(d, src, off, s)
		}
		for i := m - 1; i >= 0; i-- {
			idx[i]++
			off += g.st[i]
			if idx[i] < g.dims[i] {
				break
			}
			off -= idx[i] * g.st[i]
			idx[i] = 0
		}
	}
}

// stridedRow sets d[i] = src[o+i·s]. Inlined into its callers, the loop
// had its counter spilled to the stack, which made it two to three times
// slower.
//
//go:noinline
func stridedRow[T moveElem](d, src []T, o, s int) {
	for i := range d {
		d[i] = src[o]
		o += s
	}
}

// strideTiles is strideCopy for a transpose: unit u is tile u%tiles of
// dimension tj for outer index u/tiles.
func strideTiles[T moveElem](g *strideGeom, dst, src []T, lo, hi int) {
	m := len(g.dims) - 1
	n, s := g.dims[m], g.st[m]
	nj, dj := g.dims[g.tj], g.dstSt[g.tj]
	for u := lo; u < hi; u++ {
		q := u / g.tiles
		so, do := g.base, 0
		for i := len(g.odims) - 1; i >= 0; i-- {
			c := q % g.odims[i]
			q /= g.odims[i]
			so += c * g.ost[i]
			do += c * g.odst[i]
		}
		j0 := (u % g.tiles) * moveTile
		j1 := min(nj, j0+moveTile)
		for l0 := 0; l0 < n; l0 += moveTile {
			l1 := min(n, l0+moveTile)
			for j := j0; j < j1; j++ {
				stridedRow(dst[do+j*dj+l0:do+j*dj+l1], src, so+j+l0*s, s)
			}
		}
	}
}

// strideKernel runs a strideGeom from input 0 to output 0.
type strideKernel struct {
	n    *node
	g    strideGeom
	body func(lo, hi int)
}

func (k *strideKernel) prepare(int) error {
	k.body = k.chunk
	return nil
}

func (k *strideKernel) run(p *workers) { p.parallel(k.g.units(), k.g.grain(), k.body) }

func (k *strideKernel) chunk(lo, hi int) {
	x, y := k.n.in[0].t, k.n.out[0].t
	if y.DType.isInt() {
		strideCopy(&k.g, y.I, x.I, lo, hi)
	} else {
		strideCopy(&k.g, y.F, x.F, lo, hi)
	}
}

// newStrideKernel returns a kernel copying the view (or an alias when the
// view is the input itself) and declares output 0 of the view's shape.
func (b *builder) newStrideKernel(x *value, shape, st []int, base int) (kernel, error) {
	return b.newViewKernel(x, shape, st, base, shape)
}

// newViewKernel is newStrideKernel for a view (dims, st from base) whose
// elements in C order are an output of another shape, out (DepthToSpace's
// 6-D view of a 4-D output).
func (b *builder) newViewKernel(x *value, dims, st []int, base int, out []int) (kernel, error) {
	g, err := newStrideGeom(dims, st, base)
	if err != nil {
		return nil, b.errf("%v", err)
	}
	if g.identity(numel(x.shape)) {
		return b.aliasOut(x, out)
	}
	return &strideKernel{n: b.n, g: g}, b.setOut(0, x.dtype, out)
}

func buildTranspose(b *builder) (kernel, error) {
	if err := b.wantInputs(1, 1); err != nil {
		return nil, err
	}
	x, err := b.dataIn()
	if err != nil {
		return nil, err
	}
	r := len(x.shape)
	perm := b.a.ints("perm", nil)
	if perm == nil {
		for i := r - 1; i >= 0; i-- {
			perm = append(perm, int64(i))
		}
	}
	if len(perm) != r {
		return nil, b.errf("perm %v does not fit rank %d", perm, r)
	}
	seen := make([]bool, r)
	in := strides(x.shape)
	shape, st := make([]int, r), make([]int, r)
	for i, p := range perm {
		if p < 0 || p >= int64(r) || seen[p] {
			return nil, b.errf("perm %v is not a permutation of 0..%d", perm, r-1)
		}
		seen[p] = true
		shape[i], st[i] = x.shape[p], in[p]
	}
	return b.newStrideKernel(x, shape, st, 0)
}

func buildSlice(b *builder) (kernel, error) {
	var starts, ends, axes, steps []int64
	if b.opset < 10 {
		if err := b.wantInputs(1, 1); err != nil {
			return nil, err
		}
		if !b.a.has("starts") || !b.a.has("ends") {
			return nil, b.errf("attributes starts and ends are required")
		}
		starts, ends, axes = b.a.ints("starts", nil), b.a.ints("ends", nil), b.a.ints("axes", nil)
	} else {
		if err := b.wantInputs(3, 5); err != nil {
			return nil, err
		}
		for i, dst := range []*[]int64{&starts, &ends, &axes, &steps} {
			v, err := b.constInts(i + 1)
			if err != nil {
				return nil, err
			}
			*dst = v
		}
	}
	x, err := b.dataIn()
	if err != nil {
		return nil, err
	}
	r := len(x.shape)
	if len(starts) != len(ends) {
		return nil, b.errf("%d starts and %d ends", len(starts), len(ends))
	}
	if axes == nil {
		for i := range starts {
			axes = append(axes, int64(i))
		}
	}
	if steps == nil {
		steps = make([]int64, len(starts))
		for i := range steps {
			steps[i] = 1
		}
	}
	if len(axes) != len(starts) || len(steps) != len(starts) {
		return nil, b.errf("%d starts, %d axes and %d steps", len(starts), len(axes), len(steps))
	}
	ax, err := b.normAxes(axes, r)
	if err != nil {
		return nil, err
	}
	in := strides(x.shape)
	shape := append([]int(nil), x.shape...)
	st := append([]int(nil), in...)
	base := 0
	for i, a := range ax {
		if steps[i] == 0 {
			return nil, b.errf("step 0 on axis %d", axes[i])
		}
		start, n, step := sliceRange(starts[i], ends[i], steps[i], x.shape[a])
		shape[a] = n
		st[a] = step * in[a]
		base += start * in[a]
	}
	if numel(shape) == 0 {
		base = 0 // nothing is read; keep the geometry in range
	}
	return b.newStrideKernel(x, shape, st, base)
}

// sliceRange applies ONNX Slice's clamping to one axis of size dim and
// returns the first index, the number of elements and the step (bounded
// so that step·stride cannot overflow; a step larger than the axis takes
// one element either way).
func sliceRange(start, end, step int64, dim int) (first, n, st int) {
	d := int64(dim)
	if d == 0 {
		return 0, 0, 1
	}
	if start < 0 {
		start += d
	}
	if end < 0 {
		end += d
	}
	step = max(-d, min(d, step))
	var cnt int64
	if step > 0 {
		start = max(0, min(d, start))
		end = max(0, min(d, end))
		if end > start {
			cnt = (end-start-1)/step + 1
		}
	} else {
		start = max(0, min(d-1, start))
		end = max(-1, min(d-1, end))
		if start > end {
			cnt = (start-end-1)/(-step) + 1
		}
	}
	return int(start), int(cnt), int(step)
}

// constIndices returns input i's indices: a constant of int32 or int64.
func (b *builder) constIndices(i int) ([]int64, error) {
	raw, err := b.constInts(i)
	if err != nil {
		return nil, err
	}
	if b.in(i).dtype == Bool {
		return nil, b.errf("indices must be int32 or int64")
	}
	return raw, nil
}

// index is index v of an axis of d elements, counted from the end when
// negative.
func (b *builder) index(v int64, axis, d int) (int, error) {
	if v < -int64(d) || v >= int64(d) {
		return 0, b.errf("index %d out of range for axis %d of size %d", v, axis, d)
	}
	if v < 0 {
		v += int64(d)
	}
	return int(v), nil
}

// gatherKernel copies, for each outer index o and each index i, the slab
// src[o][idx[i]][:] of inner elements.
type gatherKernel struct {
	n                   *node
	idx                 []int // normalised indices
	outer, axLen, inner int
	body                func(lo, hi int)
}

func buildGather(b *builder) (kernel, error) {
	if err := b.wantInputs(2, 2); err != nil {
		return nil, err
	}
	x, raw, err := b.dataAndIndices()
	if err != nil {
		return nil, err
	}
	if len(x.shape) == 0 {
		return nil, b.errf("data must have rank 1 or more")
	}
	axis, err := b.axis(b.a.int("axis", 0), len(x.shape))
	if err != nil {
		return nil, err
	}
	d := x.shape[axis]
	k := &gatherKernel{n: b.n, idx: make([]int, len(raw)), outer: numel(x.shape[:axis]), axLen: d, inner: numel(x.shape[axis+1:])}
	for i, v := range raw {
		if k.idx[i], err = b.index(v, axis, d); err != nil {
			return nil, err
		}
	}
	shape := append(append(append([]int{}, x.shape[:axis]...), b.in(1).shape...), x.shape[axis+1:]...)
	return k, b.setOut(0, x.dtype, shape)
}

func (k *gatherKernel) prepare(int) error {
	k.body = k.chunk
	return nil
}

func (k *gatherKernel) run(p *workers) {
	if k.inner == 0 {
		return
	}
	p.parallel(k.outer*len(k.idx), max(1, moveGrain/k.inner), k.body)
}

func (k *gatherKernel) chunk(lo, hi int) {
	x, y := k.n.in[0].t, k.n.out[0].t
	if y.DType.isInt() {
		gatherRows(k, y.I, x.I, lo, hi)
	} else {
		gatherRows(k, y.F, x.F, lo, hi)
	}
}

func gatherRows[T moveElem](k *gatherKernel, dst, src []T, lo, hi int) {
	ni, n := len(k.idx), k.inner
	for u := lo; u < hi; u++ {
		s := (u/ni*k.axLen + k.idx[u%ni]) * n
		copy(dst[u*n:u*n+n], src[s:s+n])
	}
}

// gatherElemKernel is GatherElements (slab 1: output element p is the
// input element at p's coordinates with the axis coordinate replaced by
// indices[p]) and GatherND (output slab p, of slab elements, the input's
// at index tuple p): output slab p is the input's at offs[p], every
// offset computed when the plan is built.
type gatherElemKernel struct {
	n    *node
	offs []int
	slab int
	body func(lo, hi int)
}

// dataAndIndices reads a gather's or scatter's data (input 0) and its
// constant indices (input 1).
func (b *builder) dataAndIndices() (*value, []int64, error) {
	x, err := b.dataIn()
	if err != nil {
		return nil, nil, err
	}
	raw, err := b.constIndices(1)
	if err != nil {
		return nil, nil, err
	}
	return x, raw, nil
}

func buildGatherElements(b *builder) (kernel, error) {
	if err := b.wantInputs(2, 2); err != nil {
		return nil, err
	}
	x, raw, err := b.dataAndIndices()
	if err != nil {
		return nil, err
	}
	ind := b.in(1)
	offs, err := elementOffsets(b, raw, ind.shape, x.shape)
	if err != nil {
		return nil, err
	}
	return &gatherElemKernel{n: b.n, offs: offs, slab: 1}, b.setOut(0, x.dtype, ind.shape)
}

// elementOffsets turns the indices of GatherElements and ScatterElements
// (raw, of shape ishape, along the axis attribute) into offsets into data
// of shape dshape: element p's own position but for the axis, where its
// index stands. The offsets are charged to the plan's budget.
func elementOffsets(b *builder, raw []int64, ishape, dshape []int) ([]int, error) {
	rank := len(dshape)
	if rank == 0 || len(ishape) != rank {
		return nil, b.errf("data %v and indices %v must have the same rank, 1 or more", dshape, ishape)
	}
	axis, err := b.axis(b.a.int("axis", 0), rank)
	if err != nil {
		return nil, err
	}
	for i, d := range ishape {
		if i != axis && d > dshape[i] {
			return nil, b.errf("indices %v exceed data %v in dimension %d", ishape, dshape, i)
		}
	}
	if err := b.plan.spend(int64(len(raw)) * 8); err != nil {
		return nil, b.errf("%v", err)
	}
	offs := make([]int, len(raw))
	dst, ist := strides(dshape), strides(ishape)
	for p, v := range raw {
		at, err := b.index(v, axis, dshape[axis])
		if err != nil {
			return nil, err
		}
		off := 0
		for i := range ishape {
			c := (p / ist[i]) % ishape[i]
			if i == axis {
				c = at
			}
			off += c * dst[i]
		}
		offs[p] = off
	}
	return offs, nil
}

func (k *gatherElemKernel) prepare(int) error {
	k.body = k.chunk
	return nil
}

func (k *gatherElemKernel) run(p *workers) {
	p.parallel(len(k.offs), max(1, moveGrain/max(k.slab, 1)), k.body)
}

// chunk copies slabs [lo, hi).
func (k *gatherElemKernel) chunk(lo, hi int) {
	x, y := k.n.in[0].t, k.n.out[0].t
	n := k.slab
	if y.DType.isInt() {
		gatherSlabs(y.I[lo*n:hi*n], x.I, k.offs[lo:hi], n)
	} else {
		gatherSlabs(y.F[lo*n:hi*n], x.F, k.offs[lo:hi], n)
	}
}

// gatherSlabs copies slab i of n elements from src[offs[i]:] to dst[i·n:].
func gatherSlabs[T moveElem](dst, src []T, offs []int, n int) {
	for i, o := range offs {
		copy(dst[i*n:(i+1)*n], src[o:o+n])
	}
}
