package simd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestDepthwiseStride2: every implementation equals, bit for bit, its own
// CopyRows and DepthwisePlane3 at stride 2 over a zero-padded plane,
// channel by channel (the generic ones where it has no kernel of its
// own), with padding on top and left of 0 or 1, one row and column of it
// or none at the bottom and right, on maps of one float to outputs of
// Stride2MaxWidth, each holding a NaN and an infinity (a NaN where the
// reference has one), with a clamp, without, and with NaN bounds.
func TestDepthwiseStride2(t *testing.T) {
	r := rand.New(rand.NewPCG(40, 40))
	inf, nan := float32(math.Inf(1)), float32(math.NaN())
	for i := range impls {
		im := &impls[i]
		saved := active
		active = im
		for _, c := range [][2]int{{1, 1}, {2, 2}, {3, 3}, {1, 5}, {5, 1}, {7, 7}, {14, 14}, {28, 28}, {15, 33}, {6, 64}, {4, 65},
			{112, 112}, {3, 2 * Stride2MaxWidth}, {2, 2*Stride2MaxWidth - 1}} {
			h, w := c[0], c[1]
			for _, pad := range [][2]int{{0, 0}, {1, 1}, {0, 1}, {1, 0}} {
				pt, pl := pad[0], pad[1]
				// one row and column of padding at the end, or none
				for _, pe := range []int{0, 1} {
					oh, ow := (h+pt+pe-3)/2+1, (w+pl+pe-3)/2+1
					if h+pt+pe < 3 || w+pl+pe < 3 || ow > Stride2MaxWidth {
						continue
					}
					for _, cl := range [][2]float32{{0, 6}, {-inf, inf}, {nan, 6}, {0, nan}} {
						const ch = 3
						in := randSlice(r, ch*h*w)
						in[r.IntN(ch*h*w)] = nan
						in[r.IntN(ch*h*w)] = inf
						wt, bias := randSlice(r, 9*ch), randSlice(r, ch)
						got := make([]float32, ch*oh*ow+1)
						got[ch*oh*ow] = 42
						DepthwiseStride2(got, in, ch, h, w, oh, ow, pt, pl, wt, bias, cl[0], cl[1])
						what := fmt.Sprintf("%s %dx%d pads %d,%d,%d clamp %v", im.name, h, w, pt, pl, pe, cl)
						if got[ch*oh*ow] != 42 {
							t.Fatalf("%s: wrote past the output", what)
						}
						active = im
						if !im.dwStride2Native {
							active = &generic
						}
						hp, wp := 2*oh+1, 2*ow+1
						plane := make([]float32, hp*wp)
						want := make([]float32, ch*oh*ow)
						rows, cols := min(h, hp-pt), min(w, wp-pl)
						for k := 0; k < ch; k++ {
							CopyRows(plane[pt*wp+pl:], wp, in[k*h*w:], w, rows, cols)
							DepthwisePlane3(want[k*oh*ow:], oh, ow, plane, wp, 2, wt[9*k:], bias[k], cl[0], cl[1])
						}
						for j := range want {
							if got[j] != want[j] && !(got[j] != got[j] && want[j] != want[j]) {
								t.Fatalf("%s: out[%d] = %v, over the padded plane %v", what, j, got[j], want[j])
							}
						}
						active = im
					}
				}
			}
		}
		active = saved
	}
}

// TestDepthwiseStride2Args: pads past one, outputs past the map or past
// Stride2MaxWidth and short slices panic; nothing to do does nothing.
func TestDepthwiseStride2Args(t *testing.T) {
	for _, c := range []struct {
		ch, h, w, oh, ow, pt, pl, in, out int
	}{
		{1, 4, 4, 2, 2, 2, 0, 16, 4},
		{1, 4, 4, 2, 2, 0, -1, 16, 4},
		{1, 4, 4, 3, 2, 0, 0, 16, 6}, // row 2·2 past the map
		{1, 1, 2*Stride2MaxWidth + 2, 1, Stride2MaxWidth + 1, 0, 0, 2*Stride2MaxWidth + 2, Stride2MaxWidth + 1},
		{2, 4, 4, 2, 2, 1, 1, 31, 8},
		{2, 4, 4, 2, 2, 1, 1, 32, 7},
		{1, 1<<62 + 1, 4, 1, 1, 0, 0, 4, 1}, // h·w wraps to 4: the map is not in 4 floats
	} {
		t.Run(fmt.Sprint(c), func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("no panic")
				}
			}()
			DepthwiseStride2(make([]float32, c.out), make([]float32, c.in), c.ch, c.h, c.w, c.oh, c.ow, c.pt, c.pl, make([]float32, 9*c.ch), make([]float32, c.ch), 0, 6)
		})
	}
	DepthwiseStride2(nil, nil, 0, 3, 3, 1, 1, 0, 0, nil, nil, 0, 6)
}
