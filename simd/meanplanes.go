package simd

// MeanPlanes sets dst[i] to the mean of plane i of src (src[i·n:(i+1)·n]),
// for i < len(dst): the sum in float64, in four interleaved partial sums
// (element j into partial j mod 4, the last n mod 4 elements into the
// first) added as (p0 + p1) + (p2 + p3), divided by n and rounded to
// float32. Every implementation sums in this order, so the results are
// equal bit for bit (a NaN's payload aside), and equal the infer
// package's ReduceMean over the same runs. src must hold len(dst)·n
// floats.
func MeanPlanes(dst, src []float32, n int) {
	if n < 0 || len(src) < len(dst)*n {
		panic("simd: MeanPlanes src shorter than len(dst)·n")
	}
	if len(dst) == 0 {
		return
	}
	active.meanPlanes(dst, src[:len(dst)*n], n)
}

func meanPlanesGeneric(dst, src []float32, n int) {
	for i := range dst {
		dst[i] = float32(Sum64(src[i*n:(i+1)*n]) / float64(n))
	}
}

// Sum64 is the sum of s in float64, in four interleaved partial sums
// (element j into partial j mod 4, the last len(s) mod 4 elements into
// the first) added as (p0 + p1) + (p2 + p3): one chain of dependent
// additions, four cycles each, was most of GlobalAveragePool's time
// (MobileNet's 1024 maps of 7×7: 23 µs) and of a layer norm's (ConvNeXt's
// 784 rows of 96). The infer package's ReduceMean and ReduceSum over
// contiguous runs, its fused layer norm and MeanPlanes (GlobalAveragePool,
// which vectorises this order: faces' 1024 planes of 49, 19–35 µs in Go,
// ONNX Runtime 9–11) all sum this way, so that a fused layer norm equals
// the operators it replaces, and GlobalAveragePool ReduceMean, bit for
// bit.
func Sum64(s []float32) float64 {
	var a, b, c, d float64
	i := 0
	for ; i+4 <= len(s); i += 4 {
		a += float64(s[i])
		b += float64(s[i+1])
		c += float64(s[i+2])
		d += float64(s[i+3])
	}
	for ; i < len(s); i++ {
		a += float64(s[i])
	}
	return (a + b) + (c + d)
}
