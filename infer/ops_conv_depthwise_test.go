package infer

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/edge-pi/edge/simd"
)

// dwCase is a depthwise convolution of c channels of h×w maps, two
// images, a k×k filter at stride s padded by pads (top, left, bottom,
// right), then Clip to [-0.5, 0.75] (clip), to [NaN, 0.75] (nanLo: no
// lower bound), or Relu.
type dwCase struct {
	c, h, w, k, s int
	pads          [4]int
	clip, nanLo   bool
}

// build returns the case's model, an input and the reference output.
func (tc dwCase) build(t *testing.T) (*Model, []float32, []float32) {
	t.Helper()
	r := rand.New(rand.NewPCG(8, uint64(tc.c+tc.h)))
	wt, bias := randF(r, tc.c*tc.k*tc.k), randF(r, tc.c)
	g := newGB(13).input("x", 2, int64(tc.c), int64(tc.h), int64(tc.w)).output("y")
	g.initF("W", []int64{int64(tc.c), 1, int64(tc.k), int64(tc.k)}, wt)
	g.initF("B", []int64{int64(tc.c)}, bias)
	pt, pl, pb, pr := tc.pads[0], tc.pads[1], tc.pads[2], tc.pads[3]
	S := int64(tc.s)
	g.node("conv", "Conv", []string{"x", "W", "B"}, []string{"cv"}, attrInts("kernel_shape", int64(tc.k), int64(tc.k)),
		attrInts("pads", int64(pt), int64(pl), int64(pb), int64(pr)), attrInts("strides", S, S), attrInt("group", int64(tc.c)))
	lo := float32(-0.5)
	if tc.nanLo {
		lo = float32(math.NaN())
	}
	if tc.clip || tc.nanLo {
		g.initF("lo", nil, []float32{lo})
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
	want, _, _ := refConv(x, 2, tc.c, tc.h, tc.w, wt, tc.c, tc.k, tc.k, tc.c, tc.s, tc.s, pt, pl, pb, pr, 1, 1, bias)
	for i, v := range want {
		switch {
		case tc.nanLo:
			want[i] = min(v, 0.75)
		case tc.clip:
			want[i] = min(max(v, -0.5), 0.75)
		default:
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
		{c: 96, h: 28, w: 28, k: 7, s: 1, pads: [4]int{3, 3, 3, 3}, clip: false},
		{c: 24, h: 7, w: 7, k: 7, s: 1, pads: [4]int{3, 3, 3, 3}, clip: true},
		{c: 8, h: 3, w: 3, k: 7, s: 1, pads: [4]int{3, 3, 3, 3}, clip: false}, // fewer than four rows
		{c: 16, h: 13, w: 21, k: 5, s: 1, pads: [4]int{2, 2, 2, 2}, clip: true},
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

// TestDepthwiseInPlaceChosenAndEqual: 3×3 depthwise convolutions read
// their maps in place where simd has the kernels: at stride 1 padded by
// one on every side (MobileNet's), simd.DepthwiseFlat3 on small maps of
// fewer vectors than rows and simd.DepthwiseSame3 on the others; at
// stride 2 padded by at most one on the top and left (TensorFlow's "SAME"
// on even maps, one at the bottom and right only; PyTorch's one on every
// side; one on the top only or the left only) simd.DepthwiseStride2.
// They give the reference convolution, and bit for bit what the padded
// planes give (dwInPlaceOff), on maps of one row to 112², at 1 and 3
// threads, two images, also under a Clip with a NaN lower bound (the
// generic loops). Other paddings keep the planes.
func TestDepthwiseInPlaceChosenAndEqual(t *testing.T) {
	p1, tf, none := [4]int{1, 1, 1, 1}, [4]int{0, 0, 1, 1}, [4]int{}
	for _, tc := range []struct {
		dwCase
		path string // flat, same, stride2 or "" (no padding: no planes to begin with; or the planes)
	}{
		{dwCase{c: 32, h: 112, w: 112, k: 3, s: 1, pads: p1, clip: true}, "same"},
		{dwCase{c: 24, h: 14, w: 14, k: 3, s: 1, pads: p1}, "same"},
		{dwCase{c: 16, h: 7, w: 7, k: 3, s: 1, pads: p1, clip: true}, "flat"},
		{dwCase{c: 8, h: 1, w: 40, k: 3, s: 1, pads: p1}, "same"},
		{dwCase{c: 8, h: 9, w: 17, k: 3, s: 1, pads: p1, clip: true}, "flat"},
		{dwCase{c: 8, h: 20, w: 33, k: 3, s: 1, pads: p1}, "same"},
		{dwCase{c: 8, h: 21, w: 33, k: 3, s: 1, pads: p1, nanLo: true}, "same"},
		{dwCase{c: 4, h: 30, w: 3, k: 3, s: 1, pads: p1}, "flat"},
		{dwCase{c: 8, h: 20, w: 33, k: 3, s: 1, pads: [4]int{1, 1, 2, 1}, clip: true}, ""}, // not the input's size
		{dwCase{c: 64, h: 112, w: 112, k: 3, s: 2, pads: tf, clip: true}, "stride2"},
		{dwCase{c: 32, h: 56, w: 56, k: 3, s: 2, pads: p1}, "stride2"},
		{dwCase{c: 16, h: 7, w: 7, k: 3, s: 2, pads: p1, clip: true}, "stride2"},
		{dwCase{c: 8, h: 14, w: 14, k: 3, s: 2, pads: tf}, "stride2"},
		{dwCase{c: 8, h: 15, w: 9, k: 3, s: 2, pads: none, clip: true}, ""},
		{dwCase{c: 8, h: 1, w: 40, k: 3, s: 2, pads: p1}, "stride2"},
		{dwCase{c: 8, h: 13, w: 18, k: 3, s: 2, pads: [4]int{1, 0, 1, 1}, clip: true}, "stride2"},
		{dwCase{c: 8, h: 18, w: 13, k: 3, s: 2, pads: [4]int{0, 1, 0, 1}}, "stride2"},
		{dwCase{c: 8, h: 16, w: 16, k: 3, s: 2, pads: tf, nanLo: true}, "stride2"},
		{dwCase{c: 8, h: 16, w: 16, k: 3, s: 2, pads: [4]int{2, 2, 2, 2}, clip: true}, ""}, // past one on the top
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
			if tc.path == "" {
				continue
			}
			planes := func() []float32 {
				dwInPlaceOff = true
				defer func() { dwInPlaceOff = false }()
				return tc.run(t, m, x, threads, func(k *convKernel) {
					if k.dwFlat || k.dwSame || k.dwStride2 {
						t.Errorf("%s: dwFlat %v dwSame %v dwStride2 %v with dwInPlaceOff", what, k.dwFlat, k.dwSame, k.dwStride2)
					}
				})
			}()
			for i := range got {
				if got[i] != planes[i] {
					t.Fatalf("%s: out[%d] = %v in place, %v over padded planes", what, i, got[i], planes[i])
				}
			}
		}
	}
}
