package infer

import (
	"errors"
	"fmt"
	"math"
	"testing"
)

// refReduce is the definition of the reductions: every input element
// goes to the output element its kept coordinates name.
func refReduce(op string, x []float32, shape []int, axes []int) []float32 {
	red := make([]bool, len(shape))
	for _, a := range axes {
		red[(a+len(shape))%len(shape)] = true
	}
	if len(axes) == 0 {
		for i := range red {
			red[i] = true
		}
	}
	outN, count := 1, 1
	for i, d := range shape {
		if red[i] {
			count *= d
		} else {
			outN *= d
		}
	}
	acc := make([]float64, outN)
	for i := range acc {
		switch op {
		case "ReduceMax":
			acc[i] = math.Inf(-1)
		case "ReduceMin":
			acc[i] = math.Inf(1)
		case "ReduceProd":
			acc[i] = 1
		}
	}
	st := strides(shape)
	for i, v := range x {
		o := 0
		for d := range shape {
			if !red[d] {
				o = o*shape[d] + (i/st[d])%shape[d]
			}
		}
		switch op {
		case "ReduceMax":
			acc[o] = math.Max(acc[o], float64(v))
		case "ReduceMin":
			acc[o] = math.Min(acc[o], float64(v))
		case "ReduceL2", "ReduceSumSquare":
			acc[o] += float64(v) * float64(v)
		case "ReduceL1":
			acc[o] += math.Abs(float64(v))
		case "ReduceProd":
			acc[o] *= float64(v)
		case "ReduceLogSumExp":
			acc[o] += math.Exp(float64(v))
		default:
			acc[o] += float64(v)
		}
	}
	out := make([]float32, outN)
	for i, v := range acc {
		switch op {
		case "ReduceMean":
			v /= float64(count)
		case "ReduceL2":
			v = math.Sqrt(v)
		case "ReduceLogSum", "ReduceLogSumExp":
			v = math.Log(v)
		}
		out[i] = float32(v)
	}
	return out
}

func reduceOutShape(shape []int, axes []int, keep bool) []int {
	red := make([]bool, len(shape))
	for _, a := range axes {
		red[(a+len(shape))%len(shape)] = true
	}
	var out []int
	for i, d := range shape {
		switch {
		case len(axes) > 0 && !red[i]:
			out = append(out, d)
		case keep:
			out = append(out, 1)
		}
	}
	return out
}

// reduceModel builds a one-node reduction; at or after axesInput the axes
// are a constant input, before it an attribute.
func reduceModel(op string, opset int64, dims []int64, axes []int, keep bool) []byte {
	g := newGB(opset).input("x", dims...).output("y")
	attrs := [][]byte{attrInt("keepdims", map[bool]int64{false: 0, true: 1}[keep])}
	ins := []string{"x"}
	axesInput := int64(18)
	if op == "ReduceSum" {
		axesInput = 13
	}
	a64 := make([]int64, len(axes))
	for i, a := range axes {
		a64[i] = int64(a)
	}
	if opset >= axesInput {
		if len(axes) > 0 {
			g.initI("axes", []int64{int64(len(axes))}, a64)
			ins = append(ins, "axes")
		}
	} else if len(axes) > 0 {
		attrs = append(attrs, attrInts("axes", a64...))
	}
	g.node("r", op, ins, []string{"y"}, attrs...)
	return g.bytes()
}

func TestReduceByHand(t *testing.T) {
	x := []float32{1, 2, 3, 4, 5, 6} // [[1 2 3] [4 5 6]]
	cases := []struct {
		op   string
		axes []int
		want []float32
	}{
		{"ReduceSum", []int{1}, []float32{6, 15}},
		{"ReduceSum", []int{0}, []float32{5, 7, 9}},
		{"ReduceSum", nil, []float32{21}},
		{"ReduceMean", []int{-1}, []float32{2, 5}},
		{"ReduceMean", []int{0, 1}, []float32{3.5}},
		{"ReduceMax", []int{1}, []float32{3, 6}},
		{"ReduceMax", []int{-2}, []float32{4, 5, 6}},
		{"ReduceL2", []int{1}, []float32{float32(math.Sqrt(14)), float32(math.Sqrt(77))}},
	}
	for _, c := range cases {
		y := calcRun(t, reduceModel(c.op, 13, []int64{2, 3}, c.axes, false), 1, x)[0]
		calcClose(t, c.op, y.F, c.want, 1e-6, 0)
	}
}

// TestReduceAxes checks every subset of axes of a rank-4 tensor, both
// ways of giving the axes, keepdims on and off, against refReduce.
func TestReduceAxes(t *testing.T) {
	shape := []int{2, 3, 1, 5}
	dims := []int64{2, 3, 1, 5}
	x := make([]float32, numel(shape))
	for i := range x {
		x[i] = float32((i*7)%11) - 4.5
	}
	for _, op := range []string{"ReduceSum", "ReduceMean", "ReduceMax", "ReduceL2",
		"ReduceMin", "ReduceL1", "ReduceSumSquare", "ReduceLogSum", "ReduceLogSumExp", "ReduceProd"} {
		for _, opset := range []int64{11, 18} {
			for mask := 0; mask < 16; mask++ {
				var axes []int
				for a := 0; a < 4; a++ {
					if mask&(1<<a) != 0 {
						ax := a
						if a%2 == 1 {
							ax -= 4 // negative spelling of odd axes
						}
						axes = append(axes, ax)
					}
				}
				for _, keep := range []bool{false, true} {
					y := calcRun(t, reduceModel(op, opset, dims, axes, keep), 2, x)[0]
					what := fmt.Sprintf("%s opset %d axes %v keep %v", op, opset, axes, keep)
					calcShape(t, what, y.Shape, reduceOutShape(shape, axes, keep))
					calcClose(t, what, y.F, refReduce(op, x, shape, axes), 1e-6, 1e-6)
				}
			}
		}
	}
}

// TestReduceNoopEmptyAxes gives ReduceSum an empty axes input (bound
// with Options.Consts).
func TestReduceNoopEmptyAxes(t *testing.T) {
	x := []float32{1, -2, 3, 4}
	o := Options{Threads: 1, Consts: map[string]*Tensor{"axes": {DType: Int64, Shape: []int{0}, I: []int64{}}}}
	g := newGB(13).input("x", 2, 2).output("y")
	g.inputs = append(g.inputs, valueInfo("axes", Int64, 0))
	g.node("r", "ReduceSum", []string{"x", "axes"}, []string{"y"}, attrInt("noop_with_empty_axes", 1))
	y := calcRunOpts(t, g.bytes(), o, x)[0]
	calcShape(t, "noop", y.Shape, []int{2, 2})
	calcClose(t, "noop", y.F, x, 0, 0)
	// without noop, empty axes reduce everything
	g = newGB(13).input("x", 2, 2).output("y")
	g.inputs = append(g.inputs, valueInfo("axes", Int64, 0))
	g.node("r", "ReduceSum", []string{"x", "axes"}, []string{"y"}, attrInt("keepdims", 0))
	y = calcRunOpts(t, g.bytes(), o, x)[0]
	calcShape(t, "all", y.Shape, nil)
	calcClose(t, "all", y.F, []float32{6}, 0, 0)
}

func TestReduceMaxNaNAndEmpty(t *testing.T) {
	nan := float32(math.NaN())
	y := calcRun(t, reduceModel("ReduceMax", 13, []int64{2, 3}, []int{1}, true), 1, []float32{1, nan, 3, 4, 5, 6})[0]
	calcClose(t, "nan", y.F, []float32{nan, 6}, 0, 0)
	// a reduced axis of length 0: sums are 0, the maximum -Inf, the mean NaN
	inf := float32(math.Inf(1))
	for op, want := range map[string]float32{"ReduceSum": 0, "ReduceMax": -inf, "ReduceMean": nan, "ReduceL2": 0,
		"ReduceMin": inf, "ReduceL1": 0, "ReduceSumSquare": 0, "ReduceLogSum": -inf, "ReduceLogSumExp": -inf, "ReduceProd": 1} {
		o := Options{Threads: 1, Shapes: map[string][]int{"x": {2, 0}}}
		y := calcRunOpts(t, reduceModel(op, 13, []int64{2, -1}, []int{1}, false), o, []float32{})[0]
		calcShape(t, op, y.Shape, []int{2})
		calcClose(t, op, y.F, []float32{want, want}, 0, 0)
	}
}

// TestReduceSumAccuracy sums many values whose float32 running sum would
// drift: the kernel accumulates in float64.
// TestReduceMoreByHand checks the reductions that walk element by
// element on values where they differ from a plain sum: NaN wins Min,
// LogSumExp of large values does not overflow, infinities pass through.
func TestReduceMoreByHand(t *testing.T) {
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	x := []float32{1000, 1000, -2, nan, 3, 0.5, -inf, -inf, inf, 2}
	for _, c := range []struct {
		op   string
		want []float32
	}{
		{"ReduceMin", []float32{1000, nan, 0.5, -inf, 2}},
		{"ReduceLogSumExp", []float32{1000 + float32(math.Ln2), nan, 3.0788891, -inf, inf}},
		{"ReduceProd", []float32{1e6, nan, 1.5, inf, inf}},
		{"ReduceL1", []float32{2000, nan, 3.5, inf, inf}},
		{"ReduceSumSquare", []float32{2e6, nan, 9.25, inf, inf}},
	} {
		y := calcRun(t, reduceModel(c.op, 18, []int64{5, 2}, []int{1}, false), 1, x)[0]
		calcClose(t, c.op, y.F, c.want, 1e-6, 0)
	}
	for _, op := range []string{"ReduceMin", "ReduceLogSumExp", "ReduceProd"} {
		checkNoAllocs(t, reduceModel(op, 18, []int64{4, 5, 6}, []int{0, 2}, true))
	}
}

func TestReduceSumAccuracy(t *testing.T) {
	const n = 1 << 20
	x := make([]float32, n)
	for i := range x {
		x[i] = 0.1
	}
	y := calcRun(t, reduceModel("ReduceMean", 13, []int64{n}, nil, false), 1, x)[0]
	calcClose(t, "mean", y.F, []float32{0.1}, 1e-6, 0)
}

func TestReduceIntFold(t *testing.T) {
	c := []int64{2, 3, 5, -7, 11, 13}
	for _, tc := range []struct {
		op   string
		axes []int64
		want []int64
	}{
		{"ReduceSum", []int64{1}, []int64{10, 17}},
		{"ReduceSum", nil, []int64{27}},
		{"ReduceMax", []int64{0}, []int64{2, 11, 13}},
		{"ReduceMin", []int64{0}, []int64{-7, 3, 5}},
		{"ReduceProd", []int64{1}, []int64{30, -1001}},
	} {
		g := newGB(13).output("y").initI("c", []int64{2, 3}, c)
		ins := []string{"c"}
		attrs := [][]byte{attrInt("keepdims", 0)}
		if tc.op == "ReduceSum" {
			if tc.axes != nil {
				g.initI("axes", []int64{int64(len(tc.axes))}, tc.axes)
				ins = append(ins, "axes")
			}
		} else {
			attrs = append(attrs, attrInts("axes", tc.axes...))
		}
		g.node("r", tc.op, ins, []string{"y"}, attrs...)
		y := calcRun(t, g.bytes(), 1)[0]
		if y.DType != Int64 || len(y.I) != len(tc.want) {
			t.Fatalf("%s: %v %v, want int64 %v", tc.op, y.DType, y.I, tc.want)
		}
		for i := range tc.want {
			if y.I[i] != tc.want[i] {
				t.Errorf("%s: element %d = %d, want %d", tc.op, i, y.I[i], tc.want[i])
			}
		}
	}
}

func TestReduceErrors(t *testing.T) {
	dup := reduceModel("ReduceMean", 13, []int64{2, 3}, []int{1, -1}, true)
	if err := calcPlanErr(dup); err == nil || errors.Is(err, ErrUnsupported) {
		t.Errorf("duplicate axes: error %v, want a model error", err)
	}
	out := reduceModel("ReduceMax", 13, []int64{2, 3}, []int{2}, true)
	if err := calcPlanErr(out); err == nil || errors.Is(err, ErrUnsupported) {
		t.Errorf("axis out of range: error %v, want a model error", err)
	}
	g := newGB(13).output("y").initI("c", []int64{2}, []int64{1, 2})
	g.node("r", "ReduceMean", []string{"c"}, []string{"y"})
	if err := calcPlanErr(g.bytes()); !errors.Is(err, ErrUnsupported) {
		t.Errorf("ReduceMean of int64: error %v, want ErrUnsupported", err)
	}
	// opset 13 ReduceMean still takes axes as an attribute, not an input
	g = newGB(13).input("x", 2, 3).output("y").initI("axes", []int64{1}, []int64{1})
	g.node("r", "ReduceMean", []string{"x", "axes"}, []string{"y"})
	if err := calcPlanErr(g.bytes()); err == nil {
		t.Errorf("ReduceMean opset 13 with an axes input: no error")
	}
}
