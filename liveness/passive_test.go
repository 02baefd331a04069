package liveness

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"math"
	"path/filepath"
	"slices"
	"testing"

	"github.com/edge-pi/edge/infer"
	"github.com/edge-pi/edge/npy"
)

// The parity data (make antispoof-reference): two frames with a face box
// each, the network inputs TensorFlow.js prepares from them as human
// does, and the original graph's scores for those inputs.
func readTestdata(t testing.TB, name string) *npy.Array {
	t.Helper()
	a, err := npy.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// frame turns a [H, W, 1|3] array of levels into the image Score reads:
// *image.Gray for one channel, *image.RGBA for three.
func frame(t testing.TB, a *npy.Array) image.Image {
	t.Helper()
	if len(a.Shape) != 3 {
		t.Fatalf("frame shape %v, want [H, W, C]", a.Shape)
	}
	h, w, c := a.Shape[0], a.Shape[1], a.Shape[2]
	level := func(i int) uint8 {
		v := a.Data[i]
		if v != float32(uint8(v)) {
			t.Fatalf("frame value %v is not a level 0…255", v)
		}
		return uint8(v)
	}
	switch c {
	case 1:
		g := image.NewGray(image.Rect(0, 0, w, h))
		for i := range g.Pix {
			g.Pix[i] = level(i)
		}
		return g
	case 3:
		m := image.NewRGBA(image.Rect(0, 0, w, h))
		for i := range w * h {
			m.Pix[4*i], m.Pix[4*i+1], m.Pix[4*i+2], m.Pix[4*i+3] = level(3*i), level(3*i+1), level(3*i+2), 255
		}
		return m
	}
	t.Fatalf("frame has %d channels", c)
	return nil
}

// relDiff is the largest |got − want| over the largest |want|.
func relDiff(got, want []float32) (worst, rel float64) {
	scale := 0.0
	for i, w := range want {
		scale = math.Max(scale, math.Abs(float64(w)))
		worst = math.Max(worst, math.Abs(float64(got[i])-float64(w)))
	}
	return worst, worst / scale
}

// TestNetworkParity runs the embedded network in edge's engine on the
// inputs TensorFlow.js prepared and compares with the scores TensorFlow.js
// computed from the original graph.
func TestNetworkParity(t *testing.T) {
	in, want := readTestdata(t, "antispoof.in.npy"), readTestdata(t, "antispoof.out.npy")
	m, err := infer.Load(antispoofONNX)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Inputs) != 1 || m.Inputs[0].Name != "input" || len(m.Outputs) != 1 || m.Outputs[0].Name != "score" {
		t.Fatalf("inputs %v, outputs %v; want input and score", m.Inputs, m.Outputs)
	}
	p, err := m.Plan(infer.Options{Threads: 1, Shapes: map[string][]int{"input": in.Shape}})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.SetInput(0, in.Data); err != nil {
		t.Fatal(err)
	}
	if err := p.Run(); err != nil {
		t.Fatal(err)
	}
	got := p.Output(0)
	if !slices.Equal(got.Shape, want.Shape) {
		t.Fatalf("output shape %v, reference %v", got.Shape, want.Shape)
	}
	worst, rel := relDiff(got.F, want.Data)
	if !(rel <= 1e-5) {
		t.Errorf("engine %v vs TensorFlow.js %v: max |diff| %.3g, relative %.3g > 1e-5", got.F, want.Data, worst, rel)
	}
	t.Logf("engine %v vs TensorFlow.js %v: max |diff| %.3g, relative %.3g", got.F, want.Data, worst, rel)
}

// TestScoreAsHuman checks that Score prepares from each frame and box the
// input that TensorFlow.js prepared as human does (crop, divide, resize),
// and returns TensorFlow.js's score for it.
func TestScoreAsHuman(t *testing.T) {
	in, want, boxes := readTestdata(t, "antispoof.in.npy"), readTestdata(t, "antispoof.out.npy"), readTestdata(t, "boxes.npy")
	p, err := NewPassive(1)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	const n = 3 * passiveSize * passiveSize
	for i, name := range []string{"face.npy", "noise.npy"} {
		img := frame(t, readTestdata(t, name))
		bv := boxes.Data[4*i : 4*i+4]
		box := image.Rect(int(bv[0]), int(bv[1]), int(bv[2]), int(bv[3]))
		s, err := p.Score(img, box)
		if err != nil {
			t.Fatalf("%s %v: %v", name, box, err)
		}
		worst, _ := relDiff(p.in, in.Data[i*n:(i+1)*n])
		if worst > 1e-6 {
			t.Errorf("%s %v: input differs from human's by up to %.3g (levels/255)", name, box, worst)
		}
		sw, rel := relDiff([]float32{s}, want.Data[i:i+1])
		if !(rel <= 1e-5) {
			t.Errorf("%s %v: Score %v, TensorFlow.js %v (|diff| %.3g)", name, box, s, want.Data[i], sw)
		}
		t.Logf("%s %v: input max |diff| %.3g; Score %.7f, TensorFlow.js %.7f", name, box, worst, s, want.Data[i])
	}
}

// TestScoreGreyIsRGB: a grey frame scores as the colour frame with the
// level in all three channels, and the colour types read alike.
func TestScoreGreyIsRGB(t *testing.T) {
	g := frame(t, readTestdata(t, "face.npy")).(*image.Gray)
	b := g.Bounds()
	rgba, nrgba := image.NewRGBA(b), image.NewNRGBA(b)
	ycc := image.NewYCbCr(b, image.YCbCrSubsampleRatio444)
	gray16 := image.NewGray16(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			v := g.GrayAt(x, y).Y
			rgba.SetRGBA(x, y, color.RGBA{v, v, v, 255})
			nrgba.SetNRGBA(x, y, color.NRGBA{v, v, v, 255})
			ycc.Y[ycc.YOffset(x, y)] = v
			ycc.Cb[ycc.COffset(x, y)], ycc.Cr[ycc.COffset(x, y)] = 128, 128
			gray16.SetGray16(x, y, color.Gray16{uint16(v) * 0x101})
		}
	}
	p, err := NewPassive(1)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	box := image.Rect(10, 20, 80, 95)
	want, err := p.Score(g, box)
	if err != nil {
		t.Fatal(err)
	}
	for _, img := range []image.Image{rgba, nrgba, ycc, gray16} {
		got, err := p.Score(img, box)
		if err != nil || got != want {
			t.Errorf("%T: Score %v, %v; the grey frame scores %v", img, got, err, want)
		}
	}
}

// TestScoreOffsetBounds: a frame whose bounds do not start at (0, 0) (a
// SubImage) scores as the same pixels copied to a frame that does, with
// the box moved alike.
func TestScoreOffsetBounds(t *testing.T) {
	img := frame(t, readTestdata(t, "noise.npy")).(*image.RGBA)
	sub := img.SubImage(image.Rect(5, 7, 60, 45)).(*image.RGBA)
	cp := image.NewRGBA(image.Rect(0, 0, 55, 38))
	for y := range 38 {
		copy(cp.Pix[y*cp.Stride:(y+1)*cp.Stride], sub.Pix[y*sub.Stride:y*sub.Stride+55*4])
	}
	p, err := NewPassive(1)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	box := image.Rect(20, 15, 50, 40)
	a, err := p.Score(sub, box)
	if err != nil {
		t.Fatal(err)
	}
	b, err := p.Score(cp, box.Sub(image.Pt(5, 7)))
	if err != nil || a != b {
		t.Errorf("SubImage scores %v, its copy %v (%v)", a, b, err)
	}
}

func TestScoreErrors(t *testing.T) {
	p, err := NewPassive(1)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	img := image.NewGray(image.Rect(0, 0, 64, 48))
	for _, c := range []struct {
		box  image.Rectangle
		want error
	}{
		{image.Rectangle{}, ErrEmptyBox},
		{image.Rect(10, 10, 10, 40), ErrEmptyBox},
		{image.Rect(10, 10, 40, 10), ErrEmptyBox},
		{image.Rect(64, 0, 90, 30), ErrOutside},
		{image.Rect(-40, -40, 0, 0), ErrOutside},
		{image.Rect(0, 48, 30, 80), ErrOutside},
	} {
		s, err := p.Score(img, c.box)
		if !errors.Is(err, c.want) || s != 0 {
			t.Errorf("box %v: %v, %v; want 0 and %v", c.box, s, err, c.want)
		}
	}
	// A box reaching past the frame is scored, the outside as black.
	if s, err := p.Score(img, image.Rect(-20, -20, 30, 30)); err != nil || !(s >= 0 && s <= 1) {
		t.Errorf("box past the corner: %v, %v", s, err)
	}
}

func TestScoreAllocs(t *testing.T) {
	p, err := NewPassive(1)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	face := frame(t, readTestdata(t, "face.npy"))
	noise := frame(t, readTestdata(t, "noise.npy"))
	var err2 error
	allocs := testing.AllocsPerRun(5, func() {
		if _, err := p.Score(face, image.Rect(-5, 10, 94, 109)); err != nil {
			err2 = err
		}
		if _, err := p.Score(noise, image.Rect(40, -6, 74, 30)); err != nil {
			err2 = err
		}
	})
	if err2 != nil {
		t.Fatal(err2)
	}
	if allocs != 0 {
		t.Errorf("Score allocates %v times per two calls, want 0", allocs)
	}
}

// TestFaceSquare checks human's box arithmetic on worked examples.
func TestFaceSquare(t *testing.T) {
	for _, c := range []struct {
		box  image.Rectangle
		want [4]float64
	}{
		// 100×100 about (50, 50): 140 a side.
		{image.Rect(0, 0, 100, 100), [4]float64{-20, -20, 120, 120}},
		// 34×36 about (57, 12): 1.4·36 = 50.4, half 25.2; 31.8 → 32, 82.2 → 82.
		{image.Rect(40, -6, 74, 30), [4]float64{32, -13, 82, 37}},
		// 99×99 about (44.5, 59.5): half 69.3; −24.8 → −25, 113.8 → 114.
		{image.Rect(-5, 10, 94, 109), [4]float64{-25, -10, 114, 129}},
	} {
		if got := faceSquare(c.box); got != c.want {
			t.Errorf("faceSquare(%v) = %v, want %v", c.box, got, c.want)
		}
	}
}

// BenchmarkScore times Score on a 640×480 frame with a 140-pixel face
// box, the network on 1 and 2 threads, and the crop and resize alone.
func BenchmarkScore(b *testing.B) {
	img := image.NewRGBA(image.Rect(0, 0, 640, 480))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 7)
	}
	box := image.Rect(250, 150, 390, 290)
	b.Run("prepare", func(b *testing.B) {
		p, err := NewPassive(1)
		if err != nil {
			b.Fatal(err)
		}
		defer p.Close()
		b.ReportAllocs()
		for b.Loop() {
			p.cut(img, faceSquare(box))
			p.resize()
		}
	})
	for _, threads := range []int{1, 2} {
		b.Run(fmt.Sprintf("threads=%d", threads), func(b *testing.B) {
			p, err := NewPassive(threads)
			if err != nil {
				b.Fatal(err)
			}
			defer p.Close()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := p.Score(img, box); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
