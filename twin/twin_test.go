package twin

import (
	"encoding/json"
	"errors"
	"image"
	"image/color"
	"image/draw"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/edge-pi/edge/imageio"
)

// The models of testdata/gen.py: [N,1,16,12] and [N,3,16,12] → [N,4].
const (
	grayModel = "testdata/tiny_gray.onnx"
	rgbModel  = "testdata/tiny_rgb.onnx"
)

func load(t testing.TB, path string, o Options) *Net {
	t.Helper()
	if o.Threads == 0 {
		o.Threads = 1
	}
	n, err := LoadFile(path, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(n.Close)
	return n
}

func loadImage(t testing.TB, path string) image.Image {
	t.Helper()
	img, err := imageio.LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func near(a, b []float32, tol float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(float64(a[i]-b[i])) > tol {
			return false
		}
	}
	return true
}

// TestEmbedMatchesPyTorch runs the test models on their images: the
// crops and sizes are such that resampling is the identity, so the
// embeddings must equal PyTorch's on the normalisation METADATA.md
// defines (invert for the grey model, a fixed ROI for the colour one).
func TestEmbedMatchesPyTorch(t *testing.T) {
	b, err := os.ReadFile("testdata/expected.json")
	if err != nil {
		t.Fatal(err)
	}
	var want map[string][]float32
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ model, image string }{{grayModel, "gray.pgm"}, {rgbModel, "rgb.ppm"}} {
		n := load(t, c.model, Options{})
		got, err := n.Embed(loadImage(t, "testdata/"+c.image))
		if err != nil {
			t.Fatal(err)
		}
		if !near(got, want[c.image], 1e-5) {
			t.Errorf("%s on %s: %v, PyTorch %v", c.model, c.image, got, want[c.image])
		}
	}
}

func TestMeta(t *testing.T) {
	n := load(t, grayModel, Options{})
	want := Meta{Name: "tiny", Version: 1, InputC: 1, InputH: 16, InputW: 12, Mean: 0.5, Std: 0.25, Invert: true,
		Crop: CropNone, Resize: ResizeBilinear, EmbeddingSize: 4, Margin: 2, Threshold: 0.5, ThresholdFAR: 0.001,
		TrainedOn: "nothing: seeded random weights for tests"}
	if n.Meta != want {
		t.Errorf("Meta\n%+v, want\n%+v", n.Meta, want)
	}
	c := load(t, rgbModel, Options{})
	if c.Meta.Crop != CropFixed || c.Meta.ROI != (ROI{0.25, 0.25, 0.5, 0.5}) || c.Meta.InputC != 3 {
		t.Errorf("colour Meta %+v", c.Meta)
	}
	for _, m := range []Meta{n.Meta, c.Meta, {Name: "f", InputC: 1, InputH: 2, InputW: 3, Std: 1, Crop: CropFace, CropMargin: 0.2,
		Resize: ResizeArea, EmbeddingSize: 1, Margin: 1, Threshold: 1, ThresholdFAR: 0.5, TrainedOn: "x", Normalized: true}} {
		back, err := ParseMeta(m.Props())
		if err != nil || back != m {
			t.Errorf("ParseMeta(Props()) = %+v, %v; want %+v", back, err, m)
		}
	}
}

func TestParseMetaErrors(t *testing.T) {
	good := load(t, grayModel, Options{}).Meta.Props()
	with := func(k, v string) map[string]string {
		p := map[string]string{}
		for k, v := range good {
			p[k] = v
		}
		if v == "<delete>" {
			delete(p, k)
		} else {
			p[k] = v
		}
		return p
	}
	for _, c := range []struct {
		key, value, msg string
	}{
		{"edge.name", "<delete>", "edge.name: missing"},
		{"edge.name", " ", "edge.name: empty"},
		{"edge.version", "x", "edge.version: \"x\" is not an integer"},
		{"edge.input_channels", "2", "edge.input_channels: 2 is neither"},
		{"edge.input_channels", "4", "edge.input_channels: \"4\" is not an integer in [1, 3]"},
		{"edge.input_height", "0", "edge.input_height"},
		{"edge.input_width", "<delete>", "edge.input_width: missing"},
		{"edge.pixel_mean", "NaN", "edge.pixel_mean: \"NaN\" is not a finite number"},
		{"edge.pixel_std", "0", "edge.pixel_std: \"0\" is not positive"},
		{"edge.invert", "yes", "edge.invert: \"yes\" is neither 0 nor 1"},
		{"edge.crop", "centre", "edge.crop: \"centre\" is none of"},
		{"edge.crop", "face", "edge.crop_margin: missing"},
		{"edge.crop", "fixed", "edge.roi: missing"},
		{"edge.resize", "cubic", "edge.resize: \"cubic\""},
		{"edge.embedding_size", "-1", "edge.embedding_size"},
		{"edge.normalized", "<delete>", "edge.normalized: missing"},
		{"edge.margin", "-2", "edge.margin"},
		{"edge.threshold", "inf", "edge.threshold: \"inf\" is not a finite"},
		{"edge.threshold_far", "1", "edge.threshold_far: 1 is not a rate"},
		{"edge.trained_on", "<delete>", "edge.trained_on: missing"},
	} {
		_, err := ParseMeta(with(c.key, c.value))
		if err == nil || !errors.Is(err, ErrMeta) || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s=%q: error %v, want %q", c.key, c.value, err, c.msg)
		}
	}
	for _, roi := range []string{"0,0,1", "0,0,1,x", "0.5,0,0.6,1", "0,0,0,1", "-0.1,0,0.5,0.5"} {
		p := with("edge.crop", "fixed")
		p["edge.roi"] = roi
		if _, err := ParseMeta(p); err == nil || !strings.Contains(err.Error(), "edge.roi") {
			t.Errorf("roi %q: %v", roi, err)
		}
	}
	p := with("edge.crop", "face")
	p["edge.crop_margin"] = "-0.1"
	if _, err := ParseMeta(p); err == nil || !strings.Contains(err.Error(), "edge.crop_margin: -0.1 is negative") {
		t.Errorf("negative margin: %v", err)
	}
	// All errors at once.
	_, err := ParseMeta(map[string]string{"edge.name": "x"})
	if err == nil || !strings.Contains(err.Error(), "edge.version: missing") || !strings.Contains(err.Error(), "edge.trained_on: missing") {
		t.Errorf("empty metadata: %v", err)
	}
}

func TestLoadErrors(t *testing.T) {
	b, err := os.ReadFile(grayModel)
	if err != nil {
		t.Fatal(err)
	}
	// Options.Meta fills only missing keys.
	n, err := Load(b, Options{Threads: 1, Meta: map[string]string{"edge.name": "other", "edge.extra": "1"}})
	if err != nil || n.Meta.Name != "tiny" {
		t.Errorf("override: %v %q", err, n.Meta.Name)
	}
	n.Close()
	for _, c := range []struct {
		key, value, msg string
	}{
		{"edge.input_height", "17", "edge.input_height is 17 but input"},
		{"edge.input_channels", "3", "edge.input_channels is 3"},
		{"edge.embedding_size", "5", "edge.embedding_size is 5 but the model's output at batch 1 has shape [1 4]"},
	} {
		// Rewrite the key through a model without metadata: strip it by
		// reading the props from a parsed copy and overriding.
		props := load(t, grayModel, Options{}).Meta.Props()
		props[c.key] = c.value
		_, err := loadWithMeta(t, b, props)
		if err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s=%s: %v", c.key, c.value, err)
		}
	}
	if _, err := Load([]byte("not a model"), Options{}); err == nil {
		t.Error("garbage loads")
	}
	if _, err := LoadFile("testdata/missing.onnx", Options{}); err == nil || !strings.Contains(err.Error(), "missing.onnx") {
		t.Errorf("missing file: %v", err)
	}
}

// loadWithMeta loads the model bytes with its metadata replaced by props:
// the metadata the model carries is checked first, so the test swaps it
// in the parsed model through ParseMeta and the shape checks of Load.
func loadWithMeta(t *testing.T, onnx []byte, props map[string]string) (*Net, error) {
	t.Helper()
	n, err := Load(onnx, Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	n.Close()
	n.Model.Metadata = props
	return New(n.Model, Options{Threads: 1})
}

type fixedLocator struct {
	r   image.Rectangle
	err error
	n   int
}

func (l *fixedLocator) Locate(image.Image) (image.Rectangle, error) {
	l.n++
	return l.r, l.err
}

// testNet is a Net with only Meta set, for the preprocessing tests.
func testNet(m Meta) *Net {
	if m.Std == 0 {
		m.Std = 1.0 / 255 // input = pixel value
	}
	if m.Resize == "" {
		m.Resize = ResizeBilinear
	}
	if m.Crop == "" {
		m.Crop = CropNone
	}
	return &Net{Meta: m}
}

func input(t *testing.T, n *Net, img image.Image) []float32 {
	t.Helper()
	dst := make([]float32, n.Meta.InputC*n.Meta.InputH*n.Meta.InputW)
	if err := n.Input(dst, img); err != nil {
		t.Fatal(err)
	}
	return dst
}

func grayImage(w, h int, pix ...uint8) *image.Gray {
	g := image.NewGray(image.Rect(0, 0, w, h))
	copy(g.Pix, pix)
	return g
}

func TestResample(t *testing.T) {
	// Bilinear with half-pixel centres, border replicated: 2 → 4 columns.
	n := testNet(Meta{InputC: 1, InputH: 1, InputW: 4})
	if got := input(t, n, grayImage(2, 1, 0, 100)); !near(got, []float32{0, 25, 75, 100}, 1e-4) {
		t.Errorf("bilinear 2→4: %v", got)
	}
	// Area with a non-integer ratio: 3 → 2 columns, 1.5 pixels each.
	n = testNet(Meta{InputC: 1, InputH: 1, InputW: 2, Resize: ResizeArea})
	if got := input(t, n, grayImage(3, 1, 0, 30, 60)); !near(got, []float32{10, 50}, 1e-4) {
		t.Errorf("area 3→2: %v", got)
	}
	// Area 4×2 → 2×1: means of 2×2 blocks.
	if got := input(t, n, grayImage(4, 2, 0, 10, 20, 30, 40, 50, 60, 70)); !near(got, []float32{25, 45}, 1e-4) {
		t.Errorf("area 4×2→2×1: %v", got)
	}
	// Same size: both filters are the identity, also on a sub-image whose
	// bounds do not start at the origin.
	src := grayImage(5, 4, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20)
	sub := src.SubImage(image.Rect(1, 1, 4, 3))
	for _, rs := range []Resize{ResizeBilinear, ResizeArea} {
		n := testNet(Meta{InputC: 1, InputH: 2, InputW: 3, Resize: rs})
		if got := input(t, n, sub); !near(got, []float32{7, 8, 9, 12, 13, 14}, 1e-4) {
			t.Errorf("%s identity on a sub-image: %v", rs, got)
		}
	}
}

func TestNormalise(t *testing.T) {
	img := grayImage(2, 1, 0, 255)
	n := testNet(Meta{InputC: 1, InputH: 1, InputW: 2, Mean: 0.5, Std: 0.25})
	if got := input(t, n, img); !near(got, []float32{-2, 2}, 1e-6) {
		t.Errorf("normalise: %v", got)
	}
	n.Meta.Invert = true
	if got := input(t, n, img); !near(got, []float32{2, -2}, 1e-6) {
		t.Errorf("invert: %v", got)
	}
}

func TestChannels(t *testing.T) {
	c := image.NewRGBA(image.Rect(0, 0, 2, 1))
	c.Set(0, 0, color.RGBA{200, 100, 50, 255})
	c.Set(1, 0, color.RGBA{0, 255, 0, 255})
	grey := testNet(Meta{InputC: 1, InputH: 1, InputW: 2})
	if got := input(t, grey, c); !near(got, []float32{0.299*200 + 0.587*100 + 0.114*50, 0.587 * 255}, 1e-3) {
		t.Errorf("RGB → grey: %v", got)
	}
	rgb := testNet(Meta{InputC: 3, InputH: 1, InputW: 2})
	if got := input(t, rgb, c); !near(got, []float32{200, 0, 100, 255, 50, 0}, 1e-4) {
		t.Errorf("RGB planes: %v", got)
	}
	if got := input(t, rgb, grayImage(2, 1, 7, 9)); !near(got, []float32{7, 9, 7, 9, 7, 9}, 1e-4) {
		t.Errorf("grey → RGB: %v", got)
	}
	// Every image type gives what its conversion to RGBA gives.
	src := image.NewRGBA(image.Rect(0, 0, 16, 8))
	for i := range src.Pix {
		src.Pix[i] = uint8(i*37 + i/4)
	}
	for i := 3; i < len(src.Pix); i += 4 {
		src.Pix[i] = 255
	}
	ycc := image.NewYCbCr(src.Rect, image.YCbCrSubsampleRatio444)
	for y := 0; y < 8; y++ {
		for x := 0; x < 16; x++ {
			r, g, b, _ := src.At(x, y).RGBA()
			yy, cb, cr := color.RGBToYCbCr(uint8(r>>8), uint8(g>>8), uint8(b>>8))
			ycc.Y[ycc.YOffset(x, y)], ycc.Cb[ycc.COffset(x, y)], ycc.Cr[ycc.COffset(x, y)] = yy, cb, cr
		}
	}
	for _, m := range []image.Image{ycc, toModel(src, color.NRGBAModel), toModel(src, color.RGBA64Model),
		toModel(src, color.Gray16Model), toModel(src, color.CMYKModel)} {
		for _, net := range []*Net{rgb, testNet(Meta{InputC: 1, InputH: 3, InputW: 5, Resize: ResizeArea})} {
			ref := toModel(m, color.RGBAModel)
			if got, want := input(t, net, m), input(t, net, ref); !near(got, want, 1.01) {
				t.Errorf("%T, %d channels: %v, via RGBA %v", m, net.Meta.InputC, got, want)
			}
		}
	}
}

func toModel(src image.Image, m color.Model) image.Image {
	var dst draw.Image
	r := src.Bounds()
	switch m {
	case color.RGBAModel:
		dst = image.NewRGBA(r)
	case color.NRGBAModel:
		dst = image.NewNRGBA(r)
	case color.RGBA64Model:
		dst = image.NewRGBA64(r)
	case color.Gray16Model:
		dst = image.NewGray16(r)
	case color.CMYKModel:
		dst = image.NewCMYK(r)
	}
	draw.Draw(dst, r, src, r.Min, draw.Src)
	return dst
}

func TestCrops(t *testing.T) {
	// An 8×4 image whose pixel value is 10·x + y.
	img := image.NewGray(image.Rect(0, 0, 8, 4))
	for y := 0; y < 4; y++ {
		for x := 0; x < 8; x++ {
			img.SetGray(x, y, color.Gray{uint8(10*x + y)})
		}
	}
	fixed := testNet(Meta{InputC: 1, InputH: 2, InputW: 4, Crop: CropFixed, ROI: ROI{0.25, 0.5, 0.5, 0.5}})
	if got := input(t, fixed, img); !near(got, []float32{22, 32, 42, 52, 23, 33, 43, 53}, 1e-4) {
		t.Errorf("fixed ROI: %v", got)
	}
	face := testNet(Meta{InputC: 1, InputH: 2, InputW: 2, Crop: CropFace, CropMargin: 0.5})
	// Without a locator the image is the face crop (no margin).
	whole := input(t, face, img)
	face.Meta.Resize = ResizeArea
	l := &fixedLocator{r: image.Rect(4, 1, 6, 3)}
	face.SetLocator(l)
	// The box 4…6 × 1…3 widened by half its size on each side is 3…7 ×
	// 0…4: each output pixel averages a 2×2 block.
	if got := input(t, face, img); l.n != 1 || !near(got, []float32{35.5, 55.5, 37.5, 57.5}, 1e-4) {
		t.Errorf("face crop: %v (%d calls)", got, l.n)
	}
	// A widened box past the border replicates the border.
	l.r = image.Rect(6, 2, 8, 4) // widened: 5…9 × 1…5
	if got := input(t, face, img); !near(got, []float32{(51 + 52 + 61 + 62) / 4.0, (71 + 72 + 71 + 72) / 4.0, (53 + 53 + 63 + 63) / 4.0, 73}, 1e-4) {
		t.Errorf("face crop at the border: %v", got)
	}
	l.err = ErrNotFound
	if err := face.Input(make([]float32, 4), img); !errors.Is(err, ErrNotFound) {
		t.Errorf("locator error: %v", err)
	}
	l.err = nil
	for _, r := range []image.Rectangle{image.Rect(20, 20, 30, 30), image.Rect(0, 0, 0, 5), image.Rect(-100, -100, 100, 100)} {
		l.r = r
		if err := face.Input(make([]float32, 4), img); err == nil {
			t.Errorf("box %v accepted", r)
		}
	}
	face.SetLocator(nil)
	face.Meta.Resize = ResizeBilinear
	if got := input(t, face, img); !near(got, whole, 0) {
		t.Errorf("no locator: %v, want %v", got, whole)
	}
}

func TestEmbedAllocations(t *testing.T) {
	n := load(t, grayModel, Options{})
	c := load(t, rgbModel, Options{})
	gray := image.NewGray(image.Rect(0, 0, 92, 112))
	for i := range gray.Pix {
		gray.Pix[i] = uint8(i)
	}
	rgba := toModel(gray, color.RGBAModel)
	ycc := image.NewYCbCr(gray.Rect, image.YCbCrSubsampleRatio420)
	for _, c := range []struct {
		net *Net
		img image.Image
	}{{n, gray}, {c, gray}, {n, rgba}, {c, ycc}} {
		if _, err := c.net.Embed(c.img); err != nil {
			t.Fatal(err)
		}
		if a := testing.AllocsPerRun(20, func() { c.net.Embed(c.img) }); a != 0 {
			t.Errorf("%d channels, %T: %v allocations per Embed", c.net.Meta.InputC, c.img, a)
		}
	}
	raw := RawPixels(92, 112)
	if a := testing.AllocsPerRun(20, func() { raw.Embed(gray) }); a != 0 {
		t.Errorf("raw pixels: %v allocations per Embed", a)
	}
}

func TestEmbedBatch(t *testing.T) {
	n := load(t, grayModel, Options{Batch: 3})
	var imgs []image.Image
	for k := 0; k < 7; k++ {
		g := image.NewGray(image.Rect(0, 0, 20+k, 30))
		for i := range g.Pix {
			g.Pix[i] = uint8(i * (k + 1))
		}
		imgs = append(imgs, g)
	}
	got := make([]float32, 7*4)
	if err := n.EmbedBatch(got, imgs); err != nil {
		t.Fatal(err)
	}
	if n.batch == nil {
		t.Error("no batched plan")
	}
	for k, img := range imgs {
		want, err := n.Embed(img)
		if err != nil {
			t.Fatal(err)
		}
		if !near(got[4*k:4*k+4], want, 1e-5) {
			t.Errorf("image %d: batch %v, single %v", k, got[4*k:4*k+4], want)
		}
	}
	if err := n.EmbedBatch(got[:5], imgs); err == nil {
		t.Error("short output buffer accepted")
	}
	bad := append([]image.Image{}, imgs...)
	bad[4] = image.NewGray(image.Rectangle{})
	if err := n.EmbedBatch(got, bad); err == nil || !strings.Contains(err.Error(), "image 4") {
		t.Errorf("empty image: %v", err)
	}
}

func TestDistanceAndScore(t *testing.T) {
	if d := Distance([]float32{0, 3, 1}, []float32{4, 0, 1}); d != 5 {
		t.Errorf("distance %v", d)
	}
	m := Meta{Threshold: 0.8}
	for _, c := range []struct{ d, s float32 }{{0, 1}, {0.8, 0.5}, {1.6, 0}, {5, 0}} {
		if s := m.Score(c.d); math.Abs(float64(s-c.s)) > 1e-6 {
			t.Errorf("score(%v) = %v, want %v", c.d, s, c.s)
		}
	}
	if (Meta{}).Score(0) != 1 || (Meta{}).Score(1) != 0 {
		t.Error("score without threshold")
	}
	defer func() {
		if recover() == nil {
			t.Error("no panic on different lengths")
		}
	}()
	Distance([]float32{1}, []float32{1, 2})
}

func TestRawPixels(t *testing.T) {
	raw := RawPixels(2, 1)
	got, err := raw.Embed(grayImage(4, 2, 0, 10, 20, 30, 40, 50, 60, 70))
	if err != nil {
		t.Fatal(err)
	}
	if !near(got, []float32{25.0 / 255, 45.0 / 255}, 1e-6) || raw.Meta.EmbeddingSize != 2 {
		t.Errorf("raw pixels: %v", got)
	}
	dst := make([]float32, 4)
	if err := raw.EmbedBatch(dst, []image.Image{grayImage(2, 1, 255, 0), grayImage(2, 1, 0, 255)}); err != nil || !near(dst, []float32{1, 0, 0, 1}, 1e-6) {
		t.Errorf("raw batch: %v %v", dst, err)
	}
}
