package simd

import (
	"fmt"
	"math"
	"testing"
)

// TestErf: for every implementation, Erf is within 4e-7 of math.Erf on a
// fine grid over [−5, 5] (and relatively within 4e-7 for |x| < 0.5), odd,
// ±1 at ±Inf, NaN at NaN, for lengths around the kernels' 16 (nothing
// written past the output).
func TestErf(t *testing.T) {
	const n = 200001
	src := make([]float32, n)
	for i := range src {
		src[i] = float32(-5 + 10*float64(i)/(n-1))
	}
	src = append(src, float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), 0, 1e-30, -1e-30)
	for i := range impls {
		im := &impls[i]
		saved := active
		active = im
		dst := make([]float32, len(src))
		Erf(dst, src)
		for j, x := range src {
			got, want := float64(dst[j]), math.Erf(float64(x))
			if math.IsNaN(want) {
				if !math.IsNaN(got) {
					t.Fatalf("%s: Erf(%v) = %v, want NaN", im.name, x, got)
				}
				continue
			}
			tol := 4e-7
			if math.Abs(float64(x)) < 0.5 {
				tol = 4e-7 * math.Abs(want)
			}
			if math.Abs(got-want) > tol {
				t.Fatalf("%s: Erf(%v) = %v, want %v", im.name, x, got, want)
			}
			if x == x {
				var neg [1]float32
				Erf(neg[:], []float32{-x})
				if neg[0] != -dst[j] {
					t.Fatalf("%s: Erf(%v) = %v but Erf(%v) = %v", im.name, -x, neg[0], x, dst[j])
				}
			}
		}
		for l := 0; l <= 40; l++ {
			in := src[1000 : 1000+l]
			outer, out := guarded(l, 16)
			Erf(out, in)
			checkGuards(t, fmt.Sprintf("%s length %d", im.name, l), outer, 16)
			for j := range in {
				if out[j] != dst[1000+j] {
					t.Fatalf("%s length %d: Erf[%d] = %v, in the long run %v", im.name, l, j, out[j], dst[1000+j])
				}
			}
		}
		active = saved
	}
}

// TestGELU: for every implementation, GELU is each element's
// (x·(Erf(x/c) + a))·h with every operation rounded on its own, bit for
// bit, ±Inf and NaN included, for lengths around the kernels' 16 (nothing
// written past the output).
func TestGELU(t *testing.T) {
	src := make([]float32, 4001)
	for i := range src {
		src[i] = float32(-8 + 16*float64(i)/4000)
	}
	src = append(src, float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()))
	const c, a, h = 1.4142135381698608, 1, 0.5
	for i := range impls {
		im := &impls[i]
		saved := active
		active = im
		q := make([]float32, len(src))
		for j, x := range src {
			q[j] = x / c
		}
		e := make([]float32, len(src))
		Erf(e, q)
		for _, n := range []int{0, 1, 15, 16, 17, 33, len(src)} {
			outer, dst := guarded(n, 16)
			GELU(dst, src[:n], c, a, h)
			checkGuards(t, fmt.Sprintf("%s length %d", im.name, n), outer, 16)
			for j, x := range src[:n] {
				want := (x * (e[j] + a)) * h
				if math.Float32bits(dst[j]) != math.Float32bits(want) && !(want != want && dst[j] != dst[j]) {
					t.Fatalf("%s: GELU(%v) = %v, want %v", im.name, x, dst[j], want)
				}
			}
		}
		active = saved
	}
}
