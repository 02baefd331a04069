package infer

import (
	"errors"
	"math"
	"testing"
)

// calcRun loads model, plans it for threads, feeds xs to the runtime
// inputs in order, runs it and returns copies of the outputs.
func calcRun(t *testing.T, model []byte, threads int, xs ...[]float32) []*Tensor {
	t.Helper()
	return calcRunOpts(t, model, Options{Threads: threads}, xs...)
}

// calcRunOpts is calcRun with plan options.
func calcRunOpts(t *testing.T, model []byte, o Options, xs ...[]float32) []*Tensor {
	t.Helper()
	m, err := Load(model)
	if err != nil {
		t.Fatal(err)
	}
	p, err := m.Plan(o)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if p.NumInputs() != len(xs) {
		t.Fatalf("the plan has %d runtime inputs, %d given", p.NumInputs(), len(xs))
	}
	for i, x := range xs {
		if err := p.SetInput(i, x); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Run(); err != nil {
		t.Fatal(err)
	}
	var outs []*Tensor
	for i := 0; i < p.NumOutputs(); i++ {
		outs = append(outs, p.Output(i).Clone())
	}
	return outs
}

// calcPlanErr returns the error of loading and planning model.
func calcPlanErr(model []byte) error {
	m, err := Load(model)
	if err != nil {
		return err
	}
	p, err := m.Plan(Options{Threads: 1})
	if err != nil {
		return err
	}
	p.Close()
	return nil
}

// calcClose checks got against want elementwise: |got-want| ≤ atol +
// rtol·|want|, NaN only where NaN is wanted, infinities exactly.
func calcClose(t *testing.T, what string, got, want []float32, rtol, atol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range want {
		g, w := float64(got[i]), float64(want[i])
		switch {
		case math.IsNaN(w):
			if !math.IsNaN(g) {
				t.Fatalf("%s: element %d = %v, want NaN", what, i, g)
			}
		case math.IsInf(w, 0) || math.IsInf(g, 0):
			if g != w {
				t.Fatalf("%s: element %d = %v, want %v", what, i, g, w)
			}
		case !(math.Abs(g-w) <= atol+rtol*math.Abs(w)):
			t.Fatalf("%s: element %d = %v, want %v", what, i, g, w)
		}
	}
}

func calcShape(t *testing.T, what string, got, want []int) {
	t.Helper()
	if !sameShape(got, want) || (len(got) == 0) != (len(want) == 0) {
		t.Fatalf("%s: shape %v, want %v", what, got, want)
	}
}

func TestUnaryFloat(t *testing.T) {
	inf, nan := float32(math.Inf(1)), float32(math.NaN())
	negZero := float32(math.Copysign(0, -1))
	x := []float32{4, 0.25, 0, negZero, -1, 1, inf, -inf, nan}
	cases := []struct {
		op   string
		want []float32
	}{
		{"Sqrt", []float32{2, 0.5, 0, 0, nan, 1, inf, nan, nan}},
		{"Exp", []float32{54.59815, 1.2840254, 1, 1, 0.36787945, 2.7182817, inf, 0, nan}},
		{"Log", []float32{1.3862944, -1.3862944, -inf, -inf, nan, 0, inf, nan, nan}},
		{"Abs", []float32{4, 0.25, 0, 0, 1, 1, inf, inf, nan}},
		{"Neg", []float32{-4, -0.25, negZero, 0, 1, -1, -inf, inf, nan}},
		{"Erf", []float32{0.9999999846, 0.2763263902, 0, 0, -0.8427007929, 0.8427007929, 1, -1, nan}},
		{"Reciprocal", []float32{0.25, 4, inf, -inf, -1, 1, 0, 0, nan}},
	}
	for _, c := range cases {
		g := newGB(13).input("x", int64(len(x))).output("y")
		g.node(c.op, c.op, []string{"x"}, []string{"y"})
		y := calcRun(t, g.bytes(), 1, x)[0]
		calcShape(t, c.op, y.Shape, []int{len(x)})
		calcClose(t, c.op, y.F, c.want, 1e-6, 0)
		if c.op == "Abs" && math.Signbit(float64(y.F[3])) {
			t.Errorf("Abs(-0) kept its sign")
		}
		if c.op == "Neg" && !math.Signbit(float64(y.F[2])) {
			t.Errorf("Neg(0) = +0, want -0")
		}
	}
}

// TestUnaryMath checks the operators of mathFuncs against their float64
// functions, spot values worked out by hand (rounding halves to even, the
// smooth activations, ThresholdedRelu and Celu at the default alpha, Sign
// of NaN) and out-of-domain inputs giving NaN.
func TestUnaryMath(t *testing.T) {
	x := []float32{-2, -0.9, -0.5, 0, 0.3, 0.99, 1.5, 3}
	for name, f := range mathFuncs {
		want := make([]float32, len(x))
		for i, v := range x {
			want[i] = float32(f(float64(v)))
		}
		g := newGB(13).input("x", int64(len(x))).output("y")
		g.node(name, name, []string{"x"}, []string{"y"})
		y := calcRun(t, g.bytes(), 1, x)[0]
		calcShape(t, name, y.Shape, []int{len(x)})
		calcClose(t, name, y.F, want, 1e-7, 0)
	}
	for _, spot := range []struct {
		name string
		x, y float32
	}{
		{"Cos", 0, 1}, {"Sinh", 0, 0}, {"Acos", 1, 0}, {"Atanh", 0.5, 0.54930615},
		{"Floor", -0.5, -1}, {"Ceil", -1.5, -1}, {"Round", 0.5, 0}, {"Round", 1.5, 2}, {"Round", 2.5, 2},
		{"Round", -2.5, -2}, {"Sign", -3, -1}, {"Sign", 0, 0}, {"Sign", 0.25, 1},
		{"Softplus", 0, 0.6931472}, {"Softplus", 100, 100}, {"Softplus", -100, 0}, {"Softsign", 1, 0.5},
		{"Softsign", -3, -0.75}, {"Mish", 1, 0.86509836}, {"Mish", -1, -0.30340144},
		{"ThresholdedRelu", 0.5, 0}, {"ThresholdedRelu", 1, 0}, {"ThresholdedRelu", 2, 2}, {"Celu", -1, -0.63212055}, {"Celu", 2, 2},
	} {
		g := newGB(13).input("x", 1).output("y")
		g.node(spot.name, spot.name, []string{"x"}, []string{"y"})
		if y := calcRun(t, g.bytes(), 1, []float32{spot.x})[0]; math.Abs(float64(y.F[0]-spot.y)) > 1e-6 {
			t.Errorf("%s(%v) = %v, want %v", spot.name, spot.x, y.F[0], spot.y)
		}
	}
	g0 := newGB(13).input("x", 2).output("y")
	g0.node("Sign", "Sign", []string{"x"}, []string{"y"})
	y0 := calcRun(t, g0.bytes(), 1, []float32{float32(math.NaN()), float32(math.Copysign(0, -1))})[0]
	if !math.IsNaN(float64(y0.F[0])) || math.Signbit(float64(y0.F[1])) {
		t.Errorf("Sign(NaN), Sign(-0) = %v, want NaN and +0", y0.F)
	}
	g := newGB(13).input("x", 1).output("y")
	g.node("Acosh", "Acosh", []string{"x"}, []string{"y"})
	if y := calcRun(t, g.bytes(), 1, []float32{0.5})[0]; !math.IsNaN(float64(y.F[0])) {
		t.Errorf("Acosh(0.5) = %v, want NaN", y.F[0])
	}
}

// TestUnaryThreads runs more elements than one chunk holds, on several
// threads, on a rank-3 tensor.
func TestUnaryThreads(t *testing.T) {
	const n = 3 * 100 * 171
	x := make([]float32, n)
	want := make([]float32, n)
	for i := range x {
		x[i] = float32(i%1000) / 100
		want[i] = float32(math.Sqrt(float64(x[i])))
	}
	g := newGB(13).input("x", 3, 100, 171).output("y")
	g.node("s", "Sqrt", []string{"x"}, []string{"y"})
	for _, threads := range []int{1, 2, 4} {
		y := calcRun(t, g.bytes(), threads, x)[0]
		calcShape(t, "sqrt", y.Shape, []int{3, 100, 171})
		calcClose(t, "sqrt", y.F, want, 0, 0)
	}
}

// TestUnaryIntFold folds Abs and Neg of an int64 constant at build time,
// as shape arithmetic does.
func TestUnaryIntFold(t *testing.T) {
	c := []int64{-3, 0, 7, math.MinInt64 + 1}
	for op, want := range map[string][]int64{
		"Abs": {3, 0, 7, math.MaxInt64},
		"Neg": {3, 0, -7, math.MaxInt64},
	} {
		g := newGB(13).output("y").initI("c", []int64{2, 2}, c)
		g.node(op, op, []string{"c"}, []string{"y"})
		y := calcRun(t, g.bytes(), 1)[0]
		calcShape(t, op, y.Shape, []int{2, 2})
		if y.DType != Int64 {
			t.Fatalf("%s: type %v, want int64", op, y.DType)
		}
		for i := range want {
			if y.I[i] != want[i] {
				t.Errorf("%s: element %d = %d, want %d", op, i, y.I[i], want[i])
			}
		}
	}
}

func TestUnaryIntUnsupported(t *testing.T) {
	for _, op := range []string{"Sqrt", "Exp", "Log", "Erf", "Reciprocal"} {
		g := newGB(13).output("y").initI("c", []int64{2}, []int64{4, 9})
		g.node(op, op, []string{"c"}, []string{"y"})
		if err := calcPlanErr(g.bytes()); !errors.Is(err, ErrUnsupported) {
			t.Errorf("%s of int64: error %v, want ErrUnsupported", op, err)
		}
	}
}
