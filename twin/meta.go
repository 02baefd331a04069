package twin

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Crop is the crop policy of a model (key edge.crop).
type Crop string

// The crop policies of models/METADATA.md.
const (
	// CropNone takes the whole image, resized to the input.
	CropNone Crop = "none"
	// CropFixed takes the region Meta.ROI of the frame.
	CropFixed Crop = "fixed"
	// CropFace takes the box a Locator finds, widened by Meta.CropMargin
	// on each side.
	CropFace Crop = "face"
)

// Resize is the resampling to the input size (key edge.resize).
type Resize string

// The resampling filters of models/METADATA.md.
const (
	// ResizeBilinear interpolates the four nearest pixels, with pixel
	// centres at half-integers and no antialiasing: PyTorch's
	// F.interpolate(mode="bilinear", align_corners=False), OpenCV's
	// INTER_LINEAR.
	ResizeBilinear Resize = "bilinear"
	// ResizeArea averages the source pixels each output pixel covers,
	// weighted by the covered fraction (an exact box filter: PIL's
	// Image.BOX; OpenCV's INTER_AREA when shrinking).
	ResizeArea Resize = "area"
)

// Align is how a face crop is aligned (key edge.align).
type Align string

// The alignments of models/METADATA.md.
const (
	// AlignNone crops the located box, widened by Meta.CropMargin, as it
	// is (the default when the key is absent).
	AlignNone Align = "none"
	// AlignEyes rotates and scales the crop so that the eyes lie level,
	// Meta.EyeDistance of the crop's width apart, on the row
	// Meta.EyeRow of its height, centred across.
	AlignEyes Align = "eyes"
)

// ROI is a region of a frame as fractions of its width and height.
type ROI struct{ X, Y, W, H float64 }

// Meta is what a model's metadata_props say about how to use it; the
// fields follow models/METADATA.md key by key.
type Meta struct {
	Name          string  // edge.name
	Version       int     // edge.version
	InputC        int     // edge.input_channels: 1 grey, 3 RGB
	InputH        int     // edge.input_height
	InputW        int     // edge.input_width
	Mean          float32 // edge.pixel_mean: input = (pixel/255 − Mean) / Std
	Std           float32 // edge.pixel_std
	Invert        bool    // edge.invert: pixel ← 255 − pixel first
	Crop          Crop    // edge.crop
	CropMargin    float64 // edge.crop_margin (Crop == CropFace)
	ROI           ROI     // edge.roi (Crop == CropFixed)
	Align         Align   // edge.align (Crop == CropFace; optional, "" is none)
	EyeDistance   float64 // edge.eye_distance (Align == AlignEyes)
	EyeRow        float64 // edge.eye_row (Align == AlignEyes)
	Resize        Resize  // edge.resize
	EmbeddingSize int     // edge.embedding_size
	Normalized    bool    // edge.normalized: outputs are L2-normalised
	Margin        float32 // edge.margin: the contrastive-loss margin
	Threshold     float32 // edge.threshold: distance ≤ Threshold means "same"
	ThresholdFAR  float64 // edge.threshold_far: the FAR Threshold was calibrated for
	TrainedOn     string  // edge.trained_on
}

// maxInputSide bounds edge.input_height and edge.input_width.
const maxInputSide = 4096

// ErrMeta is wrapped by every error about a model's edge.* metadata.
var ErrMeta = errors.New("model metadata")

// metaParser reads keys, collecting one error per bad key.
type metaParser struct {
	props map[string]string
	errs  []error
}

func (p *metaParser) fail(key, format string, args ...interface{}) {
	p.errs = append(p.errs, fmt.Errorf("%w: %s: %s", ErrMeta, key, fmt.Sprintf(format, args...)))
}

func (p *metaParser) get(key string) (string, bool) {
	v, ok := p.props[key]
	if !ok {
		p.fail(key, "missing")
		return "", false
	}
	return strings.TrimSpace(v), true
}

func (p *metaParser) str(key string) string {
	v, ok := p.get(key)
	if ok && v == "" {
		p.fail(key, "empty")
	}
	return v
}

func (p *metaParser) int(key string, min, max int) int {
	v, ok := p.get(key)
	if !ok {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min || n > max {
		p.fail(key, "%q is not an integer in [%d, %d]", v, min, max)
		return 0
	}
	return n
}

// float reads a finite number; positive insists on > 0.
func (p *metaParser) float(key string, positive bool) float64 {
	v, ok := p.get(key)
	if !ok {
		return 0
	}
	return p.parseFloat(key, v, positive)
}

func (p *metaParser) parseFloat(key, v string, positive bool) float64 {
	f, err := strconv.ParseFloat(v, 64)
	switch {
	case err != nil || math.IsInf(f, 0) || math.IsNaN(f):
		p.fail(key, "%q is not a finite number", v)
	case positive && f <= 0:
		p.fail(key, "%q is not positive", v)
	default:
		return f
	}
	return 0
}

func (p *metaParser) bool(key string) bool {
	v, ok := p.get(key)
	if !ok {
		return false
	}
	if v != "0" && v != "1" {
		p.fail(key, "%q is neither 0 nor 1", v)
	}
	return v == "1"
}

// ParseMeta reads a model's metadata_props (keys of models/METADATA.md).
// Every key of the table is required, except edge.crop_margin (required
// when edge.crop is face), edge.roi (required when it is fixed) and the
// optional alignment keys: edge.align (absent: none), and with align eyes
// edge.eye_distance and edge.eye_row. The error names each missing or
// invalid key and wraps ErrMeta.
func ParseMeta(props map[string]string) (Meta, error) {
	p := &metaParser{props: props}
	m := Meta{
		Name:          p.str("edge.name"),
		Version:       p.int("edge.version", 0, math.MaxInt32),
		InputC:        p.int("edge.input_channels", 1, 3),
		InputH:        p.int("edge.input_height", 1, maxInputSide),
		InputW:        p.int("edge.input_width", 1, maxInputSide),
		Mean:          float32(p.float("edge.pixel_mean", false)),
		Std:           float32(p.float("edge.pixel_std", true)),
		Invert:        p.bool("edge.invert"),
		Crop:          Crop(p.str("edge.crop")),
		Resize:        Resize(p.str("edge.resize")),
		EmbeddingSize: p.int("edge.embedding_size", 1, 1<<16),
		Normalized:    p.bool("edge.normalized"),
		Margin:        float32(p.float("edge.margin", true)),
		Threshold:     float32(p.float("edge.threshold", true)),
		ThresholdFAR:  p.float("edge.threshold_far", true),
		TrainedOn:     p.str("edge.trained_on"),
	}
	if m.InputC == 2 {
		p.fail("edge.input_channels", "2 is neither 1 (grey) nor 3 (RGB)")
	}
	if m.ThresholdFAR >= 1 {
		p.fail("edge.threshold_far", "%v is not a rate below 1", m.ThresholdFAR)
	}
	switch m.Crop {
	case CropNone, "":
	case CropFace:
		m.CropMargin = p.float("edge.crop_margin", false)
		if m.CropMargin < 0 {
			p.fail("edge.crop_margin", "%v is negative", m.CropMargin)
		}
		p.align(&m)
	case CropFixed:
		m.ROI = p.roi("edge.roi")
	default:
		p.fail("edge.crop", "%q is none of face, fixed, none", m.Crop)
	}
	switch m.Resize {
	case ResizeBilinear, ResizeArea, "":
	default:
		p.fail("edge.resize", "%q is neither bilinear nor area", m.Resize)
	}
	return m, errors.Join(p.errs...)
}

// align reads the optional alignment keys of a face model.
func (p *metaParser) align(m *Meta) {
	v, ok := p.props["edge.align"]
	if !ok {
		return
	}
	switch m.Align = Align(strings.TrimSpace(v)); m.Align {
	case AlignNone:
	case AlignEyes:
		frac := func(key string) float64 {
			f := p.float(key, true)
			if f >= 1 {
				p.fail(key, "%v is not a fraction below 1", f)
			}
			return f
		}
		m.EyeDistance = frac("edge.eye_distance")
		m.EyeRow = frac("edge.eye_row")
	default:
		p.fail("edge.align", "%q is neither none nor eyes", v)
	}
}

func (p *metaParser) roi(key string) ROI {
	v, ok := p.get(key)
	if !ok {
		return ROI{}
	}
	parts := strings.Split(v, ",")
	if len(parts) != 4 {
		p.fail(key, "%q is not x,y,w,h", v)
		return ROI{}
	}
	var f [4]float64
	n := len(p.errs)
	for i, s := range parts {
		f[i] = p.parseFloat(key, strings.TrimSpace(s), false)
	}
	r := ROI{f[0], f[1], f[2], f[3]}
	if len(p.errs) == n && (r.X < 0 || r.Y < 0 || r.W <= 0 || r.H <= 0 || r.X+r.W > 1+1e-9 || r.Y+r.H > 1+1e-9) {
		p.fail(key, "%q is not a region inside the frame (fractions, x+w ≤ 1, y+h ≤ 1)", v)
	}
	return r
}

// Props writes m back as metadata_props, the inverse of ParseMeta.
func (m Meta) Props() map[string]string {
	b := func(v bool) string {
		if v {
			return "1"
		}
		return "0"
	}
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	f32 := func(v float32) string { return strconv.FormatFloat(float64(v), 'g', -1, 32) }
	p := map[string]string{
		"edge.name":           m.Name,
		"edge.version":        strconv.Itoa(m.Version),
		"edge.input_channels": strconv.Itoa(m.InputC),
		"edge.input_height":   strconv.Itoa(m.InputH),
		"edge.input_width":    strconv.Itoa(m.InputW),
		"edge.pixel_mean":     f32(m.Mean),
		"edge.pixel_std":      f32(m.Std),
		"edge.invert":         b(m.Invert),
		"edge.crop":           string(m.Crop),
		"edge.resize":         string(m.Resize),
		"edge.embedding_size": strconv.Itoa(m.EmbeddingSize),
		"edge.normalized":     b(m.Normalized),
		"edge.margin":         f32(m.Margin),
		"edge.threshold":      f32(m.Threshold),
		"edge.threshold_far":  f(m.ThresholdFAR),
		"edge.trained_on":     m.TrainedOn,
	}
	switch m.Crop {
	case CropFace:
		p["edge.crop_margin"] = f(m.CropMargin)
		if m.Align != "" {
			p["edge.align"] = string(m.Align)
		}
		if m.Align == AlignEyes {
			p["edge.eye_distance"] = f(m.EyeDistance)
			p["edge.eye_row"] = f(m.EyeRow)
		}
	case CropFixed:
		p["edge.roi"] = f(m.ROI.X) + "," + f(m.ROI.Y) + "," + f(m.ROI.W) + "," + f(m.ROI.H)
	}
	return p
}

// Score maps a distance to the score shown to people:
// max(0, 1 − d/(2·Threshold)), 1 for identical, 0.5 at the threshold.
// Without a threshold (raw pixels) it is 1 for d = 0 and 0 otherwise.
func (m Meta) Score(d float32) float32 {
	if !(m.Threshold > 0) {
		if d == 0 {
			return 1
		}
		return 0
	}
	return max(0, 1-d/(2*m.Threshold))
}
