package infer

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"gorgonia.org/tensor"
)

// shRun runs one node through a real plan with three threads. Float32
// inputs are fed at run time unless fold is set; every other input is
// bound with Options.Consts, so that the node is folded. A nil input is
// an omitted optional one. It returns copies of the outputs.
func shRun(opset int64, op string, attrs map[string]interface{}, ins []*Tensor, nOut int, fold bool) ([]*Tensor, error) {
	m := &Model{Opset: opset, inits: map[string]*Tensor{}}
	o := Options{Threads: 3, Shapes: map[string][]int{}, Consts: map[string]*Tensor{}}
	n := &mnode{name: "n", op: op, attrs: attrs}
	var feed [][]float32
	for i, t := range ins {
		if t == nil {
			n.ins = append(n.ins, "")
			continue
		}
		name := fmt.Sprintf("in%d", i)
		n.ins = append(n.ins, name)
		m.Inputs = append(m.Inputs, ValueInfo{Name: name, DType: t.DType})
		if t.DType == Float32 && !fold {
			o.Shapes[name] = t.Shape
			feed = append(feed, t.F)
		} else {
			o.Consts[name] = t
		}
	}
	for j := 0; j < nOut; j++ {
		name := fmt.Sprintf("out%d", j)
		n.outs = append(n.outs, name)
		m.Outputs = append(m.Outputs, ValueInfo{Name: name})
	}
	m.nodes = []*mnode{n}
	p, err := m.Plan(o)
	if err != nil {
		return nil, err
	}
	defer p.Close()
	for i, f := range feed {
		if err := p.SetInput(i, f); err != nil {
			return nil, err
		}
	}
	if err := p.Run(); err != nil {
		return nil, err
	}
	var outs []*Tensor
	for j := 0; j < p.NumOutputs(); j++ {
		outs = append(outs, p.Output(j).Clone())
	}
	return outs, nil
}

// shBoth runs a node at run time and folded (when it has float inputs)
// and checks that both give the same outputs, which it returns.
func shBoth(t *testing.T, opset int64, op string, attrs map[string]interface{}, ins []*Tensor, nOut int) []*Tensor {
	t.Helper()
	run, err := shRun(opset, op, attrs, ins, nOut, false)
	if err != nil {
		t.Fatalf("%s: %v", op, err)
	}
	fold, err := shRun(opset, op, attrs, ins, nOut, true)
	if err != nil {
		t.Fatalf("%s folded: %v", op, err)
	}
	for i := range run {
		shSame(t, fmt.Sprintf("%s output %d folded", op, i), fold[i], run[i])
	}
	return run
}

func shF(shape []int, v ...float32) *Tensor {
	if v == nil {
		v = []float32{}
	}
	return &Tensor{DType: Float32, Shape: shape, F: v}
}

func shI(shape []int, v ...int64) *Tensor {
	if v == nil {
		v = []int64{}
	}
	return &Tensor{DType: Int64, Shape: shape, I: v}
}

// shArange is 0, 1, 2, … in the given shape.
func shArange(shape ...int) *Tensor {
	t := NewTensor(Float32, shape...)
	for i := range t.F {
		t.F[i] = float32(i)
	}
	return t
}

func shArangeI(shape ...int) *Tensor {
	t := NewTensor(Int64, shape...)
	for i := range t.I {
		t.I[i] = int64(i) * 3
	}
	return t
}

// shSame checks dtype, shape and values (NaN equal to NaN).
func shSame(t *testing.T, what string, got, want *Tensor) {
	t.Helper()
	if got.DType != want.DType || !sameShape(got.Shape, want.Shape) {
		t.Errorf("%s: %v%v, want %v%v", what, got.DType, got.Shape, want.DType, want.Shape)
		return
	}
	for i := 0; i < want.Len(); i++ {
		g, w := got.Float64At(i), want.Float64At(i)
		if g != w && !(math.IsNaN(g) && math.IsNaN(w)) {
			t.Errorf("%s: element %d is %v, want %v (got %v)", what, i, g, w, got)
			return
		}
	}
}

func shWantErr(t *testing.T, what string, err error, unsupported bool) {
	t.Helper()
	switch {
	case err == nil:
		t.Errorf("%s: no error", what)
	case errors.Is(err, ErrUnsupported) != unsupported:
		t.Errorf("%s: %v (unsupported: %v, want %v)", what, err, errors.Is(err, ErrUnsupported), unsupported)
	}
}

type shAttrs = map[string]interface{}

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

// refPermute is the reference transpose: out[i] = x[i permuted].
func refPermute(x *Tensor, perm []int) *Tensor {
	shape := make([]int, len(perm))
	for i, p := range perm {
		shape[i] = x.Shape[p]
	}
	y := NewTensor(x.DType, shape...)
	xs, ys := strides(x.Shape), strides(shape)
	for o := 0; o < y.Len(); o++ {
		src := 0
		for i := range shape {
			src += (o / ys[i] % shape[i]) * xs[perm[i]]
		}
		if x.DType.isInt() {
			y.I[o] = x.I[src]
		} else {
			y.F[o] = x.F[src]
		}
	}
	return y
}

func TestTranspose(t *testing.T) {
	x := shArange(2, 3)
	outs := shBoth(t, 13, "Transpose", nil, []*Tensor{x}, 1)
	shSame(t, "default perm", outs[0], shF([]int{3, 2}, 0, 3, 1, 4, 2, 5))

	perms3 := [][]int{{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}}
	cases := []struct {
		shape []int
		perms [][]int
	}{
		{[]int{2, 3, 4}, perms3},
		{[]int{5, 1, 7}, perms3},
		{[]int{0, 3, 2}, perms3},
		{[]int{64, 33}, [][]int{{1, 0}}},
		{[]int{1, 3, 40, 37}, [][]int{{0, 2, 3, 1}, {0, 3, 1, 2}, {3, 2, 1, 0}}},
		{[]int{2, 64, 64, 16}, [][]int{{0, 2, 3, 1}, {0, 3, 1, 2}, {2, 1, 3, 0}}}, // several chunks
		{[]int{2, 3, 2, 3, 2}, [][]int{{4, 0, 3, 1, 2}, {1, 0, 2, 4, 3}}},
		{[]int{}, [][]int{{}}},
	}
	for _, c := range cases {
		x := shArange(c.shape...)
		xi := shArangeI(c.shape...)
		for _, perm := range c.perms {
			p64 := make([]int64, len(perm))
			for i, p := range perm {
				p64[i] = int64(p)
			}
			a := shAttrs{"perm": p64}
			what := fmt.Sprintf("transpose %v by %v", c.shape, perm)
			outs := shBoth(t, 13, "Transpose", a, []*Tensor{x}, 1)
			shSame(t, what, outs[0], refPermute(x, perm))
			outs = shBoth(t, 13, "Transpose", a, []*Tensor{xi}, 1)
			shSame(t, what+" int64", outs[0], refPermute(xi, perm))
		}
	}
	for _, perm := range [][]int64{{0, 1}, {0, 0, 1}, {0, 1, 3}, {-1, 0, 1}} {
		_, err := shRun(13, "Transpose", shAttrs{"perm": perm}, []*Tensor{shArange(2, 3, 4)}, 1, false)
		shWantErr(t, fmt.Sprintf("perm %v", perm), err, false)
	}
}

// refSlice transcribes the ONNX Slice spec for one axis of size n and
// walks it: negative start and end count from the back; start is clamped
// to [0, n] (step > 0) or [0, n-1] (step < 0), end to [0, n] or [-1, n-1].
// This is numpy's a[start:end:step] except for a start before the front
// with a negative step, which the spec clamps to 0 (numpy takes nothing).
func refSlice(start, end, step int64, n int) []int {
	d := int64(n)
	if start < 0 {
		start += d
	}
	if end < 0 {
		end += d
	}
	lo, hi, elo, ehi := int64(0), d, int64(0), d
	if step < 0 {
		hi, elo, ehi = d-1, -1, d-1
	}
	start, end = min(max(start, lo), hi), min(max(end, elo), ehi)
	var idx []int
	for i := start; (step > 0 && i < end) || (step < 0 && i > end); i += step {
		idx = append(idx, int(i))
	}
	return idx
}

func TestSlice1D(t *testing.T) {
	x := shArange(10)
	// Expected values checked against numpy's a[start:stop:step], except
	// where noted.
	for _, c := range []struct {
		start, end, step int64
		want             []float32
	}{
		{2, 8, 3, []float32{2, 5}},
		{-3, math.MaxInt64, 1, []float32{7, 8, 9}},
		{8, 1, -2, []float32{8, 6, 4, 2}},
		{-1, -11, -1, []float32{9, 8, 7, 6, 5, 4, 3, 2, 1, 0}},
		{100, -100, -1, []float32{9, 8, 7, 6, 5, 4, 3, 2, 1, 0}},
		{-100, 100, 4, []float32{0, 4, 8}},
		{5, 5, 1, nil},
		{9, -20, -4, []float32{9, 5, 1}},
		{0, 3, -1, nil},
		{math.MinInt64, math.MaxInt64, math.MaxInt64, []float32{0}},
		{math.MaxInt64, math.MinInt64, math.MinInt64, []float32{9}},
		{-100, -200, -1, []float32{0}}, // by the spec; numpy gives nothing
	} {
		outs := shBoth(t, 13, "Slice", nil, []*Tensor{x, shI([]int{1}, c.start), shI([]int{1}, c.end), nil, shI([]int{1}, c.step)}, 1)
		shSame(t, fmt.Sprintf("x[%d:%d:%d]", c.start, c.end, c.step), outs[0], shF([]int{len(c.want)}, c.want...))
		if got := refSlice(c.start, c.end, c.step, 10); len(got) != len(c.want) {
			t.Errorf("refSlice(%d, %d, %d) = %v, want %v", c.start, c.end, c.step, got, c.want)
		}
	}
}

func TestSliceRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	shape := []int{4, 5, 6}
	x, xi := shArange(shape...), shArangeI(shape...)
	pick := func() int64 {
		switch r.IntN(8) {
		case 0:
			return math.MaxInt64
		case 1:
			return math.MinInt64
		}
		return int64(r.IntN(17) - 8)
	}
	for it := 0; it < 300; it++ {
		var starts, ends, axes, steps []int64
		var idx [3][]int
		for a := range idx {
			for i := 0; i < shape[a]; i++ {
				idx[a] = append(idx[a], i)
			}
		}
		for _, a := range r.Perm(3)[:1+r.IntN(3)] {
			s, e, st := pick(), pick(), int64(r.IntN(7)-3)
			if st == 0 {
				st = 1
			}
			starts, ends, steps = append(starts, s), append(ends, e), append(steps, st)
			ax := int64(a)
			if r.IntN(2) == 0 {
				ax -= 3
			}
			axes = append(axes, ax)
			idx[a] = refSlice(s, e, st, shape[a])
		}
		want := &Tensor{DType: Float32, Shape: make([]int, 3)}
		for a := range idx {
			want.Shape[a] = len(idx[a])
		}
		want.F = []float32{}
		for _, i := range idx[0] {
			for _, j := range idx[1] {
				for _, k := range idx[2] {
					want.F = append(want.F, float32((i*5+j)*6+k))
				}
			}
		}
		n := len(starts)
		ins := []*Tensor{x, shI([]int{n}, starts...), shI([]int{n}, ends...), shI([]int{n}, axes...), shI([]int{n}, steps...)}
		what := fmt.Sprintf("slice starts %v ends %v axes %v steps %v", starts, ends, axes, steps)
		outs := shBoth(t, 13, "Slice", nil, ins, 1)
		shSame(t, what, outs[0], want)
		ins[0] = xi
		outs = shBoth(t, 13, "Slice", nil, ins, 1)
		wi := NewTensor(Int64, want.Shape...)
		for i, v := range want.F {
			wi.I[i] = int64(v) * 3
		}
		shSame(t, what+" int64", outs[0], wi)
	}
}

func TestSliceOldAndErrors(t *testing.T) {
	x := shArange(3, 4)
	outs := shBoth(t, 9, "Slice", shAttrs{"starts": []int64{1, -3}, "ends": []int64{math.MaxInt64, -1}}, []*Tensor{x}, 1)
	shSame(t, "Slice-9", outs[0], shF([]int{2, 2}, 5, 6, 9, 10))
	outs = shBoth(t, 1, "Slice", shAttrs{"starts": []int64{1}, "ends": []int64{2}, "axes": []int64{1}}, []*Tensor{x}, 1)
	shSame(t, "Slice-1 axes", outs[0], shF([]int{3, 1}, 1, 5, 9))
	outs = shBoth(t, 10, "Slice", nil, []*Tensor{x, shI([]int{1}, 1), shI([]int{1}, 3), shI([]int{1}, -1)}, 1)
	shSame(t, "Slice-10 default steps", outs[0], shF([]int{3, 2}, 1, 2, 5, 6, 9, 10))

	i1 := func(v ...int64) *Tensor { return shI([]int{len(v)}, v...) }
	for _, c := range []struct {
		what string
		ins  []*Tensor
	}{
		{"step 0", []*Tensor{x, i1(0), i1(2), i1(0), i1(0)}},
		{"repeated axis", []*Tensor{x, i1(0, 0), i1(2, 2), i1(1, -1)}},
		{"axis out of range", []*Tensor{x, i1(0), i1(2), i1(2)}},
		{"lengths", []*Tensor{x, i1(0, 0), i1(2)}},
		{"steps length", []*Tensor{x, i1(0), i1(2), i1(0), i1(1, 1)}},
	} {
		_, err := shRun(13, "Slice", nil, c.ins, 1, false)
		shWantErr(t, c.what, err, false)
	}
}

func TestGather(t *testing.T) {
	x := shArange(3, 4)
	outs := shBoth(t, 13, "Gather", shAttrs{"axis": int64(1)}, []*Tensor{x, shI([]int{2, 2}, 0, -1, 2, 2)}, 1)
	shSame(t, "axis 1, 2-D indices", outs[0], shF([]int{3, 2, 2}, 0, 3, 2, 2, 4, 7, 6, 6, 8, 11, 10, 10))
	outs = shBoth(t, 13, "Gather", nil, []*Tensor{x, shI([]int{}, -1)}, 1)
	shSame(t, "scalar index", outs[0], shF([]int{4}, 8, 9, 10, 11))
	outs = shBoth(t, 13, "Gather", shAttrs{"axis": int64(-2)}, []*Tensor{x, shI([]int{3}, 2, 0, 2)}, 1)
	shSame(t, "axis -2", outs[0], shF([]int{3, 4}, 8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11))
	outs = shBoth(t, 13, "Gather", nil, []*Tensor{x, shI([]int{0})}, 1)
	shSame(t, "no indices", outs[0], shF([]int{0, 4}))
	i32 := &Tensor{DType: Int32, Shape: []int{2}, I: []int64{1, 0}}
	outs = shBoth(t, 13, "Gather", shAttrs{"axis": int64(1)}, []*Tensor{shArangeI(2, 2), i32}, 1)
	shSame(t, "int64 data, int32 indices", outs[0], shI([]int{2, 2}, 3, 0, 9, 6))
	// Shape arithmetic: Gather of a 1-D int64 shape.
	outs = shBoth(t, 13, "Gather", nil, []*Tensor{shI([]int{4}, 1, 3, 224, 224), shI([]int{}, 0)}, 1)
	shSame(t, "gather shape", outs[0], shI([]int{}, 1))

	for _, c := range []struct {
		what  string
		attrs shAttrs
		ins   []*Tensor
	}{
		{"index too big", nil, []*Tensor{x, shI([]int{1}, 3)}},
		{"index too small", nil, []*Tensor{x, shI([]int{1}, -4)}},
		{"axis", shAttrs{"axis": int64(2)}, []*Tensor{x, shI([]int{1}, 0)}},
		{"scalar data", nil, []*Tensor{shF([]int{}, 1), shI([]int{1}, 0)}},
		{"float indices", nil, []*Tensor{x, shF([]int{1}, 0)}},
	} {
		_, err := shRun(13, "Gather", c.attrs, c.ins, 1, false)
		shWantErr(t, c.what, err, false)
	}
}

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

func TestPad(t *testing.T) {
	x := shF([]int{2, 3}, 1, 2, 3, 4, 5, 6)
	pads := func(v ...int64) *Tensor { return shI([]int{len(v)}, v...) }
	// Expected values checked against numpy.pad.
	for _, c := range []struct {
		what  string
		opset int64
		attrs shAttrs
		ins   []*Tensor
		want  *Tensor
	}{
		{"constant", 11, nil, []*Tensor{x, pads(1, 0, 0, 2), shF([]int{}, 9)},
			shF([]int{3, 5}, 9, 9, 9, 9, 9, 1, 2, 3, 9, 9, 4, 5, 6, 9, 9)},
		{"constant default 0", 13, nil, []*Tensor{x, pads(0, 1, 0, 0)},
			shF([]int{2, 4}, 0, 1, 2, 3, 0, 4, 5, 6)},
		{"reflect", 13, shAttrs{"mode": "reflect"}, []*Tensor{x, pads(0, 2, 0, 2)},
			shF([]int{2, 7}, 3, 2, 1, 2, 3, 2, 1, 6, 5, 4, 5, 6, 5, 4)},
		{"edge", 13, shAttrs{"mode": "edge"}, []*Tensor{x, pads(1, 1, 1, 1)},
			shF([]int{4, 5}, 1, 1, 2, 3, 3, 1, 1, 2, 3, 3, 4, 4, 5, 6, 6, 4, 4, 5, 6, 6)},
		{"crop", 13, nil, []*Tensor{x, pads(0, -1, 0, 1)},
			shF([]int{2, 3}, 2, 3, 0, 5, 6, 0)},
		{"crop rows", 13, nil, []*Tensor{x, pads(-1, 0, 1, 0)},
			shF([]int{2, 3}, 4, 5, 6, 0, 0, 0)},
		{"edge after crop", 13, shAttrs{"mode": "edge"}, []*Tensor{shF([]int{4}, 1, 2, 3, 4), pads(-1, 2)},
			shF([]int{5}, 2, 3, 4, 4, 4)},
		{"reflect beyond the data", 13, shAttrs{"mode": "reflect"}, []*Tensor{shF([]int{3}, 1, 2, 3), pads(5, 5)},
			shF([]int{13}, 2, 1, 2, 3, 2, 1, 2, 3, 2, 1, 2, 3, 2)},
		{"reflect of one", 13, shAttrs{"mode": "reflect"}, []*Tensor{shF([]int{1}, 7), pads(2, 2)},
			shF([]int{5}, 7, 7, 7, 7, 7)},
		{"Pad-2 attributes", 2, shAttrs{"pads": []int64{0, 1, 1, 0}, "value": float32(-1)}, []*Tensor{x},
			shF([]int{3, 4}, -1, 1, 2, 3, -1, 4, 5, 6, -1, -1, -1, -1)},
		{"Pad-1 paddings", 1, shAttrs{"paddings": []int64{1, 0, 0, 0}, "mode": "edge"}, []*Tensor{x},
			shF([]int{3, 3}, 1, 2, 3, 1, 2, 3, 4, 5, 6)},
		{"Pad-18 axes", 18, nil, []*Tensor{x, pads(1, 2), shF([]int{}, 5), pads(-1)},
			shF([]int{2, 6}, 5, 1, 2, 3, 5, 5, 5, 4, 5, 6, 5, 5)},
		{"empty dimension, constant", 13, nil, []*Tensor{shF([]int{2, 0}), pads(0, 1, 0, 1)},
			shF([]int{2, 2}, 0, 0, 0, 0)},
		{"int64 edge", 13, shAttrs{"mode": "edge"}, []*Tensor{shI([]int{1, 2}, 5, 6), pads(1, 0, 0, 1)},
			shI([]int{2, 3}, 5, 6, 6, 5, 6, 6)},
		{"int64 constant", 13, nil, []*Tensor{shI([]int{2}, 5, 6), pads(1, 1), shI([]int{}, -3)},
			shI([]int{4}, -3, 5, 6, -3)},
	} {
		outs := shBoth(t, c.opset, "Pad", c.attrs, c.ins, 1)
		shSame(t, c.what, outs[0], c.want)
	}
	// NCHW feature maps against a reference that pads index by index.
	r := rand.New(rand.NewPCG(7, 8))
	for _, mode := range []string{"constant", "reflect", "edge"} {
		for it := 0; it < 20; it++ {
			shape := []int{1 + r.IntN(2), 1 + r.IntN(4), 2 + r.IntN(30), 2 + r.IntN(30)}
			p := make([]int64, 8)
			for i := range p {
				if r.IntN(2) == 0 {
					p[i] = int64(r.IntN(3))
				}
			}
			x := shArange(shape...)
			outs := shBoth(t, 13, "Pad", shAttrs{"mode": mode}, []*Tensor{x, shI([]int{8}, p...), shF([]int{}, -1)}, 1)
			shSame(t, fmt.Sprintf("%s %v pads %v", mode, shape, p), outs[0], refPad(x, p, mode, -1))
		}
	}
	// Crops too, including ones that leave nothing of an axis.
	for it := 0; it < 300; it++ {
		shape := []int{1 + r.IntN(3), 1 + r.IntN(5)}
		p := make([]int64, 4)
		for i := range p {
			p[i] = int64(r.IntN(13) - 6)
		}
		out := []int{shape[0] + int(p[0]+p[2]), shape[1] + int(p[1]+p[3])}
		mode := "constant"
		if kept := []int{shape[0] - max(0, -int(p[0])) - max(0, -int(p[2])), shape[1] - max(0, -int(p[1])) - max(0, -int(p[3]))}; kept[0] > 0 && kept[1] > 0 && r.IntN(2) == 0 {
			mode = []string{"reflect", "edge"}[r.IntN(2)]
		}
		x := shArange(shape...)
		ins := []*Tensor{x, shI([]int{4}, p...), shF([]int{}, -1)}
		what := fmt.Sprintf("%s %v pads %v", mode, shape, p)
		if out[0] < 0 || out[1] < 0 {
			_, err := shRun(13, "Pad", shAttrs{"mode": mode}, ins, 1, false)
			shWantErr(t, what, err, false)
			continue
		}
		outs := shBoth(t, 13, "Pad", shAttrs{"mode": mode}, ins, 1)
		if !sameShape(outs[0].Shape, out) {
			t.Errorf("%s: shape %v, want %v", what, outs[0].Shape, out)
		}
		if p[0] < -int64(shape[0]) || p[2] < -int64(shape[0]) || p[1] < -int64(shape[1]) || p[3] < -int64(shape[1]) ||
			p[0]+p[2] < -int64(shape[0]) || p[1]+p[3] < -int64(shape[1]) {
			// Crops that overlap or pass the far end keep nothing.
			for i := 0; i < outs[0].Len(); i++ {
				if outs[0].F[i] != -1 {
					t.Errorf("%s: %v, want all -1", what, outs[0].F)
					break
				}
			}
			continue
		}
		shSame(t, what, outs[0], refPad(x, p, mode, -1))
	}
	for _, e := range []struct {
		what        string
		opset       int64
		attrs       shAttrs
		ins         []*Tensor
		unsupported bool
	}{
		{"wrap", 13, shAttrs{"mode": "wrap"}, []*Tensor{x, pads(0, 0, 0, 0)}, true},
		{"pads length", 13, nil, []*Tensor{x, pads(1, 1)}, false},
		{"negative size", 13, nil, []*Tensor{x, pads(0, -2, 0, -2)}, false},
		{"edge of nothing", 13, shAttrs{"mode": "edge"}, []*Tensor{shF([]int{0}), pads(1, 1)}, false},
		{"reflect of a cropped-away dimension", 13, shAttrs{"mode": "reflect"}, []*Tensor{shF([]int{2}, 1, 2), pads(-2, 1)}, false},
		{"axes before opset 18", 13, nil, []*Tensor{x, pads(1, 1), nil, pads(0)}, false},
		{"constant not a scalar", 13, nil, []*Tensor{x, pads(0, 0, 0, 0), shF([]int{2}, 1, 2)}, false},
	} {
		_, err := shRun(e.opset, "Pad", e.attrs, e.ins, 1, false)
		shWantErr(t, e.what, err, e.unsupported)
	}
}

// refPad pads element by element: negative pads crop first, then the
// rest pads the cropped tensor the way numpy.pad does.
func refPad(x *Tensor, pads []int64, mode string, c float32) *Tensor {
	r := len(x.Shape)
	cropped := false
	for _, p := range pads {
		cropped = cropped || p < 0
	}
	if cropped {
		lo := make([]int, r)
		shape := make([]int, r)
		rest := make([]int64, 2*r)
		for i, d := range x.Shape {
			lo[i] = max(0, -int(pads[i]))
			shape[i] = max(0, d-lo[i]-max(0, -int(pads[r+i])))
			rest[i], rest[r+i] = max(0, pads[i]), max(0, pads[r+i])
		}
		cx := NewTensor(Float32, shape...)
		xs, cs := strides(x.Shape), strides(shape)
		for o := range cx.F {
			src := 0
			for i := range shape {
				src += (o/cs[i]%shape[i] + lo[i]) * xs[i]
			}
			cx.F[o] = x.F[src]
		}
		return refPad(cx, rest, mode, c)
	}
	shape := make([]int, r)
	for i, d := range x.Shape {
		shape[i] = d + int(pads[i]+pads[r+i])
	}
	y := NewTensor(Float32, shape...)
	xs, ys := strides(x.Shape), strides(shape)
	for o := range y.F {
		src, blank := 0, false
		for i := range shape {
			j := o/ys[i]%shape[i] - int(pads[i])
			n := x.Shape[i]
			for j < 0 || j >= n {
				switch {
				case mode == "constant":
					blank = true
					j, n = 0, 1
				case mode == "edge":
					j = max(0, min(n-1, j))
				case n == 1:
					j = 0
				case j < 0:
					j = -j
				default:
					j = 2*(n-1) - j
				}
			}
			src += j * xs[i]
		}
		if blank {
			y.F[o] = c
		} else {
			y.F[o] = x.F[src]
		}
	}
	return y
}

func TestPadRuntimeConstant(t *testing.T) {
	// constant_value as a run-time input, as in the ONNX test_constant_pad.
	m := &Model{Opset: 13, inits: map[string]*Tensor{"pads": shI([]int{2}, 1, 1)},
		Inputs:  []ValueInfo{{Name: "x", DType: Float32}, {Name: "v", DType: Float32}},
		Outputs: []ValueInfo{{Name: "y"}},
		nodes:   []*mnode{{op: "Pad", ins: []string{"x", "pads", "v"}, outs: []string{"y"}}}}
	p, err := m.Plan(Options{Shapes: map[string][]int{"x": {2}, "v": {}}})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	_ = p.SetInput(0, []float32{1, 2})
	for _, v := range []float32{3, -4} {
		_ = p.SetInput(1, []float32{v})
		if err := p.Run(); err != nil {
			t.Fatal(err)
		}
		shSame(t, "run-time constant", p.Output(0), shF([]int{4}, v, 1, 2, v))
	}
}

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

// TestShapeOpsGraph runs a graph built by testdata/shapeops/gen.py: a
// run-time chain of data movement on a feature map and a folded shape
// chain, checked against numpy.
func TestShapeOpsGraph(t *testing.T) {
	dir := filepath.Join("testdata", "shapeops")
	m, err := LoadFile(filepath.Join(dir, "model.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	read := func(name string) *Tensor {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		_, x, err := DecodeTensorProto(b)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	x, want := read("input.pb"), read("output.pb")
	for _, threads := range []int{1, 3} {
		p, err := m.Plan(Options{Threads: threads})
		if err != nil {
			t.Fatal(err)
		}
		if err := p.SetInput(0, x.F); err != nil {
			t.Fatal(err)
		}
		if err := p.Run(); err != nil {
			t.Fatal(err)
		}
		shSame(t, fmt.Sprintf("threads %d", threads), p.Output(0), want)
		if a := testing.AllocsPerRun(10, func() { _ = p.Run() }); a != 0 {
			t.Errorf("threads %d: %v allocations per run, want 0", threads, a)
		}
		p.Close()
	}
}

func BenchmarkTransposeNCHWToNHWC(b *testing.B) {
	benchShapeOp(b, "Transpose", shAttrs{"perm": []int64{0, 2, 3, 1}}, []*Tensor{shArange(1, 64, 56, 56)})
}

func BenchmarkPadReflect(b *testing.B) {
	benchShapeOp(b, "Pad", shAttrs{"mode": "reflect"}, []*Tensor{shArange(1, 64, 56, 56), shI([]int{8}, 0, 0, 1, 1, 0, 0, 1, 1)})
}

func BenchmarkSliceStep2(b *testing.B) {
	benchShapeOp(b, "Slice", nil, []*Tensor{shArange(1, 64, 56, 56), shI([]int{2}, 0, 0), shI([]int{2}, 56, 56), shI([]int{2}, 2, 3), shI([]int{2}, 2, 2)})
}

func benchShapeOp(b *testing.B, op string, attrs shAttrs, ins []*Tensor) {
	m := &Model{Opset: 13, inits: map[string]*Tensor{}, Inputs: []ValueInfo{{Name: "x", DType: Float32}},
		Outputs: []ValueInfo{{Name: "y"}}}
	names := []string{"x"}
	for i, c := range ins[1:] {
		name := fmt.Sprintf("c%d", i)
		m.inits[name] = c
		names = append(names, name)
	}
	m.nodes = []*mnode{{op: op, ins: names, outs: []string{"y"}, attrs: attrs}}
	p, err := m.Plan(Options{Threads: 1, Shapes: map[string][]int{"x": ins[0].Shape}})
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	b.SetBytes(int64(4 * ins[0].Len()))
	for b.Loop() {
		_ = p.Run()
	}
}
