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
		s := src[i*n : (i+1)*n]
		var a, b, c, d float64
		j := 0
		for ; j+4 <= n; j += 4 {
			a += float64(s[j])
			b += float64(s[j+1])
			c += float64(s[j+2])
			d += float64(s[j+3])
		}
		for ; j < n; j++ {
			a += float64(s[j])
		}
		dst[i] = float32(((a + b) + (c + d)) / float64(n))
	}
}
