package infer

import (
	"errors"
	"testing"
)

// TestResize: an FPN's nearest 2× upsampling (asymmetric, floor) repeats
// each pixel into a 2×2 block; PyTorch's bilinear 2× (half_pixel) gives
// the quarter-pixel blends, the borders clamped; sizes instead of scales
// give the same; cubic and a rank-3 tensor are refused as unsupported, and
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
	g.node("r", "Resize", []string{"x", "", "scales"}, []string{"y"}, attrString("mode", "cubic"))
	if m, err := Load(g.bytes()); err == nil {
		if _, err = m.Plan(Options{Threads: 1}); !errors.Is(err, ErrUnsupported) {
			t.Errorf("cubic: %v, want ErrUnsupported", err)
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
