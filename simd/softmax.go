package simd

import "math"

// SoftmaxRow writes the softmax of x into y (len(y) ≥ len(x)):
// y[i] = exp(x[i] − max x) / Σ exp(x[j] − max x), the exponentials in
// float32 (exp32) and their sum in float32 lanes: attention's rows of
// ViT-B/16 through math.Exp in float64 cost 9 ns an element, 51 ms of the
// network. A NaN in x, or +Inf, makes the row NaN, as the float64 loop
// did.
func SoftmaxRow(y, x []float32) {
	if len(y) < len(x) {
		panic("simd: SoftmaxRow destination shorter than its source")
	}
	if len(x) == 0 {
		return
	}
	active.softmax(y[:len(x)], x)
}

// exp32 is e^x in float32: x = k·ln2 + r with k = round(x/ln2) and |r| ≤
// ln2/2 (ln2 split in two so that r is exact), e^r by its Taylor series
// to r⁶/6! (within 2e-7 relative), times 2^k built in the exponent bits;
// below −87.3 (k < −126) zero, above 88.7 +Inf. A NaN stays NaN.
func exp32(x float32) float32 {
	if x != x {
		return x
	}
	if x > 88.72 {
		return float32(math.Inf(1))
	}
	if x < -87.33 {
		return 0
	}
	k := float32(math.Round(float64(x * expLog2e)))
	r := (x - k*expLn2Hi) - k*expLn2Lo
	p := expC[6]
	for i := 5; i >= 0; i-- {
		p = p*r + expC[i]
	}
	return p * math.Float32frombits(uint32(int32(k)+127)<<23)
}

const (
	expLog2e = 1.44269504088896341
	expLn2Hi = 0.693145751953125 // ln 2's leading bits: k·expLn2Hi is exact for |k| < 2¹⁰
	expLn2Lo = 1.4286068202862268e-6
)

// expC are the Taylor coefficients of e^r, 1/i!.
var expC = [7]float32{1, 1, 1.0 / 2, 1.0 / 6, 1.0 / 24, 1.0 / 120, 1.0 / 720}

// softmaxGeneric is SoftmaxRow in Go.
func softmaxGeneric(y, x []float32) {
	m := float32(math.Inf(-1))
	for _, v := range x {
		if v > m || v != v {
			m = v
		}
	}
	var sum float32
	for i, v := range x {
		e := exp32(v - m)
		y[i] = e
		sum += e
	}
	inv := 1 / sum
	for i := range x {
		y[i] *= inv
	}
}
