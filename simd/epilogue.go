package simd

// BiasClamp is the epilogue of a convolution or fully connected layer: it
// adds bias to every element of x and clamps the sum to [lo, hi]. It
// computes, in place,
//
//	for i := range x {
//		v := x[i] + bias
//		if v < lo {
//			v = lo
//		}
//		if v > hi {
//			v = hi
//		}
//		x[i] = v
//	}
//
// so a NaN passes through unchanged (both tests are false), as it does in
// ONNX Runtime. lo = 0, hi = +Inf is Relu; lo, hi = the bounds is Clip
// (ReLU6: 0, 6); ±Inf is no activation. A bias of -0 adds nothing, not even
// to a -0. The implementations may differ from this loop in the sign of a
// zero that meets a zero bound (NEON's FMAX(-0, +0) is +0); lo and hi must
// not be NaN (if one is, the generic loop runs).
func BiasClamp(x []float32, bias, lo, hi float32) {
	if lo != lo || hi != hi {
		biasClampGeneric(x, bias, lo, hi)
		return
	}
	active.biasClamp(x, bias, lo, hi)
}

// BiasAddClamp is BiasClamp with a residual row r added after the bias,
// x[i] = clamp((x[i] + bias) + r[i]), r at least as long as x: a
// convolution fused with the Add of a ResNet block and its activation.
func BiasAddClamp(x, r []float32, bias, lo, hi float32) {
	r = r[:len(x)]
	if lo != lo || hi != hi {
		biasAddClampGeneric(x, r, bias, lo, hi)
		return
	}
	active.biasAddClamp(x, r, bias, lo, hi)
}

func biasClampGeneric(x []float32, bias, lo, hi float32) {
	for i := range x {
		v := x[i] + bias
		if v < lo {
			v = lo
		}
		if v > hi {
			v = hi
		}
		x[i] = v
	}
}

// biasAddClampGeneric is the reference for BiasAddClamp; len(r) == len(x).
func biasAddClampGeneric(x, r []float32, bias, lo, hi float32) {
	r = r[:len(x)]
	for i := range x {
		v := x[i] + bias + r[i]
		if v < lo {
			v = lo
		}
		if v > hi {
			v = hi
		}
		x[i] = v
	}
}
