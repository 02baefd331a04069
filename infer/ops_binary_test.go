package infer

import (
	"math"
	"testing"
)

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
