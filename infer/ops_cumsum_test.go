package infer

import (
	"fmt"
	"testing"
)

// refCumSum is CumSum's definition: y[j] sums x[i] over i ≤ j (i < j
// when exclusive; ≥, > when reversed) along the axis.
func refCumSum(x *Tensor, axis int, exclusive, reverse bool) *Tensor {
	y := NewTensor(x.DType, x.Shape...)
	st := strides(x.Shape)
	n := x.Shape[axis]
	for e := 0; e < x.Len(); e++ {
		j := (e / st[axis]) % n
		base := e - j*st[axis]
		acc := 0.0
		for i := 0; i < n; i++ {
			in := i <= j
			switch {
			case exclusive && !reverse:
				in = i < j
			case !exclusive && reverse:
				in = i >= j
			case exclusive && reverse:
				in = i > j
			}
			if in {
				acc += x.Float64At(base + i*st[axis])
			}
		}
		if y.I != nil {
			y.I[e] = int64(acc)
		} else {
			y.F[e] = float32(acc)
		}
	}
	return y
}

func TestCumSum(t *testing.T) {
	shape := []int{3, 4, 5}
	x := shArange(shape...)
	for i := range x.F {
		x.F[i] = float32(i%7) - 2.5
	}
	xi := shArangeI(shape...)
	for axis := -3; axis < 3; axis++ {
		for _, ex := range []int64{0, 1} {
			for _, rev := range []int64{0, 1} {
				attrs := shAttrs{"exclusive": ex, "reverse": rev}
				what := fmt.Sprintf("axis %d exclusive %d reverse %d", axis, ex, rev)
				outs := shBoth(t, 14, "CumSum", attrs, []*Tensor{x, shI([]int{}, int64(axis))}, 1)
				shSame(t, what, outs[0], refCumSum(x, (axis+3)%3, ex == 1, rev == 1))
				outs, err := shRun(14, "CumSum", attrs, []*Tensor{xi, shI([]int{1}, int64(axis))}, 1, true)
				if err != nil {
					t.Fatal(err)
				}
				shSame(t, what+" int64", outs[0], refCumSum(xi, (axis+3)%3, ex == 1, rev == 1))
			}
		}
	}
	outs := shBoth(t, 14, "CumSum", nil, []*Tensor{shF([]int{2, 0}), shI([]int{}, 1)}, 1)
	shSame(t, "empty", outs[0], shF([]int{2, 0}))
	_, err := shRun(14, "CumSum", nil, []*Tensor{x, shI([]int{}, 3)}, 1, false)
	shWantErr(t, "axis out of range", err, false)
	_, err = shRun(14, "CumSum", nil, []*Tensor{x, shI([]int{2}, 0, 1)}, 1, false)
	shWantErr(t, "two axes", err, false)
	_, err = shRun(14, "CumSum", shAttrs{"reverse": int64(2)}, []*Tensor{x, shI([]int{}, 0)}, 1, false)
	shWantErr(t, "reverse 2", err, false)
	g := newGB(14).input("x", 6, 70).output("y").initI("a", nil, []int64{1})
	g.node("c", "CumSum", []string{"x", "a"}, []string{"y"}, attrInt("reverse", 1))
	checkNoAllocs(t, g.bytes())
}

// TestInt32Wraps checks that CumSum and ReduceProd of int32 constants
// wrap as int32 arithmetic does.
func TestInt32Wraps(t *testing.T) {
	x := &Tensor{DType: Int32, Shape: []int{3}, I: []int64{1 << 30, 1 << 30, 3}}
	outs, err := shRun(14, "CumSum", nil, []*Tensor{x, shI([]int{}, 0)}, 1, true)
	if err != nil {
		t.Fatal(err)
	}
	shSame(t, "cumsum", outs[0], &Tensor{DType: Int32, Shape: []int{3}, I: []int64{1 << 30, -1 << 31, -1<<31 + 3}})
	outs, err = shRun(13, "ReduceProd", shAttrs{"keepdims": int64(0)}, []*Tensor{x}, 1, true)
	if err != nil {
		t.Fatal(err)
	}
	shSame(t, "prod", outs[0], &Tensor{DType: Int32, Shape: []int{}, I: []int64{0}})
}
