package infer

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// poolCfg is a 2-D pooling window.
type poolCfg struct {
	kh, kw, sh, sw, dh, dw int
	pt, pl, pb, pr         int
	ceil, countPad         bool
}

// refPool2D pools an N·C·H·W tensor by the operator's definition. Output
// sizes: ⌊(in + pads - extent)/stride⌋ + 1, or with ceil_mode the ceiling,
// less one when the last window would start past the input and left
// padding. Taps outside the input are never max candidates; an average
// divides by the taps inside the input, or with countPad by the taps
// inside the padded input.
func refPool2D(x []float32, n, c, h, w int, p poolCfg, isMax bool) ([]float32, int, int) {
	size := func(in, k, s, d, pb, pe int) int {
		span := in + pb + pe - ((k-1)*d + 1)
		if !p.ceil {
			return span/s + 1
		}
		o := int(math.Ceil(float64(span)/float64(s))) + 1
		if (o-1)*s >= in+pb {
			o--
		}
		return o
	}
	oh, ow := size(h, p.kh, p.sh, p.dh, p.pt, p.pb), size(w, p.kw, p.sw, p.dw, p.pl, p.pr)
	y := make([]float32, n*c*oh*ow)
	for pl := 0; pl < n*c; pl++ {
		for oy := 0; oy < oh; oy++ {
			for ox := 0; ox < ow; ox++ {
				m, s, cnt := math.Inf(-1), 0.0, 0
				for ky := 0; ky < p.kh; ky++ {
					for kx := 0; kx < p.kw; kx++ {
						iy, ix := oy*p.sh-p.pt+ky*p.dh, ox*p.sw-p.pl+kx*p.dw
						inside := iy >= 0 && iy < h && ix >= 0 && ix < w
						if inside {
							v := float64(x[(pl*h+iy)*w+ix])
							if math.IsNaN(v) || math.IsNaN(m) {
								m = math.NaN() // even against +Inf, as numpy (math.Max gives +Inf)
							} else {
								m = math.Max(m, v)
							}
							s += v
						}
						if inside || (p.countPad && iy < h+p.pb && ix < w+p.pr) {
							cnt++
						}
					}
				}
				if isMax {
					y[(pl*oh+oy)*ow+ox] = float32(m)
				} else {
					y[(pl*oh+oy)*ow+ox] = float32(s / float64(cnt))
				}
			}
		}
	}
	return y, oh, ow
}

func poolModel(op string, opset int64, dims []int64, attrs ...[]byte) []byte {
	g := newGB(opset).input("x", dims...).output("y")
	g.node("p", op, []string{"x"}, []string{"y"}, attrs...)
	return g.bytes()
}

func arange(n int, scale, off float32) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(i)*scale + off
	}
	return x
}

func TestAveragePoolByHand(t *testing.T) {
	x := arange(16, 1, 0) // 4×4: 0..15
	k3 := attrInts("kernel_shape", 3, 3)
	for _, c := range []struct {
		what  string
		attrs [][]byte
		want  []float32
	}{
		{"ceil", [][]byte{k3, attrInts("strides", 2, 2), attrInt("ceil_mode", 1)},
			[]float32{5, 6.5, 11, 12.5}},
		// the part of a ceil-mode window past the padded end never counts
		{"ceil count pad", [][]byte{k3, attrInts("strides", 2, 2), attrInt("ceil_mode", 1), attrInt("count_include_pad", 1)},
			[]float32{5, 6.5, 11, 12.5}},
		{"pads", [][]byte{k3, attrInts("strides", 2, 2), attrInts("pads", 1, 1, 1, 1)},
			[]float32{10. / 4, 24. / 6, 51. / 6, 90. / 9}},
		{"pads count pad", [][]byte{k3, attrInts("strides", 2, 2), attrInts("pads", 1, 1, 1, 1), attrInt("count_include_pad", 1)},
			[]float32{10. / 9, 24. / 9, 51. / 9, 90. / 9}},
	} {
		y := calcRun(t, poolModel("AveragePool", 11, []int64{1, 1, 4, 4}, c.attrs...), 1, x)[0]
		calcShape(t, c.what, y.Shape, []int{1, 1, 2, 2})
		calcClose(t, c.what, y.F, c.want, 1e-6, 0)
	}
}

func TestMaxPoolByHand(t *testing.T) {
	// all negative: padding (which would read as 0) must never win
	x := arange(16, -1, -1) // -1..-16
	y := calcRun(t, poolModel("MaxPool", 12, []int64{1, 1, 4, 4},
		attrInts("kernel_shape", 2, 2), attrInts("strides", 2, 2), attrInts("pads", 1, 1, 1, 1)), 1, x)[0]
	calcShape(t, "pads", y.Shape, []int{1, 1, 3, 3})
	calcClose(t, "pads", y.F, []float32{-1, -2, -4, -5, -6, -8, -13, -14, -16}, 0, 0)
	// 1-D
	y = calcRun(t, poolModel("MaxPool", 12, []int64{1, 1, 5}, attrInts("kernel_shape", 2)), 1, []float32{3, 1, 4, 1, 5})[0]
	calcShape(t, "1-D", y.Shape, []int{1, 1, 4})
	calcClose(t, "1-D", y.F, []float32{3, 4, 4, 5}, 0, 0)
	// 3-D
	for op, want := range map[string]float32{"MaxPool": 7, "AveragePool": 3.5} {
		y = calcRun(t, poolModel(op, 12, []int64{1, 1, 2, 2, 2}, attrInts("kernel_shape", 2, 2, 2)), 1, arange(8, 1, 0))[0]
		calcShape(t, op+" 3-D", y.Shape, []int{1, 1, 1, 1, 1})
		calcClose(t, op+" 3-D", y.F, []float32{want}, 0, 0)
	}
	// NaN is never skipped
	nan := float32(math.NaN())
	y = calcRun(t, poolModel("MaxPool", 12, []int64{1, 1, 4}, attrInts("kernel_shape", 2), attrInts("strides", 2)), 1, []float32{1, nan, 2, 3})[0]
	calcClose(t, "nan", y.F, []float32{nan, 3}, 0, 0)
}

// TestPool2DReference compares both pools with refPool2D over a spread of
// windows, strides, dilations, pads and both rounding modes.
func TestPool2DReference(t *testing.T) {
	const n, c, h, w = 2, 3, 7, 9
	x := make([]float32, n*c*h*w)
	for i := range x {
		x[i] = float32((i*37)%101)/10 - 5
	}
	cfgs := []poolCfg{
		{kh: 2, kw: 2, sh: 2, sw: 2, dh: 1, dw: 1},
		{kh: 3, kw: 3, sh: 2, sw: 2, dh: 1, dw: 1, ceil: true},
		{kh: 3, kw: 2, sh: 1, sw: 3, dh: 1, dw: 1, pt: 1, pl: 0, pb: 2, pr: 1},
		{kh: 3, kw: 3, sh: 2, sw: 2, dh: 1, dw: 1, pt: 1, pl: 1, pb: 1, pr: 1, countPad: true},
		{kh: 3, kw: 3, sh: 2, sw: 3, dh: 1, dw: 1, pt: 1, pl: 2, pb: 1, pr: 0, ceil: true, countPad: true},
		{kh: 2, kw: 3, sh: 1, sw: 1, dh: 2, dw: 3, pt: 1, pl: 1, pb: 0, pr: 2},
		{kh: 2, kw: 2, sh: 3, sw: 2, dh: 2, dw: 2, pt: 1, pl: 1, pb: 1, pr: 1, ceil: true},
		{kh: 7, kw: 9, sh: 1, sw: 1, dh: 1, dw: 1},
	}
	for i, p := range cfgs {
		attrs := [][]byte{
			attrInts("kernel_shape", int64(p.kh), int64(p.kw)),
			attrInts("strides", int64(p.sh), int64(p.sw)),
			attrInts("dilations", int64(p.dh), int64(p.dw)),
			attrInts("pads", int64(p.pt), int64(p.pl), int64(p.pb), int64(p.pr)),
			attrInt("ceil_mode", map[bool]int64{false: 0, true: 1}[p.ceil]),
		}
		for _, op := range []string{"MaxPool", "AveragePool"} {
			a := attrs
			if op == "AveragePool" {
				a = append(a[:len(a):len(a)], attrInt("count_include_pad", map[bool]int64{false: 0, true: 1}[p.countPad]))
			}
			want, oh, ow := refPool2D(x, n, c, h, w, p, op == "MaxPool")
			for _, threads := range []int{1, 4} {
				what := fmt.Sprintf("%s config %d threads %d", op, i, threads)
				y := calcRun(t, poolModel(op, 19, []int64{n, c, h, w}, a...), threads, x)[0]
				calcShape(t, what, y.Shape, []int{n, c, oh, ow})
				calcClose(t, what, y.F, want, 1e-6, 1e-6)
			}
		}
	}
}

func TestPoolAutoPad(t *testing.T) {
	x := arange(2*5*6, 0.5, -3)
	for _, c := range []struct {
		mode   string
		pt, pb int // rows: 5 in, stride 2 → 3 out, 3 rows of padding
		pl, pr int // columns: 6 in, stride 2 → 3 out, 1 column
	}{
		{"SAME_UPPER", 1, 2, 0, 1},
		{"SAME_LOWER", 2, 1, 1, 0},
	} {
		for _, op := range []string{"MaxPool", "AveragePool"} {
			y := calcRun(t, poolModel(op, 11, []int64{1, 2, 5, 6}, attrInts("kernel_shape", 4, 3),
				attrInts("strides", 2, 2), attrString("auto_pad", c.mode)), 1, x)[0]
			want, oh, ow := refPool2D(x, 1, 2, 5, 6, poolCfg{kh: 4, kw: 3, sh: 2, sw: 2, dh: 1, dw: 1,
				pt: c.pt, pb: c.pb, pl: c.pl, pr: c.pr}, op == "MaxPool")
			calcShape(t, op+" "+c.mode, y.Shape, []int{1, 2, oh, ow})
			calcClose(t, op+" "+c.mode, y.F, want, 1e-6, 0)
		}
	}
}

func TestPoolFusedRelu(t *testing.T) {
	g := newGB(13).input("x", 1, 2, 4, 4).output("y")
	g.node("p", "MaxPool", []string{"x"}, []string{"p"}, attrInts("kernel_shape", 2, 2), attrInts("strides", 2, 2))
	g.node("r", "Relu", []string{"p"}, []string{"y"})
	p := mustPlan(t, g.bytes(), 2)
	defer p.Close()
	if p.Steps() != 1 {
		t.Errorf("%d steps, want 1 (Relu fused into MaxPool)", p.Steps())
	}
	x := arange(32, 1, -20)
	copy(p.Input(0).F, x)
	if err := p.Run(); err != nil {
		t.Fatal(err)
	}
	want, _, _ := refPool2D(x, 1, 2, 4, 4, poolCfg{kh: 2, kw: 2, sh: 2, sw: 2, dh: 1, dw: 1}, true)
	for i := range want {
		want[i] = max(want[i], 0)
	}
	calcClose(t, "relu(maxpool)", p.Output(0).F, want, 0, 0)
}

func TestPoolErrors(t *testing.T) {
	g := newGB(12).input("x", 1, 1, 4, 4).output("y")
	g.node("p", "MaxPool", []string{"x"}, []string{"y", "idx"}, attrInts("kernel_shape", 2, 2))
	if err := calcPlanErr(g.bytes()); !errors.Is(err, ErrUnsupported) {
		t.Errorf("Indices output: error %v, want ErrUnsupported", err)
	}
	for what, model := range map[string][]byte{
		"window in padding only": poolModel("MaxPool", 12, []int64{1, 1, 1, 1}, attrInts("kernel_shape", 1, 1), attrInts("pads", 1, 1, 1, 1)),
		"kernel rank":            poolModel("AveragePool", 11, []int64{1, 1, 4, 4}, attrInts("kernel_shape", 2)),
		"window too large":       poolModel("AveragePool", 11, []int64{1, 1, 4, 4}, attrInts("kernel_shape", 5, 5)),
		"no kernel":              poolModel("MaxPool", 12, []int64{1, 1, 4, 4}),
	} {
		if err := calcPlanErr(model); err == nil || errors.Is(err, ErrUnsupported) {
			t.Errorf("%s: error %v, want a model error", what, err)
		}
	}
	if err := calcPlanErr(poolModel("MaxPool", 12, []int64{1, 1, 2, 2, 2, 2}, attrInts("kernel_shape", 1, 1, 1, 1))); !errors.Is(err, ErrUnsupported) {
		t.Errorf("4-D pooling: error %v, want ErrUnsupported", err)
	}
}

func TestGlobalPools(t *testing.T) {
	for _, dims := range [][]int64{{2, 3, 2, 2}, {1, 2, 3}, {1, 2, 2, 1, 3}} {
		shape := toInts(dims)
		x := make([]float32, numel(shape))
		for i := range x {
			x[i] = float32((i*5)%9) - 4
		}
		inner := numel(shape[2:])
		wantMax, wantAvg := make([]float32, shape[0]*shape[1]), make([]float32, shape[0]*shape[1])
		for p := range wantMax {
			m, s := float32(math.Inf(-1)), float32(0)
			for _, v := range x[p*inner : (p+1)*inner] {
				m = max(m, v)
				s += v
			}
			wantMax[p], wantAvg[p] = m, s/float32(inner)
		}
		outShape := []int{shape[0], shape[1]}
		for range shape[2:] {
			outShape = append(outShape, 1)
		}
		for op, want := range map[string][]float32{"GlobalMaxPool": wantMax, "GlobalAveragePool": wantAvg} {
			y := calcRun(t, poolModel(op, 1, dims), 2, x)[0]
			calcShape(t, op, y.Shape, outShape)
			calcClose(t, op, y.F, want, 1e-6, 1e-7)
		}
	}
	if err := calcPlanErr(poolModel("GlobalAveragePool", 1, []int64{2, 3})); err == nil {
		t.Errorf("rank 2: no error")
	}
}

// TestGlobalAverageEqualsReduceMean: GlobalAveragePool (simd.MeanPlanes)
// and ReduceMean over the spatial axes sum in one order, so they agree
// bit for bit: MobileNet's 7×7 planes, planes of 1–6 floats, at 1 and 2
// threads.
func TestGlobalAverageEqualsReduceMean(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 49))
	for _, dims := range [][]int64{{1, 1024, 7, 7}, {2, 5, 2, 3}, {1, 7, 1, 1}, {1, 9, 1, 5}} {
		x := make([]float32, numel(toInts(dims)))
		for i := range x {
			x[i] = float32(r.NormFloat64() * math.Pow(10, float64(r.IntN(10)-5)))
		}
		gap := newGB(13).input("x", dims...).output("y")
		gap.node("p", "GlobalAveragePool", []string{"x"}, []string{"y"})
		mean := newGB(13).input("x", dims...).output("y")
		mean.node("m", "ReduceMean", []string{"x"}, []string{"y"}, attrInts("axes", 2, 3), attrInt("keepdims", 1))
		for _, threads := range []int{1, 2} {
			got := calcRun(t, gap.bytes(), threads, x)[0].F
			want := calcRun(t, mean.bytes(), threads, x)[0].F
			for i := range want {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("%v, %d threads: GlobalAveragePool[%d] = %v, ReduceMean %v", dims, threads, i, got[i], want[i])
				}
			}
		}
	}
}

func TestMaxNaN(t *testing.T) {
	nan := float32(math.NaN())
	for _, c := range [][3]float32{{1, 2, 2}, {2, 1, 2}, {-1, -3, -1}} {
		if got := maxNaN(c[0], c[1]); got != c[2] {
			t.Errorf("maxNaN(%v, %v) = %v", c[0], c[1], got)
		}
	}
	if v := maxNaN(nan, 1); v == v {
		t.Error("maxNaN(NaN, 1) is not NaN")
	}
	if v := maxNaN(1, nan); v == v {
		t.Error("maxNaN(1, NaN) is not NaN")
	}
}

// TestPoolSeparableWide covers the vector passes of the separable path:
// widths past the kernels' 4-, 8- and 16-wide blocks (and their tails),
// the 2- and 3-tap stride-2 max windows whose interior runs through
// simd.MaxPairs while padded and ceil_mode windows at the borders take
// the general loop, one-row windows (read in place), and inputs holding
// NaN and ±Inf, which must come out as the reference's.
func TestPoolSeparableWide(t *testing.T) {
	cfgs := []poolCfg{
		{kh: 2, kw: 2, sh: 2, sw: 2, dh: 1, dw: 1},
		{kh: 2, kw: 2, sh: 2, sw: 2, dh: 1, dw: 1, ceil: true},
		{kh: 2, kw: 2, sh: 2, sw: 2, dh: 1, dw: 1, pt: 1, pl: 1, pb: 0, pr: 1},
		{kh: 3, kw: 3, sh: 2, sw: 2, dh: 1, dw: 1, pt: 1, pl: 1, pb: 1, pr: 1},
		{kh: 3, kw: 3, sh: 2, sw: 2, dh: 1, dw: 1, ceil: true},
		{kh: 3, kw: 3, sh: 2, sw: 2, dh: 1, dw: 1, pl: 2, pr: 0, ceil: true},
		{kh: 1, kw: 2, sh: 1, sw: 2, dh: 1, dw: 1, pr: 1},
		{kh: 1, kw: 3, sh: 2, sw: 2, dh: 1, dw: 1, pl: 1},
		{kh: 3, kw: 2, sh: 1, sw: 2, dh: 1, dw: 1, pt: 1, pb: 1},
	}
	const n, c, h = 1, 3, 6
	for _, w := range []int{1, 2, 3, 4, 5, 7, 8, 9, 11, 15, 16, 17, 18, 19, 23, 31, 32, 33, 34, 35, 46, 47, 64, 113} {
		x := make([]float32, n*c*h*w)
		for i := range x {
			x[i] = float32((i*53)%97)/8 - 6
			switch i % 41 {
			case 7:
				x[i] = float32(math.NaN())
			case 19:
				x[i] = float32(math.Inf(1))
			case 29:
				x[i] = float32(math.Inf(-1))
			}
		}
		for i, p := range cfgs {
			if w+p.pl+p.pr < p.kw || h+p.pt+p.pb < p.kh || p.pl >= p.kw || p.pr >= p.kw {
				continue
			}
			attrs := [][]byte{
				attrInts("kernel_shape", int64(p.kh), int64(p.kw)),
				attrInts("strides", int64(p.sh), int64(p.sw)),
				attrInts("pads", int64(p.pt), int64(p.pl), int64(p.pb), int64(p.pr)),
				attrInt("ceil_mode", map[bool]int64{false: 0, true: 1}[p.ceil]),
			}
			for _, op := range []string{"MaxPool", "AveragePool"} {
				want, oh, ow := refPool2D(x, n, c, h, w, p, op == "MaxPool")
				for _, threads := range []int{1, 2} {
					what := fmt.Sprintf("%s width %d config %d threads %d", op, w, i, threads)
					y := calcRun(t, poolModel(op, 19, []int64{n, c, h, int64(w)}, attrs...), threads, x)[0]
					calcShape(t, what, y.Shape, []int{n, c, oh, ow})
					calcClose(t, what, y.F, want, 1e-6, 1e-6)
				}
			}
		}
	}
}

// TestMaxPool3x3s2Rows covers the 3×3/2 max paths (the whole plane in
// one simd.MaxPool3x3s2Plane, straight or through a plane padded with
// -Inf; the fused row path, simd.MaxPool3x3s2 over the wide stretch and
// the vertical pass only under the border windows, for stride 1 down)
// against the reference: every width 1…113, with and without padding and
// ceil_mode, heights whose first or last window rows are padded, NaN and
// ±Inf in the input, 1 and 2 threads, and no allocations per run.
func TestMaxPool3x3s2Rows(t *testing.T) {
	cfgs := []poolCfg{
		{kh: 3, kw: 3, sh: 2, sw: 2, dh: 1, dw: 1},
		{kh: 3, kw: 3, sh: 2, sw: 2, dh: 1, dw: 1, ceil: true},
		{kh: 3, kw: 3, sh: 2, sw: 2, dh: 1, dw: 1, pt: 1, pl: 1, pb: 1, pr: 1},
		{kh: 3, kw: 3, sh: 2, sw: 2, dh: 1, dw: 1, pt: 1, pl: 1, pb: 1, pr: 1, ceil: true},
		{kh: 3, kw: 3, sh: 2, sw: 2, dh: 1, dw: 1, pl: 2, pr: 0, ceil: true},
		{kh: 3, kw: 3, sh: 2, sw: 2, dh: 1, dw: 1, pt: 2, pl: 0, pr: 2},
		{kh: 3, kw: 3, sh: 1, sw: 2, dh: 1, dw: 1, pl: 1},
	}
	const n, c = 1, 2
	for w := 1; w <= 113; w++ {
		for _, h := range []int{3, 7} {
			x := make([]float32, n*c*h*w)
			for i := range x {
				x[i] = float32((i*37)%89)/8 - 5
				switch i % 43 {
				case 5:
					x[i] = float32(math.NaN())
				case 17:
					x[i] = float32(math.Inf(1))
				case 31:
					x[i] = float32(math.Inf(-1))
				}
			}
			for i, p := range cfgs {
				if w+p.pl+p.pr < p.kw || h+p.pt+p.pb < p.kh || p.pl >= p.kw || p.pr >= p.kw || p.pt >= p.kh {
					continue
				}
				attrs := [][]byte{
					attrInts("kernel_shape", int64(p.kh), int64(p.kw)),
					attrInts("strides", int64(p.sh), int64(p.sw)),
					attrInts("pads", int64(p.pt), int64(p.pl), int64(p.pb), int64(p.pr)),
					attrInt("ceil_mode", map[bool]int64{false: 0, true: 1}[p.ceil]),
				}
				want, oh, ow := refPool2D(x, n, c, h, w, p, true)
				m, err := Load(poolModel("MaxPool", 19, []int64{n, c, int64(h), int64(w)}, attrs...))
				if err != nil {
					t.Fatal(err)
				}
				for _, threads := range []int{1, 2} {
					what := fmt.Sprintf("MaxPool width %d height %d config %d threads %d", w, h, i, threads)
					pl, err := m.Plan(Options{Threads: threads})
					if err != nil {
						t.Fatal(err)
					}
					if err := pl.SetInput(0, x); err != nil {
						t.Fatal(err)
					}
					if err := pl.Run(); err != nil {
						t.Fatal(err)
					}
					y := pl.Output(0)
					calcShape(t, what, y.Shape, []int{n, c, oh, ow})
					calcClose(t, what, y.F, want, 0, 0)
					if w == 56 || w == 113 {
						if a := testing.AllocsPerRun(10, func() { _ = pl.Run() }); a != 0 {
							t.Errorf("%s: %v allocations per run, want 0", what, a)
						}
					}
					pl.Close()
				}
			}
		}
	}
}
