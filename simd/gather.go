package simd

// GatherPlanes writes the rows of an im2col matrix of small planes
// through an index table: for channel c < channels (plane src[c·hw :
// (c+1)·hw]), tap t < len(idx)/n and pixel i < n,
//
//	dst[(c·taps + t)·n + i] = src[c·hw + idx[t·n + i]], or +0 where that
//	index is negative (the padding).
//
// Every index must be below hw. The AVX-512 implementation permutes a
// plane of up to 16 floats held in a register (resnet18's 4×4 maps of 512
// channels at 112²: 4608 rows of 16 a layer, at about 3 cycles a float in
// Go); the results are the same bits.
func GatherPlanes(dst, src []float32, hw, channels int, idx []int32, n int) {
	if n <= 0 || channels <= 0 || len(idx) == 0 {
		return
	}
	taps := len(idx) / n
	if len(idx) != taps*n || hw <= 0 || len(src) < channels*hw || len(dst) < channels*taps*n {
		panic("simd: GatherPlanes lengths out of range")
	}
	for _, o := range idx {
		if int(o) >= hw {
			panic("simd: GatherPlanes index outside the plane")
		}
	}
	active.gatherPlanes(dst, src, hw, channels, idx, n)
}

func gatherPlanesGeneric(dst, src []float32, hw, channels int, idx []int32, n int) {
	taps := len(idx) / n
	for c := 0; c < channels; c++ {
		plane := src[c*hw : (c+1)*hw]
		out := dst[c*taps*n : (c+1)*taps*n]
		for j, o := range idx {
			var v float32
			if o >= 0 {
				v = plane[o]
			}
			out[j] = v
		}
	}
}
