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
