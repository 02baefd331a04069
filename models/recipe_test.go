package models

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/edge-pi/edge/infer"
	"github.com/edge-pi/edge/internal/edgedata"
)

// recipePython is the interpreter with PyTorch 1.13, torchvision and onnx
// (Debian's python3-torch, python3-torchvision, python3-onnx);
// EDGE_PYTHON overrides it.
func recipePython() string {
	if p := os.Getenv("EDGE_PYTHON"); p != "" {
		return p
	}
	return "/usr/bin/python3"
}

// TestRecipeSmoke runs the training recipe in smoke mode (a few steps on a
// tiny subset of the shared data, one thread) for every model into a
// temporary folder, then loads each export in the engine, checks its
// metadata and compares the engine's output with PyTorch's for the input
// the recipe saved.
func TestRecipeSmoke(t *testing.T) {
	// the faces and Omniglot subsets come from the data folder; digits
	// from the GoMNIST module
	for _, d := range []string{"att-faces", "omniglot/images_background_small1.zip", "omniglot/images_background_small2.zip"} {
		edgedata.Dir(t, d)
	}
	data, _ := edgedata.Folder() // found by Dir
	py := recipePython()
	probe := exec.Command(py, "-c", "import torch, torchvision, onnx, numpy, PIL")
	if out, err := probe.CombinedOutput(); err != nil {
		t.Fatalf("the training recipe needs PyTorch: %s cannot import torch, torchvision, onnx, numpy, PIL (%v)\n%s\n"+
			"install Debian's python3-torch python3-torchvision python3-onnx (make test does), or set EDGE_PYTHON",
			py, err, out)
	}
	keys := metadataKeys(t)
	for _, name := range []string{"faces", "omniglot", "digits"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			onnxPath := filepath.Join(dir, name+".onnx")
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, py, "-m", "recipe.train", name, "--smoke", "--threads", "1",
				"--work", dir, "--onnx", onnxPath, "--parity-dir", dir, "--data", data)
			cmd.Env = append(os.Environ(), "OMP_NUM_THREADS=1", "PYTHONDONTWRITEBYTECODE=1", "PYTHONPATH=.") // the package recipe, from models/
			start := time.Now()
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, tail(out, 4000))
			}
			t.Logf("recipe smoke run: %.1f s", time.Since(start).Seconds())
			m, err := infer.LoadFile(onnxPath)
			if err != nil {
				t.Fatalf("the engine refuses the export: %v", err)
			}
			checkModel(t, m, name, keys)
			checkParity(t, m, filepath.Join(dir, name+".in.npy"), filepath.Join(dir, name+".out.npy"))
		})
	}
}

func tail(b []byte, n int) string {
	if len(b) > n {
		return fmt.Sprintf("…%s", b[len(b)-n:])
	}
	return string(b)
}
