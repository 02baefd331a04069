package simd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestDepthwiseFlat3: every implementation equals, bit for bit, its own
// CopyRows and DepthwisePlane3 over a zero-padded plane (the generic ones
// where it has no flat kernel of its own), on maps from one float to
// FlatMaxMap, narrow, wide and square, with and without a clamp.
func TestDepthwiseFlat3(t *testing.T) {
	checkSame3(t, rand.New(rand.NewPCG(38, 38)), DepthwiseFlat3, func(im *impl) bool { return im.dwFlatNative }, 4,
		[][2]int{{1, 1}, {1, 5}, {5, 1}, {2, 2}, {3, 17}, {7, 7}, {4, 4}, {14, 14}, {5, 3}, {16, 16}, {2, 128}, {13, 19}})
}

// checkSame3 checks conv, a 3×3 stride-1 depthwise convolution padded by
// one on every side of ch channels (DepthwiseFlat3's arguments), on every
// implementation against its own CopyRows and DepthwisePlane3 over a
// zero-padded plane, channel by channel (the generic ones where native
// says it has no kernel of its own), bit for bit (a NaN where it has a
// NaN), on maps of h×w (hw) holding a NaN and an infinity, with a clamp
// to [0, 6], none, and NaN bounds (no clamp on that side: the generic
// loops); and that it writes nothing past the output.
func checkSame3(t *testing.T, r *rand.Rand, conv func(out, in []float32, ch, h, w int, wt, bias []float32, lo, hi float32), native func(*impl) bool, ch int, hw [][2]int) {
	t.Helper()
	inf, nan := float32(math.Inf(1)), float32(math.NaN())
	for i := range impls {
		im := &impls[i]
		saved := active
		active = im
		for _, c := range hw {
			h, w := c[0], c[1]
			for _, cl := range [][2]float32{{0, 6}, {-inf, inf}, {nan, 6}, {0, nan}} {
				n := h * w
				in := randSlice(r, ch*n)
				in[r.IntN(ch*n)] = nan
				in[r.IntN(ch*n)] = -inf
				wt, bias := randSlice(r, 9*ch), randSlice(r, ch)
				got := make([]float32, ch*n+1)
				got[ch*n] = 42
				conv(got, in, ch, h, w, wt, bias, cl[0], cl[1])
				if got[ch*n] != 42 {
					t.Fatalf("%s %dx%d: wrote past the output", im.name, h, w)
				}
				active = im
				if !native(im) {
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
					if got[j] != want[j] && !(got[j] != got[j] && want[j] != want[j]) {
						t.Fatalf("%s %dx%d clamp %v: out[%d] = %v, over the padded plane %v", im.name, h, w, cl, j, got[j], want[j])
					}
				}
				active = im
			}
		}
		active = saved
	}
}

// TestDepthwiseFlat3Args: maps past FlatMaxMap and short slices panic;
// nothing to do does nothing.
func TestDepthwiseFlat3Args(t *testing.T) {
	checkSame3Args(t, DepthwiseFlat3, [5]int{1, 17, 16, 272, 272})
}

// checkSame3Args checks that conv (DepthwiseFlat3's arguments) panics on
// too large a map (big: ch, h, w, len(in), len(out)), on short slices,
// on h·w that wraps and on negative sizes, and does nothing with no
// channels.
func checkSame3Args(t *testing.T, conv func(out, in []float32, ch, h, w int, wt, bias []float32, lo, hi float32), big [5]int) {
	t.Helper()
	for _, c := range [][5]int{big, {2, 3, 3, 17, 18}, {2, 3, 3, 18, 17},
		{1, 1<<62 + 1, 4, 4, 4}, // h·w wraps to 4: the map is not in 4 floats
		{1, -1, -1, 4, 4}} {
		t.Run(fmt.Sprint(c), func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("no panic")
				}
			}()
			ch := c[0]
			conv(make([]float32, c[4]), make([]float32, c[3]), ch, c[1], c[2], make([]float32, 9*ch), make([]float32, ch), 0, 6)
		})
	}
	conv(nil, nil, 0, 3, 3, nil, nil, 0, 6)
}
