//go:build !purego

package simd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestDwPlaneNEONTapOrder: the NEON plane and pool kernels sum from the
// bias in tap order with one rounding per tap (FMLA), which is what the
// generic loops compile to on arm64 (Go fuses v += w·p into FMADD), so
// they agree with them exactly: only a NaN's payload and the sign of a
// zero that meets a zero bound may differ (== ignores both). Every chunk
// width, the overlapping last chunk and the generic narrow maps, on
// planes ending against an inaccessible page.
func TestDwPlaneNEONTapOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(36, 36))
	inf := float32(math.Inf(1))
	same := func(a, b float32) bool { return a == b || (a != a && b != b) }
	for i := range impls {
		im := &impls[i]
		if !im.dwPoolNative {
			continue
		}
		for _, s := range []int{1, 2} {
			for ow := 1; ow <= 70; ow++ {
				for _, c := range []struct {
					oh, slack int
					lo, hi    float32
				}{{1, 0, -inf, inf}, {2, 1, 0, 6}, {5, 0, 0, inf}} {
					oh, wp := c.oh, (ow-1)*s+3+c.slack
					p := fenced(t, ((oh-1)*s+3)*wp, true)
					fill(r, p)
					if ow%7 == 3 {
						p[r.IntN(len(p))] = float32(math.NaN())
					}
					w, bias := randSlice(r, 9), float32(r.NormFloat64())
					got, want := fenced(t, oh*ow, true), make([]float32, oh*ow)
					im.dwPlane(got, oh, ow, p, wp, s, w, bias, c.lo, c.hi)
					dwPlaneGeneric(want, oh, ow, p, wp, s, w, bias, c.lo, c.hi)
					for j := range want {
						if !same(got[j], want[j]) {
							t.Fatalf("%s s=%d oh=%d ow=%d wp=%d: out[%d] = %v, generic %v", im.name, s, oh, ow, wp, j, got[j], want[j])
						}
					}
				}
			}
		}
		for pw := 1; pw <= 40; pw++ {
			for _, ph := range []int{1, 3} {
				wp := 2*pw + 2 + pw%3
				p := fenced(t, (2*ph+2)*wp, true)
				fill(r, p)
				w, bias := randSlice(r, 9), float32(r.NormFloat64())
				got, want := fenced(t, ph*pw, true), make([]float32, ph*pw)
				im.dwPlanePool(got, ph, pw, p, wp, w, bias, 0, 6)
				dwPlanePoolGeneric(want, ph, pw, p, wp, w, bias, 0, 6)
				what := fmt.Sprintf("%s pool ph=%d pw=%d wp=%d", im.name, ph, pw, wp)
				for j := range want {
					if !same(got[j], want[j]) {
						t.Fatalf("%s: out[%d] = %v, generic %v", what, j, got[j], want[j])
					}
				}
			}
		}
	}
}
