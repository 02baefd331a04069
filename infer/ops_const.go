package infer

import "math"

// Operators whose output is known when the plan is built: Shape, Size,
// ConstantOfShape, Constant, Range (of constants), and Cast and CastLike
// (of a constant, or to the same type).

func init() {
	register("Shape", []string{"start", "end"}, buildShape)
	register("ConstantOfShape", []string{"value"}, buildConstantOfShape)
	register("Constant", []string{"value", "value_float", "value_floats", "value_int", "value_ints",
		"value_string", "value_strings", "sparse_value"}, buildConstant)
	register("Cast", []string{"to", "saturate"}, buildCast)
	register("CastLike", []string{"saturate"}, buildCastLike)
	register("Size", nil, buildSize)
	register("EyeLike", []string{"dtype", "k"}, buildEyeLike)
	register("Range", nil, buildRange)
}

// buildRange computes start, start + delta, … up to limit (excluded),
// max(⌈(limit - start) / delta⌉, 0) elements of the inputs' type, from
// constant scalars: its length depends on their values, so run-time
// inputs are not supported.
func buildRange(b *builder) (kernel, error) {
	if err := b.wantInputs(3, 3); err != nil {
		return nil, err
	}
	dt := b.in(0).dtype
	for i := 0; i < 3; i++ {
		v := b.in(i)
		if v.dtype != dt {
			return nil, b.errf("input types differ: %v and %v", dt, v.dtype)
		}
		if numel(v.shape) != 1 || len(v.shape) > 1 {
			return nil, b.errf("input %d (%q) has shape %v, want a scalar", i, v.name, v.shape)
		}
		if !v.isConst {
			return nil, b.errf("a Range of run-time inputs is not supported: its length depends on their values")
		}
	}
	if dt != Float32 && dt != Float64 && dt != Int64 && dt != Int32 {
		return nil, b.errf("data type %v is not supported by Range", dt)
	}
	start, limit, delta := b.in(0).t.Float64At(0), b.in(1).t.Float64At(0), b.in(2).t.Float64At(0)
	if delta == 0 || delta != delta || start != start || limit != limit {
		return nil, b.errf("start %v, limit %v, delta %v give no range", start, limit, delta)
	}
	n := math.Ceil((limit - start) / delta)
	if !(n < maxElems) { // also +Inf
		return nil, b.errf("start %v, limit %v, delta %v give more than %d elements", start, limit, delta, maxElems)
	}
	if dt.isInt() {
		// exact in integers, ⌈|limit - start| / |delta|⌉ in uint64 so
		// that neither the difference nor the rounding overflows
		s, l, d := b.in(0).t.I[0], b.in(1).t.I[0], b.in(2).t.I[0]
		var diff, ad uint64
		switch {
		case d > 0 && l > s:
			diff, ad = uint64(l)-uint64(s), uint64(d)
		case d < 0 && l < s:
			diff, ad = uint64(s)-uint64(l), -uint64(d)
		}
		n = 0
		if ad != 0 {
			q := diff / ad
			if diff%ad != 0 {
				q++
			}
			n = float64(q)
		}
	}
	t, err := b.newConst(dt, int(max(n, 0)))
	if err != nil {
		return nil, err
	}
	for i := range t.I {
		t.I[i] = b.in(0).t.I[0] + int64(i)*b.in(2).t.I[0]
	}
	for i := range t.F {
		t.F[i] = float32(start + float64(i)*delta)
	}
	return nil, b.setConst(0, t)
}

// buildSize gives the input's element count, an int64 scalar.
func buildSize(b *builder) (kernel, error) {
	if err := b.wantInputs(1, 1); err != nil {
		return nil, err
	}
	x, err := b.dataIn()
	if err != nil {
		return nil, err
	}
	return nil, b.setConst(0, &Tensor{DType: Int64, Shape: []int{}, I: []int64{int64(numel(x.shape))}})
}

// buildEyeLike is a constant: a 2-D tensor of the input's shape with ones
// on diagonal k (above the main one where positive) and zeros elsewhere,
// of the dtype attribute's type or the input's.
func buildEyeLike(b *builder) (kernel, error) {
	if err := b.wantInputs(1, 1); err != nil {
		return nil, err
	}
	x, err := b.dataIn()
	if err != nil {
		return nil, err
	}
	if len(x.shape) != 2 {
		return nil, b.errf("input of shape %v: want 2-D", x.shape)
	}
	dt := x.dtype
	if v, ok := b.a.get("dtype"); ok {
		i, _ := v.(int64)
		if dt = DType(i); !dt.supported() {
			return nil, b.errf("dtype %v is not supported", dt)
		}
	}
	if err := b.plan.spend(int64(numel(x.shape)) * 8); err != nil {
		return nil, b.errf("%v", err)
	}
	t := NewTensor(dt, x.shape...)
	k := int(b.a.int("k", 0))
	for r := 0; r < x.shape[0]; r++ {
		if c := r + k; c >= 0 && c < x.shape[1] {
			if dt.isInt() {
				t.I[r*x.shape[1]+c] = 1
			} else {
				t.F[r*x.shape[1]+c] = 1
			}
		}
	}
	return nil, b.setConst(0, t)
}

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
	return castTo(b, to)
}

// buildCastLike casts input 0 to the type of input 1, whose values are
// not read.
func buildCastLike(b *builder) (kernel, error) {
	if err := b.wantInputs(2, 2); err != nil {
		return nil, err
	}
	b.a.ignore("saturate") // float8 targets only
	return castTo(b, b.in(1).dtype)
}

// castTo casts input 0 to type to: a view when the type is the same, a
// folded constant otherwise.
func castTo(b *builder, to DType) (kernel, error) {
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
	if !x.isConst && !(x.dtype == Float32 && to == Bool || x.dtype == Bool && to == Float32) {
		return nil, b.errf("a cast from %v to %v at run time is not supported (at run time: float32 and bool, either way)", x.dtype, to)
	}
	return &castKernel{n: b.n}, b.setOut(0, to, x.shape)
}

// castKernel converts a constant between float32, float64 (held as
// float32), int64, int32 and bool; at run time, float32 to bool and back.
type castKernel struct{ n *node }

func (*castKernel) intOutputs() {}
func (*castKernel) boolInputs() {}

func (k *castKernel) run(*workers) {
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
