package infer

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// refConvTranspose is ConvTranspose by its definition: each input pixel's
// value times each tap's weight added at the output pixel the tap
// reaches, over the bias.
func refConvTranspose(x []float32, n, c, h, w int, wt []float32, co, kh, kw, groups, sh, sw, dh, dw, pt, pl, oh, ow int, bias []float32) []float32 {
	y := make([]float32, n*co*oh*ow)
	cg, mg := c/groups, co/groups
	for b := 0; b < n; b++ {
		for m := 0; m < co; m++ {
			for i := 0; i < oh*ow; i++ {
				if bias != nil {
					y[(b*co+m)*oh*ow+i] = bias[m]
				}
			}
		}
		for ci := 0; ci < c; ci++ {
			g := ci / cg
			for mm := 0; mm < mg; mm++ {
				m := g*mg + mm
				for iy := 0; iy < h; iy++ {
					for ix := 0; ix < w; ix++ {
						v := x[((b*c+ci)*h+iy)*w+ix]
						for ky := 0; ky < kh; ky++ {
							for kx := 0; kx < kw; kx++ {
								oy, ox := iy*sh-pt+ky*dh, ix*sw-pl+kx*dw
								if oy >= 0 && oy < oh && ox >= 0 && ox < ow {
									y[((b*co+m)*oh+oy)*ow+ox] += v * wt[((ci*mg+mm)*kh+ky)*kw+kx]
								}
							}
						}
					}
				}
			}
		}
	}
	return y
}

// TestConvTranspose: FPN- and segmentation-style upsamplings (stride 2
// with a 4×4 or 2×2 kernel, pads, output_padding, dilation, groups, a
// bias or none) give the definition's output on two images at 1 and 3
// threads.
func TestConvTranspose(t *testing.T) {
	for _, tc := range []struct {
		c, co, h, w, k, s, d, groups, pad, opad int
		bias                                    bool
	}{
		{8, 4, 5, 6, 4, 2, 1, 1, 1, 0, true},
		{16, 16, 7, 7, 2, 2, 1, 1, 0, 0, false},
		{6, 9, 4, 3, 3, 2, 1, 3, 1, 1, true},
		{4, 4, 5, 5, 3, 1, 2, 2, 2, 0, true},
		{3, 5, 3, 4, 3, 3, 1, 1, 0, 2, false},
	} {
		r := rand.New(rand.NewPCG(16, uint64(tc.c*tc.k+tc.s)))
		mg := tc.co / tc.groups
		wt := randF(r, tc.c*mg*tc.k*tc.k)
		var bias []float32
		g := newGB(13).input("x", 2, int64(tc.c), int64(tc.h), int64(tc.w)).output("y")
		g.initF("W", []int64{int64(tc.c), int64(mg), int64(tc.k), int64(tc.k)}, wt)
		ins := []string{"x", "W"}
		if tc.bias {
			bias = randF(r, tc.co)
			g.initF("B", []int64{int64(tc.co)}, bias)
			ins = append(ins, "B")
		}
		P, S, D, O := int64(tc.pad), int64(tc.s), int64(tc.d), int64(tc.opad)
		g.node("ct", "ConvTranspose", ins, []string{"y"}, attrInts("strides", S, S), attrInts("dilations", D, D),
			attrInts("pads", P, P, P, P), attrInts("output_padding", O, O), attrInt("group", int64(tc.groups)))
		oh := tc.s*(tc.h-1) + tc.opad + (tc.k-1)*tc.d + 1 - 2*tc.pad
		ow := tc.s*(tc.w-1) + tc.opad + (tc.k-1)*tc.d + 1 - 2*tc.pad
		x := randF(r, 2*tc.c*tc.h*tc.w)
		want := refConvTranspose(x, 2, tc.c, tc.h, tc.w, wt, tc.co, tc.k, tc.k, tc.groups, tc.s, tc.s, tc.d, tc.d, tc.pad, tc.pad, oh, ow, bias)
		for _, threads := range []int{1, 3} {
			y := calcRun(t, g.bytes(), threads, x)[0]
			calcShape(t, fmt.Sprintf("%+v", tc), y.Shape, []int{2, tc.co, oh, ow})
			closeTo(t, fmt.Sprintf("%+v, %d threads", tc, threads), y.F, want, 1e-4)
		}
	}
}

// TestConvTranspose1D: one spatial dimension (a 1-D upsampling: stride,
// pads, output_padding, dilation, groups, output_shape) gives the
// definition's output, as two dimensions of height 1.
func TestConvTranspose1D(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 21))
	for _, tc := range []struct {
		c, co, w, k, s, d, groups, pl, pr, opad int
		outShape                                []int64
	}{
		{4, 6, 7, 3, 2, 1, 1, 1, 1, 1, nil},
		{6, 4, 5, 4, 3, 2, 2, 0, 2, 0, nil},
		{3, 3, 6, 2, 2, 1, 1, 0, 0, 0, []int64{13}},
	} {
		x, wt, bias := randF(r, 2*tc.c*tc.w), randF(r, tc.c*(tc.co/tc.groups)*tc.k), randF(r, tc.co)
		full := tc.s*(tc.w-1) + tc.opad + (tc.k-1)*tc.d + 1
		pl, pr := tc.pl, tc.pr
		attrs := [][]byte{attrInts("strides", int64(tc.s)), attrInts("dilations", int64(tc.d)), attrInt("group", int64(tc.groups))}
		if tc.outShape != nil {
			total := full - int(tc.outShape[0]) // the padding, split with the end's half rounded down
			half := int(math.Floor(float64(total) / 2))
			pl, pr = total-half, half
			attrs = append(attrs, attrInts("output_shape", tc.outShape...))
		} else {
			attrs = append(attrs, attrInts("pads", int64(tc.pl), int64(tc.pr)), attrInts("output_padding", int64(tc.opad)))
		}
		ow := full - pl - pr
		g := newGB(13).input("x", 2, int64(tc.c), int64(tc.w)).output("y").
			initF("w", []int64{int64(tc.c), int64(tc.co / tc.groups), int64(tc.k)}, wt).initF("b", []int64{int64(tc.co)}, bias)
		g.node("ct", "ConvTranspose", []string{"x", "w", "b"}, []string{"y"}, attrs...)
		want := refConvTranspose(x, 2, tc.c, 1, tc.w, wt, tc.co, 1, tc.k, tc.groups, 1, tc.s, 1, tc.d, 0, pl, 1, ow, bias)
		for _, threads := range []int{1, 3} {
			y := calcRun(t, g.bytes(), threads, x)[0]
			calcShape(t, fmt.Sprintf("%+v", tc), y.Shape, []int{2, tc.co, ow})
			calcClose(t, fmt.Sprintf("%+v, %d threads", tc, threads), y.F, want, 1e-5, 1e-5)
		}
	}
}
