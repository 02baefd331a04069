package infer

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

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
