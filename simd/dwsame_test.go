package simd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestDepthwiseSame3: every implementation equals, bit for bit, its own
// CopyRows and DepthwisePlane3 over a zero-padded plane, channel by
// channel (the generic ones where it has no kernel of its own), on maps
// of one row and column to rows of SameMaxWidth, even and odd heights,
// rows of whole vectors and of a vector and one float, with and without a
// clamp.
func TestDepthwiseSame3(t *testing.T) {
	r := rand.New(rand.NewPCG(39, 39))
	inf := float32(math.Inf(1))
	for i := range impls {
		im := &impls[i]
		saved := active
		active = im
		for _, c := range [][2]int{{1, 1}, {1, 5}, {5, 1}, {2, 2}, {3, 17}, {7, 7}, {14, 14}, {16, 16}, {4, 32}, {5, 33},
			{13, 19}, {28, 28}, {56, 56}, {9, 112}, {2, SameMaxWidth}, {3, SameMaxWidth - 1}} {
			h, w := c[0], c[1]
			for _, cl := range [][2]float32{{0, 6}, {-inf, inf}} {
				const ch = 3
				n := h * w
				in := randSlice(r, ch*n)
				wt, bias := randSlice(r, 9*ch), randSlice(r, ch)
				got := make([]float32, ch*n+1)
				got[ch*n] = 42
				DepthwiseSame3(got, in, ch, h, w, wt, bias, cl[0], cl[1])
				if got[ch*n] != 42 {
					t.Fatalf("%s %dx%d: wrote past the output", im.name, h, w)
				}
				active = im
				if !im.dwSameNative {
					active = &generic
				}
				wp := w + 2
				plane := make([]float32, (h+2)*wp)
				want := make([]float32, ch*n)
				for k := 0; k < ch; k++ {
					CopyRows(plane[wp+1:], wp, in[k*n:], w, h, w)
					DepthwisePlane3(want[k*n:], h, w, plane, wp, 1, wt[9*k:], bias[k], cl[0], cl[1])
				}
				for j := range want {
					if got[j] != want[j] {
						t.Fatalf("%s %dx%d clamp %v: out[%d] = %v, over the padded plane %v", im.name, h, w, cl, j, got[j], want[j])
					}
				}
				active = im
			}
		}
		active = saved
	}
}

// TestDepthwiseSame3Args: rows past SameMaxWidth and short slices panic;
// nothing to do does nothing.
func TestDepthwiseSame3Args(t *testing.T) {
	for _, c := range []struct {
		ch, h, w, in, out int
	}{{1, 1, SameMaxWidth + 1, SameMaxWidth + 1, SameMaxWidth + 1}, {2, 3, 3, 17, 18}, {2, 3, 3, 18, 17}} {
		t.Run(fmt.Sprint(c), func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("no panic")
				}
			}()
			DepthwiseSame3(make([]float32, c.out), make([]float32, c.in), c.ch, c.h, c.w, make([]float32, 9*c.ch), make([]float32, c.ch), 0, 6)
		})
	}
	DepthwiseSame3(nil, nil, 0, 3, 3, nil, nil, 0, 6)
}
