package infer

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// fusedEqual plans model at threads, checks it is the one fused step,
// runs it on x and checks the output against want bit for bit (NaN for
// NaN).
func fusedEqual(t *testing.T, what string, model []byte, threads int, x, want []float32) {
	t.Helper()
	p := mustPlan(t, model, threads)
	defer p.Close()
	if p.Steps() != 1 {
		t.Fatalf("%s: %d steps, want the one fused", what, p.Steps())
	}
	if err := p.SetInput(0, x); err != nil {
		t.Fatal(err)
	}
	if err := p.Run(); err != nil {
		t.Fatal(err)
	}
	for i, v := range p.Output(0).F {
		if math.Float32bits(v) != math.Float32bits(want[i]) && !(v != v && want[i] != want[i]) {
			t.Fatalf("%s: y[%d] = %v, unfused %v", what, i, v, want[i])
		}
	}
}

// unfusedSteps plans model on one thread and returns its step count.
func unfusedSteps(t *testing.T, model []byte) int {
	t.Helper()
	p := mustPlan(t, model, 1)
	defer p.Close()
	return p.Steps()
}

// layerNormGraph is PyTorch's export of nn.LayerNorm over the last axis
// below opset 17 (ReduceMean, Sub, Pow 2, ReduceMean, Add ε, Sqrt, Div,
// Mul γ, Add β; without γ and β when affine is false); with leak, the
// difference is also a graph output (so it must not fuse).
func layerNormGraph(rows, cols int, affine, leak bool, gamma, beta []float32) []byte {
	g := newGB(13).input("x", int64(rows), int64(cols)).output("y")
	if leak {
		g.output("d")
	}
	g.initF("two", nil, []float32{2}).initF("eps", nil, []float32{1e-6})
	g.node("m", "ReduceMean", []string{"x"}, []string{"mean"}, attrInts("axes", -1))
	g.node("s", "Sub", []string{"x", "mean"}, []string{"d"})
	g.node("p", "Pow", []string{"d", "two"}, []string{"sq"})
	g.node("v", "ReduceMean", []string{"sq"}, []string{"var"}, attrInts("axes", -1))
	g.node("a", "Add", []string{"var", "eps"}, []string{"ve"})
	g.node("r", "Sqrt", []string{"ve"}, []string{"sd"})
	last := "y"
	if affine {
		last = "q"
	}
	g.node("q", "Div", []string{"d", "sd"}, []string{last})
	if affine {
		g.initF("gamma", []int64{int64(cols)}, gamma).initF("beta", []int64{int64(cols)}, beta)
		g.node("g", "Mul", []string{"q", "gamma"}, []string{"qg"})
		g.node("b", "Add", []string{"qg", "beta"}, []string{"y"})
	}
	return g.bytes()
}

// TestLayerNormFusion: a decomposed layer norm fuses into one step and
// gives the unfused operators' output bit for bit, with and without γ
// and β, at 1 and 3 threads; with a value inside the pattern that is a
// graph output it does not fuse. ONNX's LayerNormalization gives the same.
func TestLayerNormFusion(t *testing.T) {
	r := rand.New(rand.NewPCG(10, 10))
	for _, sh := range [][2]int{{49, 384}, {3, 7}, {197, 768}} {
		rows, cols := sh[0], sh[1]
		x := randF(r, rows*cols)
		for i := range x {
			x[i] = x[i]*3 + 1
		}
		gamma, beta := randF(r, cols), randF(r, cols)
		for _, affine := range []bool{true, false} {
			model := layerNormGraph(rows, cols, affine, false, gamma, beta)
			layerNormFusionOff = true
			want := calcRun(t, model, 1, x)[0].F
			layerNormFusionOff = false
			for _, threads := range []int{1, 3} {
				fusedEqual(t, fmt.Sprintf("%d×%d affine %v, %d threads", rows, cols, affine, threads), model, threads, x, want)
			}
			if affine {
				g := newGB(17).input("x", int64(rows), int64(cols)).output("y")
				g.initF("gamma", []int64{int64(cols)}, gamma).initF("beta", []int64{int64(cols)}, beta)
				g.node("ln", "LayerNormalization", []string{"x", "gamma", "beta"}, []string{"y"}, attrFloat("epsilon", 1e-6))
				got := calcRun(t, g.bytes(), 2, x)[0].F
				for i, v := range got {
					if math.Float32bits(v) != math.Float32bits(want[i]) {
						t.Fatalf("%d×%d LayerNormalization: y[%d] = %v, decomposed %v", rows, cols, i, v, want[i])
					}
				}
			}
		}
	}
	if n := unfusedSteps(t, layerNormGraph(3, 7, true, true, randF(r, 7), randF(r, 7))); n < 5 {
		t.Errorf("a layer norm whose difference is a graph output fused: %d steps", n)
	}
}

// TestLayerNormalizationOp: ONNX's LayerNormalization over the trailing
// dimensions from axis 1 and without B is the float64 layer norm within
// rounding, and so are its Mean and InvStdDev outputs.
func TestLayerNormalizationOp(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 11))
	x, gamma := randF(r, 2*3*5), randF(r, 15)
	g := newGB(17).input("x", 2, 3, 5).output("y")
	g.initF("gamma", []int64{3, 5}, gamma)
	g.node("ln", "LayerNormalization", []string{"x", "gamma"}, []string{"y"}, attrInt("axis", 1))
	y := calcRun(t, g.bytes(), 1, x)[0].F
	for row := 0; row < 2; row++ {
		var s, ss float64
		for _, v := range x[row*15 : (row+1)*15] {
			s += float64(v)
		}
		mean := s / 15
		for _, v := range x[row*15 : (row+1)*15] {
			ss += (float64(v) - mean) * (float64(v) - mean)
		}
		sd := math.Sqrt(ss/15 + 1e-5)
		for i, v := range x[row*15 : (row+1)*15] {
			want := (float64(v) - mean) / sd * float64(gamma[i])
			if d := math.Abs(float64(y[row*15+i]) - want); d > 1e-5*(1+math.Abs(want)) {
				t.Fatalf("y[%d][%d] = %v, want %v", row, i, y[row*15+i], want)
			}
		}
	}
	// Mean and InvStdDev, asked for: one value per row, the normalised
	// dimensions kept as ones
	g = newGB(17).input("x", 2, 3, 5).output("y").output("mean").output("inv")
	g.initF("gamma", []int64{5}, gamma[:5])
	g.node("ln", "LayerNormalization", []string{"x", "gamma"}, []string{"y", "mean", "inv"})
	out := calcRun(t, g.bytes(), 2, x)
	g2 := newGB(17).input("x", 2, 3, 5).output("mean")
	g2.initF("gamma", []int64{5}, gamma[:5])
	g2.node("ln", "LayerNormalization", []string{"x", "gamma"}, []string{"", "mean"})
	if err := calcPlanErr(g2.bytes()); err == nil || !strings.Contains(err.Error(), "without the output Y") {
		t.Errorf("Mean without Y: %v, want a refusal", err)
	}
	if !slices.Equal(out[1].Shape, []int{2, 3, 1}) || !slices.Equal(out[2].Shape, []int{2, 3, 1}) {
		t.Fatalf("Mean %v, InvStdDev %v, want [2 3 1]", out[1].Shape, out[2].Shape)
	}
	for row := 0; row < 6; row++ {
		var s, ss float64
		for _, v := range x[row*5 : (row+1)*5] {
			s += float64(v)
		}
		mean := s / 5
		for _, v := range x[row*5 : (row+1)*5] {
			ss += (float64(v) - mean) * (float64(v) - mean)
		}
		inv := 1 / math.Sqrt(ss/5+1e-5)
		if math.Abs(float64(out[1].F[row])-mean) > 1e-6 || math.Abs(float64(out[2].F[row])-inv) > 1e-5*inv {
			t.Errorf("row %d: mean %v inv %v, want %v %v", row, out[1].F[row], out[2].F[row], mean, inv)
		}
	}
}

// TestGELUFusion: PyTorch's exact GELU (Div √2, Erf, Add 1, Mul x, Mul
// 0.5) fuses into one step with the unfused output bit for bit, at 1 and
// 3 threads, over more elements than a piece; with the Erf's output also
// a graph output it does not fuse.
func TestGELUFusion(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 12))
	build := func(n int, leak bool) []byte {
		g := newGB(13).input("x", int64(n)).output("y")
		if leak {
			g.output("e")
		}
		g.initF("c", nil, []float32{1.4142135381698608}).initF("one", nil, []float32{1}).initF("half", nil, []float32{0.5})
		g.node("d", "Div", []string{"x", "c"}, []string{"q"})
		g.node("e", "Erf", []string{"q"}, []string{"e"})
		g.node("a", "Add", []string{"e", "one"}, []string{"a"})
		g.node("m", "Mul", []string{"x", "a"}, []string{"m"})
		g.node("h", "Mul", []string{"m", "half"}, []string{"y"})
		return g.bytes()
	}
	n := 3*geluPiece + 17
	x := randF(r, n)
	for i := range x {
		x[i] *= 4
	}
	x[5], x[6] = float32(math.Inf(1)), float32(math.NaN())
	model := build(n, false)
	geluFusionOff = true
	want := calcRun(t, model, 1, x)[0].F
	geluFusionOff = false
	for _, threads := range []int{1, 3} {
		fusedEqual(t, fmt.Sprintf("GELU, %d threads", threads), model, threads, x, want)
	}
	if n := unfusedSteps(t, build(8, true)); n < 3 {
		t.Errorf("a GELU whose Erf is a graph output fused: %d steps", n)
	}
}

// TestMatMulBiasFusion: a Linear layer's MatMul by constant weights then
// Add of a constant bias (shape [N] or [1, N], either operand order) is
// one step with the unfused output bit for bit, for one row and for many,
// at 1 and 3 threads; a bias of another shape, or a product that is also a
// graph output, stays an Add of its own.
func TestMatMulBiasFusion(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 13))
	const k, n = 40, 100
	w, bias := randF(r, k*n), randF(r, n)
	build := func(rows int64, bshape []int64, biasFirst, leak bool) []byte {
		g := newGB(13).input("x", rows, k).output("y").initF("w", []int64{k, n}, w).initF("b", bshape, bias)
		if leak {
			g.output("p")
		}
		g.node("mm", "MatMul", []string{"x", "w"}, []string{"p"})
		ins := []string{"p", "b"}
		if biasFirst {
			ins = []string{"b", "p"}
		}
		g.node("add", "Add", ins, []string{"y"})
		return g.bytes()
	}
	for _, rows := range []int64{1, 77} {
		x := randF(r, int(rows)*k)
		for _, tc := range []struct {
			bshape    []int64
			biasFirst bool
		}{{[]int64{n}, false}, {[]int64{1, n}, true}} {
			model := build(rows, tc.bshape, tc.biasFirst, false)
			biasFusionOff = true
			want := calcRun(t, model, 1, x)[0].F
			biasFusionOff = false
			for _, threads := range []int{1, 3} {
				fusedEqual(t, fmt.Sprintf("%d rows, bias %v, %d threads", rows, tc.bshape, threads), model, threads, x, want)
			}
		}
	}
	if s := unfusedSteps(t, build(77, []int64{n}, false, true)); s != 2 {
		t.Errorf("a product that is also an output: %d steps, want 2", s)
	}
	g := newGB(13).input("x", 3, k).output("y").initF("w", []int64{k, n}, w).initF("b", []int64{3, n}, randF(r, 3*n))
	g.node("mm", "MatMul", []string{"x", "w"}, []string{"p"})
	g.node("add", "Add", []string{"p", "b"}, []string{"y"})
	if s := unfusedSteps(t, g.bytes()); s != 2 {
		t.Errorf("a bias of a value a row and column: %d steps, want 2", s)
	}
}
