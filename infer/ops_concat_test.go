package infer

import "testing"

func TestConcat(t *testing.T) {
	a := shF([]int{2, 1}, 1, 2)
	b := shF([]int{2, 0})
	c := shF([]int{2, 2}, 3, 4, 5, 6)
	outs := shBoth(t, 13, "Concat", shAttrs{"axis": int64(-1)}, []*Tensor{a, b, c}, 1)
	shSame(t, "axis -1 with an empty input", outs[0], shF([]int{2, 3}, 1, 3, 4, 2, 5, 6))
	outs = shBoth(t, 13, "Concat", shAttrs{"axis": int64(0)}, []*Tensor{c, c}, 1)
	shSame(t, "same input twice", outs[0], shF([]int{4, 2}, 3, 4, 5, 6, 3, 4, 5, 6))
	outs = shBoth(t, 13, "Concat", shAttrs{"axis": int64(0)}, []*Tensor{shI([]int{1}, 1), shI([]int{2}, 2, 3), shI([]int{0})}, 1)
	shSame(t, "int64", outs[0], shI([]int{3}, 1, 2, 3))
	outs = shBoth(t, 1, "Concat", nil, []*Tensor{a, c}, 1)
	shSame(t, "Concat-1 default axis 1", outs[0], shF([]int{2, 3}, 1, 3, 4, 2, 5, 6))
	// A bigger one, split over threads.
	big1, big2 := shArange(3, 300, 20), shArange(3, 100, 20)
	outs = shBoth(t, 13, "Concat", shAttrs{"axis": int64(1)}, []*Tensor{big1, big2}, 1)
	want := NewTensor(Float32, 3, 400, 20)
	for i := 0; i < 3; i++ {
		copy(want.F[i*8000:], big1.F[i*6000:(i+1)*6000])
		copy(want.F[i*8000+6000:], big2.F[i*2000:(i+1)*2000])
	}
	shSame(t, "big", outs[0], want)
	// A constant operand with a run-time one.
	m := &Model{Opset: 13, inits: map[string]*Tensor{"k": shF([]int{1, 2}, 7, 8)},
		Inputs: []ValueInfo{{Name: "x", DType: Float32}}, Outputs: []ValueInfo{{Name: "y"}},
		nodes: []*mnode{{op: "Concat", ins: []string{"k", "x"}, outs: []string{"y"}, attrs: shAttrs{"axis": int64(0)}}}}
	p, err := m.Plan(Options{Shapes: map[string][]int{"x": {1, 2}}})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	_ = p.SetInput(0, []float32{1, 2})
	if err := p.Run(); err != nil {
		t.Fatal(err)
	}
	shSame(t, "constant and run-time", p.Output(0), shF([]int{2, 2}, 7, 8, 1, 2))

	for _, e := range []struct {
		what  string
		opset int64
		attrs shAttrs
		ins   []*Tensor
	}{
		{"no axis", 13, nil, []*Tensor{a, c}},
		{"shapes", 13, shAttrs{"axis": int64(0)}, []*Tensor{a, c}},
		{"ranks", 13, shAttrs{"axis": int64(0)}, []*Tensor{a, shF([]int{2}, 1, 2)}},
		{"types", 13, shAttrs{"axis": int64(0)}, []*Tensor{shI([]int{1}, 1), shF([]int{1}, 1)}},
		{"axis", 13, shAttrs{"axis": int64(2)}, []*Tensor{a, c}},
	} {
		_, err := shRun(e.opset, "Concat", e.attrs, e.ins, 1, false)
		shWantErr(t, e.what, err, false)
	}
}

func TestSplit(t *testing.T) {
	x := shArange(2, 5)
	outs := shBoth(t, 13, "Split", shAttrs{"axis": int64(1)}, []*Tensor{x, shI([]int{3}, 2, 0, 3)}, 3)
	shSame(t, "part 0", outs[0], shF([]int{2, 2}, 0, 1, 5, 6))
	shSame(t, "part 1", outs[1], shF([]int{2, 0}))
	shSame(t, "part 2", outs[2], shF([]int{2, 3}, 2, 3, 4, 7, 8, 9))
	outs = shBoth(t, 11, "Split", nil, []*Tensor{x}, 2)
	shSame(t, "equal 0", outs[0], shF([]int{1, 5}, 0, 1, 2, 3, 4))
	shSame(t, "equal 1", outs[1], shF([]int{1, 5}, 5, 6, 7, 8, 9))
	outs = shBoth(t, 11, "Split", shAttrs{"axis": int64(-1), "split": []int64{4, 1}}, []*Tensor{x}, 2)
	shSame(t, "attr 0", outs[0], shF([]int{2, 4}, 0, 1, 2, 3, 5, 6, 7, 8))
	shSame(t, "attr 1", outs[1], shF([]int{2, 1}, 4, 9))
	outs = shBoth(t, 18, "Split", shAttrs{"axis": int64(1), "num_outputs": int64(3)}, []*Tensor{x}, 3)
	shSame(t, "num_outputs 0", outs[0], shF([]int{2, 2}, 0, 1, 5, 6))
	shSame(t, "num_outputs 1", outs[1], shF([]int{2, 2}, 2, 3, 7, 8))
	shSame(t, "num_outputs 2", outs[2], shF([]int{2, 1}, 4, 9))
	outs = shBoth(t, 13, "Split", nil, []*Tensor{shArangeI(4)}, 2)
	shSame(t, "int64", outs[1], shI([]int{2}, 6, 9))

	for _, e := range []struct {
		what  string
		opset int64
		attrs shAttrs
		ins   []*Tensor
		n     int
	}{
		{"unequal", 13, shAttrs{"axis": int64(1)}, []*Tensor{x}, 2},
		{"sum", 13, shAttrs{"axis": int64(1)}, []*Tensor{x, shI([]int{2}, 2, 2)}, 2},
		{"count", 13, shAttrs{"axis": int64(1)}, []*Tensor{x, shI([]int{2}, 2, 3)}, 3},
		{"negative", 13, shAttrs{"axis": int64(1)}, []*Tensor{x, shI([]int{2}, -1, 6)}, 2},
		{"axis", 13, shAttrs{"axis": int64(2)}, []*Tensor{x}, 1},
	} {
		_, err := shRun(e.opset, "Split", e.attrs, e.ins, e.n, false)
		shWantErr(t, e.what, err, false)
	}
}
