package eval

import (
	"context"
	"image"
	"io/fs"
	"math"
	"os"
	"testing"
	"testing/fstest"

	"github.com/edge-pi/edge/internal/edgedata"
	"github.com/edge-pi/edge/locate"
	"github.com/edge-pi/edge/twin"
)

// photo is a 92×112 test "face": a vertical ramp with a dark square.
func photo() *image.Gray {
	g := image.NewGray(image.Rect(0, 0, 92, 112))
	for y := 0; y < 112; y++ {
		for x := 0; x < 92; x++ {
			v := 60 + y
			if x > 30 && x < 60 && y > 40 && y < 70 {
				v = 20
			}
			g.Pix[y*g.Stride+x] = uint8(v)
		}
	}
	return g
}

// TestMakeFrame: frames are the same for the same seed and differ
// otherwise; the photo lies whole inside at a scale in [1, 2.5]; the
// backgrounds all occur; and the photo's content is where Face says.
func TestMakeFrame(t *testing.T) {
	src := photo()
	seen := map[int]bool{}
	var centres []image.Point
	for i := 0; i < 30; i++ {
		f := MakeFrame(src, FrameSeed(7, i), FrameOptions{})
		g := MakeFrame(src, FrameSeed(7, i), FrameOptions{})
		if string(f.Image.Pix) != string(g.Image.Pix) || f.Face != g.Face {
			t.Fatalf("frame %d differs between two runs", i)
		}
		if f.Image.Rect != image.Rect(0, 0, 640, 480) || !f.Face.In(f.Image.Rect) {
			t.Errorf("frame %d: %v in %v", i, f.Face, f.Image.Rect)
		}
		if f.Scale < 1 || f.Scale > 2.5 || math.Abs(float64(f.Face.Dx())-92*f.Scale) > 0.51 ||
			f.Gamma < 0.67-1e-9 || f.Gamma > 1.5+1e-9 || f.Gain < 0.7 || f.Gain > 1.2 {
			t.Errorf("frame %d: %+v", i, f)
		}
		seen[f.Background] = true
		centres = append(centres, f.Face.Min.Add(f.Face.Max).Div(2))
		// The dark square (x 31–59, y 41–69 of the photo) is darker than
		// the photo's rows around it, light changes and all.
		at := func(x, y float64) float64 {
			px := f.Face.Min.X + int(x*f.Scale)
			py := f.Face.Min.Y + int(y*f.Scale)
			return float64(f.Image.GrayAt(px, py).Y)
		}
		if at(45, 55) > at(10, 55)-15 {
			t.Errorf("frame %d: the photo is not at %v (%v inside, %v beside)", i, f.Face, at(45, 55), at(10, 55))
		}
	}
	if len(seen) != len(Backgrounds) {
		t.Errorf("backgrounds drawn: %v of %d", seen, len(Backgrounds))
	}
	off := 0
	for _, c := range centres {
		if math.Abs(float64(c.X-320)) > 60 || math.Abs(float64(c.Y-240)) > 60 {
			off++
		}
	}
	if off < len(centres)/2 {
		t.Errorf("only %d of %d faces off-centre", off, len(centres))
	}
	if a, b := MakeFrame(src, 1, FrameOptions{}), MakeFrame(src, 2, FrameOptions{}); string(a.Image.Pix) == string(b.Image.Pix) {
		t.Error("seeds 1 and 2 give the same frame")
	}
	if f := MakeFrame(src, 1, FrameOptions{Width: 320, Height: 240, MinScale: 2, MaxScale: 2, Noise: -1}); f.Face.Dx() != 184 || f.Face.Dy() != 224 {
		t.Errorf("options: %v", f.Face)
	}
	// A roll turns the photo about the centre of Face: the dark square's
	// centre (45, 55 of the photo, 10 px below the photo's centre) moves
	// sideways by 10·scale·sin(roll).
	for i := 0; i < 10; i++ {
		f := MakeFrame(src, FrameSeed(3, i), FrameOptions{MaxRoll: 20, MinScale: 2, MaxScale: 2, Noise: -1, MinGain: 1, MaxGain: 1, MinGamma: 1, MaxGamma: 1})
		if math.Abs(f.Roll) > 20 || !f.Face.In(f.Image.Rect) || f.Face.Dx() != 184 {
			t.Errorf("roll frame %d: %+v", i, f)
		}
		c := f.Face.Min.Add(f.Face.Max).Div(2)
		s := math.Sin(f.Roll * math.Pi / 180)
		x := float64(c.X) - 2*10*s // clockwise on screen: below the centre moves left
		y := float64(c.Y) + 2*10*math.Cos(f.Roll*math.Pi/180)
		if v := f.Image.GrayAt(int(x), int(y)).Y; v > 30 {
			t.Errorf("roll %.1f°: %v at (%.0f, %.0f), want the dark square", f.Roll, v, x, y)
		}
	}
}

// boxEmbedder "finds" a fixed box and embeds the frame's mean grey.
type boxEmbedder struct {
	box image.Rectangle
	err error
}

func (b *boxEmbedder) Embed(img image.Image) ([]float32, error) { return []float32{1}, b.err }
func (b *boxEmbedder) Face() (twin.Face, bool)                  { return twin.Face{Box: b.box}, !b.box.Empty() }

func TestEmbedFramesCounts(t *testing.T) {
	fsys := fstest.MapFS{}
	for _, p := range []string{"a/1.pgm", "a/2.pgm", "b/1.pgm", "b/2.pgm"} {
		fsys[p] = &fstest.MapFile{Data: photoPGM(photo())}
	}
	fsys["b/3.pgm"] = &fstest.MapFile{Data: []byte("P5 broken")}
	var skipped []string
	o := Options{Skip: func(p string, err error) { skipped = append(skipped, p) }}
	// A box nowhere near any photo: every face is in the wrong place.
	_, res, err := EmbedFrames(context.Background(), fsys, &boxEmbedder{box: image.Rect(0, 0, 5, 5)}, 1, FrameOptions{}, o)
	if err == nil || res.Frames != 4 || res.Found != 0 || res.Skips[SkipWrongPlace] != 4 || res.Skips["error"] != 1 || len(skipped) != 5 {
		t.Errorf("wrong place: %v, %+v, skipped %v", err, res, skipped)
	}
	// No face anywhere.
	_, res, _ = EmbedFrames(context.Background(), fsys, &boxEmbedder{err: twin.ErrNotFound}, 1, FrameOptions{}, Options{})
	if res.Skips["no face"] != 4 || res.Found != 0 || res.FoundRate() != 0 {
		t.Errorf("no face: %+v", res)
	}
	// An Embedder that does not say where: found is embedded or refused.
	set, res, err := EmbedFrames(context.Background(), fsys, rawEmbedder{}, 1, FrameOptions{}, Options{})
	if err != nil || res.Found != 4 || res.Embedded != 4 || len(set.Paths) != 4 || len(set.Classes) != 2 {
		t.Errorf("plain Embedder: %v, %+v", err, res)
	}
	res = &DetectResult{Skips: map[string]int{"a": 1, "b": 3, "c": 1}}
	if r := res.Reasons(); len(r) != 3 || r[0] != "b" || r[1] != "a" {
		t.Errorf("Reasons %v", r)
	}
}

type rawEmbedder struct{}

func (rawEmbedder) Embed(img image.Image) ([]float32, error) {
	g := img.(*image.Gray)
	return []float32{float32(g.Pix[0]), float32(g.Pix[len(g.Pix)-1])}, nil
}

func photoPGM(g *image.Gray) []byte {
	b := []byte("P5\n92 112\n255\n")
	return append(b, g.Pix...)
}

// TestEmbedFramesDetector runs the real detector over frames of the
// first three AT&T people, with the tiny test network cropping faces:
// every face is found where it was put.
func TestEmbedFramesDetector(t *testing.T) {
	faces := edgedata.Dir(t, "att-faces")
	fsys, err := fs.Sub(os.DirFS(faces), ".")
	if err != nil {
		t.Fatal(err)
	}
	sub := fstest.MapFS{}
	for _, p := range []string{"s1", "s2", "s3"} {
		ents, _ := fs.ReadDir(fsys, p)
		for _, e := range ents {
			b, _ := fs.ReadFile(fsys, p+"/"+e.Name())
			sub[p+"/"+e.Name()] = &fstest.MapFile{Data: b}
		}
	}
	net, err := twin.LoadFile("../twin/testdata/tiny_gray.onnx", twin.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer net.Close()
	net.Meta.Crop, net.Meta.CropMargin = twin.CropFace, 0.2
	l, err := locate.Load("", locate.Options{})
	if err != nil {
		t.Skip(err)
	}
	net.SetLocator(l)
	set, res, err := EmbedFrames(context.Background(), sub, net, 0, FrameOptions{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Frames != 30 || res.Found < 29 || res.Embedded < 28 || len(set.Classes) != 3 {
		t.Errorf("%+v", res)
	}
}
