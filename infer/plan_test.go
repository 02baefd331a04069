package infer

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func randF(r *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	return x
}

// refConv is a direct NCHW convolution in float64: the specification the
// im2col/GEMM and depthwise paths are checked against.
func refConv(x []float32, n, c, h, w int, wt []float32, co, kh, kw, group, sh, sw, pt, pl, pb, pr, dh, dw int, bias []float32) ([]float32, int, int) {
	oh := (h+pt+pb-((kh-1)*dh+1))/sh + 1
	ow := (w+pl+pr-((kw-1)*dw+1))/sw + 1
	out := make([]float32, n*co*oh*ow)
	cg, mg := c/group, co/group
	for b := 0; b < n; b++ {
		for o := 0; o < co; o++ {
			g := o / mg
			for y := 0; y < oh; y++ {
				for xx := 0; xx < ow; xx++ {
					s := 0.0
					if bias != nil {
						s = float64(bias[o])
					}
					for ci := 0; ci < cg; ci++ {
						for ky := 0; ky < kh; ky++ {
							for kx := 0; kx < kw; kx++ {
								iy, ix := y*sh-pt+ky*dh, xx*sw-pl+kx*dw
								if iy < 0 || iy >= h || ix < 0 || ix >= w {
									continue
								}
								s += float64(wt[((o*cg+ci)*kh+ky)*kw+kx]) * float64(x[((b*c+g*cg+ci)*h+iy)*w+ix])
							}
						}
					}
					out[((b*co+o)*oh+y)*ow+xx] = float32(s)
				}
			}
		}
	}
	return out, oh, ow
}

func closeTo(t *testing.T, what string, got, want []float32, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	scale := 1e-6
	for _, v := range want {
		scale = math.Max(scale, math.Abs(float64(v)))
	}
	for i := range got {
		if d := math.Abs(float64(got[i] - want[i])); !(d <= tol*scale) {
			t.Fatalf("%s: element %d = %v, want %v (|diff| %.3g, scale %.3g)", what, i, got[i], want[i], d, scale)
		}
	}
}

func TestConvBatchNormReluFused(t *testing.T) {
	cases := []struct {
		name                                       string
		n, c, h, w, co, k, group, s, pad, dil, thr int
	}{
		{"3x3", 1, 3, 17, 19, 8, 3, 1, 1, 1, 1, 1},
		{"3x3 stride 2 threads", 2, 4, 33, 31, 16, 3, 1, 2, 1, 1, 3},
		{"1x1 pointwise", 1, 16, 9, 9, 24, 1, 1, 1, 0, 1, 2},
		{"grouped", 1, 8, 12, 12, 8, 3, 2, 1, 1, 1, 2},
		{"depthwise", 2, 8, 14, 15, 8, 3, 8, 2, 1, 1, 2},
		{"dilated 5x5", 1, 2, 20, 20, 4, 5, 1, 1, 2, 2, 1},
		{"many tiles", 1, 3, 40, 40, 5, 3, 1, 1, 1, 1, 2},
		{"3x3 batch 2 threads", 2, 5, 11, 13, 20, 3, 1, 1, 1, 1, 3},
		{"3x3 valid", 1, 3, 9, 10, 6, 3, 1, 1, 0, 1, 2},
		{"5x5 pad 1", 1, 4, 12, 9, 7, 5, 1, 1, 1, 1, 1},
		{"channel blocks", 1, 8, 6, 6, 64, 3, 1, 1, 1, 1, 2},
		{"grouped dilated", 2, 6, 13, 8, 9, 3, 3, 1, 2, 2, 2},
		{"depthwise 4x4 map", 2, 16, 4, 4, 16, 3, 16, 1, 1, 1, 2},
		// a small map in one run of vectors (simd.DepthwiseFlat3), the
		// threads' channel runs crossing images; larger ones in planes
		{"depthwise 7x7 map", 2, 24, 7, 7, 24, 3, 24, 1, 1, 1, 3},
		{"depthwise 14x14 map", 1, 5, 14, 14, 5, 3, 5, 1, 1, 1, 2},
		{"depthwise 16x16 map, stride 2", 1, 6, 16, 16, 6, 3, 6, 2, 1, 1, 2},
		{"depthwise 5x5 dilated", 1, 6, 9, 11, 6, 5, 6, 1, 2, 2, 1},
		{"depthwise stride 2 odd", 1, 5, 7, 9, 5, 3, 5, 2, 1, 1, 3},
		{"depthwise large map", 1, 4, 40, 40, 4, 3, 4, 1, 1, 1, 2},
		{"one input channel", 2, 1, 13, 11, 8, 3, 1, 1, 1, 1, 3},
		{"one input channel stride 2", 1, 1, 15, 12, 6, 3, 1, 2, 1, 1, 2},
		{"one input channel no padding", 1, 1, 9, 10, 5, 3, 1, 1, 0, 1, 1},
		// strided: the phase-plane (shifted) path
		{"7x7 stride 2 pad 3", 1, 3, 23, 19, 8, 7, 1, 2, 3, 1, 2},
		{"3x3 stride 2 dilated", 1, 4, 17, 15, 8, 3, 1, 2, 2, 2, 1},
		{"5x5 stride 3", 2, 5, 20, 22, 6, 5, 1, 3, 2, 1, 2},
		{"1x1 stride 2", 1, 8, 9, 11, 12, 1, 1, 2, 0, 1, 1},
		{"3x3 stride 2 grouped", 1, 8, 13, 12, 8, 3, 2, 2, 1, 1, 2},
		{"3x3 stride 2 even map", 2, 6, 16, 16, 24, 3, 1, 2, 1, 1, 3},
		// deep layers on small maps: the transposed path where simd packs B
		{"transposed 1x1", 2, 256, 6, 6, 260, 1, 1, 1, 0, 1, 2},
		{"transposed 5x5", 1, 16, 6, 6, 256, 5, 1, 1, 2, 1, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, uint64(tc.co)))
			cg := tc.c / tc.group
			wt := randF(r, tc.co*cg*tc.k*tc.k)
			bias := randF(r, tc.co)
			scale, shift, mean := randF(r, tc.co), randF(r, tc.co), randF(r, tc.co)
			variance := make([]float32, tc.co)
			for i := range variance {
				variance[i] = 0.5 + r.Float32()
			}
			g := newGB(13).input("x", -1, int64(tc.c), int64(tc.h), int64(tc.w)).output("y")
			g.initF("W", []int64{int64(tc.co), int64(cg), int64(tc.k), int64(tc.k)}, wt)
			g.initF("B", []int64{int64(tc.co)}, bias)
			for _, p := range []struct {
				n string
				v []float32
			}{{"s", scale}, {"b", shift}, {"m", mean}, {"v", variance}} {
				g.initF(p.n, []int64{int64(tc.co)}, p.v)
			}
			P := int64(tc.pad)
			g.node("conv", "Conv", []string{"x", "W", "B"}, []string{"c"},
				attrInts("kernel_shape", int64(tc.k), int64(tc.k)), attrInts("pads", P, P, P, P),
				attrInts("strides", int64(tc.s), int64(tc.s)), attrInts("dilations", int64(tc.dil), int64(tc.dil)),
				attrInt("group", int64(tc.group)))
			g.node("bn", "BatchNormalization", []string{"c", "s", "b", "m", "v"}, []string{"bn"}, attrFloat("epsilon", 1e-3))
			g.node("relu", "Relu", []string{"bn"}, []string{"y"})
			m, err := Load(g.bytes())
			if err != nil {
				t.Fatal(err)
			}
			p, err := m.Plan(Options{Threads: tc.thr, Batch: tc.n})
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			if p.Steps() != 1 {
				t.Errorf("plan has %d steps, want 1 (BN and ReLU fused into the conv)", p.Steps())
			}
			x := randF(r, tc.n*tc.c*tc.h*tc.w)
			if err := p.SetInput(0, x); err != nil {
				t.Fatal(err)
			}
			if err := p.Run(); err != nil {
				t.Fatal(err)
			}
			want, oh, ow := refConv(x, tc.n, tc.c, tc.h, tc.w, wt, tc.co, tc.k, tc.k, tc.group, tc.s, tc.s, tc.pad, tc.pad, tc.pad, tc.pad, tc.dil, tc.dil, bias)
			for i := range want {
				ch := (i / (oh * ow)) % tc.co
				v := (float64(want[i])-float64(mean[ch]))/math.Sqrt(float64(variance[ch])+1e-3)*float64(scale[ch]) + float64(shift[ch])
				want[i] = float32(math.Max(0, v))
			}
			if got := p.Output(0).Shape; !sameShape(got, []int{tc.n, tc.co, oh, ow}) {
				t.Fatalf("output shape %v, want %v", got, []int{tc.n, tc.co, oh, ow})
			}
			closeTo(t, "conv+bn+relu", p.Output(0).F, want, 1e-5)
		})
	}
}

// mlp is Gemm(transB) → PRelu(per feature) → Gemm, the shape of a twin
// network's head.
func mlp(t *testing.T, r *rand.Rand, in, hid, out int) ([]byte, func(x []float32) []float32) {
	w1, b1, slope, w2, b2 := randF(r, hid*in), randF(r, hid), randF(r, hid), randF(r, out*hid), randF(r, out)
	g := newGB(13).input("x", -1, int64(in)).output("y")
	g.initF("w1", []int64{int64(hid), int64(in)}, w1).initF("b1", []int64{int64(hid)}, b1)
	g.initF("slope", []int64{int64(hid)}, slope)
	g.initF("w2", []int64{int64(hid), int64(out)}, w2).initF("b2", []int64{int64(out)}, b2)
	g.node("fc1", "Gemm", []string{"x", "w1", "b1"}, []string{"h"}, attrInt("transB", 1))
	g.node("act", "PRelu", []string{"h", "slope"}, []string{"a"})
	g.node("fc2", "Gemm", []string{"a", "w2", "b2"}, []string{"y"}, attrFloat("alpha", 0.5))
	ref := func(x []float32) []float32 {
		batch := len(x) / in
		y := make([]float32, batch*out)
		for b := 0; b < batch; b++ {
			h := make([]float64, hid)
			for j := range h {
				s := float64(b1[j])
				for i := 0; i < in; i++ {
					s += float64(w1[j*in+i]) * float64(x[b*in+i])
				}
				if s < 0 {
					s *= float64(slope[j])
				}
				h[j] = s
			}
			for o := 0; o < out; o++ {
				s := 0.0
				for j := range h {
					s += h[j] * float64(w2[j*out+o])
				}
				y[b*out+o] = float32(0.5*s + float64(b2[o]))
			}
		}
		return y
	}
	return g.bytes(), ref
}

func TestGemmPReluBatches(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 3))
	model, ref := mlp(t, r, 37, 70, 5)
	m, err := Load(model)
	if err != nil {
		t.Fatal(err)
	}
	for _, batch := range []int{1, 3} {
		for _, threads := range []int{1, 2} {
			p, err := m.Plan(Options{Batch: batch, Threads: threads})
			if err != nil {
				t.Fatal(err)
			}
			if p.Steps() != 2 {
				t.Errorf("batch %d: %d steps, want 2 (PRelu fused)", batch, p.Steps())
			}
			x := randF(r, batch*37)
			copy(p.Input(0).F, x)
			if err := p.Run(); err != nil {
				t.Fatal(err)
			}
			closeTo(t, "mlp", p.Output(0).F, ref(x), 1e-5)
			p.Close()
		}
	}
}

func TestRunAllocatesNothing(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 5))
	fc, _ := mlp(t, r, 64, 32, 8)
	g := newGB(13).input("x", -1, 3, 40, 40).output("y")
	g.initF("w", []int64{8, 3, 3, 3}, randF(r, 216)).initF("dw", []int64{8, 1, 3, 3}, randF(r, 72))
	g.initF("slope", []int64{8, 1, 1}, randF(r, 8))
	g.node("c", "Conv", []string{"x", "w"}, []string{"c"}, attrInts("pads", 1, 1, 1, 1))
	g.node("a", "PRelu", []string{"c", "slope"}, []string{"a"})
	g.node("d", "Conv", []string{"a", "dw"}, []string{"d"}, attrInt("group", 8), attrInts("strides", 2, 2))
	g.node("s", "Add", []string{"d", "d"}, []string{"y"})
	for name, model := range map[string][]byte{"fc": fc, "conv": g.bytes()} {
		m, err := Load(model)
		if err != nil {
			t.Fatal(err)
		}
		for _, threads := range []int{1, 2} {
			p, err := m.Plan(Options{Threads: threads, Batch: 2})
			if err != nil {
				t.Fatal(err)
			}
			copy(p.Input(0).F, randF(r, len(p.Input(0).F)))
			if a := testing.AllocsPerRun(20, func() { _ = p.Run() }); a != 0 {
				t.Errorf("%s, threads %d: %v allocations per run, want 0", name, threads, a)
			}
			p.Close()
		}
	}
}

func TestMetadataAndOpset(t *testing.T) {
	g := newGB(11).input("x", 1, 4).output("y")
	g.node("r", "Relu", []string{"x"}, []string{"y"})
	g.meta = [][2]string{{"edge.input_size", "4"}, {"edge.threshold", "0.7"}}
	m, err := Load(g.bytes())
	if err != nil {
		t.Fatal(err)
	}
	if m.Opset != 11 || m.Metadata["edge.threshold"] != "0.7" || m.Metadata["edge.input_size"] != "4" {
		t.Errorf("opset %d metadata %v", m.Opset, m.Metadata)
	}
	if len(m.Inputs) != 1 || m.Inputs[0].String() != "x float32[1,4]" {
		t.Errorf("inputs %v", m.Inputs)
	}
}

func TestSymbolicBatchKeptFromFile(t *testing.T) {
	g := newGB(13).input("x", -1, 3).output("y")
	g.node("r", "Relu", []string{"x"}, []string{"y"})
	m, err := Load(g.bytes())
	if err != nil {
		t.Fatal(err)
	}
	if d := m.Inputs[0].Dims; len(d) != 2 || d[0].Param != "batch" || d[1].Value != 3 {
		t.Fatalf("dims %v", d)
	}
	p, err := m.Plan(Options{Batch: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if !sameShape(p.Input(0).Shape, []int{4, 3}) {
		t.Errorf("input shape %v", p.Input(0).Shape)
	}
	if _, err := m.Plan(Options{Shapes: map[string][]int{"x": {2, 5}}}); err == nil {
		t.Error("a shape that contradicts a fixed dim was accepted")
	}
}

func TestSameInputTwice(t *testing.T) {
	g := newGB(13).input("x", 1, 3).output("y")
	g.node("sq", "Mul", []string{"x", "x"}, []string{"y"})
	m, err := Load(g.bytes())
	if err != nil {
		t.Fatal(err)
	}
	p, err := m.Plan(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	copy(p.Input(0).F, []float32{1, -2, 3})
	if err := p.Run(); err != nil {
		t.Fatal(err)
	}
	closeTo(t, "x*x", p.Output(0).F, []float32{1, 4, 9}, 0)
}

func TestLoadErrors(t *testing.T) {
	relu := func() *gb {
		g := newGB(13).input("x", 1, 4).output("y")
		return g.node("r", "Relu", []string{"x"}, []string{"y"})
	}
	cases := []struct {
		name        string
		model       []byte
		want        string
		unsupported bool
	}{
		{"empty", nil, "no graph", false},
		{"garbage", []byte("this is not an onnx file"), "", false},
		{"truncated", relu().bytes()[:30], "", false},
		{"unknown op", newGB(13).input("x", 1, 4).output("y").node("n7", "FancyOp", []string{"x"}, []string{"y"}).bytes(), `node "n7" (FancyOp): operator FancyOp is not supported`, true},
		{"unknown attribute", newGB(13).input("x", 1, 4).output("y").node("r", "Relu", []string{"x"}, []string{"y"}, attrInt("bogus", 1)).bytes(), `node "r" (Relu): attribute "bogus" is not supported`, true},
		{"missing input", newGB(13).input("x", 1, 4).output("y").node("a", "Add", []string{"x", "w"}, []string{"y"}).bytes(), `input "w" is neither`, false},
		{"cycle", newGB(13).input("x", 1, 4).output("y").node("a", "Add", []string{"x", "z"}, []string{"y"}).node("b", "Relu", []string{"y"}, []string{"z"}).bytes(), "cycle", false},
		{"produced twice", newGB(13).input("x", 1, 4).output("y").node("a", "Relu", []string{"x"}, []string{"y"}).node("b", "Relu", []string{"x"}, []string{"y"}).bytes(), "produced twice", false},
		{"no output", newGB(13).input("x", 1, 4).node("a", "Relu", []string{"x"}, []string{"y"}).bytes(), "no outputs", false},
		{"huge initializer dims", relu().initF("w", []int64{1 << 30, 1 << 30}, []float32{1}).bytes(), "exceeds", false},
		{"negative dims", relu().initF("w", []int64{-3}, []float32{1}).bytes(), "out of range", false},
		{"data shorter than dims", relu().initF("w", []int64{4}, []float32{1, 2}).bytes(), "holds 2 values", false},
		{"huge input dims", newGB(13).input("x", 1<<40, 4).output("y").node("r", "Relu", []string{"x"}, []string{"y"}).bytes(), "out of range", false},
		{"domain", newGB(13).input("x", 1, 4).output("y").node("r", "Relu", []string{"x"}, []string{"y"}).bytes(), "", false},
	}
	// a node in a custom domain
	dom := newGB(13).input("x", 1, 4).output("y")
	dom.nodes = append(dom.nodes, msg(fString(fNodeInput, "x"), fString(fNodeOutput, "y"), fString(fNodeName, "c"), fString(fNodeOpType, "Foo"), fString(fNodeDomain, "com.example")))
	cases[len(cases)-1] = struct {
		name        string
		model       []byte
		want        string
		unsupported bool
	}{"domain", dom.bytes(), `domain "com.example" is not supported`, true}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(tc.model)
			if err == nil {
				t.Fatal("loaded")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not mention %q", err, tc.want)
			}
			if errors.Is(err, ErrUnsupported) != tc.unsupported {
				t.Errorf("errors.Is(ErrUnsupported) = %v for %q", !tc.unsupported, err)
			}
		})
	}
}

func TestPlanErrorsNameTheNode(t *testing.T) {
	g := newGB(13).input("x", 1, 4).output("y")
	g.initF("w", []int64{5, 3}, randF(rand.New(rand.NewPCG(1, 1)), 15))
	g.node("fc", "Gemm", []string{"x", "w"}, []string{"y"})
	m, err := Load(g.bytes())
	if err != nil {
		t.Fatal(err)
	}
	_, err = m.Plan(Options{})
	if err == nil || !strings.Contains(err.Error(), `node "fc" (Gemm)`) {
		t.Fatalf("error %v does not name the node", err)
	}
	g = newGB(13).input("x", 1, 4, 8, 8).output("y")
	g.initF("w", []int64{2, 4, 3, 3}, make([]float32, 72))
	g.node("c", "Conv", []string{"x", "w"}, []string{"y"}, attrString("auto_pad", "SIDEWAYS"))
	// An unsupported attribute value of a model with fixed shapes fails at load time.
	if _, err = Load(g.bytes()); err == nil || !strings.Contains(err.Error(), `node "c" (Conv): attribute "auto_pad" = "SIDEWAYS" is not supported`) {
		t.Fatalf("error %v", err)
	}
}

func TestMemoryBudget(t *testing.T) {
	g := newGB(13).input("x", 1, 1000, 1000).output("y")
	g.node("r", "Relu", []string{"x"}, []string{"y"})
	m, err := Load(g.bytes())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Plan(Options{MaxBytes: 1 << 20}); err == nil {
		t.Fatal("a 4 MB plan fit a 1 MB budget")
	}
	p, err := m.Plan(Options{MaxBytes: 1 << 24})
	if err != nil {
		t.Fatal(err)
	}
	p.Close()
}

// TestResidualAddFusion checks Conv → Add(skip) → Relu: fused into one
// step when the skip is ready before the convolution runs, left alone
// (and still right) when it is computed after.
func TestResidualAddFusion(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	w := randF(r, 4*4*9)
	for _, skipFirst := range []bool{true, false} {
		g := newGB(13).input("x", 1, 4, 6, 6).output("y")
		g.initF("w", []int64{4, 4, 3, 3}, w)
		conv := func() { g.node("c", "Conv", []string{"x", "w"}, []string{"c"}, attrInts("pads", 1, 1, 1, 1)) }
		skip := func() { g.node("s", "Sigmoid", []string{"x"}, []string{"s"}) }
		if skipFirst {
			skip()
			conv()
		} else {
			conv()
			skip()
		}
		g.node("a", "Add", []string{"c", "s"}, []string{"a"})
		g.node("r", "Relu", []string{"a"}, []string{"y"})
		p := mustPlan(t, g.bytes(), 2)
		wantSteps := 4
		if skipFirst {
			wantSteps = 2
		}
		if p.Steps() != wantSteps {
			t.Errorf("skip first %v: %d steps, want %d", skipFirst, p.Steps(), wantSteps)
		}
		x := randF(r, 144)
		copy(p.Input(0).F, x)
		if err := p.Run(); err != nil {
			t.Fatal(err)
		}
		want, _, _ := refConv(x, 1, 4, 6, 6, w, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, nil)
		for i := range want {
			want[i] = float32(math.Max(0, float64(want[i]+sigmoid(x[i]))))
		}
		closeTo(t, "conv+add+relu", p.Output(0).F, want, 1e-5)
		p.Close()
	}
}

// TestStepPath: StepInfo names how each convolution and matrix step is
// computed, and nothing for the other steps.
func TestStepPath(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	g := newGB(13).input("x", 1, 8, 9, 9).output("y")
	g.initF("dw", []int64{8, 1, 3, 3}, randF(r, 72))
	g.initF("pw", []int64{16, 8, 1, 1}, randF(r, 128))
	g.node("dwconv", "Conv", []string{"x", "dw"}, []string{"a"}, attrInts("pads", 1, 1, 1, 1), attrInt("group", 8))
	g.node("pwconv", "Conv", []string{"a", "pw"}, []string{"b"})
	g.node("pool", "MaxPool", []string{"b"}, []string{"y"}, attrInts("kernel_shape", 3, 3))
	p := mustPlan(t, g.bytes(), 1)
	defer p.Close()
	var got []string
	for i := 0; i < p.Steps(); i++ {
		got = append(got, p.Step(i).Op+":"+p.Step(i).Path)
	}
	if want := "Conv:depthwise Conv:gemm MaxPool:"; strings.Join(got, " ") != want {
		t.Errorf("steps %q, want %q", strings.Join(got, " "), want)
	}
}
