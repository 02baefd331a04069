//go:build !purego

package simd

// maxRowsAVX2, addRowsAVX2, maxPairsAVX2 and maxPool2x2AVX2 are MaxRows,
// AddRows, MaxPairs and MaxPool2x2 (pool_amd64.s); len(src) == len(dst),
// len(row) == len(top) == len(bot) == 2·len(dst).
//
//go:noescape
func maxRowsAVX2(dst, src []float32)

//go:noescape
func addRowsAVX2(dst, src []float32)

//go:noescape
func maxPairsAVX2(dst, row []float32)

//go:noescape
func maxPool2x2AVX2(dst, top, bot []float32)

// maxPool3x3s2AVX2 is MaxPool3x3s2 (pool_amd64.s); len(r0) == len(r1) ==
// len(r2) == 2·len(dst)+1.
//
//go:noescape
func maxPool3x3s2AVX2(dst, r0, r1, r2 []float32)
