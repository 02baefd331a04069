package infer

// GatherND, and ScatterElements (Scatter before opset 11) and ScatterND:
// reads and writes of a data tensor at constant indices, each index
// turned into an offset when the plan is built. GatherND copies slabs
// (gatherElemKernel, as GatherElements); the scatters copy the data, then
// write (or add, multiply, take the larger or smaller of) each update at
// its offset in index order, so that of two updates at one place the
// later wins.

func init() {
	register("GatherND", []string{"batch_dims"}, buildGatherND)
	register("ScatterElements", []string{"axis", "reduction"}, buildScatterElements)
	register("Scatter", []string{"axis"}, buildScatterElements)
	register("ScatterND", []string{"reduction"}, buildScatterND)
}

// scatterKernel scatters slabs of slab elements: update slab i at
// offs[i] of a copy of the data.
type scatterKernel struct {
	n      *node
	offs   []int
	slab   int
	reduce string // "none", "add", "mul", "max", "min"
}

// ndOffsets turns the index tuples of ind (int64 values raw, shape
// ishape, its last dimension the tuple's length) into offsets into data
// of shape dshape, the first batch dimensions shared.
func ndOffsets(b *builder, raw []int64, ishape, dshape []int, batch int) ([]int, error) {
	q := len(ishape)
	if q == 0 || batch < 0 || batch >= q || batch >= len(dshape) {
		return nil, b.errf("indices %v and batch_dims %d do not fit data %v", ishape, batch, dshape)
	}
	last := ishape[q-1]
	if last < 1 || batch+last > len(dshape) {
		return nil, b.errf("indices %v: tuples of %d into data %v past %d batch dimensions", ishape, last, dshape, batch)
	}
	for i := 0; i < batch; i++ {
		if ishape[i] != dshape[i] {
			return nil, b.errf("indices %v and data %v differ in batch dimension %d", ishape, dshape, i)
		}
	}
	if err := b.plan.spend(int64(len(raw)) * 8); err != nil {
		return nil, b.errf("%v", err)
	}
	dst := strides(dshape)
	tuples := numel(ishape[:q-1])
	perBatch := numel(ishape[batch : q-1])
	offs := make([]int, tuples)
	for t := range tuples {
		off := 0
		if batch > 0 {
			off = t / max(perBatch, 1) * dst[batch-1]
		}
		for j := 0; j < last; j++ {
			at, err := b.index(raw[t*last+j], batch+j, dshape[batch+j])
			if err != nil {
				return nil, err
			}
			off += at * dst[batch+j]
		}
		offs[t] = off
	}
	return offs, nil
}

func buildGatherND(b *builder) (kernel, error) {
	if err := b.wantInputs(2, 2); err != nil {
		return nil, err
	}
	x, raw, err := b.dataAndIndices()
	if err != nil {
		return nil, err
	}
	ind := b.in(1)
	batch := int(b.a.int("batch_dims", 0))
	offs, err := ndOffsets(b, raw, ind.shape, x.shape, batch)
	if err != nil {
		return nil, err
	}
	q := len(ind.shape)
	rest := x.shape[batch+ind.shape[q-1]:]
	out := append(append([]int(nil), ind.shape[:q-1]...), rest...)
	return &gatherElemKernel{n: b.n, offs: offs, slab: numel(rest)}, b.setOut(0, x.dtype, out)
}

// scatterInputs checks the data, the constant indices and the updates of
// a scatter and reads its reduction.
func scatterInputs(b *builder) (x, ind, u *value, raw []int64, red string, err error) {
	if err = b.wantInputs(3, 3); err != nil {
		return
	}
	if x, raw, err = b.dataAndIndices(); err != nil {
		return
	}
	ind, u = b.in(1), b.in(2)
	if u.dtype != x.dtype {
		err = b.errf("updates are %v, data %v", u.dtype, x.dtype)
		return
	}
	switch red = b.a.str("reduction", "none"); red {
	case "none", "add", "mul", "max", "min":
	default:
		err = b.errf("reduction %q: none, add, mul, max or min", red)
	}
	return
}

func buildScatterElements(b *builder) (kernel, error) {
	x, ind, u, raw, red, err := scatterInputs(b)
	if err != nil {
		return nil, err
	}
	if !sameShape(ind.shape, u.shape) {
		return nil, b.errf("indices %v and updates %v must have one shape", ind.shape, u.shape)
	}
	offs, err := elementOffsets(b, raw, ind.shape, x.shape)
	if err != nil {
		return nil, err
	}
	return &scatterKernel{n: b.n, offs: offs, slab: 1, reduce: red}, b.setOut(0, x.dtype, x.shape)
}

func buildScatterND(b *builder) (kernel, error) {
	x, ind, u, raw, red, err := scatterInputs(b)
	if err != nil {
		return nil, err
	}
	offs, err := ndOffsets(b, raw, ind.shape, x.shape, 0)
	if err != nil {
		return nil, err
	}
	q := len(ind.shape)
	rest := x.shape[ind.shape[q-1]:]
	if want := append(append([]int(nil), ind.shape[:q-1]...), rest...); !sameShape(u.shape, want) {
		return nil, b.errf("updates %v, want %v for indices %v into data %v", u.shape, want, ind.shape, x.shape)
	}
	return &scatterKernel{n: b.n, offs: offs, slab: numel(rest), reduce: red}, b.setOut(0, x.dtype, x.shape)
}

func (k *scatterKernel) run(*workers) {
	x, y, u := k.n.in[0].t, k.n.out[0].t, k.n.in[2].t
	if y.DType.isInt() {
		copy(y.I, x.I)
		scatterSlabs(y.I, u.I, k.offs, k.slab, k.reduce)
	} else {
		copy(y.F, x.F)
		scatterSlabs(y.F, u.F, k.offs, k.slab, k.reduce)
	}
}

func scatterSlabs[T moveElem](dst, upd []T, offs []int, n int, reduce string) {
	for i, o := range offs {
		d, u := dst[o:o+n], upd[i*n:(i+1)*n]
		switch reduce {
		case "none":
			copy(d, u)
		case "add":
			for j := range d {
				d[j] += u[j]
			}
		case "mul":
			for j := range d {
				d[j] *= u[j]
			}
		case "max":
			for j := range d {
				d[j] = max(d[j], u[j])
			}
		case "min":
			for j := range d {
				d[j] = min(d[j], u[j])
			}
		}
	}
}
