package infer

import (
	"errors"
	"math"
	"testing"
)

// refSoftmax is softmax in float64 over lanes of n elements, inner apart.
func refSoftmax(x []float32, outer, n, inner int) []float32 {
	y := make([]float32, len(x))
	for o := 0; o < outer; o++ {
		for i := 0; i < inner; i++ {
			m := math.Inf(-1)
			for j := 0; j < n; j++ {
				m = math.Max(m, float64(x[(o*n+j)*inner+i]))
			}
			s := 0.0
			for j := 0; j < n; j++ {
				s += math.Exp(float64(x[(o*n+j)*inner+i]) - m)
			}
			for j := 0; j < n; j++ {
				y[(o*n+j)*inner+i] = float32(math.Exp(float64(x[(o*n+j)*inner+i])-m) / s)
			}
		}
	}
	return y
}

func softmaxModel(opset int64, dims []int64, axis *int64) []byte {
	g := newGB(opset).input("x", dims...).output("y")
	var attrs [][]byte
	if axis != nil {
		attrs = append(attrs, attrInt("axis", *axis))
	}
	g.node("s", "Softmax", []string{"x"}, []string{"y"}, attrs...)
	return g.bytes()
}

func TestSoftmaxByHand(t *testing.T) {
	ln2, ln3 := float32(math.Ln2), float32(math.Log(3))
	for _, c := range []struct {
		x, want []float32
	}{
		{[]float32{0, ln2, ln3}, []float32{1. / 6, 1. / 3, 1. / 2}},
		{[]float32{1000, 1000 + ln2, 1000 + ln3}, []float32{1. / 6, 1. / 3, 1. / 2}}, // no overflow
		{[]float32{-1000, -1000 + ln2, -1000 + ln3}, []float32{1. / 6, 1. / 3, 1. / 2}},
		{[]float32{float32(math.Inf(-1)), 5, 5}, []float32{0, 0.5, 0.5}},
	} {
		y := calcRun(t, softmaxModel(13, []int64{3}, nil), 1, c.x)[0]
		calcClose(t, "softmax", y.F, c.want, 1e-4, 1e-7)
	}
}

// TestSoftmaxAxes checks the axis semantics of both opset families on a
// rank-3 tensor: from opset 13 along one axis (default the last), before
// it over the flattened tail from the axis on (default 1).
func TestSoftmaxAxes(t *testing.T) {
	shape := []int{2, 3, 4}
	x := make([]float32, 24)
	for i := range x {
		x[i] = float32((i*5)%7) - 3
	}
	ax := func(a int64) *int64 { return &a }
	for _, c := range []struct {
		opset           int64
		axis            *int64
		outer, n, inner int
	}{
		{13, nil, 6, 4, 1},
		{13, ax(-1), 6, 4, 1},
		{13, ax(0), 1, 2, 12},
		{13, ax(1), 2, 3, 4},
		{13, ax(-2), 2, 3, 4},
		{11, nil, 2, 12, 1},
		{11, ax(0), 1, 24, 1},
		{11, ax(1), 2, 12, 1},
		{11, ax(2), 6, 4, 1},
		{11, ax(-1), 6, 4, 1},
	} {
		for _, threads := range []int{1, 3} {
			y := calcRun(t, softmaxModel(c.opset, []int64{2, 3, 4}, c.axis), threads, x)[0]
			calcShape(t, "softmax", y.Shape, shape)
			calcClose(t, "softmax", y.F, refSoftmax(x, c.outer, c.n, c.inner), 1e-5, 1e-7)
		}
	}
	if err := calcPlanErr(softmaxModel(13, []int64{2, 3}, ax(2))); err == nil || errors.Is(err, ErrUnsupported) {
		t.Errorf("axis 2 of a matrix: error %v, want a model error", err)
	}
}

func lpModel(dims []int64, axis, p int64) []byte {
	g := newGB(13).input("x", dims...).output("y")
	g.node("l", "LpNormalization", []string{"x"}, []string{"y"}, attrInt("axis", axis), attrInt("p", p))
	return g.bytes()
}

func TestLpNormalization(t *testing.T) {
	inv10 := float32(1 / math.Sqrt(10))
	nan := float32(math.NaN())
	for _, c := range []struct {
		dims    []int64
		axis, p int64
		x, want []float32
	}{
		{[]int64{2}, -1, 2, []float32{3, 4}, []float32{0.6, 0.8}},
		{[]int64{2}, 0, 1, []float32{1, -3}, []float32{0.25, -0.75}},
		{[]int64{2, 2}, 0, 2, []float32{3, 1, 4, -3}, []float32{0.6, inv10, 0.8, -3 * inv10}},
		{[]int64{2, 2}, 1, 1, []float32{3, 1, 4, -4}, []float32{0.75, 0.25, 0.5, -0.5}},
		{[]int64{2, 2}, -1, 2, []float32{0, 0, 0, 2}, []float32{nan, nan, 0, 1}}, // 0/0
	} {
		y := calcRun(t, lpModel(c.dims, c.axis, c.p), 1, c.x)[0]
		calcClose(t, "lp", y.F, c.want, 1e-6, 0)
	}
	if err := calcPlanErr(lpModel([]int64{2}, 0, 3)); !errors.Is(err, ErrUnsupported) {
		t.Errorf("p=3: error %v, want ErrUnsupported", err)
	}
}

func TestInstanceNormalization(t *testing.T) {
	x := []float32{1, 2, 3, 4, 5, 5, 5, 5, 0, 0, 2, 2, -1, 1, -1, 1} // [2,2,2,2]
	scale, bias := []float32{2, 3}, []float32{0.5, -1}
	// channel planes: [1 2 3 4] has mean 2.5 and variance 1.25; a constant
	// plane normalises to 0, leaving the shift
	want := make([]float32, 16)
	norm := func(v, mean, variance float64, c int) float32 {
		return float32(float64(scale[c])*(v-mean)/math.Sqrt(variance+1e-5) + float64(bias[c]))
	}
	for i := 0; i < 4; i++ {
		want[i] = norm(float64(x[i]), 2.5, 1.25, 0)
		want[4+i] = -1
		want[8+i] = norm(float64(x[8+i]), 1, 1, 0)
		want[12+i] = norm(float64(x[12+i]), 0, 1, 1)
	}
	g := newGB(6).input("x", 2, 2, 2, 2).output("y")
	g.initF("s", []int64{2}, scale).initF("b", []int64{2}, bias)
	g.node("n", "InstanceNormalization", []string{"x", "s", "b"}, []string{"y"})
	y := calcRun(t, g.bytes(), 2, x)[0]
	calcClose(t, "const params", y.F, want, 1e-5, 1e-6)
	// parameters fed at run time, and a non-default epsilon
	g = newGB(6).input("x", 2, 2, 2, 2).input("s", 2).input("b", 2).output("y")
	g.node("n", "InstanceNormalization", []string{"x", "s", "b"}, []string{"y"}, attrFloat("epsilon", 0.75))
	y = calcRun(t, g.bytes(), 1, x, scale, bias)[0]
	if w := float32(2*(1-2.5)/math.Sqrt(1.25+0.75) + 0.5); math.Abs(float64(y.F[0]-w)) > 1e-6 {
		t.Errorf("epsilon 0.75: y[0] = %v, want %v", y.F[0], w)
	}
	g = newGB(6).input("x", 2, 2, 2, 2).output("y")
	g.initF("s", []int64{3}, []float32{1, 1, 1}).initF("b", []int64{2}, bias)
	g.node("n", "InstanceNormalization", []string{"x", "s", "b"}, []string{"y"})
	if err := calcPlanErr(g.bytes()); err == nil {
		t.Errorf("3 scales for 2 channels: no error")
	}
}

// refLRN follows the operator's definition literally, with the window
// bounds computed in floating point.
func refLRN(x []float32, n, c, inner int, alpha, beta, bias float64, size int) []float32 {
	y := make([]float32, len(x))
	lo := math.Floor(float64(size-1) / 2)
	hi := math.Ceil(float64(size-1) / 2)
	for b := 0; b < n; b++ {
		for ch := 0; ch < c; ch++ {
			for i := 0; i < inner; i++ {
				s := 0.0
				for j := max(0, ch-int(lo)); j <= min(c-1, ch+int(hi)); j++ {
					v := float64(x[(b*c+j)*inner+i])
					s += v * v
				}
				v := float64(x[(b*c+ch)*inner+i])
				y[(b*c+ch)*inner+i] = float32(v / math.Pow(bias+alpha/float64(size)*s, beta))
			}
		}
	}
	return y
}

func TestLRN(t *testing.T) {
	// channels [1 2] [3 0] [-1 1] [2 2]; size 3 sums channels c-1..c+1
	x := []float32{1, 2, 3, 0, -1, 1, 2, 2}
	g := newGB(13).input("x", 1, 4, 1, 2).output("y")
	g.node("l", "LRN", []string{"x"}, []string{"y"},
		attrFloat("alpha", 0.3), attrFloat("beta", 0.5), attrFloat("bias", 2), attrInt("size", 3))
	y := calcRun(t, g.bytes(), 1, x)[0]
	// channel 0, element 0: squares 1 + 9 = 10; 1/sqrt(2 + 0.1·10)
	if w := float32(1 / math.Sqrt(3)); math.Abs(float64(y.F[0]-w)) > 1e-6 {
		t.Errorf("y[0] = %v, want %v", y.F[0], w)
	}
	calcClose(t, "size 3", y.F, refLRN(x, 1, 4, 2, 0.3, 0.5, 2, 3), 1e-6, 0)
	// even size (the window reaches one further after c than before it),
	// default alpha, beta and bias, several images
	x2 := make([]float32, 2*5*3*3)
	for i := range x2 {
		x2[i] = float32(i%13) - 6
	}
	for _, size := range []int64{1, 2, 4, 5, 9} {
		g := newGB(13).input("x", 2, 5, 3, 3).output("y")
		g.node("l", "LRN", []string{"x"}, []string{"y"}, attrInt("size", size))
		y := calcRun(t, g.bytes(), 2, x2)[0]
		calcClose(t, "defaults", y.F, refLRN(x2, 2, 5, 9, 1e-4, 0.75, 1, int(size)), 1e-6, 0)
	}
	g = newGB(13).input("x", 1, 4, 1, 2).output("y")
	g.node("l", "LRN", []string{"x"}, []string{"y"})
	if err := calcPlanErr(g.bytes()); err == nil {
		t.Errorf("LRN without size: no error")
	}
}

// refLanes applies f to each lane of n elements, inner apart, of x.
func refLanes(x []float32, outer, n, inner int, f func(lane []float64) []float64) []float32 {
	y := make([]float32, len(x))
	lane := make([]float64, n)
	for o := 0; o < outer; o++ {
		for i := 0; i < inner; i++ {
			for j := range lane {
				lane[j] = float64(x[(o*n+j)*inner+i])
			}
			for j, v := range f(lane) {
				y[(o*n+j)*inner+i] = float32(v)
			}
		}
	}
	return y
}

// refLogSoftmax is log(Σ exp) subtracted, computed in float64 the long way.
func refLogSoftmax(lane []float64) []float64 {
	m := math.Inf(-1)
	for _, v := range lane {
		m = math.Max(m, v)
	}
	s := 0.0
	for _, v := range lane {
		s += math.Exp(v - m)
	}
	out := make([]float64, len(lane))
	for j, v := range lane {
		out[j] = v - m - math.Log(s)
	}
	return out
}

// refHardmax is one-hot at the first maximum.
func refHardmax(lane []float64) []float64 {
	out := make([]float64, len(lane))
	best := 0
	for j, v := range lane {
		if v > lane[best] {
			best = j
		}
	}
	out[best] = 1
	return out
}

func laneOpModel(op string, opset int64, dims []int64, axis *int64) []byte {
	g := newGB(opset).input("x", dims...).output("y")
	var attrs [][]byte
	if axis != nil {
		attrs = append(attrs, attrInt("axis", *axis))
	}
	g.node("s", op, []string{"x"}, []string{"y"}, attrs...)
	return g.bytes()
}

// TestLogSoftmaxHardmaxAxes checks LogSoftmax and Hardmax against
// references with Softmax's axis semantics of both opset families; the
// input has ties so that Hardmax must pick the first maximum.
func TestLogSoftmaxHardmaxAxes(t *testing.T) {
	shape := []int{2, 3, 4}
	x := make([]float32, 24)
	for i := range x {
		x[i] = float32((i*5)%7) - 3
	}
	ax := func(a int64) *int64 { return &a }
	for _, c := range []struct {
		opset           int64
		axis            *int64
		outer, n, inner int
	}{
		{13, nil, 6, 4, 1},
		{13, ax(0), 1, 2, 12},
		{13, ax(1), 2, 3, 4},
		{13, ax(-2), 2, 3, 4},
		{11, nil, 2, 12, 1},
		{11, ax(0), 1, 24, 1},
		{11, ax(2), 6, 4, 1},
	} {
		for _, threads := range []int{1, 3} {
			y := calcRun(t, laneOpModel("LogSoftmax", c.opset, []int64{2, 3, 4}, c.axis), threads, x)[0]
			calcShape(t, "logsoftmax", y.Shape, shape)
			calcClose(t, "logsoftmax", y.F, refLanes(x, c.outer, c.n, c.inner, refLogSoftmax), 1e-5, 1e-6)
			y = calcRun(t, laneOpModel("Hardmax", c.opset, []int64{2, 3, 4}, c.axis), threads, x)[0]
			calcShape(t, "hardmax", y.Shape, shape)
			calcClose(t, "hardmax", y.F, refLanes(x, c.outer, c.n, c.inner, refHardmax), 0, 0)
		}
	}
	// large inputs do not overflow; a NaN is the maximum
	y := calcRun(t, laneOpModel("LogSoftmax", 13, []int64{3}, nil), 1, []float32{1000, 1000, 1000})[0]
	calcClose(t, "logsoftmax", y.F, []float32{-float32(math.Log(3)), -float32(math.Log(3)), -float32(math.Log(3))}, 1e-6, 0)
	nan := float32(math.NaN())
	y = calcRun(t, laneOpModel("Hardmax", 13, []int64{4}, nil), 1, []float32{1, 5, nan, 5})[0]
	calcClose(t, "hardmax", y.F, []float32{0, 0, 1, 0}, 0, 0)
	for _, op := range []string{"LogSoftmax", "Hardmax"} {
		if err := calcPlanErr(laneOpModel(op, 13, []int64{2, 3}, ax(2))); err == nil || errors.Is(err, ErrUnsupported) {
			t.Errorf("%s axis 2 of a matrix: error %v, want a model error", op, err)
		}
		checkNoAllocs(t, laneOpModel(op, 13, []int64{4, 5, 6}, ax(1)))
	}
}

// checkNoAllocs plans model with one and three threads and checks that a
// run allocates nothing.
func checkNoAllocs(t *testing.T, model []byte) {
	t.Helper()
	m, err := Load(model)
	if err != nil {
		t.Fatal(err)
	}
	for _, threads := range []int{1, 3} {
		p, err := m.Plan(Options{Threads: threads})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < p.NumInputs(); i++ {
			in := p.Input(i).F
			for j := range in {
				in[j] = float32(j%5) - 2
			}
		}
		if a := testing.AllocsPerRun(10, func() { _ = p.Run() }); a != 0 {
			t.Errorf("threads %d: %v allocations per run, want 0", threads, a)
		}
		p.Close()
	}
}
