package infer

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"
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
