package infer

import (
	"fmt"
	"testing"
)

// refTrilu is Trilu's definition, element by element.
func refTrilu(x *Tensor, k int, upper bool) *Tensor {
	y := x.Clone()
	r, c := x.Shape[len(x.Shape)-2], x.Shape[len(x.Shape)-1]
	for e := 0; e < x.Len(); e++ {
		i, j := (e/c)%r, e%c
		if (upper && j-i < k) || (!upper && j-i > k) {
			if y.I != nil {
				y.I[e] = 0
			} else {
				y.F[e] = 0
			}
		}
	}
	return y
}

func TestTrilu(t *testing.T) {
	for _, shape := range [][]int{{4, 5}, {2, 3, 5, 4}, {3, 3}, {1, 0, 4}, {4, 1}} {
		for _, upper := range []int64{0, 1} {
			for _, k := range []int64{-7, -2, -1, 0, 1, 3, 9} {
				x := shArange(shape...)
				for i := range x.F {
					x.F[i]++ // no zeros, so that a kept element is seen
				}
				ins := []*Tensor{x, shI([]int{}, k)}
				what := fmt.Sprintf("shape %v upper %d k %d", shape, upper, k)
				outs := shBoth(t, 14, "Trilu", shAttrs{"upper": upper}, ins, 1)
				shSame(t, what, outs[0], refTrilu(x, int(k), upper == 1))
				xi := shArangeI(shape...)
				outs, err := shRun(14, "Trilu", shAttrs{"upper": upper}, []*Tensor{xi, shI([]int{1}, k)}, 1, true)
				if err != nil {
					t.Fatal(err)
				}
				shSame(t, what+" int64", outs[0], refTrilu(xi, int(k), upper == 1))
			}
		}
	}
	// k omitted is 0, upper omitted is 1
	x := shArange(3, 3)
	outs := shBoth(t, 14, "Trilu", nil, []*Tensor{x}, 1)
	shSame(t, "defaults", outs[0], refTrilu(x, 0, true))
	_, err := shRun(14, "Trilu", nil, []*Tensor{shArange(4)}, 1, false)
	shWantErr(t, "rank 1", err, false)
	_, err = shRun(14, "Trilu", nil, []*Tensor{x, shI([]int{2}, 1, 2)}, 1, false)
	shWantErr(t, "k of two values", err, false)
	_, err = shRun(14, "Trilu", shAttrs{"upper": int64(2)}, []*Tensor{x}, 1, false)
	shWantErr(t, "upper 2", err, false)
	g := newGB(14).input("x", 6, 7, 8).output("y").initI("k", nil, []int64{1})
	g.node("t", "Trilu", []string{"x", "k"}, []string{"y"}, attrInt("upper", 0))
	checkNoAllocs(t, g.bytes())
}
