package infer

import (
	"errors"
	"fmt"
)

// The operators of this file move data without computing on it: views
// with a new shape (Reshape, Flatten, Squeeze, Unsqueeze, Identity,
// Dropout at inference), copies through an index geometry fixed when the
// plan is built (Transpose, Slice, Gather, Concat, Split, Pad) and
// operators whose output is known when the plan is built (Shape,
// Constant, ConstantOfShape, and Cast of a constant).
//
// The copying kernels are generic over the two kinds of storage a tensor
// has: F (float32 at run time; float64 constants too, at float32
// precision) and I (int64, int32 and bool constants, met when folding).

// moveElem is an element type the data-movement kernels copy.
type moveElem interface{ float32 | int64 }

// moveF and moveI pick a tensor's storage; the copy loops take them
// as arguments so that one generic loop serves both without converting
// slices to interfaces (which would allocate).
func moveF(t *Tensor) []float32 { return t.F }
func moveI(t *Tensor) []int64   { return t.I }

// moveMaxRank bounds the rank of the loop nests below, after merging
// dimensions, so that their index counters live in fixed arrays.
const moveMaxRank = 16

// moveGrain is about how many elements one parallel chunk copies.
const moveGrain = 16384

func init() {
	register("Reshape", []string{"shape", "allowzero", "consumed_inputs"}, buildReshape)
	register("Flatten", []string{"axis"}, buildFlatten)
	register("Squeeze", []string{"axes"}, buildSqueeze)
	register("Unsqueeze", []string{"axes"}, buildUnsqueeze)
	register("Identity", nil, buildIdentity)
	register("Dropout", []string{"ratio", "is_test", "seed", "consumed_inputs"}, buildDropout)
	register("Transpose", []string{"perm"}, buildTranspose)
	register("Concat", []string{"axis"}, buildConcat)
	register("Split", []string{"axis", "split", "num_outputs"}, buildSplit)
	register("Slice", []string{"starts", "ends", "axes"}, buildSlice)
	register("Gather", []string{"axis"}, buildGather)
	register("Pad", []string{"mode", "pads", "paddings", "value"}, buildPad)
	register("Shape", []string{"start", "end"}, buildShape)
	register("ConstantOfShape", []string{"value"}, buildConstantOfShape)
	register("Constant", []string{"value", "value_float", "value_floats", "value_int", "value_ints",
		"value_string", "value_strings", "sparse_value"}, buildConstant)
	register("Cast", []string{"to", "saturate"}, buildCast)
}

// dataIn checks that input 0 exists and holds a type edge can store.
func (b *builder) dataIn() (*value, error) {
	x := b.in(0)
	if x == nil {
		return nil, b.errf("input 0 is required")
	}
	if !x.dtype.supported() {
		if x.dtype == Undefined {
			return nil, b.errf("input %q is not a tensor (optional and sequence types are not supported)", x.name)
		}
		return nil, b.errf("data type %v is not supported", x.dtype)
	}
	return x, nil
}

// aliasOut declares output 0 as a view of input 0 with a new shape.
func (b *builder) aliasOut(x *value, shape []int) (kernel, error) {
	if len(b.n.out) == 0 || b.n.out[0] == nil {
		return nil, b.errf("output 0 is required")
	}
	if numel(shape) != numel(x.shape) {
		return nil, b.errf("internal error: view %v of %v", shape, x.shape)
	}
	return alias{}, b.setOut(0, x.dtype, shape)
}

// ---- Views ----

func buildReshape(b *builder) (kernel, error) {
	var spec []int64
	allowZero := false
	if b.opset < 5 {
		if err := b.wantInputs(1, 1); err != nil {
			return nil, err
		}
		b.a.ignore("consumed_inputs")
		if !b.a.has("shape") {
			return nil, b.errf("attribute \"shape\" is required")
		}
		spec = b.a.ints("shape", nil)
	} else {
		if err := b.wantInputs(2, 2); err != nil {
			return nil, err
		}
		var err error
		if spec, err = b.constInts(1); err != nil {
			return nil, err
		}
		if b.opset >= 14 {
			allowZero = b.a.int("allowzero", 0) != 0
		}
	}
	x, err := b.dataIn()
	if err != nil {
		return nil, err
	}
	shape, err := reshapeDims(x.shape, spec, allowZero)
	if err != nil {
		return nil, b.errf("%v", err)
	}
	return b.aliasOut(x, shape)
}

// reshapeDims resolves a Reshape target: 0 copies the input's dimension
// at the same position (unless allowZero, where it is a real 0) and one
// -1 takes whatever size is left.
func reshapeDims(in []int, spec []int64, allowZero bool) ([]int, error) {
	out := make([]int, len(spec))
	free := -1
	hasZero := false
	for i, d := range spec {
		switch {
		case d == -1:
			if free >= 0 {
				return nil, fmt.Errorf("shape %v has more than one -1", spec)
			}
			free = i
			out[i] = 1
		case d == 0 && !allowZero:
			if i >= len(in) {
				return nil, fmt.Errorf("shape %v copies dimension %d, which input shape %v lacks", spec, i, in)
			}
			out[i] = in[i]
		case d < 0 || d > maxElems:
			return nil, fmt.Errorf("shape %v: dimension %d out of range", spec, d)
		default:
			hasZero = hasZero || d == 0
			out[i] = int(d)
		}
	}
	if allowZero && hasZero && free >= 0 {
		return nil, fmt.Errorf("shape %v has both 0 and -1 with allowzero", spec)
	}
	known, err := checkedNumel(out)
	if err != nil {
		return nil, err
	}
	total := numel(in)
	if free >= 0 {
		if known == 0 || total%known != 0 {
			return nil, fmt.Errorf("cannot reshape %v into %v", in, spec)
		}
		out[free] = total / known
	}
	if numel(out) != total {
		return nil, fmt.Errorf("cannot reshape %v (%d elements) into %v", in, total, spec)
	}
	return out, nil
}

func buildFlatten(b *builder) (kernel, error) {
	if err := b.wantInputs(1, 1); err != nil {
		return nil, err
	}
	x, err := b.dataIn()
	if err != nil {
		return nil, err
	}
	r := int64(len(x.shape))
	axis := b.a.int("axis", 1)
	if axis < -r || axis > r {
		return nil, b.errf("axis %d out of range for rank %d", axis, r)
	}
	if axis < 0 {
		axis += r
	}
	return b.aliasOut(x, []int{numel(x.shape[:axis]), numel(x.shape[axis:])})
}

// axesAttrOrInput reads the axes of Squeeze and Unsqueeze: an attribute
// before opset 13, the optional input 1 from then on. It returns nil when
// none are given.
func (b *builder) axesAttrOrInput() ([]int64, error) {
	if b.opset < 13 {
		if err := b.wantInputs(1, 1); err != nil {
			return nil, err
		}
		return b.a.ints("axes", nil), nil
	}
	if err := b.wantInputs(1, 2); err != nil {
		return nil, err
	}
	return b.constInts(1)
}

// normAxes normalises axes for a rank, refusing duplicates.
func (b *builder) normAxes(axes []int64, rank int) ([]int, error) {
	out := make([]int, len(axes))
	seen := make([]bool, rank)
	for i, a := range axes {
		ax, err := b.axis(a, rank)
		if err != nil {
			return nil, err
		}
		if seen[ax] {
			return nil, b.errf("axis %d appears twice in %v", a, axes)
		}
		seen[ax] = true
		out[i] = ax
	}
	return out, nil
}

func buildSqueeze(b *builder) (kernel, error) {
	axes, err := b.axesAttrOrInput()
	if err != nil {
		return nil, err
	}
	x, err := b.dataIn()
	if err != nil {
		return nil, err
	}
	drop := make([]bool, len(x.shape))
	if len(axes) == 0 {
		for i, d := range x.shape {
			drop[i] = d == 1
		}
	} else {
		ax, err := b.normAxes(axes, len(x.shape))
		if err != nil {
			return nil, err
		}
		for _, a := range ax {
			if x.shape[a] != 1 {
				return nil, b.errf("cannot squeeze axis %d of shape %v", a, x.shape)
			}
			drop[a] = true
		}
	}
	shape := []int{}
	for i, d := range x.shape {
		if !drop[i] {
			shape = append(shape, d)
		}
	}
	return b.aliasOut(x, shape)
}

func buildUnsqueeze(b *builder) (kernel, error) {
	axes, err := b.axesAttrOrInput()
	if err != nil {
		return nil, err
	}
	if axes == nil {
		return nil, b.errf("axes are required")
	}
	x, err := b.dataIn()
	if err != nil {
		return nil, err
	}
	rank := len(x.shape) + len(axes)
	ax, err := b.normAxes(axes, rank)
	if err != nil {
		return nil, err
	}
	ins := make([]bool, rank)
	for _, a := range ax {
		ins[a] = true
	}
	shape := make([]int, rank)
	j := 0
	for i := range shape {
		if ins[i] {
			shape[i] = 1
			continue
		}
		shape[i] = x.shape[j]
		j++
	}
	return b.aliasOut(x, shape)
}

func buildIdentity(b *builder) (kernel, error) {
	if err := b.wantInputs(1, 1); err != nil {
		return nil, err
	}
	x, err := b.dataIn()
	if err != nil {
		return nil, err
	}
	return b.aliasOut(x, x.shape)
}

// buildDropout: at inference Dropout passes its input through and its
// mask is all ones. Training mode with a non-zero ratio is random and
// refused.
func buildDropout(b *builder) (kernel, error) {
	training := false
	ratio, ratioKnown := 0.5, true
	switch {
	case b.opset < 12:
		if err := b.wantInputs(1, 1); err != nil {
			return nil, err
		}
		// Before opset 7 is_test chose inference; exporters set it, and
		// edge only infers, so it is read and ignored like the opset 1
		// consumed_inputs.
		b.a.ignore("is_test", "consumed_inputs")
		ratio = float64(b.a.float("ratio", 0.5))
	default:
		if err := b.wantInputs(1, 3); err != nil {
			return nil, err
		}
		b.a.ignore("seed") // only matters in training mode
		if r := b.in(1); r != nil {
			if numel(r.shape) != 1 {
				return nil, b.errf("ratio must be a scalar, has shape %v", r.shape)
			}
			if r.isConst {
				ratio = r.t.Float64At(0)
			} else {
				ratioKnown = false
			}
		}
		if t := b.in(2); t != nil {
			if numel(t.shape) != 1 {
				return nil, b.errf("training_mode must be a scalar, has shape %v", t.shape)
			}
			if !t.isConst {
				return nil, b.errf("a training_mode computed at run time is not supported")
			}
			training = t.t.Float64At(0) != 0
		}
	}
	if training && (!ratioKnown || ratio != 0) {
		return nil, b.errf("Dropout in training mode (random) is not supported")
	}
	x, err := b.dataIn()
	if err != nil {
		return nil, err
	}
	if len(b.n.out) > 1 && b.n.out[1] != nil {
		// The mask is boolean from opset 10, of the input's type before.
		dt := Bool
		if b.opset < 10 {
			dt = x.dtype
		}
		mask, err := b.newConst(dt, x.shape...)
		if err != nil {
			return nil, err
		}
		for i := range mask.F {
			mask.F[i] = 1
		}
		for i := range mask.I {
			mask.I[i] = 1
		}
		if err := b.setConst(1, mask); err != nil {
			return nil, err
		}
	}
	return b.aliasOut(x, x.shape)
}

// ---- Strided copies: Transpose and Slice ----

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

func (k *strideKernel) run(p *pool) { p.parallel(k.g.units(), k.g.grain(), k.body) }

func (k *strideKernel) chunk(lo, hi int) {
	x, y := k.n.in[0].t, k.n.out[0].t
	if y.DType.isInt() {
		strideCopy(&k.g, y.I, x.I, lo, hi)
	} else {
		strideCopy(&k.g, y.F, x.F, lo, hi)
	}
}

// newStrideKernel returns a kernel copying the view (or an alias when the
// view is the input itself) and declares output 0.
func (b *builder) newStrideKernel(x *value, shape, st []int, base int) (kernel, error) {
	g, err := newStrideGeom(shape, st, base)
	if err != nil {
		return nil, b.errf("%v", err)
	}
	if g.identity(numel(x.shape)) {
		return b.aliasOut(x, shape)
	}
	return &strideKernel{n: b.n, g: g}, b.setOut(0, x.dtype, shape)
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

// ---- Gather ----

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
	x, err := b.dataIn()
	if err != nil {
		return nil, err
	}
	raw, err := b.constInts(1)
	if err != nil {
		return nil, err
	}
	if b.in(1).dtype == Bool {
		return nil, b.errf("indices must be int32 or int64")
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
		if v < -int64(d) || v >= int64(d) {
			return nil, b.errf("index %d out of range for axis %d of size %d", v, axis, d)
		}
		if v < 0 {
			v += int64(d)
		}
		k.idx[i] = int(v)
	}
	shape := append(append(append([]int{}, x.shape[:axis]...), b.in(1).shape...), x.shape[axis+1:]...)
	return k, b.setOut(0, x.dtype, shape)
}

func (k *gatherKernel) prepare(int) error {
	k.body = k.chunk
	return nil
}

func (k *gatherKernel) run(p *pool) {
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

// ---- Concat and Split ----

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

func (k *concatKernel) run(p *pool) { p.parallel(k.s.units(), k.s.grain(), k.body) }

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

func (k *splitKernel) run(p *pool) { p.parallel(k.s.units(), k.s.grain(), k.body) }

func (k *splitKernel) chunk(lo, hi int) {
	x := k.n.in[0].t
	if x.DType.isInt() {
		slabCopy(&k.s, x.I, k.n.out, moveI, false, lo, hi)
	} else {
		slabCopy(&k.s, x.F, k.n.out, moveF, false, lo, hi)
	}
}

// ---- Pad ----

// padDim is one dimension of a pad geometry: output index o reads input
// index src[o], or the constant where src[o] is -1. Dimensions without
// padding have src nil (src[o] = o). Output indices [lo, hi) read the
// input contiguously from lo-shift.
type padDim struct {
	out    int
	src    []int
	lo, hi int
	shift  int
}

func (d *padDim) at(o int) int {
	if d.src == nil {
		return o
	}
	return d.src[o]
}

// padKernel writes the output row by row: the rows of the last dimension
// hold a padded left part, a copied middle and a padded right part.
type padKernel struct {
	n     *node
	dims  []padDim
	inSt  []int // input strides of dims
	f     float32
	i     int64
	body  func(lo, hi int)
	cvalF bool // the constant is input 2, read when the kernel runs
}

const (
	padConstant = "constant"
	padReflect  = "reflect"
	padEdge     = "edge"
)

func buildPad(b *builder) (kernel, error) {
	var pads []int64
	var axes []int64
	mode := b.a.str("mode", padConstant)
	k := &padKernel{n: b.n}
	if b.opset < 11 {
		if err := b.wantInputs(1, 1); err != nil {
			return nil, err
		}
		name := "pads"
		if b.opset < 2 {
			name = "paddings"
		}
		if !b.a.has(name) {
			return nil, b.errf("attribute %q is required", name)
		}
		pads = b.a.ints(name, nil)
		k.f = b.a.float("value", 0)
		k.i = castInt(float64(k.f))
	} else {
		maxIn := 3
		if b.opset >= 18 {
			maxIn = 4
		}
		if err := b.wantInputs(2, maxIn); err != nil {
			return nil, err
		}
		var err error
		if pads, err = b.constInts(1); err != nil {
			return nil, err
		}
		if v := b.in(2); v != nil {
			if numel(v.shape) != 1 {
				return nil, b.errf("constant_value must be a scalar, has shape %v", v.shape)
			}
			k.cvalF = true
		}
		if axes, err = b.constInts(3); err != nil {
			return nil, err
		}
	}
	switch mode {
	case padConstant, padReflect, padEdge:
	default:
		return nil, b.errf("mode %q is not supported", mode)
	}
	x, err := b.dataIn()
	if err != nil {
		return nil, err
	}
	r := len(x.shape)
	begin, end := make([]int64, r), make([]int64, r)
	if axes == nil {
		if len(pads) != 2*r {
			return nil, b.errf("%d pads for rank %d", len(pads), r)
		}
		copy(begin, pads[:r])
		copy(end, pads[r:])
	} else {
		ax, err := b.normAxes(axes, r)
		if err != nil {
			return nil, err
		}
		if len(pads) != 2*len(ax) {
			return nil, b.errf("%d pads for %d axes", len(pads), len(ax))
		}
		for i, a := range ax {
			begin[a], end[a] = pads[i], pads[len(ax)+i]
		}
	}
	shape := make([]int, r)
	for i, d := range x.shape {
		o := int64(d) + begin[i] + end[i]
		if begin[i] < -maxElems || end[i] < -maxElems || o < 0 || o > maxElems {
			return nil, b.errf("pads %v do not fit shape %v", pads, x.shape)
		}
		shape[i] = int(o)
	}
	if err := b.setOut(0, x.dtype, shape); err != nil {
		return nil, err
	}
	// Merge runs of unpadded dimensions; build index tables for the rest.
	inSt := strides(x.shape)
	for i := 0; i < r; i++ {
		if x.shape[i] == 1 && begin[i] == 0 && end[i] == 0 {
			continue
		}
		if begin[i] == 0 && end[i] == 0 {
			if n := len(k.dims) - 1; n >= 0 && k.dims[n].src == nil && k.inSt[n] == inSt[i]*x.shape[i] {
				k.dims[n].out *= shape[i]
				k.dims[n].hi = k.dims[n].out
				k.inSt[n] = inSt[i]
				continue
			}
			k.dims = append(k.dims, padDim{out: shape[i], lo: 0, hi: shape[i]})
			k.inSt = append(k.inSt, inSt[i])
			continue
		}
		pd, err := padTable(x.shape[i], shape[i], int(begin[i]), int(end[i]), mode)
		if err != nil {
			return nil, b.errf("axis %d: %v", i, err)
		}
		k.dims = append(k.dims, pd)
		k.inSt = append(k.inSt, inSt[i])
	}
	if len(k.dims) == 0 {
		k.dims, k.inSt = []padDim{{out: 1, lo: 0, hi: 1}}, []int{1}
	}
	if len(k.dims) > moveMaxRank {
		return nil, b.errf("padding %d dimensions is not supported", len(k.dims))
	}
	return k, nil
}

// padTable maps the output indices of one dimension to input indices.
// Negative pads crop; edge and reflect then work on the cropped range.
func padTable(in, out, begin, end int, mode string) (padDim, error) {
	lo, hi := max(0, -begin), in-max(0, -end) // the kept input range
	n := hi - lo
	if n <= 0 && out > 0 && mode != padConstant {
		return padDim{}, errors.New("cannot pad an empty dimension in mode " + mode)
	}
	d := padDim{out: out, src: make([]int, out), shift: begin}
	d.lo = min(out, max(0, begin+lo))
	d.hi = max(d.lo, min(out, begin+hi))
	for o := range d.src {
		i := o - begin
		switch {
		case i >= lo && i < hi:
		case mode == padConstant:
			i = -1
		case mode == padEdge:
			i = max(lo, min(hi-1, i))
		default: // reflect, repeatedly for pads longer than the data
			j := 0
			if n > 1 {
				p := 2 * (n - 1)
				j = ((i-lo)%p + p) % p
				if j >= n {
					j = p - j
				}
			}
			i = lo + j
		}
		d.src[o] = i
	}
	return d, nil
}

func (k *padKernel) prepare(int) error {
	k.body = k.chunk
	return nil
}

func (k *padKernel) rows() int {
	r := 1
	for _, d := range k.dims[:len(k.dims)-1] {
		r *= d.out
	}
	return r
}

func (k *padKernel) run(p *pool) {
	if k.cvalF {
		v := k.n.in[2].t
		if v.DType.isInt() {
			k.i, k.f = v.I[0], float32(v.I[0])
		} else {
			k.f, k.i = v.F[0], castInt(float64(v.F[0]))
		}
	}
	n := k.dims[len(k.dims)-1].out
	if n == 0 {
		return
	}
	p.parallel(k.rows(), max(1, moveGrain/n), k.body)
}

func (k *padKernel) chunk(lo, hi int) {
	x, y := k.n.in[0].t, k.n.out[0].t
	if y.DType.isInt() {
		padRows(k, y.I, x.I, k.i, lo, hi)
	} else {
		padRows(k, y.F, x.F, k.f, lo, hi)
	}
}

// padRows writes output rows [lo, hi).
func padRows[T moveElem](k *padKernel, dst, src []T, c T, lo, hi int) {
	m := len(k.dims) - 1
	last := &k.dims[m]
	n := last.out
	var idx [moveMaxRank]int
	for i, r := m-1, lo; i >= 0; i-- {
		idx[i] = r % k.dims[i].out
		r /= k.dims[i].out
	}
	for r := lo; r < hi; r++ {
		d := dst[r*n : r*n+n]
		off, blank := 0, false
		for i := 0; i < m; i++ {
			s := k.dims[i].at(idx[i])
			if s < 0 {
				blank = true
				break
			}
			off += s * k.inSt[i]
		}
		if blank {
			for i := range d {
				d[i] = c
			}
		} else {
			st := k.inSt[m]
			for o := 0; o < last.lo; o++ {
				d[o] = padAt(src, off, last.src[o], st, c)
			}
			if last.lo == last.hi {
				// nothing of the input is kept on this row
			} else if st == 1 {
				copy(d[last.lo:last.hi], src[off+last.lo-last.shift:])
			} else {
				for o := last.lo; o < last.hi; o++ {
					d[o] = src[off+(o-last.shift)*st]
				}
			}
			for o := last.hi; o < n; o++ {
				d[o] = padAt(src, off, last.src[o], st, c)
			}
		}
		for i := m - 1; i >= 0; i-- {
			idx[i]++
			if idx[i] < k.dims[i].out {
				break
			}
			idx[i] = 0
		}
	}
}

func padAt[T moveElem](src []T, off, s, st int, c T) T {
	if s < 0 {
		return c
	}
	return src[off+s*st]
}

// ---- Constants ----

func buildShape(b *builder) (kernel, error) {
	if err := b.wantInputs(1, 1); err != nil {
		return nil, err
	}
	x := b.in(0)
	r := int64(len(x.shape))
	start, end := int64(0), r
	if b.opset >= 15 {
		start, end = b.a.int("start", 0), b.a.int("end", r)
	}
	clamp := func(v int64) int64 {
		if v < 0 {
			v += r
		}
		return max(0, min(r, v))
	}
	start, end = clamp(start), clamp(end)
	end = max(start, end)
	t := NewTensor(Int64, int(end-start))
	for i := range t.I {
		t.I[i] = int64(x.shape[int(start)+i])
	}
	return nil, b.setConst(0, t)
}

func buildConstantOfShape(b *builder) (kernel, error) {
	if err := b.wantInputs(1, 1); err != nil {
		return nil, err
	}
	spec, err := b.constInts(0)
	if err != nil {
		return nil, err
	}
	if b.in(0).dtype == Bool {
		return nil, b.errf("the shape must be int64")
	}
	shape := make([]int, len(spec))
	for i, d := range spec {
		if d < 0 || d > maxElems {
			return nil, b.errf("dimension %d out of range in %v", d, spec)
		}
		shape[i] = int(d)
	}
	if _, err := checkedNumel(shape); err != nil {
		return nil, b.errf("%v", err)
	}
	fill := &Tensor{DType: Float32, F: []float32{0}}
	if b.a.has("value") {
		if fill = b.a.tensor("value"); fill == nil {
			return nil, b.errf("%v", b.a.err)
		}
		if fill.Len() != 1 {
			return nil, b.errf("value must hold one element, has shape %v", fill.Shape)
		}
	}
	t, err := b.newConst(fill.DType, shape...)
	if err != nil {
		return nil, err
	}
	if fill.DType.isInt() {
		for i := range t.I {
			t.I[i] = fill.I[0]
		}
	} else {
		for i := range t.F {
			t.F[i] = fill.F[0]
		}
	}
	return nil, b.setConst(0, t)
}

func buildConstant(b *builder) (kernel, error) {
	if err := b.wantInputs(0, 0); err != nil {
		return nil, err
	}
	given := 0
	for _, name := range []string{"value", "value_float", "value_floats", "value_int", "value_ints", "value_string", "value_strings", "sparse_value"} {
		if b.a.has(name) {
			given++
		}
	}
	if given != 1 {
		return nil, b.errf("wants exactly one value attribute, has %d", given)
	}
	var t *Tensor
	switch {
	case b.a.has("value"):
		if t = b.a.tensor("value"); t == nil {
			return nil, b.errf("%v", b.a.err)
		}
	case b.a.has("value_float"):
		t = &Tensor{DType: Float32, Shape: []int{}, F: []float32{b.a.float("value_float", 0)}}
	case b.a.has("value_floats"):
		f := append([]float32{}, b.a.floats("value_floats", nil)...)
		t = &Tensor{DType: Float32, Shape: []int{len(f)}, F: f}
	case b.a.has("value_int"):
		t = &Tensor{DType: Int64, Shape: []int{}, I: []int64{b.a.int("value_int", 0)}}
	case b.a.has("value_ints"):
		v := append([]int64{}, b.a.ints("value_ints", nil)...)
		t = &Tensor{DType: Int64, Shape: []int{len(v)}, I: v}
	default:
		return nil, b.errf("string and sparse constants are not supported")
	}
	if b.a.err != nil {
		return nil, b.errf("%v", b.a.err)
	}
	return nil, b.setConst(0, t)
}

// castNames are the type names of Cast-1's string attribute.
var castNames = map[string]DType{"FLOAT": Float32, "DOUBLE": Float64, "INT32": Int32, "INT64": Int64, "BOOL": Bool}

func buildCast(b *builder) (kernel, error) {
	if err := b.wantInputs(1, 1); err != nil {
		return nil, err
	}
	b.a.ignore("saturate") // float8 targets only
	v, ok := b.a.get("to")
	if !ok {
		return nil, b.errf("attribute \"to\" is required")
	}
	var to DType
	switch t := v.(type) {
	case int64:
		to = DType(t)
	case string:
		if to, ok = castNames[t]; !ok {
			return nil, b.errf("cast to %s is not supported", t)
		}
	default:
		return nil, b.errf("attribute \"to\" has type %T", v)
	}
	if !to.supported() {
		return nil, b.errf("cast to %v is not supported", to)
	}
	x, err := b.dataIn()
	if err != nil {
		return nil, err
	}
	if x.dtype == to {
		return b.aliasOut(x, x.shape)
	}
	if !x.isConst {
		return nil, b.errf("a cast from %v to %v at run time is not supported (only float32 is computed at run time)", x.dtype, to)
	}
	return &castKernel{n: b.n}, b.setOut(0, to, x.shape)
}

// castKernel converts a constant between float32, float64 (held as
// float32), int64, int32 and bool; it only runs when constants are folded.
type castKernel struct{ n *node }

func (k *castKernel) run(*pool) {
	x, y := k.n.in[0].t, k.n.out[0].t
	for i := range x.Len() {
		switch {
		case !y.DType.isInt(): // float32, or float64 held at float32 precision
			y.F[i] = float32(x.Float64At(i))
		case y.DType == Bool:
			if x.Float64At(i) != 0 {
				y.I[i] = 1
			} else {
				y.I[i] = 0
			}
		default:
			v := int64(0)
			if x.DType.isInt() {
				v = x.I[i]
			} else {
				v = castInt(float64(x.F[i]))
			}
			if y.DType == Int32 {
				v = int64(int32(v))
			}
			y.I[i] = v
		}
	}
}
