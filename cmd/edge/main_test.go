package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/edge-pi/edge/internal/edgedata"
	"github.com/edge-pi/edge/npy"
)

// parity is the folder of the PyTorch exports (`make parity-data`); it
// skips the test when they are missing (internal/edgedata).
func parity(t testing.TB) string { return edgedata.Parity(t) }

func edge(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

// TestInferReproducesPyTorch runs `edge infer` on the torchvision
// architectures exported by infer/testdata/parity/gen.py.
func TestInferReproducesPyTorch(t *testing.T) {
	for _, name := range []string{"resnet18", "mobilenet_v2", "squeezenet1_1"} {
		t.Run(name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out.npy")
			code, _, stderr := edge(t, "infer", "--model", filepath.Join(parity(t), name+".onnx"),
				"--input", filepath.Join(parity(t), name+".in.npy"), "--output", out, "--threads", "2")
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			got, err := npy.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			want, err := npy.ReadFile(filepath.Join(parity(t), name+".out.npy"))
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Data) != len(want.Data) {
				t.Fatalf("%d values, want %d", len(got.Data), len(want.Data))
			}
			scale, worst := 0.0, 0.0
			for i := range want.Data {
				scale = math.Max(scale, math.Abs(float64(want.Data[i])))
				worst = math.Max(worst, math.Abs(float64(got.Data[i]-want.Data[i])))
			}
			t.Logf("%s: max |diff| %.3g, relative %.3g", name, worst, worst/scale)
			if worst > 1e-4*scale {
				t.Errorf("relative error %.3g exceeds 1e-4", worst/scale)
			}
		})
	}
}

// TestInferDetector runs a whole detector with its post-processing (a
// feature pyramid's Resize, TopK of the best places, NonMaxSuppression of
// the decoded boxes: infer/testdata/parity/gen.py's detector) through
// `edge infer --outputs`: boxes and scores as PyTorch's within 1e-4 of
// their scale, the best places' indices and the selected boxes (by
// torchvision.ops.nms) exactly; `edge bench` times it.
func TestInferDetector(t *testing.T) {
	dir := t.TempDir()
	base := filepath.Join(parity(t), "detector")
	if code, _, stderr := edge(t, "infer", "--model", base+".onnx", "--input", base+".in.npy", "--outputs", dir, "--threads", "2"); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for i, name := range []string{"boxes", "scores", "top_scores", "top_index", "selected"} {
		got, err := npy.ReadFile(filepath.Join(dir, fmt.Sprintf("%d_%s.npy", i, name)))
		if err != nil {
			t.Fatal(err)
		}
		want, err := npy.ReadFile(base + "." + name + ".npy")
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.Shape, want.Shape) {
			t.Errorf("%s: shape %v, want %v", name, got.Shape, want.Shape)
			continue
		}
		scale, tol := 0.0, 0.0
		for _, v := range want.Data {
			scale = math.Max(scale, math.Abs(float64(v)))
		}
		if i < 3 {
			tol = 1e-4 * scale
		}
		for j := range want.Data {
			if d := math.Abs(float64(got.Data[j] - want.Data[j])); d > tol {
				t.Errorf("%s: element %d %v, want %v", name, j, got.Data[j], want.Data[j])
				break
			}
		}
	}
	if code, out, stderr := edge(t, "bench", "--model", base+".onnx", "--runs", "5", "--warmup", "1"); code != exitOK || !strings.Contains(out, "median") {
		t.Errorf("bench: exit %d: %s %s", code, out, stderr)
	}
}

// TestInferOutputsNames: an output's name from the model file cannot
// leave the --outputs folder.
func TestInferOutputsNames(t *testing.T) {
	for in, want := range map[string]string{"../../etc/passwd": "_._.._etc_passwd", ".hidden": "_hidden", "a b/c": "a_b_c", "top_index": "top_index"} {
		if got := safeName(in); got != want {
			t.Errorf("safeName(%q) = %q, want %q", in, got, want)
		}
	}
	if got := safeName(strings.Repeat("x", 100)); len(got) != 64 {
		t.Errorf("a 100-byte name gives %d bytes", len(got))
	}
}

func TestInfo(t *testing.T) {
	code, out, stderr := edge(t, "info", filepath.Join(parity(t), "res_prelu_dw.onnx"), "--json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var r infoReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if r.Opset != 13 || r.Ops["Conv"] == 0 || r.Ops["PRelu"] == 0 || r.Params == 0 || r.FLOPs == 0 || len(r.Inputs) != 1 {
		t.Errorf("report %+v", r)
	}
	code, out, _ = edge(t, "info", filepath.Join(parity(t), "res_prelu_dw.onnx"))
	if code != exitOK || !strings.Contains(out, "opset 13") || !strings.Contains(out, "flops") {
		t.Errorf("text report: %s", out)
	}
}

func TestErrorsExitTwo(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.onnx")
	if err := npy.WriteFile(bad, &npy.Array{Shape: []int{1}, Data: []float32{1}}); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"info", bad},
		{"info"},
		{"nosuchcommand"},
		{"infer", "--model", bad, "--input", bad, "--output", bad + ".out"},
		{"conformance", t.TempDir()},
	} {
		if code, _, stderr := edge(t, args...); code != exitError || stderr == "" {
			t.Errorf("%v: exit %d, stderr %q; want 2 and a message", args, code, stderr)
		}
	}
	if code, out, _ := edge(t, "--version"); code != exitOK || !strings.HasPrefix(out, "edge ") {
		t.Errorf("--version: %d %q", code, out)
	}
}

func TestConformanceCommand(t *testing.T) {
	code, out, stderr := edge(t, "conformance", edgedata.Dir(t, "onnx-node-tests"), "--filter", "test_relu")
	if code != exitOK {
		t.Fatalf("exit %d: %s %s", code, out, stderr)
	}
	if !strings.Contains(out, "1 passed, 0 failed, 0 skipped") {
		t.Errorf("output %q", out)
	}
}

// TestEmptyBatch: an input with a zero dimension is an error at plan
// time, for infer and bench alike, not a division by zero in a kernel.
func TestEmptyBatch(t *testing.T) {
	in := filepath.Join(t.TempDir(), "empty.npy")
	if err := npy.WriteFile(in, &npy.Array{Shape: []int{0, 1, 28, 28}, Data: []float32{}}); err != nil {
		t.Fatal(err)
	}
	const digits = "../../models/digits.onnx" // convolutions: the panic was in one
	for _, args := range [][]string{
		{"infer", "--model", digits, "--input", in, "--output", in + ".out"},
		{"bench", "--model", digits, "--input", in, "--runs", "1", "--warmup", "0"},
	} {
		code, _, stderr := edge(t, args...)
		if code != exitError || !strings.Contains(stderr, "has a zero dimension: an empty tensor is not supported") {
			t.Errorf("%v: exit %d: %s", args, code, stderr)
		}
	}
}

// TestMessages: errors and usage say what the user can act on.
func TestMessages(t *testing.T) {
	// Usage names demo's real flag.
	_, _, usage := edge(t, "help")
	if !strings.Contains(usage, "demo [--visitors N]") || strings.Contains(usage, "demo [--frames") {
		t.Errorf("usage: %s", usage)
	}
	// info and infer take embedded model names, as --model does elsewhere.
	if code, out, stderr := edge(t, "info", "digits"); code != exitOK || !strings.Contains(out, "edge.name = digits") {
		t.Errorf("info digits: exit %d: %s%s", code, out, stderr)
	}
	in := filepath.Join(t.TempDir(), "in.npy")
	npy.WriteFile(in, &npy.Array{Shape: []int{1, 1, 28, 28}, Data: make([]float32, 28*28)})
	if code, _, stderr := edge(t, "infer", "--model", "digits", "--input", in, "--output", in+".out"); code != exitOK {
		t.Errorf("infer --model digits: exit %d: %s", code, stderr)
	}
	// Too many threads: a bound, not the engine's Options.MaxBytes.
	if _, _, stderr := edge(t, "infer", "--model", "digits", "--input", in, "--output", in+".out", "--threads", "100000"); strings.Contains(stderr, "Options") {
		t.Errorf("--threads 100000: %s", stderr)
	}
	// An opset newer than edge knows is reported as that.
	b, err := os.ReadFile(tinyModel)
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.LastIndex(b, []byte("\x42\x02\x10\x0d")) // opset_import { version: 13 }
	if i < 0 {
		t.Fatal("no opset 13 in the tiny model")
	}
	b[i+3] = 99
	op99 := filepath.Join(t.TempDir(), "op99.onnx")
	os.WriteFile(op99, b, 0o600)
	if code, _, stderr := edge(t, "info", op99); code != exitError || !strings.Contains(stderr, "opset 99 is newer than edge knows") {
		t.Errorf("opset 99: exit %d: %s", code, stderr)
	}
}

// TestImportMessages: a bad file to import is the file's fault, not the
// gallery's; and import --replace restores a backup over a corrupt
// gallery.
func TestImportMessages(t *testing.T) {
	data := t.TempDir()
	writeFaces(t, data, 1, 1)
	state := t.TempDir()
	m := []string{"--model", tinyModel, "--state-dir", state}
	if code, _, stderr := edge(t, append([]string{"enroll", "--name", "ada", filepath.Join(data, "p0/0.png")}, m...)...); code != exitOK {
		t.Fatal(stderr)
	}
	backup := filepath.Join(t.TempDir(), "backup.edge")
	if code, _, stderr := edge(t, "gallery", "export", backup, "--state-dir", state); code != exitOK {
		t.Fatal(stderr)
	}
	bad := filepath.Join(t.TempDir(), "bad.edge")
	os.WriteFile(bad, []byte("edge-gallery 1\n{}\nsha256 0000\n"), 0o600)
	code, _, stderr := edge(t, append([]string{"gallery", "import", bad}, m...)...)
	if code != exitError || strings.Contains(stderr, "remove it") || !strings.Contains(stderr, "is unchanged") {
		t.Errorf("importing a bad file: exit %d: %s", code, stderr)
	}
	path := filepath.Join(state, "gallery.edge")
	g, _ := os.ReadFile(path)
	g[len(g)/2] ^= 0x10
	os.WriteFile(path, g, 0o600)
	if code, _, stderr := edge(t, append([]string{"gallery", "import", "--replace", backup}, m...)...); code != exitOK {
		t.Errorf("restoring a backup over a corrupt gallery: exit %d: %s", code, stderr)
	}
	if code, out, stderr := edge(t, "gallery", "list", "--state-dir", state); code != exitOK || !strings.Contains(out, "ada") {
		t.Errorf("after the restore: exit %d: %s%s", code, out, stderr)
	}
}
