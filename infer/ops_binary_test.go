package infer

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// refMod is Mod's definition: the remainder of truncated (fmod) or
// floored division.
func refMod(a, b int64, fmod bool) int64 {
	if b == 0 {
		return 0
	}
	q := a / b
	if !fmod && a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return a - q*b
}

func TestMod(t *testing.T) {
	a := shI([]int{2, 4}, -4, 7, 5, 4, -7, 8, math.MinInt64, 0)
	b := shI([]int{4}, 3, -3, 0, 2)
	for _, fmod := range []int64{0, 1} {
		want := NewTensor(Int64, 2, 4)
		for i := range want.I {
			want.I[i] = refMod(a.I[i], b.I[i%4], fmod == 1)
		}
		outs, err := shRun(13, "Mod", shAttrs{"fmod": fmod}, []*Tensor{a, b}, 1, true)
		if err != nil {
			t.Fatal(err)
		}
		shSame(t, fmt.Sprintf("int64 fmod %d", fmod), outs[0], want)
	}
	x := shF([]int{6}, -4.5, 7, 5, 4.25, -7, 3)
	y := shF([]int{6}, 2, -3, 0.5, -2, 3, float32(math.Inf(1)))
	want := shF([]int{6}, -0.5, 1, 0, 0.25, -1, 3)
	outs := shBoth(t, 13, "Mod", shAttrs{"fmod": int64(1)}, []*Tensor{x, y}, 1)
	shSame(t, "float fmod", outs[0], want)
	outs = shBoth(t, 13, "Mod", shAttrs{"fmod": int64(1)}, []*Tensor{x, shF([]int{1}, 0)}, 1)
	if v := outs[0].F[0]; v == v {
		t.Errorf("float fmod by 0 = %v, want NaN", v)
	}
	_, err := shRun(13, "Mod", nil, []*Tensor{x, y}, 1, false)
	shWantErr(t, "float without fmod", err, false)
	f64 := &Tensor{DType: Float64, Shape: []int{1}, F: []float32{-3}}
	_, err = shRun(13, "Mod", nil, []*Tensor{f64, f64}, 1, true)
	shWantErr(t, "float64 without fmod", err, false)
	_, err = shRun(13, "Mod", shAttrs{"fmod": int64(2)}, []*Tensor{a, b}, 1, true)
	shWantErr(t, "fmod 2", err, false)
	bools := &Tensor{DType: Bool, Shape: []int{1}, I: []int64{1}}
	_, err = shRun(13, "Mod", nil, []*Tensor{bools, bools}, 1, true)
	shWantErr(t, "bool", err, true)
}

// TestPowSquare: Pow by a constant 2 (LayerNorm's variance) takes the
// a·a path and gives math.Pow's float32 answer bit for bit, signs,
// infinities, NaN, underflow and overflow included; another exponent
// still goes through math.Pow.
func TestPowSquare(t *testing.T) {
	x := []float32{-3, -0.5, 0, float32(math.Copysign(0, -1)), 1e-30, 1.5, 3e19, 2e20, float32(math.Inf(-1)), float32(math.NaN()), 0.1}
	for _, exp := range []float32{2, 3} {
		g := newGB(13).input("x", int64(len(x))).output("y").initF("e", nil, []float32{exp})
		g.node("Pow", "Pow", []string{"x", "e"}, []string{"y"})
		y := calcRun(t, g.bytes(), 1, x)[0]
		for i, v := range x {
			want := float32(math.Pow(float64(v), float64(exp)))
			if math.Float32bits(y.F[i]) != math.Float32bits(want) && !(want != want && y.F[i] != y.F[i]) {
				t.Errorf("Pow(%v, %v) = %v, want %v", v, exp, y.F[i], want)
			}
		}
	}
}

// TestBinaryScalarRows: Add, Sub, Mul and Div with one operand a scalar
// for each row (a row's mean, a constant) on either side, through the
// row loops, give each element's operation exactly.
func TestBinaryScalarRows(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	a, s := randF(r, 3*37), randF(r, 3)
	ops := map[string]func(x, y float32) float32{
		"Add": func(x, y float32) float32 { return x + y },
		"Sub": func(x, y float32) float32 { return x - y },
		"Mul": func(x, y float32) float32 { return x * y },
		"Div": func(x, y float32) float32 { return x / y },
	}
	for op, f := range ops {
		for _, rowFirst := range []bool{true, false} {
			g := newGB(13).input("a", 3, 37).input("s", 3, 1).output("y")
			in := []string{"a", "s"}
			if !rowFirst {
				in = []string{"s", "a"}
			}
			g.node("op", op, in, []string{"y"})
			y := calcRun(t, g.bytes(), 2, a, s)[0]
			for i, v := range a {
				want := f(v, s[i/37])
				if !rowFirst {
					want = f(s[i/37], v)
				}
				if y.F[i] != want {
					t.Fatalf("%s (row first %v): y[%d] = %v, want %v", op, rowFirst, i, y.F[i], want)
				}
			}
		}
	}
}
