//go:build !purego

package simd

// maxRowsNEON, addRowsNEON, maxPairsNEON and maxPool2x2NEON are MaxRows,
// AddRows, MaxPairs and MaxPool2x2 (pool_arm64.s); len(src) == len(dst),
// len(row) == len(top) == len(bot) == 2·len(dst).
//
//go:noescape
func maxRowsNEON(dst, src []float32)

//go:noescape
func addRowsNEON(dst, src []float32)

//go:noescape
func maxPairsNEON(dst, row []float32)

//go:noescape
func maxPool2x2NEON(dst, top, bot []float32)
