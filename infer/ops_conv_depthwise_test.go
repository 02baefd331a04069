package infer

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/edge-pi/edge/simd"
)

// TestDepthwisePlaneKChosenAndEqual: depthwise convolutions of filters
// other than 3×3 at stride 1 with a clamp (ConvNeXt's 7×7, padded by 3)
// go through simd.DepthwisePlaneK over the padded planes where simd has
// the kernel, and give the reference convolution, with ReLU and Clip, on
// maps of one to 28 rows, at 1 and 3 threads, two images.
func TestDepthwisePlaneKChosenAndEqual(t *testing.T) {
	for _, tc := range []struct {
		c, h, w, k, pad int
		clip            bool
	}{
		{96, 28, 28, 7, 3, false},
		{24, 7, 7, 7, 3, true},
		{8, 3, 3, 7, 3, false}, // fewer than four rows
		{16, 13, 21, 5, 2, true},
	} {
		r := rand.New(rand.NewPCG(8, uint64(tc.c+tc.h)))
		wt, bias := randF(r, tc.c*tc.k*tc.k), randF(r, tc.c)
		g := newGB(13).input("x", 2, int64(tc.c), int64(tc.h), int64(tc.w)).output("y")
		g.initF("W", []int64{int64(tc.c), 1, int64(tc.k), int64(tc.k)}, wt)
		g.initF("B", []int64{int64(tc.c)}, bias)
		P := int64(tc.pad)
		g.node("conv", "Conv", []string{"x", "W", "B"}, []string{"cv"}, attrInts("kernel_shape", int64(tc.k), int64(tc.k)),
			attrInts("pads", P, P, P, P), attrInt("group", int64(tc.c)))
		if tc.clip {
			g.initF("lo", nil, []float32{-0.5})
			g.initF("hi", nil, []float32{0.75})
			g.node("act", "Clip", []string{"cv", "lo", "hi"}, []string{"y"})
		} else {
			g.node("act", "Relu", []string{"cv"}, []string{"y"})
		}
		m, err := Load(g.bytes())
		if err != nil {
			t.Fatal(err)
		}
		x := randF(r, 2*tc.c*tc.h*tc.w)
		want, _, _ := refConv(x, 2, tc.c, tc.h, tc.w, wt, tc.c, tc.k, tc.k, tc.c, 1, 1, tc.pad, tc.pad, tc.pad, tc.pad, 1, 1, bias)
		for i, v := range want {
			if tc.clip {
				want[i] = min(max(v, -0.5), 0.75)
			} else {
				want[i] = max(v, 0)
			}
		}
		for _, threads := range []int{1, 3} {
			p, err := m.Plan(Options{Threads: threads})
			if err != nil {
				t.Fatal(err)
			}
			what := fmt.Sprintf("%+v, %d threads", tc, threads)
			k := p.steps[0].k.(*convKernel)
			if k.dwPlaneK != simd.DepthwisePlaneKNative() || !k.dwPad {
				t.Errorf("%s: dwPlaneK %v dwPad %v, want %v and true", what, k.dwPlaneK, k.dwPad, simd.DepthwisePlaneKNative())
			}
			if err := p.SetInput(0, x); err != nil {
				t.Fatal(err)
			}
			if err := p.Run(); err != nil {
				t.Fatal(err)
			}
			closeTo(t, what, p.Output(0).F, want, 1e-4)
			p.Close()
		}
	}
}
