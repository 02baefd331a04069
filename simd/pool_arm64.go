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

// maxPool3x3s2NEON is MaxPool3x3s2 (pool_arm64.s); len(r0) == len(r1) ==
// len(r2) == 2·len(dst)+1.
//
//go:noescape
func maxPool3x3s2NEON(dst, r0, r1, r2 []float32)
