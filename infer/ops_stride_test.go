package infer

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// refPermute is the reference transpose: out[i] = x[i permuted].
func refPermute(x *Tensor, perm []int) *Tensor {
	shape := make([]int, len(perm))
	for i, p := range perm {
		shape[i] = x.Shape[p]
	}
	y := NewTensor(x.DType, shape...)
	xs, ys := strides(x.Shape), strides(shape)
	for o := 0; o < y.Len(); o++ {
		src := 0
		for i := range shape {
			src += (o / ys[i] % shape[i]) * xs[perm[i]]
		}
		if x.DType.isInt() {
			y.I[o] = x.I[src]
		} else {
			y.F[o] = x.F[src]
		}
	}
	return y
}

func TestTranspose(t *testing.T) {
	x := shArange(2, 3)
	outs := shBoth(t, 13, "Transpose", nil, []*Tensor{x}, 1)
	shSame(t, "default perm", outs[0], shF([]int{3, 2}, 0, 3, 1, 4, 2, 5))

	perms3 := [][]int{{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}}
	cases := []struct {
		shape []int
		perms [][]int
	}{
		{[]int{2, 3, 4}, perms3},
		{[]int{5, 1, 7}, perms3},
		{[]int{0, 3, 2}, perms3},
		{[]int{64, 33}, [][]int{{1, 0}}},
		{[]int{1, 3, 40, 37}, [][]int{{0, 2, 3, 1}, {0, 3, 1, 2}, {3, 2, 1, 0}}},
		{[]int{2, 64, 64, 16}, [][]int{{0, 2, 3, 1}, {0, 3, 1, 2}, {2, 1, 3, 0}}}, // several chunks
		{[]int{2, 3, 2, 3, 2}, [][]int{{4, 0, 3, 1, 2}, {1, 0, 2, 4, 3}}},
		{[]int{}, [][]int{{}}},
	}
	for _, c := range cases {
		x := shArange(c.shape...)
		xi := shArangeI(c.shape...)
		for _, perm := range c.perms {
			p64 := make([]int64, len(perm))
			for i, p := range perm {
				p64[i] = int64(p)
			}
			a := shAttrs{"perm": p64}
			what := fmt.Sprintf("transpose %v by %v", c.shape, perm)
			outs := shBoth(t, 13, "Transpose", a, []*Tensor{x}, 1)
			shSame(t, what, outs[0], refPermute(x, perm))
			outs = shBoth(t, 13, "Transpose", a, []*Tensor{xi}, 1)
			shSame(t, what+" int64", outs[0], refPermute(xi, perm))
		}
	}
	for _, perm := range [][]int64{{0, 1}, {0, 0, 1}, {0, 1, 3}, {-1, 0, 1}} {
		_, err := shRun(13, "Transpose", shAttrs{"perm": perm}, []*Tensor{shArange(2, 3, 4)}, 1, false)
		shWantErr(t, fmt.Sprintf("perm %v", perm), err, false)
	}
}

// refSlice transcribes the ONNX Slice spec for one axis of size n and
// walks it: negative start and end count from the back; start is clamped
// to [0, n] (step > 0) or [0, n-1] (step < 0), end to [0, n] or [-1, n-1].
// This is numpy's a[start:end:step] except for a start before the front
// with a negative step, which the spec clamps to 0 (numpy takes nothing).
func refSlice(start, end, step int64, n int) []int {
	d := int64(n)
	if start < 0 {
		start += d
	}
	if end < 0 {
		end += d
	}
	lo, hi, elo, ehi := int64(0), d, int64(0), d
	if step < 0 {
		hi, elo, ehi = d-1, -1, d-1
	}
	start, end = min(max(start, lo), hi), min(max(end, elo), ehi)
	var idx []int
	for i := start; (step > 0 && i < end) || (step < 0 && i > end); i += step {
		idx = append(idx, int(i))
	}
	return idx
}

func TestSlice1D(t *testing.T) {
	x := shArange(10)
	// Expected values checked against numpy's a[start:stop:step], except
	// where noted.
	for _, c := range []struct {
		start, end, step int64
		want             []float32
	}{
		{2, 8, 3, []float32{2, 5}},
		{-3, math.MaxInt64, 1, []float32{7, 8, 9}},
		{8, 1, -2, []float32{8, 6, 4, 2}},
		{-1, -11, -1, []float32{9, 8, 7, 6, 5, 4, 3, 2, 1, 0}},
		{100, -100, -1, []float32{9, 8, 7, 6, 5, 4, 3, 2, 1, 0}},
		{-100, 100, 4, []float32{0, 4, 8}},
		{5, 5, 1, nil},
		{9, -20, -4, []float32{9, 5, 1}},
		{0, 3, -1, nil},
		{math.MinInt64, math.MaxInt64, math.MaxInt64, []float32{0}},
		{math.MaxInt64, math.MinInt64, math.MinInt64, []float32{9}},
		{-100, -200, -1, []float32{0}}, // by the spec; numpy gives nothing
	} {
		outs := shBoth(t, 13, "Slice", nil, []*Tensor{x, shI([]int{1}, c.start), shI([]int{1}, c.end), nil, shI([]int{1}, c.step)}, 1)
		shSame(t, fmt.Sprintf("x[%d:%d:%d]", c.start, c.end, c.step), outs[0], shF([]int{len(c.want)}, c.want...))
		if got := refSlice(c.start, c.end, c.step, 10); len(got) != len(c.want) {
			t.Errorf("refSlice(%d, %d, %d) = %v, want %v", c.start, c.end, c.step, got, c.want)
		}
	}
}

func TestSliceRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	shape := []int{4, 5, 6}
	x, xi := shArange(shape...), shArangeI(shape...)
	pick := func() int64 {
		switch r.IntN(8) {
		case 0:
			return math.MaxInt64
		case 1:
			return math.MinInt64
		}
		return int64(r.IntN(17) - 8)
	}
	for it := 0; it < 300; it++ {
		var starts, ends, axes, steps []int64
		var idx [3][]int
		for a := range idx {
			for i := 0; i < shape[a]; i++ {
				idx[a] = append(idx[a], i)
			}
		}
		for _, a := range r.Perm(3)[:1+r.IntN(3)] {
			s, e, st := pick(), pick(), int64(r.IntN(7)-3)
			if st == 0 {
				st = 1
			}
			starts, ends, steps = append(starts, s), append(ends, e), append(steps, st)
			ax := int64(a)
			if r.IntN(2) == 0 {
				ax -= 3
			}
			axes = append(axes, ax)
			idx[a] = refSlice(s, e, st, shape[a])
		}
		want := &Tensor{DType: Float32, Shape: make([]int, 3)}
		for a := range idx {
			want.Shape[a] = len(idx[a])
		}
		want.F = []float32{}
		for _, i := range idx[0] {
			for _, j := range idx[1] {
				for _, k := range idx[2] {
					want.F = append(want.F, float32((i*5+j)*6+k))
				}
			}
		}
		n := len(starts)
		ins := []*Tensor{x, shI([]int{n}, starts...), shI([]int{n}, ends...), shI([]int{n}, axes...), shI([]int{n}, steps...)}
		what := fmt.Sprintf("slice starts %v ends %v axes %v steps %v", starts, ends, axes, steps)
		outs := shBoth(t, 13, "Slice", nil, ins, 1)
		shSame(t, what, outs[0], want)
		ins[0] = xi
		outs = shBoth(t, 13, "Slice", nil, ins, 1)
		wi := NewTensor(Int64, want.Shape...)
		for i, v := range want.F {
			wi.I[i] = int64(v) * 3
		}
		shSame(t, what+" int64", outs[0], wi)
	}
}

func TestSliceOldAndErrors(t *testing.T) {
	x := shArange(3, 4)
	outs := shBoth(t, 9, "Slice", shAttrs{"starts": []int64{1, -3}, "ends": []int64{math.MaxInt64, -1}}, []*Tensor{x}, 1)
	shSame(t, "Slice-9", outs[0], shF([]int{2, 2}, 5, 6, 9, 10))
	outs = shBoth(t, 1, "Slice", shAttrs{"starts": []int64{1}, "ends": []int64{2}, "axes": []int64{1}}, []*Tensor{x}, 1)
	shSame(t, "Slice-1 axes", outs[0], shF([]int{3, 1}, 1, 5, 9))
	outs = shBoth(t, 10, "Slice", nil, []*Tensor{x, shI([]int{1}, 1), shI([]int{1}, 3), shI([]int{1}, -1)}, 1)
	shSame(t, "Slice-10 default steps", outs[0], shF([]int{3, 2}, 1, 2, 5, 6, 9, 10))

	i1 := func(v ...int64) *Tensor { return shI([]int{len(v)}, v...) }
	for _, c := range []struct {
		what string
		ins  []*Tensor
	}{
		{"step 0", []*Tensor{x, i1(0), i1(2), i1(0), i1(0)}},
		{"repeated axis", []*Tensor{x, i1(0, 0), i1(2, 2), i1(1, -1)}},
		{"axis out of range", []*Tensor{x, i1(0), i1(2), i1(2)}},
		{"lengths", []*Tensor{x, i1(0, 0), i1(2)}},
		{"steps length", []*Tensor{x, i1(0), i1(2), i1(0), i1(1, 1)}},
	} {
		_, err := shRun(13, "Slice", nil, c.ins, 1, false)
		shWantErr(t, c.what, err, false)
	}
}

func TestGather(t *testing.T) {
	x := shArange(3, 4)
	outs := shBoth(t, 13, "Gather", shAttrs{"axis": int64(1)}, []*Tensor{x, shI([]int{2, 2}, 0, -1, 2, 2)}, 1)
	shSame(t, "axis 1, 2-D indices", outs[0], shF([]int{3, 2, 2}, 0, 3, 2, 2, 4, 7, 6, 6, 8, 11, 10, 10))
	outs = shBoth(t, 13, "Gather", nil, []*Tensor{x, shI([]int{}, -1)}, 1)
	shSame(t, "scalar index", outs[0], shF([]int{4}, 8, 9, 10, 11))
	outs = shBoth(t, 13, "Gather", shAttrs{"axis": int64(-2)}, []*Tensor{x, shI([]int{3}, 2, 0, 2)}, 1)
	shSame(t, "axis -2", outs[0], shF([]int{3, 4}, 8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11))
	outs = shBoth(t, 13, "Gather", nil, []*Tensor{x, shI([]int{0})}, 1)
	shSame(t, "no indices", outs[0], shF([]int{0, 4}))
	i32 := &Tensor{DType: Int32, Shape: []int{2}, I: []int64{1, 0}}
	outs = shBoth(t, 13, "Gather", shAttrs{"axis": int64(1)}, []*Tensor{shArangeI(2, 2), i32}, 1)
	shSame(t, "int64 data, int32 indices", outs[0], shI([]int{2, 2}, 3, 0, 9, 6))
	// Shape arithmetic: Gather of a 1-D int64 shape.
	outs = shBoth(t, 13, "Gather", nil, []*Tensor{shI([]int{4}, 1, 3, 224, 224), shI([]int{}, 0)}, 1)
	shSame(t, "gather shape", outs[0], shI([]int{}, 1))

	for _, c := range []struct {
		what  string
		attrs shAttrs
		ins   []*Tensor
	}{
		{"index too big", nil, []*Tensor{x, shI([]int{1}, 3)}},
		{"index too small", nil, []*Tensor{x, shI([]int{1}, -4)}},
		{"axis", shAttrs{"axis": int64(2)}, []*Tensor{x, shI([]int{1}, 0)}},
		{"scalar data", nil, []*Tensor{shF([]int{}, 1), shI([]int{1}, 0)}},
		{"float indices", nil, []*Tensor{x, shF([]int{1}, 0)}},
	} {
		_, err := shRun(13, "Gather", c.attrs, c.ins, 1, false)
		shWantErr(t, c.what, err, false)
	}
}

// refGatherElements is GatherElements' definition for rank 3.
func refGatherElements(x *Tensor, ind []int64, ishape []int, axis int) *Tensor {
	y := NewTensor(x.DType, ishape...)
	xst, ist := strides(x.Shape), strides(ishape)
	for p := range ind {
		c := []int{p / ist[0], (p / ist[1]) % ishape[1], p % ishape[2]}
		v := int(ind[p])
		if v < 0 {
			v += x.Shape[axis]
		}
		c[axis] = v
		o := c[0]*xst[0] + c[1]*xst[1] + c[2]*xst[2]
		if y.I != nil {
			y.I[p] = x.I[o]
		} else {
			y.F[p] = x.F[o]
		}
	}
	return y
}

func TestGatherElements(t *testing.T) {
	shape := []int{3, 4, 5}
	for axis := -3; axis < 3; axis++ {
		ax := (axis + 3) % 3
		ishape := []int{2, 3, 4}
		ishape[ax] = 6 // longer than the data along the axis: indices repeat
		ind := make([]int64, numel(ishape))
		for i := range ind {
			d := int64(shape[ax])
			ind[i] = int64(i*7)%(2*d) - d // -d … d-1
		}
		indT := shI(ishape, ind...)
		what := fmt.Sprintf("axis %d", axis)
		x := shArange(shape...)
		outs := shBoth(t, 13, "GatherElements", shAttrs{"axis": int64(axis)}, []*Tensor{x, indT}, 1)
		shSame(t, what, outs[0], refGatherElements(x, ind, ishape, ax))
		xi := shArangeI(shape...)
		outs, err := shRun(13, "GatherElements", shAttrs{"axis": int64(axis)}, []*Tensor{xi, indT}, 1, true)
		if err != nil {
			t.Fatal(err)
		}
		shSame(t, what+" int64", outs[0], refGatherElements(xi, ind, ishape, ax))
	}
	x := shArange(2, 3)
	_, err := shRun(13, "GatherElements", nil, []*Tensor{x, shI([]int{1, 1}, 2)}, 1, false)
	shWantErr(t, "index out of range", err, false)
	_, err = shRun(13, "GatherElements", nil, []*Tensor{x, shI([]int{1}, 0)}, 1, false)
	shWantErr(t, "rank differs", err, false)
	_, err = shRun(13, "GatherElements", shAttrs{"axis": int64(1)}, []*Tensor{x, shI([]int{3, 1}, 0, 0, 0)}, 1, false)
	shWantErr(t, "indices longer than data off the axis", err, false)
	g := newGB(13).input("x", 6, 7).output("y").initI("i", []int64{6, 2}, make([]int64, 12))
	g.node("g", "GatherElements", []string{"x", "i"}, []string{"y"}, attrInt("axis", 1))
	checkNoAllocs(t, g.bytes())
}
