package simd

// DepthwisePlaneK convolves one channel with a kh×kw filter w (row-major)
// at stride 1 over the zero-padded plane p, whose rows are wp floats apart
// and which holds every tap (oh+kh−1 rows of at least ow+kw−1 floats),
// and clamps:
//
//	out[y·ow+x] = min(max(bias + Σ_{dy<kh,dx<kw} w[kw·dy+dx]·p[(y+dy)·wp + x+dx], lo), hi)
//
// A NaN sum stays NaN (as in BiasClamp); lo = -Inf and hi = +Inf clamp
// nothing. ConvNeXt's 7×7 depthwise layers, which DepthwisePlane3 does
// not cover. The kernels may sum the taps in another order than the loop
// in Go: equal within rounding.
func DepthwisePlaneK(out []float32, oh, ow int, p []float32, wp, kh, kw int, w []float32, bias, lo, hi float32) {
	if oh <= 0 || ow <= 0 {
		return
	}
	if kh < 1 || kw < 1 || wp < ow+kw-1 || len(w) < kh*kw || len(out) < oh*ow || len(p) < (oh+kh-2)*wp+ow+kw-1 {
		panic("simd: DepthwisePlaneK arguments out of range")
	}
	if lo != lo || hi != hi {
		dwPlaneKGeneric(out, oh, ow, p, wp, kh, kw, w, bias, lo, hi)
		return
	}
	active.dwPlaneK(out, oh, ow, p, wp, kh, kw, w, bias, lo, hi)
}

// DepthwisePlaneKNative reports whether DepthwisePlaneK has a kernel of
// its own here (rather than the loop in Go).
func DepthwisePlaneKNative() bool { return active.dwPlaneKNative }

// dwPlaneKGeneric is DepthwisePlaneK in Go.
func dwPlaneKGeneric(out []float32, oh, ow int, p []float32, wp, kh, kw int, w []float32, bias, lo, hi float32) {
	for y := 0; y < oh; y++ {
		row := out[y*ow : (y+1)*ow]
		for x := range row {
			s := bias
			for dy := 0; dy < kh; dy++ {
				pr := p[(y+dy)*wp+x:]
				for dx, wv := range w[dy*kw : (dy+1)*kw] {
					s += wv * pr[dx]
				}
			}
			if s < lo {
				s = lo
			}
			if s > hi {
				s = hi
			}
			row[x] = s
		}
	}
}
