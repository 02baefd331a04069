package simd

// Erf writes erf(src[i]) into dst[i] (len(dst) ≥ len(src)) by a rational
// approximation in float32: x clamped to ±erfClamp (where erf rounds to
// ±1 in float32), then x·P(x²)/Q(x²), P and Q of degree 5, clamped to
// [−1, 1]. The coefficients were fitted for this package (linearised
// least squares, iterated, on Chebyshev nodes of [0, 3.92]); the result
// is within 4e-7 of erf everywhere (TestErf), where math.Erf in float64
// cost 16 ns an element (GELU's Erf was a third of ConvNeXt-tiny). A NaN
// stays NaN.
func Erf(dst, src []float32) {
	if len(dst) < len(src) {
		panic("simd: Erf destination shorter than its source")
	}
	if len(src) == 0 {
		return
	}
	active.erf(dst[:len(src)], src)
}

const erfClamp = 3.92

// erfP and erfQ are P's and Q's coefficients, constant term first (Q's is 1).
var (
	erfP = [6]float32{1.1283791646266659, 0.1846362518702357, 0.05205354445626377, 0.0035392823180278267, 0.00028342627681811686, 2.140287255175677e-06}
	erfQ = [6]float32{1, 0.49696281355127486, 0.11178644997225427, 0.01450976451345105, 0.0011146364768533767, 3.895433183183361e-05}
)

// erfGeneric is Erf in Go.
func erfGeneric(dst, src []float32) {
	for i, x := range src {
		dst[i] = erf32(x)
	}
}

func erf32(x float32) float32 {
	if x > erfClamp {
		x = erfClamp
	}
	if x < -erfClamp {
		x = -erfClamp
	}
	t := x * x
	p := erfP[5]
	q := erfQ[5]
	for i := 4; i >= 0; i-- {
		p = p*t + erfP[i]
		q = q*t + erfQ[i]
	}
	y := x * p / q
	if y > 1 {
		y = 1
	}
	if y < -1 {
		y = -1
	}
	return y
}

// GELU writes (x·(erf(x/c) + a))·h for each x = src[i] into dst[i]
// (len(dst) ≥ len(src)), rounding each operation as the ONNX operators
// it replaces do (the division a division, not a product by 1/c; erf as
// Erf): PyTorch's exact GELU, exported below opset 20 as Div, Erf, Add,
// Mul and Mul, is x·0.5·(1 + erf(x/√2)). One pass: a Go loop of five
// operations an element cost 1.5 ns, most of it the division.
func GELU(dst, src []float32, c, a, h float32) {
	if len(dst) < len(src) {
		panic("simd: GELU destination shorter than its source")
	}
	if len(src) == 0 {
		return
	}
	active.gelu(dst[:len(src)], src, c, a, h)
}

// geluGeneric is GELU in Go.
func geluGeneric(dst, src []float32, c, a, h float32) {
	for i, x := range src {
		dst[i] = (x * (erf32(x/c) + a)) * h
	}
}
