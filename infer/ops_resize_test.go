package infer

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"testing"
)

// TestResize: an FPN's nearest 2× upsampling (asymmetric, floor) repeats
// each pixel into a 2×2 block; PyTorch's bilinear 2× (half_pixel) gives
// the quarter-pixel blends, the borders clamped; sizes instead of scales
// give the same; antialias and a rank-3 tensor are refused as unsupported, and
// scales fed at run time name the input to bind (NeedsConst).
func TestResize(t *testing.T) {
	x := []float32{1, 2, 3, 4, 5, 6} // 1×1×2×3
	run := func(mode, coord string, scales []float32, sizes []int64) []float32 {
		g := newGB(13).input("x", 1, 1, 2, 3).output("y")
		ins := []string{"x", "", "scales"}
		if scales != nil {
			g.initF("scales", []int64{4}, scales)
		} else {
			g.initI("sizes", []int64{4}, sizes)
			ins = []string{"x", "", "", "sizes"}
		}
		g.node("r", "Resize", ins, []string{"y"}, attrString("mode", mode), attrString("coordinate_transformation_mode", coord),
			attrString("nearest_mode", "floor"))
		return calcRun(t, g.bytes(), 2, x)[0].F
	}
	near := run("nearest", "asymmetric", []float32{1, 1, 2, 2}, nil)
	want := []float32{1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 4, 4, 5, 5, 6, 6}
	closeTo(t, "nearest", near, want, 0)
	lin := run("linear", "half_pixel", []float32{1, 1, 2, 2}, nil)
	// rows: source y = (o+0.5)/2-0.5 = -0.25, 0.25, 0.75, 1.25 → clamped blends of rows 0 and 1
	row := func(r0 []float32) []float32 { // columns: -0.25, 0.25, 0.75, 1.25, 1.75, 2.25
		return []float32{r0[0], 0.75*r0[0] + 0.25*r0[1], 0.25*r0[0] + 0.75*r0[1], 0.75*r0[1] + 0.25*r0[2], 0.25*r0[1] + 0.75*r0[2], r0[2]}
	}
	top, bot := row(x[:3]), row(x[3:])
	var wantLin []float32
	for _, wy := range []float32{0, 0.25, 0.75, 1} {
		for i := range top {
			wantLin = append(wantLin, (1-wy)*top[i]+wy*bot[i])
		}
	}
	closeTo(t, "linear", lin, wantLin, 1e-6)
	closeTo(t, "linear by sizes", run("linear", "half_pixel", nil, []int64{1, 1, 4, 6}), wantLin, 1e-6)

	g := newGB(13).input("x", 1, 1, 2, 3).output("y").initF("scales", []int64{4}, []float32{1, 1, 2, 2})
	g.node("r", "Resize", []string{"x", "", "scales"}, []string{"y"}, attrString("mode", "linear"), attrInt("antialias", 1))
	if m, err := Load(g.bytes()); err == nil {
		if _, err = m.Plan(Options{Threads: 1}); !errors.Is(err, ErrUnsupported) {
			t.Errorf("antialias: %v, want ErrUnsupported", err)
		}
	}
	g = newGB(13).input("x", 1, 1, 2, 3).input("scales", 4).output("y")
	g.node("r", "Resize", []string{"x", "", "scales"}, []string{"y"})
	m, err := Load(g.bytes())
	if err != nil {
		t.Fatal(err)
	}
	_, err = m.Plan(Options{Threads: 1})
	if name, ok := NeedsConst(err); !ok || name != "scales" {
		t.Errorf("run-time scales: %v, want NeedsConst naming scales", err)
	}
	// an empty input to sizes: refused when the plan is made, not a
	// run-time failure (a review found the plan built)
	g = newGB(13).input("x", 1, 1, 0, 3).output("y").initI("sizes", []int64{4}, []int64{1, 1, 2, 6})
	g.node("r", "Resize", []string{"x", "", "", "sizes"}, []string{"y"}, attrString("mode", "linear"))
	if m, err = Load(g.bytes()); err == nil {
		_, err = m.Plan(Options{Threads: 1})
	}
	if err == nil {
		t.Error("an empty input resized to 2×6 was planned")
	}
}

// TestResizeEmptyRoi: PyTorch's export at opset 11 passes Resize an
// empty constant for its roi (and for its scales when sizes are given),
// as an initializer or a Constant node; both are read as the inputs left
// out, so the model loads and resizes as at opset 13.
func TestResizeEmptyRoi(t *testing.T) {
	x := []float32{1, 2, 3, 4, 5, 6}
	want := []float32{1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 4, 4, 5, 5, 6, 6}
	for _, viaConstant := range []bool{false, true} {
		g := newGB(11).input("x", 1, 1, 2, 3).output("y").initF("scales", []int64{4}, []float32{1, 1, 2, 2})
		if viaConstant {
			g.node("c", "Constant", nil, []string{"roi"}, msg(fString(fAttrName, "value"), fVarint(fAttrType, 4), fBytes(fAttrT, tensorF("", []int64{0}, nil))))
		} else {
			g.initF("roi", []int64{0}, nil)
		}
		g.node("r", "Resize", []string{"x", "roi", "scales"}, []string{"y"}, attrString("mode", "nearest"),
			attrString("coordinate_transformation_mode", "asymmetric"), attrString("nearest_mode", "floor"))
		y := calcRun(t, g.bytes(), 1, x)[0].F
		closeTo(t, "opset 11 with an empty roi", y, want, 0)
	}
}

// cubicRef1D is the ONNX definition of cubic resizing along one axis, by
// its letter: the input padded by two copies of its edges, the four
// nearest of the padded indices (ties to the lower), the coefficients of
// Keys' kernel at the ratio (1 at a whole position), with exclude the
// neighbours outside the input weighted zero and the rest renormalised.
func cubicRef1D(data []float64, x, a float64, exclude bool) float64 {
	n := len(data)
	padded := make([]float64, n+4)
	for i := range padded {
		padded[i] = data[min(max(i-2, 0), n-1)]
	}
	xp := x + 2
	idx := make([]int, len(padded))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(p, q int) bool { return math.Abs(xp-float64(idx[p])) < math.Abs(xp-float64(idx[q])) })
	near := append([]int(nil), idx[:4]...)
	sort.Ints(near)
	r := x - math.Floor(x)
	if r == 0 {
		r = 1
	}
	c := []float64{
		((a*(r+1)-5*a)*(r+1)+8*a)*(r+1) - 4*a,
		((a+2)*r-(a+3))*r*r + 1,
		((a+2)*(1-r)-(a+3))*(1-r)*(1-r) + 1,
		((a*((1-r)+1)-5*a)*((1-r)+1)+8*a)*((1-r)+1) - 4*a,
	}
	if exclude {
		sum := 0.0
		for j, i := range near {
			if i-2 < 0 || i-2 >= n {
				c[j] = 0
			}
			sum += c[j]
		}
		for j := range c {
			c[j] /= sum
		}
	}
	v := 0.0
	for j, i := range near {
		v += c[j] * padded[i]
	}
	return v
}

// TestResizeCubic: cubic resizing up and down, half_pixel and
// align_corners, with a = -0.75 and -0.5 and exclude_outside, against
// the definition applied along the width and then the height.
func TestResizeCubic(t *testing.T) {
	const h, w = 4, 5
	x := make([]float32, h*w)
	for i := range x {
		x[i] = float32((i*7)%11) - 3
	}
	for _, tc := range []struct {
		scale   float32
		coord   string
		a       float32
		exclude int64
	}{
		{2, "half_pixel", -0.75, 0}, {0.6, "half_pixel", -0.75, 0}, {1.5, "align_corners", -0.75, 0},
		{2, "asymmetric", -0.5, 1}, {0.8, "half_pixel", -0.5, 1},
	} {
		g := newGB(13).input("x", 1, 1, h, w).output("y").initF("scales", []int64{4}, []float32{1, 1, tc.scale, tc.scale})
		g.node("r", "Resize", []string{"x", "", "scales"}, []string{"y"}, attrString("mode", "cubic"),
			attrString("coordinate_transformation_mode", tc.coord), attrFloat("cubic_coeff_a", tc.a), attrInt("exclude_outside", tc.exclude))
		y := calcRun(t, g.bytes(), 2, x)[0]
		oh, ow := int(math.Floor(h*float64(tc.scale))), int(math.Floor(w*float64(tc.scale)))
		pos := func(o, n int) float64 {
			s := float64(tc.scale)
			switch tc.coord {
			case "align_corners":
				return float64(o) * float64(n-1) / (float64(n)*s - 1)
			case "asymmetric":
				return float64(o) / s
			}
			return (float64(o)+0.5)/s - 0.5
		}
		rows := make([][]float64, h) // each input row resized along the width
		for r := range rows {
			row := make([]float64, w)
			for i := range row {
				row[i] = float64(x[r*w+i])
			}
			rows[r] = make([]float64, ow)
			for ox := range ow {
				rows[r][ox] = cubicRef1D(row, pos(ox, w), float64(tc.a), tc.exclude != 0)
			}
		}
		want := make([]float32, oh*ow)
		for oy := range oh {
			for ox := range ow {
				col := make([]float64, h)
				for r := range col {
					col[r] = rows[r][ox]
				}
				want[oy*ow+ox] = float32(cubicRef1D(col, pos(oy, h), float64(tc.a), tc.exclude != 0))
			}
		}
		if !slices.Equal(y.Shape, []int{1, 1, oh, ow}) {
			t.Fatalf("%+v: shape %v, want [1 1 %d %d]", tc, y.Shape, oh, ow)
		}
		closeTo(t, fmt.Sprintf("cubic %+v", tc), y.F, want, 1e-5)
	}
}
