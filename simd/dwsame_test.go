package simd

import (
	"math/rand/v2"
	"testing"
)

// TestDepthwiseSame3: every implementation equals, bit for bit, its own
// CopyRows and DepthwisePlane3 over a zero-padded plane (the generic ones
// where it has no kernel of its own), on maps of one row and column to
// rows of SameMaxWidth, even and odd heights, rows of whole vectors and
// of a vector and one float, with and without a clamp.
func TestDepthwiseSame3(t *testing.T) {
	checkSame3(t, rand.New(rand.NewPCG(39, 39)), DepthwiseSame3, func(im *impl) bool { return im.dwSameNative }, 3,
		[][2]int{{1, 1}, {1, 5}, {5, 1}, {2, 2}, {3, 17}, {7, 7}, {14, 14}, {16, 16}, {4, 32}, {5, 33},
			{13, 19}, {28, 28}, {56, 56}, {9, 112}, {2, SameMaxWidth}, {3, SameMaxWidth - 1}})
}

// TestDepthwiseSame3Args: rows past SameMaxWidth and short slices panic;
// nothing to do does nothing.
func TestDepthwiseSame3Args(t *testing.T) {
	checkSame3Args(t, DepthwiseSame3, [5]int{1, 1, SameMaxWidth + 1, SameMaxWidth + 1, SameMaxWidth + 1})
}
