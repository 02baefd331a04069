package infer

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

func shB(shape []int, v ...int64) *Tensor { return &Tensor{DType: Bool, Shape: shape, I: v} }

// TestCompare folds each comparison on broadcast float32 and int64
// constants and checks it against Go's operators; NaN compares false.
// On float32 it also runs at run time, alike.
func TestCompare(t *testing.T) {
	nan := float32(math.NaN())
	xf := shF([]int{2, 3}, 1, 2, 3, nan, -1, 2)
	yf := shF([]int{3}, 2, 2, nan)
	xi := shI([]int{2, 3}, 1, 2, 3, 4, -1, 2)
	yi := shI([]int{3}, 2, 2, 0)
	ops := map[string]func(a, b float64) bool{
		"Equal":          func(a, b float64) bool { return a == b },
		"Less":           func(a, b float64) bool { return a < b },
		"LessOrEqual":    func(a, b float64) bool { return a <= b },
		"Greater":        func(a, b float64) bool { return a > b },
		"GreaterOrEqual": func(a, b float64) bool { return a >= b },
	}
	for op, f := range ops {
		for _, in := range [][2]*Tensor{{xf, yf}, {xi, yi}} {
			want := shB([]int{2, 3}, make([]int64, 6)...)
			for i := range want.I {
				if f(in[0].Float64At(i), in[1].Float64At(i%3)) {
					want.I[i] = 1
				}
			}
			for _, folded := range []bool{true, false} {
				if !folded && in[0].DType != Float32 {
					continue // integers are constants only
				}
				outs, err := shRun(13, op, nil, in[:], 1, folded)
				if err != nil {
					t.Fatalf("%s: %v", op, err)
				}
				shSame(t, fmt.Sprintf("%s %v folded %v", op, in[0].DType, folded), outs[0], want)
			}
		}
		_, err := shRun(13, op, nil, []*Tensor{xf, yi}, 1, true)
		shWantErr(t, op+" of mixed types", err, false)
	}
	outs, err := shRun(13, "Equal", nil, []*Tensor{shB([]int{3}, 1, 0, 1), shB([]int{1}, 1)}, 1, true)
	if err != nil {
		t.Fatal(err)
	}
	shSame(t, "Equal of bools", outs[0], shB([]int{3}, 1, 0, 1))
}

// TestRunTimeBools: a mask computed at run time (Greater), negated
// (Not), combined (And with a constant, Or), selecting (Where) and cast to
// float32 (Cast), every step at run time, at 1 and 3 threads; a step that
// does not read bools (a Reshape of the mask) is refused, named.
func TestRunTimeBools(t *testing.T) {
	g := newGB(13).input("x", 2, 4).output("sel").output("maskf").
		initF("half", []int64{1}, []float32{0.5}).initF("zero", []int64{1}, []float32{0})
	g.node("gt", "Greater", []string{"x", "half"}, []string{"m"})
	g.node("lt", "Less", []string{"x", "zero"}, []string{"neg"})
	g.node("not", "Not", []string{"m"}, []string{"nm"})
	g.node("and", "And", []string{"nm", "neg"}, []string{"both"})
	g.node("or", "Or", []string{"m", "both"}, []string{"any"})
	g.node("w", "Where", []string{"any", "x", "zero"}, []string{"sel"})
	g.node("c", "Cast", []string{"any"}, []string{"maskf"}, attrInt("to", 1))
	x := []float32{0.2, 0.7, -1, 0.5, 3, -0.1, 0, 0.6}
	for _, threads := range []int{1, 3} {
		out := calcRun(t, g.bytes(), threads, x)
		wantSel := []float32{0, 0.7, -1, 0, 3, -0.1, 0, 0.6}
		wantMask := []float32{0, 1, 1, 0, 1, 1, 0, 1}
		for i := range x {
			if out[0].F[i] != wantSel[i] || out[1].F[i] != wantMask[i] {
				t.Fatalf("%d threads: Where %v, mask %v; want %v, %v", threads, out[0].F, out[1].F, wantSel, wantMask)
			}
		}
	}
	g = newGB(13).input("x", 2, 4).output("y").initF("half", []int64{1}, []float32{0.5}).initI("shape", []int64{1}, []int64{8})
	g.node("gt", "Greater", []string{"x", "half"}, []string{"m"})
	g.node("r", "Reshape", []string{"m", "shape"}, []string{"mr"})
	g.node("c", "Cast", []string{"mr"}, []string{"y"}, attrInt("to", 1))
	err := calcPlanErr(g.bytes())
	if err == nil || !strings.Contains(err.Error(), `"r"`) || !strings.Contains(err.Error(), "run time") {
		t.Errorf("a Reshape of a run-time mask: %v, want an error naming it", err)
	}
}

func TestLogic(t *testing.T) {
	a := shB([]int{2, 2}, 0, 0, 1, 1)
	b := shB([]int{2}, 0, 1)
	for op, want := range map[string][]int64{"And": {0, 0, 0, 1}, "Or": {0, 1, 1, 1}, "Xor": {0, 1, 1, 0}} {
		outs, err := shRun(13, op, nil, []*Tensor{a, b}, 1, true)
		if err != nil {
			t.Fatalf("%s: %v", op, err)
		}
		shSame(t, op, outs[0], shB([]int{2, 2}, want...))
		_, err = shRun(13, op, nil, []*Tensor{shI([]int{1}, 1), shI([]int{1}, 1)}, 1, true)
		shWantErr(t, op+" of int64", err, false)
	}
	outs, err := shRun(13, "Not", nil, []*Tensor{a}, 1, true)
	if err != nil {
		t.Fatal(err)
	}
	shSame(t, "Not", outs[0], shB([]int{2, 2}, 1, 1, 0, 0))
	_, err = shRun(13, "Not", nil, []*Tensor{shF([]int{1}, 1)}, 1, true)
	shWantErr(t, "Not of float", err, false)
}

// TestWhere selects between run-time float32 inputs by a constant
// condition, all three broadcast, and folds int64 constants.
func TestWhere(t *testing.T) {
	c := shB([]int{3, 1}, 1, 0, 1)
	x := shArange(2, 1, 4)
	y := shF([]int{4}, -1, -2, -3, -4)
	want := NewTensor(Float32, 2, 3, 4)
	for i := range want.F {
		b, r, j := i/12, (i/4)%3, i%4
		if c.I[r] != 0 {
			want.F[i] = x.F[b*4+j]
		} else {
			want.F[i] = y.F[j]
		}
	}
	outs := shBoth(t, 16, "Where", nil, []*Tensor{c, x, y}, 1)
	shSame(t, "where", outs[0], want)
	outs, err := shRun(16, "Where", nil, []*Tensor{shB([]int{}, 0), shI([]int{2}, 1, 2), shI([]int{1}, 7)}, 1, true)
	if err != nil {
		t.Fatal(err)
	}
	shSame(t, "where int64", outs[0], shI([]int{2}, 7, 7))
	_, err = shRun(16, "Where", nil, []*Tensor{shF([]int{1}, 1), x, y}, 1, false)
	shWantErr(t, "float condition", err, false)
	_, err = shRun(16, "Where", nil, []*Tensor{c, x, shI([]int{1}, 7)}, 1, false)
	shWantErr(t, "mixed types", err, false)
	_, err = shRun(16, "Where", nil, []*Tensor{shB([]int{2}, 1, 0), x, y}, 1, false)
	shWantErr(t, "shapes that do not broadcast", err, false)
	g := newGB(16).input("x", 5, 6).input("y", 6).output("z")
	g.inits = append(g.inits, msg(fVarint(fTensorDims, 6), fVarint(fTensorDataType, int64(Bool)),
		fBytes(fTensorInt32s, []byte{1, 0, 0, 1, 1, 0}), fString(fTensorName, "c")))
	g.node("w", "Where", []string{"c", "x", "y"}, []string{"z"})
	checkNoAllocs(t, g.bytes())
}
