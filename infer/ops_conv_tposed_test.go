package infer

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/edge-pi/edge/simd"
)

// TestTposedChosenAndEqual: deep convolutions on small maps take the
// transposed path where simd has its kernels (tposedNative; not
// elsewhere), and
// give what the other paths give, with a fused ReLU and residual Add.
func TestTposedChosenAndEqual(t *testing.T) {
	for _, tc := range []struct {
		c, co, h, w, k, pad int
		want, wantAVX2      bool // AVX-512's drivers, AVX2's kernels
	}{
		// squeezenet1_1's classifier at 112²; AVX2 rounds 36 columns to
		// 40 (measured 0.40 ms transposed against 0.44, not taken)
		{512, 1000, 6, 6, 1, 0, true, false},
		// 5×5 through im2col, rather than over the padded width (60
		// columns for 36); AVX2 as above (0.106 against 0.131)
		{16, 256, 6, 6, 5, 2, true, false},
		// Winograd's 9 tiles: AVX-512 does them as 8 columns in zmm and
		// one matrix-vector column, AVX2 as 16 (0.060 transposed against
		// 0.085, AMD Zen 3)
		{32, 256, 5, 5, 3, 1, false, true},
		// squeezenet1_1's last expand3x3 layers: Winograd, by the lane
		// count (AVX2 0.150 transposed against 0.134)
		{64, 256, 6, 6, 3, 1, false, false},
		{32, 64, 7, 7, 3, 1, false, false}, // too few channels: the overheads win
		{512, 512, 20, 20, 1, 0, false, false},
	} {
		r := rand.New(rand.NewPCG(3, uint64(tc.co)))
		g := newGB(13).input("x", 1, int64(tc.c), int64(tc.h), int64(tc.w)).input("r", 1, int64(tc.co), int64(tc.h), int64(tc.w)).output("y")
		g.initF("W", []int64{int64(tc.co), int64(tc.c), int64(tc.k), int64(tc.k)}, randF(r, tc.co*tc.c*tc.k*tc.k))
		g.initF("B", []int64{int64(tc.co)}, randF(r, tc.co))
		P := int64(tc.pad)
		g.node("conv", "Conv", []string{"x", "W", "B"}, []string{"c"}, attrInts("kernel_shape", int64(tc.k), int64(tc.k)), attrInts("pads", P, P, P, P))
		g.node("add", "Add", []string{"c", "r"}, []string{"a"})
		g.node("relu", "Relu", []string{"a"}, []string{"y"})
		m, err := Load(g.bytes())
		if err != nil {
			t.Fatal(err)
		}
		x, res := randF(r, tc.c*tc.h*tc.w), randF(r, tc.co*tc.h*tc.w)
		run := func(off bool) ([]float32, bool) {
			tposedOff = off
			defer func() { tposedOff = false }()
			y, k := runFirstConv(t, m, 2, x, res)
			return y, k.tposed
		}
		got, chosen := run(false)
		want, _ := run(true)
		wantT := tc.want
		if simd.Implementation() == "avx2" {
			wantT = tc.wantAVX2
		}
		if chosen != (wantT && tposedNative()) {
			t.Errorf("%+v: transposed %v, want %v (simd %s has the transposed path's kernels: %v)", tc, chosen, wantT, simd.Implementation(), tposedNative())
		}
		for i := range want {
			if d := math.Abs(float64(got[i] - want[i])); d > 1e-4*(1+math.Abs(float64(want[i]))) {
				t.Fatalf("%+v: y[%d] = %v, other paths %v", tc, i, got[i], want[i])
			}
		}
	}
}

// TestTposedGather: the transposed path's indexed gather (tIdx) reads
// the right pixels at stride 2, with dilation and uneven padding, on a
// map wider than tall (resnet18's layer4.0 at 112² is 256 → 512 channels,
// 8×8 → 4×4 at stride 2); forced (tposedOn), as the cost model of some
// kernels would compute some of these otherwise.
func TestTposedGather(t *testing.T) {
	tposedOn = true
	defer func() { tposedOn = false }()
	for _, tc := range []struct {
		c, co, h, w, k, s, d, pt, pl, pb, pr int
	}{
		{256, 512, 8, 8, 3, 2, 1, 1, 1, 1, 1},
		{128, 256, 5, 9, 3, 1, 2, 2, 1, 0, 3},
		{16, 256, 6, 6, 5, 1, 1, 2, 1, 2, 3},
	} {
		r := rand.New(rand.NewPCG(4, uint64(tc.co+tc.w)))
		wt, bias := randF(r, tc.co*tc.c*tc.k*tc.k), randF(r, tc.co)
		g := newGB(13).input("x", 1, int64(tc.c), int64(tc.h), int64(tc.w)).output("y")
		g.initF("W", []int64{int64(tc.co), int64(tc.c), int64(tc.k), int64(tc.k)}, wt)
		g.initF("B", []int64{int64(tc.co)}, bias)
		g.node("conv", "Conv", []string{"x", "W", "B"}, []string{"y"}, attrInts("kernel_shape", int64(tc.k), int64(tc.k)),
			attrInts("pads", int64(tc.pt), int64(tc.pl), int64(tc.pb), int64(tc.pr)), attrInts("strides", int64(tc.s), int64(tc.s)),
			attrInts("dilations", int64(tc.d), int64(tc.d)))
		p := mustPlan(t, g.bytes(), 2)
		x := randF(r, tc.c*tc.h*tc.w)
		if err := p.SetInput(0, x); err != nil {
			t.Fatal(err)
		}
		if err := p.Run(); err != nil {
			t.Fatal(err)
		}
		if chosen := p.steps[0].k.(*convKernel).tposed; chosen != tposedNative() {
			t.Errorf("%+v: transposed %v, want %v", tc, chosen, tposedNative())
		}
		want, _, _ := refConv(x, 1, tc.c, tc.h, tc.w, wt, tc.co, tc.k, tc.k, 1, tc.s, tc.s, tc.pt, tc.pl, tc.pb, tc.pr, tc.d, tc.d, bias)
		closeTo(t, "transposed", p.Output(0).F, want, 1e-5)
		p.Close()
	}
}

// TestTposedThreadsAndBatch: the transposed path's two loops (the left
// operands packed by rows of pixels, then the product by columns of the
// weights) give the same output at 1, 2 and 3 threads, on two images, as
// the other paths, with a residual Add and ReLU and without.
func TestTposedThreadsAndBatch(t *testing.T) {
	const c, co, h, w = 256, 512, 4, 4
	r := rand.New(rand.NewPCG(5, 5))
	wt, bias := randF(r, co*c*9), randF(r, co)
	for _, residual := range []bool{false, true} {
		g := newGB(13).input("x", 2, c, h, w).input("r", 2, co, h, w).output("y")
		g.initF("W", []int64{co, c, 3, 3}, wt)
		g.initF("B", []int64{co}, bias)
		g.node("conv", "Conv", []string{"x", "W", "B"}, []string{"cv"}, attrInts("kernel_shape", 3, 3), attrInts("pads", 1, 1, 1, 1))
		last := "cv"
		if residual {
			g.node("add", "Add", []string{"cv", "r"}, []string{"a"})
			last = "a"
		}
		g.node("relu", "Relu", []string{last}, []string{"y"})
		m, err := Load(g.bytes())
		if err != nil {
			t.Fatal(err)
		}
		x, res := randF(r, 2*c*h*w), randF(r, 2*co*h*w)
		run := func(threads int, off bool) []float32 {
			tposedOff = off
			defer func() { tposedOff = false }()
			p, err := m.Plan(Options{Threads: threads})
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			if chosen := p.steps[0].k.(*convKernel).tposed; chosen != (!off && tposedNative()) {
				t.Fatalf("threads %d: transposed %v", threads, chosen)
			}
			if err := p.SetInput(0, x); err != nil {
				t.Fatal(err)
			}
			if err := p.SetInput(1, res); err != nil {
				t.Fatal(err)
			}
			if err := p.Run(); err != nil {
				t.Fatal(err)
			}
			return append([]float32(nil), p.Output(0).F...)
		}
		want := run(1, true)
		for _, threads := range []int{1, 2, 3} {
			closeTo(t, fmt.Sprintf("transposed, residual %v, %d threads", residual, threads), run(threads, false), want, 1e-5)
		}
	}
}

// BenchmarkTposedGather times the transposed path's im2col of resnet18's
// 512-channel 3×3 layers on 4×4 maps at 112² (one unit of 16 pixels).
func BenchmarkTposedGather(b *testing.B) {
	k := &convKernel{}
	k.h, k.w, k.oh, k.ow, k.kh, k.kw, k.sh, k.sw, k.dh, k.dw, k.pt, k.pl = 4, 4, 4, 4, 3, 3, 1, 1, 1, 1, 1, 1
	k.cg, k.cout, k.k = 512, 512, 512*9
	k.weights = make([]float32, k.k*k.cout)
	k.prepareTposed(1)
	in := randF(rand.New(rand.NewPCG(1, 1)), k.cg*k.h*k.w)
	col := make([]float32, k.k*16)
	for b.Loop() {
		k.gather(in, col, 0, 16)
	}
}
