package simd

// L2Squared returns Σ (a[i]-b[i])² over len(a) elements; b must be at
// least as long as a.
func L2Squared(a, b []float32) float32 { return active.l2(a, b[:len(a)]) }

func l2Generic(a, b []float32) float32 {
	b = b[:len(a)]
	var s float32
	for i, x := range a {
		d := x - b[i]
		s += d * d
	}
	return s
}

// Dot returns Σ a[i]·b[i] over len(a) elements.
func Dot(a, b []float32) float32 { return active.dot(a, b[:len(a)]) }

func dotGeneric(a, b []float32) float32 {
	b = b[:len(a)]
	var s float32
	for i, x := range a {
		s += x * b[i]
	}
	return s
}

// L2SquaredBatch writes to out[j] the squared distance between q and row j
// of the row-major gallery matrix g (len(out) rows of len(q) floats).
func L2SquaredBatch(q, g, out []float32) {
	d := len(q)
	g = g[:len(out)*d]
	l2 := active.l2
	for j := range out {
		out[j] = l2(q, g[j*d:(j+1)*d])
	}
}

// ArgMin returns the index and value of the smallest element of x (the
// first one on ties); -1 for an empty x. NaNs are never chosen.
func ArgMin(x []float32) (int, float32) {
	best, bi := float32(0), -1
	for i, v := range x {
		if v == v && (bi < 0 || v < best) {
			best, bi = v, i
		}
	}
	return bi, best
}
