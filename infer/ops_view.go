package infer

import "fmt"

// Views: the output is the input with another shape (no copy).

func init() {
	register("Reshape", []string{"shape", "allowzero", "consumed_inputs"}, buildReshape)
	register("Flatten", []string{"axis"}, buildFlatten)
	register("Squeeze", []string{"axes"}, buildSqueeze)
	register("Unsqueeze", []string{"axes"}, buildUnsqueeze)
	register("Identity", nil, buildIdentity)
	register("Dropout", []string{"ratio", "is_test", "seed", "consumed_inputs"}, buildDropout)
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
