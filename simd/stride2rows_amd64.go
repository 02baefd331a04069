//go:build !purego

package simd

// stride2Rowsy is StridedRows at stride 2 in AVX2 (stride2rows_amd64.s),
// rows ≥ 1 and n ≥ 1.
//
//go:noescape
func stride2Rowsy(dst *float32, ldd int, src *float32, lds, rows, n int)

// stridedRowsAVX2 is StridedRows: stride 2 (the phase planes of a
// stride-2 convolution, such as the stems of MobileNet and SqueezeNet) by
// stride2Rowsy, other strides by the loop in Go (StridedRows checked the
// lengths and that rows and n are positive).
func stridedRowsAVX2(dst []float32, ldd int, src []float32, lds, rows, n, s int) {
	if s != 2 {
		stridedRowsGeneric(dst, ldd, src, lds, rows, n, s)
		return
	}
	stride2Rowsy(&dst[0], ldd, &src[0], lds, rows, n)
}

// copyRowsy is CopyRows in AVX2 (stride2rows_amd64.s), rows and cols ≥ 1.
//
//go:noescape
func copyRowsy(dst *float32, ldd int, src *float32, lds, rows, cols int)

// copyRowsAVX2 is CopyRows by copyRowsy (CopyRows checked the lengths):
// the depthwise padded planes' rows, where a call of copy a row was as
// much as the plane's kernel on 14×14 maps.
func copyRowsAVX2(dst []float32, ldd int, src []float32, lds, rows, cols int) {
	copyRowsy(&dst[0], ldd, &src[0], lds, rows, cols)
}
