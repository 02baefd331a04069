package models

import (
	"math"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/edge-pi/edge/infer"
	"github.com/edge-pi/edge/npy"
)

// maxModelBytes is the size budget of one shipped model: 2 MB for the
// networks the recipe trains, 8 MB for the imported face network (its
// weights are float16 initialisers, widened at load).
func maxModelBytes(name string) int {
	if name == "faces" {
		return 8 << 20
	}
	return 2 << 20
}

// metadataKeys are the keys METADATA.md documents as required, read from
// its table so that the document and the test cannot drift apart. A key
// whose meaning starts "optional" or "with `eyes`" (the alignment keys,
// required only by edge.align = eyes, which twin.ParseMeta checks) is
// not required of every model.
func metadataKeys(t *testing.T) []string {
	t.Helper()
	b, err := files.ReadFile("METADATA.md")
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, m := range regexp.MustCompile("(?m)^\\| `(edge\\.[a-z_]+)`[^|]*\\| [^|]* \\| (.*)$").FindAllStringSubmatch(string(b), -1) {
		if strings.HasPrefix(m[2], "optional") || strings.HasPrefix(m[2], "with `eyes`") {
			continue
		}
		keys = append(keys, m[1])
	}
	if len(keys) < 15 {
		t.Fatalf("METADATA.md documents %d keys; the table did not parse", len(keys))
	}
	return keys
}

func TestNames(t *testing.T) {
	names := Names()
	for _, want := range []string{"digits", "faces", "faces-scratch", "omniglot"} {
		if !slices.Contains(names, want) {
			t.Errorf("Names() = %v, missing %q", names, want)
		}
	}
	if _, err := Open("nope"); err == nil || !strings.Contains(err.Error(), "faces") {
		t.Errorf("Open(nope) error = %v, want one that lists the models", err)
	}
	if _, err := Card("METADATA"); err == nil {
		t.Error("Card(METADATA) is not a model card")
	}
}

// TestEmbedded loads every embedded model in the engine, checks its
// metadata against its graph, and runs it on the committed input
// (testdata/NAME.in.npy) to compare with the reference runtime's output for
// it: PyTorch for the networks the recipe trains, TensorFlow.js for the
// imported faces network (make faces-reference).
func TestEmbedded(t *testing.T) {
	keys := metadataKeys(t)
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			b, err := Open(name)
			if err != nil {
				t.Fatal(err)
			}
			if len(b) > maxModelBytes(name) {
				t.Errorf("%d bytes, budget %d", len(b), maxModelBytes(name))
			}
			if _, err := Card(name); err != nil {
				t.Error(err)
			}
			m, err := infer.Load(b)
			if err != nil {
				t.Fatal(err)
			}
			checkModel(t, m, name, keys)
			checkParity(t, m, filepath.Join("testdata", name+".in.npy"), filepath.Join("testdata", name+".out.npy"))
		})
	}
}

// checkModel checks that m carries every metadata key with a usable value
// and that the values agree with the graph.
func checkModel(t *testing.T, m *infer.Model, name string, keys []string) {
	t.Helper()
	md := m.Metadata
	for _, k := range keys {
		if strings.TrimSpace(md[k]) == "" {
			t.Errorf("metadata %s missing", k)
		}
	}
	if md["edge.name"] != name {
		t.Errorf("edge.name = %q, want %q", md["edge.name"], name)
	}
	num := func(k string) float64 {
		v, err := strconv.ParseFloat(md[k], 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			t.Errorf("metadata %s = %q is not a number", k, md[k])
		}
		return v
	}
	for _, k := range []string{"edge.version", "edge.crop_margin", "edge.pixel_mean", "edge.margin"} {
		num(k)
	}
	if num("edge.pixel_std") <= 0 {
		t.Error("edge.pixel_std must be positive")
	}
	if v := num("edge.threshold"); v <= 0 {
		t.Errorf("edge.threshold = %v, want > 0", v)
	}
	if v := num("edge.threshold_far"); v <= 0 || v >= 1 {
		t.Errorf("edge.threshold_far = %v, want a rate in (0, 1)", v)
	}
	for k, allowed := range map[string][]string{
		"edge.invert": {"0", "1"}, "edge.normalized": {"0", "1"}, "edge.input_channels": {"1", "3"},
		"edge.crop": {"face", "fixed", "none"}, "edge.resize": {"bilinear", "area"},
	} {
		if !slices.Contains(allowed, md[k]) {
			t.Errorf("metadata %s = %q, want one of %v", k, md[k], allowed)
		}
	}
	roi := strings.Split(md["edge.roi"], ",")
	if len(roi) != 4 {
		t.Errorf("edge.roi = %q, want x,y,w,h", md["edge.roi"])
	}
	if len(m.Inputs) != 1 || m.Inputs[0].Name != "input" || len(m.Outputs) != 1 || m.Outputs[0].Name != "embedding" {
		t.Fatalf("inputs %v, outputs %v; want one input \"input\" and one output \"embedding\"", m.Inputs, m.Outputs)
	}
	in := m.Inputs[0]
	if len(in.Dims) != 4 || in.Dims[0].Param == "" {
		t.Errorf("input %v: want [batch, C, H, W] with a symbolic batch", in)
	}
	if got, want := slices.Clone(in.Shape(1)[1:]), []int{int(num("edge.input_channels")), int(num("edge.input_height")),
		int(num("edge.input_width"))}; !slices.Equal(got, want) {
		t.Errorf("input %v, metadata says C, H, W = %v", in, want)
	}
	if out := m.Outputs[0].Shape(1); len(out) != 2 || out[1] != int(num("edge.embedding_size")) {
		t.Errorf("output %v, metadata edge.embedding_size = %s", m.Outputs[0], md["edge.embedding_size"])
	}
}

// checkParity runs m on the input saved by the recipe and compares with
// PyTorch's output for it: the largest difference must stay within 1e-4 of
// the output's largest magnitude. With edge.normalized=1 every output row
// must also have unit length.
func checkParity(t *testing.T, m *infer.Model, inPath, outPath string) {
	t.Helper()
	in, err := npy.ReadFile(inPath)
	if err != nil {
		t.Fatal(err)
	}
	want, err := npy.ReadFile(outPath)
	if err != nil {
		t.Fatal(err)
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
	scale, worst := 0.0, 0.0
	for i, w := range want.Data {
		scale = math.Max(scale, math.Abs(float64(w)))
		worst = math.Max(worst, math.Abs(float64(got.F[i])-float64(w)))
	}
	if rel := worst / scale; !(rel <= 1e-4) {
		t.Errorf("engine vs reference: max |diff| %.3g, relative %.3g > 1e-4", worst, rel)
	} else {
		t.Logf("engine vs reference: max |diff| %.3g, relative %.3g", worst, rel)
	}
	if m.Metadata["edge.normalized"] == "1" {
		dim := got.Shape[len(got.Shape)-1]
		for r := 0; r+dim <= len(got.F); r += dim {
			s := 0.0
			for _, v := range got.F[r : r+dim] {
				s += float64(v) * float64(v)
			}
			if math.Abs(math.Sqrt(s)-1) > 1e-4 {
				t.Errorf("row %d has length %.6f, but edge.normalized=1", r/dim, math.Sqrt(s))
			}
		}
	}
}
