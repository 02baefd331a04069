package simd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestExp32: exp32 is within 3e-7 relative of math.Exp over the normal
// range, 0 below it, +Inf above it, NaN at NaN.
func TestExp32(t *testing.T) {
	for i := 0; i <= 400000; i++ {
		x := float32(-87 + 175*float64(i)/400000)
		got, want := float64(exp32(x)), math.Exp(float64(x))
		if math.Abs(got-want) > 3e-7*want {
			t.Fatalf("exp32(%v) = %v, want %v", x, got, want)
		}
	}
	for _, c := range []struct{ x, want float32 }{{-100, 0}, {float32(math.Inf(-1)), 0}, {100, float32(math.Inf(1))}, {0, 1}} {
		if got := exp32(c.x); got != c.want {
			t.Errorf("exp32(%v) = %v, want %v", c.x, got, c.want)
		}
	}
	if got := exp32(float32(math.NaN())); got == got {
		t.Errorf("exp32(NaN) = %v", got)
	}
}

// TestSoftmaxRow: for every implementation, each output is within 1e-6
// relative (and 1e-9 absolute: exponentials below float32's normal range
// may differ) of the float64 softmax, rows of one to 40 elements and
// ViT's 197, with wide ranges of values, −Inf and −FLT_MAX entries
// (probability 0, an attention mask) and others below exp's range;
// a NaN or +Inf makes the row NaN; nothing is written past the row.
func TestSoftmaxRow(t *testing.T) {
	r := rand.New(rand.NewPCG(71, 71))
	inf, nan := float32(math.Inf(1)), float32(math.NaN())
	var rows [][]float32
	for _, n := range []int{1, 2, 15, 16, 17, 31, 32, 33, 40, 197} {
		for _, scale := range []float64{1, 30} {
			x := make([]float32, n)
			for i := range x {
				x[i] = float32(r.NormFloat64() * scale)
			}
			rows = append(rows, x)
		}
	}
	rows = append(rows, []float32{0, float32(math.Inf(-1)), 1, -200}, []float32{1, nan, 2}, []float32{1, inf, 2},
		// an attention mask's −FLT_MAX, and far below the range of exp
		[]float32{1, 2, -math.MaxFloat32, 3}, []float32{0.5, 1, -math.MaxFloat32, -math.MaxFloat32, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1e20},
		[]float32{1, 2, -1e20, 3, -3.2e14, -90, -100, -110})
	for i := range impls {
		im := &impls[i]
		saved := active
		active = im
		for _, x := range rows {
			what := fmt.Sprintf("%s row of %d", im.name, len(x))
			outer, y := guarded(len(x), 16)
			SoftmaxRow(y, x)
			checkGuards(t, what, outer, 16)
			m := math.Inf(-1)
			bad := false
			for _, v := range x {
				m = math.Max(m, float64(v))
				bad = bad || v != v || math.IsInf(float64(v), 1)
			}
			var sum float64
			for _, v := range x {
				sum += math.Exp(float64(v) - m)
			}
			for j, v := range x {
				if bad {
					if y[j] == y[j] {
						t.Fatalf("%s: y[%d] = %v, want NaN", what, j, y[j])
					}
					continue
				}
				want := math.Exp(float64(v)-m) / sum
				if d := math.Abs(float64(y[j]) - want); d > 1e-6*want+1e-9 {
					t.Fatalf("%s: y[%d] = %v, want %v", what, j, y[j], want)
				}
			}
		}
		active = saved
	}
}
