package infer

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/edge-pi/edge/simd"
)

// dwCase is a depthwise convolution of c channels of h×w maps, two
// images, a k×k filter at stride s padded by pt rows and columns on the
// top and left and pb on the bottom and right, then Clip to [-0.5, 0.75]
// (clip) or Relu.
type dwCase struct {
	c, h, w, k, s, pt, pb int
	clip                  bool
}

// build returns the case's model, an input and the reference output.
func (tc dwCase) build(t *testing.T) (*Model, []float32, []float32) {
	t.Helper()
	r := rand.New(rand.NewPCG(8, uint64(tc.c+tc.h)))
	wt, bias := randF(r, tc.c*tc.k*tc.k), randF(r, tc.c)
	g := newGB(13).input("x", 2, int64(tc.c), int64(tc.h), int64(tc.w)).output("y")
	g.initF("W", []int64{int64(tc.c), 1, int64(tc.k), int64(tc.k)}, wt)
	g.initF("B", []int64{int64(tc.c)}, bias)
	T, B, S := int64(tc.pt), int64(tc.pb), int64(tc.s)
	g.node("conv", "Conv", []string{"x", "W", "B"}, []string{"cv"}, attrInts("kernel_shape", int64(tc.k), int64(tc.k)),
		attrInts("pads", T, T, B, B), attrInts("strides", S, S), attrInt("group", int64(tc.c)))
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
	want, _, _ := refConv(x, 2, tc.c, tc.h, tc.w, wt, tc.c, tc.k, tc.k, tc.c, tc.s, tc.s, tc.pt, tc.pt, tc.pb, tc.pb, 1, 1, bias)
	for i, v := range want {
		if tc.clip {
			want[i] = min(max(v, -0.5), 0.75)
		} else {
			want[i] = max(v, 0)
		}
	}
	return m, x, want
}

// run plans m for threads, lets check look at the convolution's kernel,
// runs x through it and returns a copy of the output.
func (tc dwCase) run(t *testing.T, m *Model, x []float32, threads int, check func(*convKernel)) []float32 {
	t.Helper()
	p, err := m.Plan(Options{Threads: threads})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	check(p.steps[0].k.(*convKernel))
	if err := p.SetInput(0, x); err != nil {
		t.Fatal(err)
	}
	if err := p.Run(); err != nil {
		t.Fatal(err)
	}
	return append([]float32(nil), p.Output(0).F...)
}

// TestDepthwisePlaneKChosenAndEqual: depthwise convolutions of filters
// other than 3×3 at stride 1 with a clamp (ConvNeXt's 7×7, padded by 3)
// go through simd.DepthwisePlaneK over the padded planes where simd has
// the kernel, and give the reference convolution, with ReLU and Clip, on
// maps of one to 28 rows, at 1 and 3 threads, two images.
func TestDepthwisePlaneKChosenAndEqual(t *testing.T) {
	for _, tc := range []dwCase{
		{96, 28, 28, 7, 1, 3, 3, false},
		{24, 7, 7, 7, 1, 3, 3, true},
		{8, 3, 3, 7, 1, 3, 3, false}, // fewer than four rows
		{16, 13, 21, 5, 1, 2, 2, true},
	} {
		m, x, want := tc.build(t)
		for _, threads := range []int{1, 3} {
			what := fmt.Sprintf("%+v, %d threads", tc, threads)
			got := tc.run(t, m, x, threads, func(k *convKernel) {
				if k.dwPlaneK != simd.DepthwisePlaneKNative() || !k.dwPad {
					t.Errorf("%s: dwPlaneK %v dwPad %v, want %v and true", what, k.dwPlaneK, k.dwPad, simd.DepthwisePlaneKNative())
				}
			})
			closeTo(t, what, got, want, 1e-4)
		}
	}
}

// TestDepthwiseInPlaceChosenAndEqual: 3×3 depthwise convolutions padded
// by at most one on the top and left read their maps in place where simd
// has the kernels: at stride 1 padded by one (MobileNet's),
// simd.DepthwiseFlat3 on small maps of fewer vectors than rows and
// simd.DepthwiseSame3 on the others; at stride 2 (TensorFlow's "SAME"
// padding on even maps, one at the bottom and right only; PyTorch's one
// on every side; none) simd.DepthwiseStride2. They give the reference
// convolution, and bit for bit what the padded planes give, on maps of
// one row to 112², at 1 and 3 threads, two images.
func TestDepthwiseInPlaceChosenAndEqual(t *testing.T) {
	for _, tc := range []struct {
		dwCase
		path string // flat, same, stride2 or none
	}{
		{dwCase{32, 112, 112, 3, 1, 1, 1, true}, "same"},
		{dwCase{24, 14, 14, 3, 1, 1, 1, false}, "same"},
		{dwCase{16, 7, 7, 3, 1, 1, 1, true}, "flat"},
		{dwCase{8, 1, 40, 3, 1, 1, 1, false}, "same"},
		{dwCase{8, 9, 17, 3, 1, 1, 1, true}, "flat"},
		{dwCase{8, 20, 33, 3, 1, 1, 1, false}, "same"},
		{dwCase{4, 30, 3, 3, 1, 1, 1, false}, "flat"},
		{dwCase{64, 112, 112, 3, 2, 0, 1, true}, "stride2"},
		{dwCase{32, 56, 56, 3, 2, 1, 1, false}, "stride2"},
		{dwCase{16, 7, 7, 3, 2, 1, 1, true}, "stride2"},
		{dwCase{8, 14, 14, 3, 2, 0, 1, false}, "stride2"},
		{dwCase{8, 15, 9, 3, 2, 0, 0, true}, ""}, // no padding: no planes to begin with
		{dwCase{8, 1, 40, 3, 2, 1, 1, false}, "stride2"},
	} {
		m, x, want := tc.build(t)
		for _, threads := range []int{1, 3} {
			what := fmt.Sprintf("%+v, %d threads", tc.dwCase, threads)
			got := tc.run(t, m, x, threads, func(k *convKernel) {
				flat := tc.path == "flat" && simd.DepthwiseFlatNative()
				same := tc.path == "same" && simd.DepthwiseSameNative()
				stride2 := tc.path == "stride2" && simd.DepthwiseStride2Native()
				if k.dwFlat != flat || k.dwSame != same || k.dwStride2 != stride2 {
					t.Errorf("%s: dwFlat %v dwSame %v dwStride2 %v, want %v, %v and %v", what, k.dwFlat, k.dwSame, k.dwStride2, flat, same, stride2)
				}
			})
			closeTo(t, what, got, want, 1e-4)
			dwInPlaceOff = true
			planes := tc.run(t, m, x, threads, func(k *convKernel) {
				if k.dwSame || k.dwStride2 {
					t.Errorf("%s: read in place with dwInPlaceOff", what)
				}
			})
			dwInPlaceOff = false
			for i := range got {
				if got[i] != planes[i] {
					t.Fatalf("%s: out[%d] = %v in place, %v over padded planes", what, i, got[i], planes[i])
				}
			}
		}
	}
}
