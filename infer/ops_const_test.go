package infer

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"gorgonia.org/tensor"
)

func TestShape(t *testing.T) {
	x := shArange(2, 3, 4, 5)
	for _, c := range []struct {
		opset int64
		attrs shAttrs
		want  []int64
	}{
		{13, nil, []int64{2, 3, 4, 5}},
		{15, shAttrs{"start": int64(1), "end": int64(-1)}, []int64{3, 4}},
		{15, shAttrs{"start": int64(-10)}, []int64{2, 3, 4, 5}},
		{15, shAttrs{"end": int64(10)}, []int64{2, 3, 4, 5}},
		{15, shAttrs{"start": int64(-1)}, []int64{5}},
		{15, shAttrs{"start": int64(3), "end": int64(1)}, nil},
	} {
		outs := shBoth(t, c.opset, "Shape", c.attrs, []*Tensor{x}, 1)
		shSame(t, fmt.Sprintf("Shape-%d %v", c.opset, c.attrs), outs[0], shI([]int{len(c.want)}, c.want...))
	}
	outs := shBoth(t, 13, "Shape", nil, []*Tensor{shF([]int{}, 1)}, 1)
	shSame(t, "scalar", outs[0], shI([]int{0}))
	_, err := shRun(13, "Shape", shAttrs{"start": int64(1)}, []*Tensor{x}, 1, false)
	shWantErr(t, "start before opset 15", err, true)
}

func gorgoniaOf(backing interface{}, shape ...int) tensor.Tensor {
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(backing))
}

func TestConstantOfShape(t *testing.T) {
	outs := shBoth(t, 9, "ConstantOfShape", nil, []*Tensor{shI([]int{2}, 2, 3)}, 1)
	shSame(t, "default", outs[0], shF([]int{2, 3}, 0, 0, 0, 0, 0, 0))
	outs = shBoth(t, 9, "ConstantOfShape", shAttrs{"value": gorgoniaOf([]int64{7}, 1)}, []*Tensor{shI([]int{1}, 3)}, 1)
	shSame(t, "int64 sevens", outs[0], shI([]int{3}, 7, 7, 7))
	outs = shBoth(t, 9, "ConstantOfShape", shAttrs{"value": gorgoniaOf([]float32{1.5}, 1)}, []*Tensor{shI([]int{0})}, 1)
	shSame(t, "scalar", outs[0], shF([]int{}, 1.5))
	outs = shBoth(t, 9, "ConstantOfShape", shAttrs{"value": gorgoniaOf([]int32{4}, 1)}, []*Tensor{shI([]int{2}, 2, 0)}, 1)
	shSame(t, "empty int32", outs[0], &Tensor{DType: Int32, Shape: []int{2, 0}, I: []int64{}})
	_, err := shRun(9, "ConstantOfShape", nil, []*Tensor{shI([]int{1}, -1)}, 1, false)
	shWantErr(t, "negative", err, false)
	_, err = shRun(9, "ConstantOfShape", shAttrs{"value": gorgoniaOf([]uint8{1}, 1)}, []*Tensor{shI([]int{1}, 1)}, 1, false)
	shWantErr(t, "uint8 value", err, true)
	_, err = shRun(9, "ConstantOfShape", shAttrs{"value": gorgoniaOf([]float32{1, 2}, 2)}, []*Tensor{shI([]int{1}, 1)}, 1, false)
	shWantErr(t, "two values", err, false)
}

func TestConstant(t *testing.T) {
	for _, c := range []struct {
		attrs shAttrs
		want  *Tensor
	}{
		{shAttrs{"value": gorgoniaOf([]float32{1, 2, 3, 4}, 2, 2)}, shF([]int{2, 2}, 1, 2, 3, 4)},
		{shAttrs{"value": gorgoniaOf([]int64{5}, 1)}, shI([]int{1}, 5)},
		{shAttrs{"value_float": float32(2.5)}, shF([]int{}, 2.5)},
		{shAttrs{"value_floats": []float32{1, -1}}, shF([]int{2}, 1, -1)},
		{shAttrs{"value_int": int64(-7)}, shI([]int{}, -7)},
		{shAttrs{"value_ints": []int64{3, 4, 5}}, shI([]int{3}, 3, 4, 5)},
	} {
		outs, err := shRun(13, "Constant", c.attrs, nil, 1, false)
		if err != nil {
			t.Errorf("%v: %v", c.attrs, err)
			continue
		}
		shSame(t, fmt.Sprint(c.attrs), outs[0], c.want)
	}
	_, err := shRun(13, "Constant", shAttrs{"value_string": "a"}, nil, 1, false)
	shWantErr(t, "string", err, true)
	_, err = shRun(13, "Constant", shAttrs{"value_strings": []string{"a"}}, nil, 1, false)
	shWantErr(t, "strings", err, true)
	_, err = shRun(13, "Constant", shAttrs{"value_int": int64(1), "value_float": float32(1)}, nil, 1, false)
	shWantErr(t, "two values", err, false)
	_, err = shRun(13, "Constant", nil, nil, 1, false)
	shWantErr(t, "no value", err, false)
}

func TestCast(t *testing.T) {
	nan := float32(math.NaN())
	f := shF([]int{5}, 1.9, -1.9, 0, nan, 3e9)
	bools := func(v ...int64) *Tensor { return &Tensor{DType: Bool, Shape: []int{len(v)}, I: v} }
	big := shI([]int{3}, 3, 1<<40+5, -1)
	for _, c := range []struct {
		opset int64
		to    interface{}
		in    *Tensor
		want  *Tensor
	}{
		{13, int64(Int64), f, shI([]int{5}, 1, -1, 0, 0, 3000000000)},
		{13, int64(Int32), f, &Tensor{DType: Int32, Shape: []int{5}, I: []int64{1, -1, 0, 0, int64(int32(-1294967296))}}},
		{13, int64(Bool), f, bools(1, 1, 0, 1, 1)},
		{13, int64(Float32), big, shF([]int{3}, 3, 1<<40+5, -1)},
		{13, int64(Int32), big, &Tensor{DType: Int32, Shape: []int{3}, I: []int64{3, 5, -1}}},
		{13, int64(Bool), big, bools(1, 1, 1)},
		{13, int64(Float32), bools(1, 0), shF([]int{2}, 1, 0)},
		{13, int64(Int64), bools(1, 0), shI([]int{2}, 1, 0)},
		{13, int64(Int64), big, big},
		{13, int64(Float64), big, &Tensor{DType: Float64, Shape: []int{3}, F: []float32{3, 1<<40 + 5, -1}}},
		{13, int64(Int64), &Tensor{DType: Float64, Shape: []int{2}, F: []float32{-2.5, 7}}, shI([]int{2}, -2, 7)},
		{1, "INT64", shF([]int{1}, 2.5), shI([]int{1}, 2)},
	} {
		outs, err := shRun(c.opset, "Cast", shAttrs{"to": c.to}, []*Tensor{c.in}, 1, true)
		if err != nil {
			t.Errorf("cast %v to %v: %v", c.in.DType, c.to, err)
			continue
		}
		shSame(t, fmt.Sprintf("cast %v to %v", c.in.DType, c.to), outs[0], c.want)
	}
	outs, err := shRun(13, "Cast", shAttrs{"to": int64(Float32)}, []*Tensor{f}, 1, false)
	if err != nil {
		t.Fatal(err)
	}
	shSame(t, "run-time float to float", outs[0], f)
	_, err = shRun(13, "Cast", shAttrs{"to": int64(Int64)}, []*Tensor{f}, 1, false)
	shWantErr(t, "run-time float to int64", err, true)
	_, err = shRun(13, "Cast", shAttrs{"to": int64(Float64)}, []*Tensor{f}, 1, false)
	shWantErr(t, "run-time float to float64", err, true)
	_, err = shRun(13, "Cast", shAttrs{"to": int64(Float16)}, []*Tensor{f}, 1, true)
	shWantErr(t, "to float16", err, true)
	_, err = shRun(1, "Cast", shAttrs{"to": "FLOAT16"}, []*Tensor{f}, 1, true)
	shWantErr(t, "to FLOAT16", err, true)
	_, err = shRun(13, "Cast", nil, []*Tensor{f}, 1, true)
	shWantErr(t, "no to", err, false)
}

func TestSize(t *testing.T) {
	for _, in := range []*Tensor{shArange(2, 3, 4), shF([]int{}, 7), shF([]int{3, 0}), shArangeI(5)} {
		outs := shBoth(t, 13, "Size", nil, []*Tensor{in}, 1)
		shSame(t, fmt.Sprintf("Size of %v", in.Shape), outs[0], shI([]int{}, int64(numel(in.Shape))))
	}
	_, err := shRun(13, "Size", nil, []*Tensor{shF([]int{2}, 1, 2), shF([]int{2}, 1, 2)}, 1, false)
	shWantErr(t, "two inputs", err, false)
}

// TestCastLike checks that CastLike casts as Cast does to the type of
// its second input, whose values are not read.
func TestCastLike(t *testing.T) {
	f := shF([]int{4}, 1.9, -1.9, 0, 3)
	like := func(dt DType) *Tensor { return NewTensor(dt, 2) }
	for _, dt := range []DType{Int64, Int32, Bool, Float32, Float64} {
		want, err := shRun(13, "Cast", shAttrs{"to": int64(dt)}, []*Tensor{f}, 1, true)
		if err != nil {
			t.Fatal(err)
		}
		got, err := shRun(15, "CastLike", nil, []*Tensor{f, like(dt)}, 1, true)
		if err != nil {
			t.Errorf("castlike to %v: %v", dt, err)
			continue
		}
		shSame(t, fmt.Sprintf("castlike to %v", dt), got[0], want[0])
	}
	outs, err := shRun(15, "CastLike", nil, []*Tensor{shI([]int{2}, 3, -4), like(Float32)}, 1, false)
	if err != nil {
		t.Fatal(err)
	}
	shSame(t, "constant int64 like a run-time float", outs[0], shF([]int{2}, 3, -4))
	outs, err = shRun(15, "CastLike", nil, []*Tensor{f, like(Float32)}, 1, false)
	if err != nil {
		t.Fatal(err)
	}
	shSame(t, "run-time float like float", outs[0], f)
	_, err = shRun(15, "CastLike", nil, []*Tensor{f, like(Int64)}, 1, false)
	shWantErr(t, "run-time float to int64", err, true)
	_, err = shRun(15, "CastLike", nil, []*Tensor{f, like(Float16)}, 1, true)
	shWantErr(t, "like float16", err, true)
	_, err = shRun(15, "CastLike", nil, []*Tensor{f}, 1, true)
	shWantErr(t, "no like", err, false)
}

func TestRange(t *testing.T) {
	i32 := func(v ...int64) *Tensor { return &Tensor{DType: Int32, Shape: []int{len(v)}, I: v} }
	sc := func(v int64) *Tensor { return shI([]int{}, v) }
	for _, c := range []struct {
		start, limit, delta *Tensor
		want                *Tensor
	}{
		{sc(1), sc(5), sc(2), shI([]int{2}, 1, 3)},
		{sc(1), sc(6), sc(2), shI([]int{3}, 1, 3, 5)},
		{sc(10), sc(4), sc(-3), shI([]int{2}, 10, 7)},
		{sc(5), sc(1), sc(2), shI([]int{0})},
		{sc(math.MinInt64), sc(math.MaxInt64), sc(math.MaxInt64), shI([]int{3}, math.MinInt64, -1, math.MaxInt64-1)},
		{i32(-2), i32(2), i32(1), &Tensor{DType: Int32, Shape: []int{4}, I: []int64{-2, -1, 0, 1}}},
		{shF([]int{}, 0.5), shF([]int{}, 2), shF([]int{}, 0.5), shF([]int{3}, 0.5, 1, 1.5)},
		{shF([]int{}, 1), shF([]int{}, -1.1), shF([]int{}, -1), shF([]int{3}, 1, 0, -1)},
	} {
		outs, err := shRun(11, "Range", nil, []*Tensor{c.start, c.limit, c.delta}, 1, true)
		if err != nil {
			t.Errorf("range %v %v %v: %v", c.start, c.limit, c.delta, err)
			continue
		}
		shSame(t, fmt.Sprintf("range %v %v %v", c.start, c.limit, c.delta), outs[0], c.want)
	}
	_, err := shRun(11, "Range", nil, []*Tensor{shF([]int{}, 0), shF([]int{}, 3), shF([]int{}, 1)}, 1, false)
	shWantErr(t, "run-time inputs", err, true)
	_, err = shRun(11, "Range", nil, []*Tensor{sc(0), sc(3), sc(0)}, 1, true)
	shWantErr(t, "delta 0", err, false)
	_, err = shRun(11, "Range", nil, []*Tensor{sc(0), sc(1 << 40), sc(1)}, 1, true)
	shWantErr(t, "too long", err, false)
	_, err = shRun(11, "Range", nil, []*Tensor{sc(0), shI([]int{2}, 3, 4), sc(1)}, 1, true)
	shWantErr(t, "a limit of two values", err, false)
	_, err = shRun(11, "Range", nil, []*Tensor{sc(0), i32(3), sc(1)}, 1, true)
	shWantErr(t, "mixed types", err, false)
}

// TestEyeLike: ones on the diagonal k of the input's 2-D shape, the
// input's type or dtype's, a constant however the input is computed.
func TestEyeLike(t *testing.T) {
	for _, tc := range []struct {
		k    int64
		want []float32
	}{
		{0, []float32{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0}},
		{1, []float32{0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1}},
		{-2, []float32{0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0}},
	} {
		g := newGB(13).input("x", 3, 4).output("y")
		g.node("e", "EyeLike", []string{"x"}, []string{"y"}, attrInt("k", tc.k))
		if y := calcRun(t, g.bytes(), 1, make([]float32, 12))[0]; !slices.Equal(y.F, tc.want) {
			t.Errorf("k %d: %v, want %v", tc.k, y.F, tc.want)
		}
	}
	g := newGB(13).input("x", 2, 2).output("y").initI("shape", []int64{1}, []int64{4})
	g.node("e", "EyeLike", []string{"x"}, []string{"i"}, attrInt("dtype", int64(Int64)))
	g.node("c", "Cast", []string{"i"}, []string{"f"}, attrInt("to", 1))
	g.node("r", "Reshape", []string{"f", "shape"}, []string{"y"})
	if y := calcRun(t, g.bytes(), 1, make([]float32, 4))[0]; !slices.Equal(y.F, []float32{1, 0, 0, 1}) {
		t.Errorf("int64: %v, want [1 0 0 1]", y.F)
	}
}
