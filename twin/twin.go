// Package twin runs one branch of a twin (Siamese) network: it turns an
// image into an embedding, and two embeddings into a distance.
//
// A model says in its ONNX metadata_props how it wants its input
// (models/METADATA.md): size and channels, crop, resampling, pixel
// normalisation. Embed crops and resamples the image straight into the
// plan's input tensor, runs the plan, and returns the output, so that
// after the first call it allocates nothing.
package twin

import (
	"errors"
	"fmt"
	"image"
	"math"
	"os"

	"github.com/edge-pi/edge/infer"
	"github.com/edge-pi/edge/simd"
)

// Locator finds the face (or other object) a model with crop "face"
// looks at. *Net calls it once per Embed; an implementation that finds
// nothing returns an error, such as ErrNotFound.
type Locator interface {
	Locate(img image.Image) (image.Rectangle, error)
}

// ErrNotFound is the error a Locator returns when the image holds no face.
var ErrNotFound = errors.New("twin: no face found")

// Options choose how Load prepares a model.
type Options struct {
	// Threads is the number of threads a forward pass uses; 0 means one
	// per CPU core.
	Threads int
	// Batch is the batch size EmbedBatch runs the network at, for
	// models whose batch dimension is symbolic; 0 or 1 means one image at
	// a time. (On this engine batching does not pay yet: the faces model
	// took 7.8 ms per image at batch 1, 9.3 ms at batch 8.)
	Batch int
	// Meta fills metadata keys the model lacks (the model's own values
	// win), for models exported without them.
	Meta map[string]string
	// Locator finds the face in Embed's images when the model's crop is
	// face. Without one, each image is taken as the face crop.
	Locator Locator
}

// Net is a loaded twin-network branch. It is not safe for concurrent
// use: each goroutine needs its own Net.
type Net struct {
	// Meta is the model's metadata, parsed.
	Meta Meta
	// Model is the ONNX model; nil for RawPixels.
	Model *infer.Model

	locator Locator
	threads int
	input   string      // the model's input name
	plan    *infer.Plan // batch 1
	batch   *infer.Plan // batch Options.Batch, built by the first EmbedBatch
	batchN  int         // 0: no batched plan possible
	raw     []float32   // RawPixels: the embedding is the input
	out     []float32   // the embedding Embed returns
	face    Face        // what the last Input located
	hasFace bool
}

// LoadFile reads an ONNX model file and loads it with Load.
func LoadFile(path string, o Options) (*Net, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	n, err := Load(b, o)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return n, nil
}

// Load decodes an ONNX twin-network branch, reads its metadata and builds
// its plan. The model must have one float input [N, C, H, W] that agrees
// with the metadata (each dimension fixed to the same value or symbolic)
// and a first output of edge.embedding_size values per image.
func Load(onnx []byte, o Options) (*Net, error) {
	m, err := infer.Load(onnx)
	if err != nil {
		return nil, err
	}
	return New(m, o)
}

// New is Load for a model already decoded.
func New(m *infer.Model, o Options) (*Net, error) {
	props := make(map[string]string, len(m.Metadata)+len(o.Meta))
	for k, v := range o.Meta {
		props[k] = v
	}
	for k, v := range m.Metadata {
		props[k] = v
	}
	meta, err := ParseMeta(props)
	if err != nil {
		return nil, err
	}
	if len(m.Inputs) != 1 {
		return nil, fmt.Errorf("a twin branch has one input; this model has %d", len(m.Inputs))
	}
	in := m.Inputs[0]
	want := []int{0, meta.InputC, meta.InputH, meta.InputW}
	keys := []string{"", "edge.input_channels", "edge.input_height", "edge.input_width"}
	if in.DType != infer.Float32 || len(in.Dims) != 4 {
		return nil, fmt.Errorf("input %s is not a float32 [N, C, H, W] tensor", in)
	}
	for i := 1; i < 4; i++ {
		d := in.Dims[i]
		if d.Param == "" && d.Value >= 0 && int(d.Value) != want[i] {
			return nil, fmt.Errorf("%w: %s is %d but input %s has %d there", ErrMeta, keys[i], want[i], in, d.Value)
		}
	}
	n := &Net{Meta: meta, Model: m, locator: o.Locator, threads: o.Threads, input: in.Name}
	if n.plan, err = n.newPlan(1); err != nil {
		return nil, err
	}
	n.out = n.plan.Output(0).F
	if d0 := in.Dims[0]; (d0.Param != "" || d0.Value < 0) && o.Batch > 1 {
		n.batchN = o.Batch
	}
	return n, nil
}

func (n *Net) newPlan(batch int) (*infer.Plan, error) {
	shape := []int{batch, n.Meta.InputC, n.Meta.InputH, n.Meta.InputW}
	p, err := n.Model.Plan(infer.Options{Threads: n.threads, Batch: batch, Shapes: map[string][]int{n.input: shape}, TuneThreads: true})
	if err != nil {
		return nil, err
	}
	if p.NumOutputs() < 1 || p.Output(0).Len() != batch*n.Meta.EmbeddingSize {
		var s []int
		if p.NumOutputs() > 0 {
			s = p.Output(0).Shape
		}
		p.Close()
		return nil, fmt.Errorf("%w: edge.embedding_size is %d but the model's output at batch %d has shape %v",
			ErrMeta, n.Meta.EmbeddingSize, batch, s)
	}
	return p, nil
}

// RawPixels returns a Net without a network: its embedding of an image is
// the whole image in grey, resized (area filter) to w × h and scaled to
// [0, 1]. Distances between such embeddings are the raw-pixel nearest
// neighbour baseline of the evaluation protocol.
func RawPixels(w, h int) *Net {
	meta := Meta{Name: "raw-pixels", Version: 1, InputC: 1, InputH: h, InputW: w, Mean: 0, Std: 1,
		Crop: CropNone, Resize: ResizeArea, EmbeddingSize: w * h, TrainedOn: "nothing"}
	buf := make([]float32, w*h)
	return &Net{Meta: meta, raw: buf, out: buf}
}

// SetLocator sets the Locator Embed uses for models whose crop is face.
func (n *Net) SetLocator(l Locator) { n.locator = l }

// Input writes the model's input for img (C·H·W floats, planar) to dst:
// the crop of the model's policy, resampled and normalised. It is what
// Embed feeds the network.
func (n *Net) Input(dst []float32, img image.Image) error {
	size := n.Meta.InputC * n.Meta.InputH * n.Meta.InputW
	if len(dst) < size {
		return fmt.Errorf("input buffer of %d floats, want %d", len(dst), size)
	}
	var face *image.Rectangle
	n.hasFace = false
	if n.Meta.Crop == CropFace && n.locator != nil {
		f, err := n.locateFace(img)
		if f.Box.Empty() {
			return err
		}
		n.face, n.hasFace = f, true
		if err != nil {
			return err // found, but refused (QualityError)
		}
		if n.Meta.Align == AlignEyes {
			left, right := f.LeftEye, f.RightEye
			if !f.HasEyes {
				left, right = BoxEyes(f.Box)
			}
			a, err := n.Meta.alignmentOf(img.Bounds(), left, right)
			if err != nil {
				return err
			}
			n.Meta.fillAligned(dst[:size], img, a)
			return nil
		}
		face = &f.Box
	}
	r, err := n.Meta.regionOf(img.Bounds(), face)
	if err != nil {
		return err
	}
	n.Meta.fill(dst[:size], img, r)
	return nil
}

// locateFace runs the Locator: LocateFace where it has it. The box is
// empty when no face was found; a face found but refused comes with its
// error.
func (n *Net) locateFace(img image.Image) (Face, error) {
	if fl, ok := n.locator.(FaceLocator); ok {
		f, err := fl.LocateFace(img)
		if err != nil && !errors.Is(err, ErrQuality) {
			f = Face{}
		}
		if err == nil && f.Box.Empty() {
			err = fmt.Errorf("%w (an empty box)", ErrNotFound)
		}
		return f, err
	}
	b, err := n.locator.Locate(img)
	if err == nil && b.Empty() {
		err = fmt.Errorf("%w (an empty box)", ErrNotFound)
	}
	if err != nil {
		return Face{}, err
	}
	return Face{Box: b}, nil
}

// Face returns the face the last Input or Embed located, also when it
// was refused for its quality; ok is false when there was none (no face,
// no Locator, or a model that does not crop faces).
func (n *Net) Face() (f Face, ok bool) { return n.face, n.hasFace }

// Embed returns the embedding of img (Meta.EmbeddingSize floats). The
// slice belongs to the Net and is overwritten by the next Embed or
// EmbedBatch: copy it to keep it. After the first call, Embed allocates
// nothing for the image types read directly (*image.Gray, *image.Gray16,
// *image.RGBA, *image.NRGBA, *image.YCbCr).
func (n *Net) Embed(img image.Image) ([]float32, error) {
	if n.raw != nil {
		if err := n.Input(n.raw, img); err != nil {
			return nil, err
		}
		return n.raw, nil
	}
	if n.plan == nil {
		return nil, errors.New("twin: Net is closed")
	}
	if err := n.Input(n.plan.Input(0).F, img); err != nil {
		return nil, err
	}
	if err := n.plan.Run(); err != nil {
		return nil, err
	}
	return n.out, nil
}

// EmbedBatch writes the embeddings of imgs to dst, row after row
// (len(imgs)·Meta.EmbeddingSize floats), running the network on
// Options.Batch images at a time where the model's batch dimension is
// symbolic. On an error in image i the rows from i on are not written.
func (n *Net) EmbedBatch(dst []float32, imgs []image.Image) error {
	e := n.Meta.EmbeddingSize
	if len(dst) < len(imgs)*e {
		return fmt.Errorf("output buffer of %d floats, want %d", len(dst), len(imgs)*e)
	}
	i := 0
	if n.batchN > 1 && len(imgs) >= n.batchN {
		if n.batch == nil {
			p, err := n.newPlan(n.batchN)
			if err != nil {
				n.batchN = 0 // run one at a time from now on
			}
			n.batch = p
		}
		if n.batch != nil {
			in := n.batch.Input(0).F
			size := len(in) / n.batchN
			for ; i+n.batchN <= len(imgs); i += n.batchN {
				for j := 0; j < n.batchN; j++ {
					if err := n.Input(in[j*size:(j+1)*size], imgs[i+j]); err != nil {
						return fmt.Errorf("image %d: %w", i+j, err)
					}
				}
				if err := n.batch.Run(); err != nil {
					return err
				}
				copy(dst[i*e:(i+n.batchN)*e], n.batch.Output(0).F)
			}
		}
	}
	for ; i < len(imgs); i++ {
		v, err := n.Embed(imgs[i])
		if err != nil {
			return fmt.Errorf("image %d: %w", i, err)
		}
		copy(dst[i*e:(i+1)*e], v)
	}
	return nil
}

// Distance is the Euclidean distance between two embeddings of the same
// length; it panics if their lengths differ.
func Distance(a, b []float32) float32 {
	if len(a) != len(b) {
		panic(fmt.Sprintf("twin.Distance: embeddings of %d and %d values", len(a), len(b)))
	}
	return float32(math.Sqrt(float64(simd.L2Squared(a, b))))
}

// Distance is the Euclidean distance between two of n's embeddings.
func (n *Net) Distance(a, b []float32) float32 { return Distance(a, b) }

// Score maps a distance to the score shown to people (Meta.Score).
func (n *Net) Score(d float32) float32 { return n.Meta.Score(d) }

// Close stops the plans' worker threads. The Net cannot be used after.
func (n *Net) Close() {
	if n.plan != nil {
		n.plan.Close()
		n.plan = nil
	}
	if n.batch != nil {
		n.batch.Close()
		n.batch = nil
	}
}
