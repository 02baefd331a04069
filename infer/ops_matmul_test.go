package infer

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// refMatMul is numpy's matmul in float64: 1-D operands promoted and their
// unit dimension dropped, batch dimensions broadcast.
func refMatMul(a []float32, as []int, b []float32, bs []int) ([]float32, []int) {
	aVec, bVec := len(as) == 1, len(bs) == 1
	if aVec {
		as = []int{1, as[0]}
	}
	if bVec {
		bs = []int{bs[0], 1}
	}
	m, k, n := as[len(as)-2], as[len(as)-1], bs[len(bs)-1]
	rank := max(len(as), len(bs))
	pad := func(s []int) []int {
		return append(append(make([]int, 0, rank), ones(rank-len(s))...), s...)
	}
	pa, pb := pad(as), pad(bs)
	batch := make([]int, rank-2)
	for i := range batch {
		batch[i] = max(pa[i], pb[i])
	}
	nb := numel(batch)
	y := make([]float32, nb*m*n)
	for bi := 0; bi < nb; bi++ {
		// batch coordinates → offsets, with size-1 dimensions broadcast
		ao, bo, r := 0, 0, bi
		am, bm := 1, 1
		for d := len(batch) - 1; d >= 0; d-- {
			c := r % batch[d]
			r /= batch[d]
			if pa[d] != 1 {
				ao += c * am
			}
			if pb[d] != 1 {
				bo += c * bm
			}
			am *= pa[d]
			bm *= pb[d]
		}
		for i := 0; i < m; i++ {
			for j := 0; j < n; j++ {
				s := 0.0
				for p := 0; p < k; p++ {
					s += float64(a[ao*m*k+i*k+p]) * float64(b[bo*k*n+p*n+j])
				}
				y[(bi*m+i)*n+j] = float32(s)
			}
		}
	}
	out := append([]int(nil), batch...)
	if !aVec {
		out = append(out, m)
	}
	if !bVec {
		out = append(out, n)
	}
	return y, out
}

func ones(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = 1
	}
	return s
}

func dims64(s []int) []int64 {
	d := make([]int64, len(s))
	for i, v := range s {
		d[i] = int64(v)
	}
	return d
}

func TestMatMulByHand(t *testing.T) {
	a := []float32{1, 2, 3, 4, 5, 6}  // 2×3
	b := []float32{1, 0, 0, 1, 2, -1} // 3×2
	want := []float32{7, -1, 16, -1}  // 2×2
	for _, bConst := range []bool{false, true} {
		g := newGB(13).input("a", 2, 3).output("y")
		ins := []string{"a", "b"}
		xs := [][]float32{a}
		if bConst {
			g.initF("b", []int64{3, 2}, b)
		} else {
			g.input("b", 3, 2)
			xs = append(xs, b)
		}
		g.node("m", "MatMul", ins, []string{"y"})
		y := calcRun(t, g.bytes(), 1, xs...)[0]
		calcShape(t, "2×3·3×2", y.Shape, []int{2, 2})
		calcClose(t, "2×3·3×2", y.F, want, 0, 0)
	}
}

// TestMatMulShapes covers promotion and broadcasting, with B fed at run
// time (a packed GEMM per block of rows of a batch) and as a constant (packed weights when B has
// no batch of its own), on one and several threads.
func TestMatMulShapes(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, c := range []struct{ a, b []int }{
		{[]int{2, 3}, []int{3, 4}},
		{[]int{3}, []int{3, 4}},
		{[]int{2, 3}, []int{3}},
		{[]int{5}, []int{5}},
		{[]int{2, 1, 3, 4}, []int{5, 4, 2}},
		{[]int{4, 3}, []int{2, 3, 5}},
		{[]int{2, 3, 4}, []int{4, 5}},
		{[]int{2, 3, 4}, []int{1, 4, 5}},
		{[]int{3, 2, 7, 4}, []int{3, 1, 4, 6}},
		{[]int{2, 3, 4}, []int{4}},
		{[]int{4}, []int{2, 4, 3}},
		{[]int{1, 70}, []int{70, 130}},   // one row: features split over threads
		{[]int{33, 70}, []int{70, 130}},  // rows transposed through the scratch
		{[]int{1, 300}, []int{300, 200}}, // features over threads
		{[]int{40, 64}, []int{64, 300}},
		{[]int{2, 50, 64}, []int{64, 80}},    // run-time B: blocks of rows of each batch
		{[]int{3, 37, 20}, []int{3, 20, 41}}, // attention's shapes, small: whole batches at 1 thread, blocks at 3
		{[]int{7, 5, 9}, []int{7, 9, 6}},     // batches enough for whole matrices at 3 threads
		{[]int{2, 0}, []int{0, 3}},           // empty inner dimension: zeros
		{[]int{0, 3}, []int{3, 2}},           // empty result
	} {
		a, b := randF(r, numel(c.a)), randF(r, numel(c.b))
		want, outShape := refMatMul(a, c.a, b, c.b)
		for _, bConst := range []bool{false, true} {
			if bConst && len(b) == 0 {
				continue // the decoder refuses empty initializers
			}
			for _, threads := range []int{1, 3} {
				what := fmt.Sprintf("%v·%v const %v threads %d", c.a, c.b, bConst, threads)
				g := newGB(13).input("a", dims64(c.a)...).output("y")
				xs := [][]float32{a}
				if bConst {
					g.initF("b", dims64(c.b), b)
				} else {
					g.input("b", dims64(c.b)...)
					xs = append(xs, b)
				}
				g.node("m", "MatMul", []string{"a", "b"}, []string{"y"})
				shapes := map[string][]int{"a": c.a}
				if !bConst {
					shapes["b"] = c.b
				}
				y := calcRunOpts(t, g.bytes(), Options{Threads: threads, Shapes: shapes}, xs...)[0]
				calcShape(t, what, y.Shape, outShape)
				calcClose(t, what, y.F, want, 1e-5, 1e-5)
			}
		}
	}
}

func TestMatMulIntFold(t *testing.T) {
	g := newGB(13).output("y")
	g.initI("a", []int64{2, 2}, []int64{1, 2, 3, 4}).initI("b", []int64{2}, []int64{10, -1})
	g.node("m", "MatMul", []string{"a", "b"}, []string{"y"})
	y := calcRun(t, g.bytes(), 1)[0]
	calcShape(t, "int", y.Shape, []int{2})
	if y.DType != Int64 || y.I[0] != 8 || y.I[1] != 26 {
		t.Errorf("int64 matmul: %v %v, want int64 [8 26]", y.DType, y.I)
	}
}

func TestMatMulErrors(t *testing.T) {
	for what, shapes := range map[string][2][]int64{
		"inner":     {{2, 3}, {4, 2}},
		"batch":     {{2, 2, 3}, {3, 3, 2}},
		"vec inner": {{3}, {4}},
	} {
		g := newGB(13).input("a", shapes[0]...).input("b", shapes[1]...).output("y")
		g.node("m", "MatMul", []string{"a", "b"}, []string{"y"})
		if err := calcPlanErr(g.bytes()); err == nil || errors.Is(err, ErrUnsupported) {
			t.Errorf("%s: error %v, want a model error", what, err)
		}
	}
}

// TestOpsGraph runs a small network of these operators through the
// public API: MaxPool (with a fused Relu) → InstanceNormalization → LRN →
// AveragePool → ReduceMean over space → MatMul with constant weights →
// Softmax, and a second output Sqrt(ReduceL2) of the pooled features;
// it checks the result against the operators' definitions composed in
// float64, and that a run allocates nothing.
func TestOpsGraph(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	const c, h, w, classes = 3, 8, 8, 4
	wt := randF(r, c*classes)
	scale, bias := randF(r, c), randF(r, c)
	g := newGB(13).input("x", 1, c, h, w).output("probs").output("norm")
	g.initF("w", []int64{c, classes}, wt).initF("s", []int64{c}, scale).initF("b", []int64{c}, bias)
	g.node("mp", "MaxPool", []string{"x"}, []string{"mp"}, attrInts("kernel_shape", 2, 2), attrInts("strides", 2, 2))
	g.node("relu", "Relu", []string{"mp"}, []string{"r"})
	g.node("in", "InstanceNormalization", []string{"r", "s", "b"}, []string{"in"})
	g.node("lrn", "LRN", []string{"in"}, []string{"lrn"}, attrInt("size", 3), attrFloat("alpha", 0.5))
	g.node("ap", "AveragePool", []string{"lrn"}, []string{"ap"}, attrInts("kernel_shape", 3, 3), attrInts("pads", 1, 1, 1, 1))
	g.node("gap", "ReduceMean", []string{"ap"}, []string{"feat"}, attrInts("axes", 2, 3), attrInt("keepdims", 0))
	g.node("fc", "MatMul", []string{"feat", "w"}, []string{"logits"})
	g.node("sm", "Softmax", []string{"logits"}, []string{"probs"})
	g.node("l2", "ReduceL2", []string{"feat"}, []string{"l2"}, attrInt("keepdims", 0))
	g.node("sq", "Sqrt", []string{"l2"}, []string{"norm"})
	m, err := Load(g.bytes())
	if err != nil {
		t.Fatal(err)
	}
	x := randF(r, c*h*w)
	// reference, stage by stage
	mp, oh, ow := refPool2D(x, 1, c, h, w, poolCfg{kh: 2, kw: 2, sh: 2, sw: 2, dh: 1, dw: 1}, true)
	inner := oh * ow
	in := make([]float32, len(mp))
	for ch := 0; ch < c; ch++ {
		plane := mp[ch*inner : (ch+1)*inner]
		mean, ss := 0.0, 0.0
		for i := range plane {
			plane[i] = max(plane[i], 0)
			mean += float64(plane[i])
		}
		mean /= float64(inner)
		for _, v := range plane {
			ss += (float64(v) - mean) * (float64(v) - mean)
		}
		for i, v := range plane {
			in[ch*inner+i] = float32(float64(scale[ch])*(float64(v)-mean)/math.Sqrt(ss/float64(inner)+1e-5) + float64(bias[ch]))
		}
	}
	lrn := refLRN(in, 1, c, inner, 0.5, 0.75, 1, 3)
	ap, _, _ := refPool2D(lrn, 1, c, oh, ow, poolCfg{kh: 3, kw: 3, sh: 1, sw: 1, dh: 1, dw: 1, pt: 1, pl: 1, pb: 1, pr: 1}, false)
	feat := refReduce("ReduceMean", ap, []int{1, c, oh, ow}, []int{2, 3})
	logits, _ := refMatMul(feat, []int{1, c}, wt, []int{c, classes})
	probs := refSoftmax(logits, 1, classes, 1)
	norm := float32(math.Sqrt(float64(refReduce("ReduceL2", feat, []int{1, c}, nil)[0])))

	for _, threads := range []int{1, 2} {
		p, err := m.Plan(Options{Threads: threads})
		if err != nil {
			t.Fatal(err)
		}
		if p.Steps() != 9 {
			t.Errorf("%d steps, want 9 (Relu fused into MaxPool)", p.Steps())
		}
		copy(p.Input(0).F, x)
		if err := p.Run(); err != nil {
			t.Fatal(err)
		}
		calcShape(t, "probs", p.Output(0).Shape, []int{1, classes})
		calcClose(t, "probs", p.Output(0).F, probs, 1e-5, 1e-6)
		calcShape(t, "norm", p.Output(1).Shape, nil)
		calcClose(t, "norm", p.Output(1).F, []float32{norm}, 1e-5, 0)
		if a := testing.AllocsPerRun(20, func() { _ = p.Run() }); a != 0 {
			t.Errorf("threads %d: %v allocations per run, want 0", threads, a)
		}
		p.Close()
	}
}

// TestMatMulAllocatesNothing runs both MatMul paths (packed constant
// weights over several rows, and batched run-time operands).
func TestMatMulAllocatesNothing(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	g := newGB(13).input("a", 2, 9, 16).input("b", 2, 16, 8).output("y").output("z")
	g.initF("w", []int64{16, 8}, randF(r, 128))
	g.node("m1", "MatMul", []string{"a", "w"}, []string{"y"})
	g.node("m2", "MatMul", []string{"a", "b"}, []string{"z"})
	m, err := Load(g.bytes())
	if err != nil {
		t.Fatal(err)
	}
	for _, threads := range []int{1, 3} {
		p, err := m.Plan(Options{Threads: threads})
		if err != nil {
			t.Fatal(err)
		}
		copy(p.Input(0).F, randF(r, len(p.Input(0).F)))
		copy(p.Input(1).F, randF(r, len(p.Input(1).F)))
		if a := testing.AllocsPerRun(20, func() { _ = p.Run() }); a != 0 {
			t.Errorf("threads %d: %v allocations per run, want 0", threads, a)
		}
		p.Close()
	}
}
