package infer

import (
	"fmt"
	"slices"
	"testing"
)

func TestReshapeDims(t *testing.T) {
	for _, c := range []struct {
		in        []int
		spec      []int64
		allowZero bool
		want      []int // nil: an error
	}{
		{[]int{2, 3, 4}, []int64{0, -1}, false, []int{2, 12}},
		{[]int{2, 3, 4}, []int64{-1}, false, []int{24}},
		{[]int{2, 3, 4}, []int64{4, 0, 2}, false, []int{4, 3, 2}},
		{[]int{2, 3, 4}, []int64{2, 3, 4, 1, 1}, false, []int{2, 3, 4, 1, 1}},
		{[]int{0, 3}, []int64{3, 0}, true, []int{3, 0}},
		{[]int{0, 3}, []int64{3, 0}, false, nil}, // the 0 copies the 3: 9 elements, not 0
		{[]int{0, 3}, []int64{0, 3}, false, []int{0, 3}},
		{[]int{2, 3, 4}, []int64{-1, -1}, false, nil},
		{[]int{2, 3, 4}, []int64{5, -1}, false, nil},
		{[]int{2, 3, 4}, []int64{0, -1}, true, nil},
		{[]int{2, 3, 4}, []int64{0, 0, 0, 0}, false, nil},
		{[]int{2, 3, 4}, []int64{-2, 12}, false, nil},
		{[]int{2, 3, 4}, []int64{25}, false, nil},
		{[]int{0, 3}, []int64{-1, 0}, false, []int{0, 3}},
		{[]int{0, 3}, []int64{-1, 0}, true, nil},
		{[]int{2}, []int64{1 << 40, 1 << 40, 0}, true, nil},
	} {
		got, err := reshapeDims(c.in, c.spec, c.allowZero)
		if c.want == nil {
			if err == nil {
				t.Errorf("%v to %v: %v, want an error", c.in, c.spec, got)
			}
			continue
		}
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("%v to %v (allowzero %v): %v %v, want %v", c.in, c.spec, c.allowZero, got, err, c.want)
		}
	}
}

func TestViews(t *testing.T) {
	x := shArange(1, 3, 1, 2)
	for _, c := range []struct {
		opset int64
		op    string
		attrs shAttrs
		ins   []*Tensor
		want  []int
	}{
		{13, "Reshape", nil, []*Tensor{x, shI([]int{2}, 0, -1)}, []int{1, 6}},
		{14, "Reshape", shAttrs{"allowzero": int64(0)}, []*Tensor{x, shI([]int{3}, 3, 0, -1)}, nil}, // 0 copies the 3
		{4, "Reshape", shAttrs{"shape": []int64{2, -1}}, []*Tensor{x}, []int{2, 3}},
		{13, "Flatten", nil, []*Tensor{x}, []int{1, 6}},
		{13, "Flatten", shAttrs{"axis": int64(0)}, []*Tensor{x}, []int{1, 6}},
		{13, "Flatten", shAttrs{"axis": int64(-1)}, []*Tensor{x}, []int{3, 2}},
		{13, "Flatten", shAttrs{"axis": int64(4)}, []*Tensor{x}, []int{6, 1}},
		{11, "Squeeze", shAttrs{"axes": []int64{0, -2}}, []*Tensor{x}, []int{3, 2}},
		{11, "Squeeze", nil, []*Tensor{x}, []int{3, 2}},
		{13, "Squeeze", nil, []*Tensor{x}, []int{3, 2}},
		{13, "Squeeze", nil, []*Tensor{x, shI([]int{1}, 2)}, []int{1, 3, 2}},
		{11, "Unsqueeze", shAttrs{"axes": []int64{1}}, []*Tensor{x}, []int{1, 1, 3, 1, 2}},
		{13, "Unsqueeze", nil, []*Tensor{x, shI([]int{2}, -1, 0)}, []int{1, 1, 3, 1, 2, 1}},
		{13, "Identity", nil, []*Tensor{x}, []int{1, 3, 1, 2}},
		{13, "Dropout", nil, []*Tensor{x}, []int{1, 3, 1, 2}},
		{7, "Dropout", shAttrs{"ratio": float32(0.3)}, []*Tensor{x}, []int{1, 3, 1, 2}},
		{13, "Cast", shAttrs{"to": int64(Float32)}, []*Tensor{x}, []int{1, 3, 1, 2}},
		{13, "Transpose", shAttrs{"perm": []int64{2, 0, 1, 3}}, []*Tensor{x}, []int{1, 1, 3, 2}},
		{13, "Slice", nil, []*Tensor{x, shI([]int{1}, 0), shI([]int{1}, 99)}, []int{1, 3, 1, 2}},
		{13, "Concat", shAttrs{"axis": int64(1)}, []*Tensor{x}, []int{1, 3, 1, 2}},
	} {
		what := fmt.Sprintf("%s-%d %v", c.op, c.opset, c.attrs)
		outs, err := shRun(c.opset, c.op, c.attrs, c.ins, 1, false)
		if c.want == nil {
			shWantErr(t, what, err, false)
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", what, err)
			continue
		}
		shSame(t, what, outs[0], &Tensor{DType: Float32, Shape: c.want, F: x.F})
	}
}

// TestViewsShareStorage checks that view operators run no step: the
// output is the input's memory.
func TestViewsShareStorage(t *testing.T) {
	m := &Model{Opset: 13, inits: map[string]*Tensor{"shape": shI([]int{1}, -1), "ax": shI([]int{1}, 0)},
		Inputs:  []ValueInfo{{Name: "x", DType: Float32}},
		Outputs: []ValueInfo{{Name: "y"}},
		nodes: []*mnode{
			{op: "Reshape", ins: []string{"x", "shape"}, outs: []string{"a"}},
			{op: "Unsqueeze", ins: []string{"a", "ax"}, outs: []string{"b"}},
			{op: "Transpose", ins: []string{"b"}, outs: []string{"c"}, attrs: shAttrs{"perm": []int64{1, 0}}},
			{op: "Identity", ins: []string{"c"}, outs: []string{"y"}},
		}}
	p, err := m.Plan(Options{Shapes: map[string][]int{"x": {2, 3}}})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.SetInput(0, []float32{1, 2, 3, 4, 5, 6}); err != nil {
		t.Fatal(err)
	}
	if err := p.Run(); err != nil {
		t.Fatal(err)
	}
	y := p.Output(0)
	if !sameShape(y.Shape, []int{6, 1}) || &y.F[0] != &p.Input(0).F[0] {
		t.Errorf("output %v at %p, input at %p: want a [6 1] view of the input", y.Shape, &y.F[0], &p.Input(0).F[0])
	}
}

func TestViewErrors(t *testing.T) {
	x := shArange(1, 3, 1, 2)
	for _, c := range []struct {
		opset       int64
		op          string
		attrs       shAttrs
		ins         []*Tensor
		unsupported bool
	}{
		{13, "Reshape", nil, []*Tensor{x, shI([]int{2}, 4, -1)}, false},
		{13, "Reshape", nil, []*Tensor{x}, false},
		{13, "Reshape", shAttrs{"allowzero": int64(1)}, []*Tensor{x, shI([]int{1}, -1)}, true}, // allowzero before opset 14
		{13, "Flatten", shAttrs{"axis": int64(5)}, []*Tensor{x}, false},
		{13, "Flatten", shAttrs{"axis": int64(-5)}, []*Tensor{x}, false},
		{13, "Squeeze", nil, []*Tensor{x, shI([]int{1}, 1)}, false},
		{13, "Squeeze", nil, []*Tensor{x, shI([]int{1}, 4)}, false},
		{13, "Squeeze", nil, []*Tensor{x, shI([]int{2}, 0, -4)}, false},
		{13, "Squeeze", shAttrs{"axes": []int64{0}}, []*Tensor{x}, true}, // attribute moved to an input
		{13, "Unsqueeze", nil, []*Tensor{x}, false},
		{13, "Unsqueeze", nil, []*Tensor{x, shI([]int{2}, 0, 0)}, false},
		{13, "Unsqueeze", nil, []*Tensor{x, shI([]int{1}, 5)}, false},
		{11, "Unsqueeze", nil, []*Tensor{x}, false},
		{13, "Identity", nil, []*Tensor{x, x}, false},
	} {
		_, err := shRun(c.opset, c.op, c.attrs, c.ins, 1, false)
		shWantErr(t, fmt.Sprintf("%s-%d %v %d inputs", c.op, c.opset, c.attrs, len(c.ins)), err, c.unsupported)
	}
}

func TestDropout(t *testing.T) {
	x := shF([]int{2, 2}, 1, -2, 3, -4)
	for _, opset := range []int64{7, 10, 12, 13} {
		outs := shBoth(t, opset, "Dropout", nil, []*Tensor{x}, 2)
		shSame(t, "dropout", outs[0], x)
		mask := &Tensor{DType: Bool, Shape: []int{2, 2}, I: []int64{1, 1, 1, 1}}
		if opset < 10 {
			mask = shF([]int{2, 2}, 1, 1, 1, 1)
		}
		shSame(t, fmt.Sprintf("dropout-%d mask", opset), outs[1], mask)
	}
	on := &Tensor{DType: Bool, Shape: []int{}, I: []int64{1}}
	off := &Tensor{DType: Bool, Shape: []int{}, I: []int64{0}}
	// Training with ratio 0 keeps everything; inference ignores the ratio.
	outs, err := shRun(13, "Dropout", nil, []*Tensor{x, shF([]int{}, 0), on}, 2, true)
	if err != nil {
		t.Fatal(err)
	}
	shSame(t, "training, ratio 0", outs[0], x)
	m := &Model{Opset: 13, inits: map[string]*Tensor{"r": shF([]int{}, 0), "t": on},
		Inputs: []ValueInfo{{Name: "x", DType: Float32}}, Outputs: []ValueInfo{{Name: "y"}},
		nodes: []*mnode{{op: "Dropout", ins: []string{"x", "r", "t"}, outs: []string{"y"}}}}
	p, err := m.Plan(Options{Shapes: map[string][]int{"x": {2, 2}}})
	if err != nil {
		t.Fatalf("training, ratio 0, run-time input: %v", err)
	}
	p.Close()
	outs = shBoth(t, 13, "Dropout", shAttrs{"seed": int64(3)}, []*Tensor{x, shF([]int{}, 0.9), off}, 1)
	shSame(t, "inference, ratio 0.9", outs[0], x)

	_, err = shRun(13, "Dropout", nil, []*Tensor{x, shF([]int{}, 0.5), on}, 1, true)
	shWantErr(t, "training, ratio 0.5", err, true)
	_, err = shRun(13, "Dropout", nil, []*Tensor{x, nil, on}, 1, true)
	shWantErr(t, "training, default ratio", err, true)
	_, err = shRun(13, "Dropout", nil, []*Tensor{x, shF([]int{}, 0), on}, 1, false)
	shWantErr(t, "training, run-time ratio", err, true)
	_, err = shRun(13, "Dropout", shAttrs{"ratio": float32(0.5)}, []*Tensor{x}, 1, false)
	shWantErr(t, "ratio attribute at opset 13", err, true)
}
