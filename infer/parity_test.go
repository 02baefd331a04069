package infer

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/edge-pi/edge/internal/edgedata"
	"github.com/edge-pi/edge/npy"
)

type parityCase struct {
	Name   string `json:"name"`
	ONNX   string `json:"onnx"`
	Input  string `json:"input"`
	Output string `json:"output"`
}

// TestPyTorchParity runs every exported model on PyTorch's input and
// compares with PyTorch's output: the largest difference must stay within
// 1e-4 of the output's largest magnitude.
func TestPyTorchParity(t *testing.T) {
	// the PyTorch exports made by testdata/parity/gen.py (`make
	// parity-data`): generated, not committed
	parityDir := edgedata.Parity(t)
	b, err := os.ReadFile(filepath.Join(parityDir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []parityCase
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) < 10 {
		t.Fatalf("manifest lists %d cases, want the full set", len(cases))
	}
	models := map[string]*Model{}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			m := models[c.ONNX]
			if m == nil {
				if m, err = LoadFile(filepath.Join(parityDir, c.ONNX)); err != nil {
					t.Fatal(err)
				}
				models[c.ONNX] = m
			}
			in, err := npy.ReadFile(filepath.Join(parityDir, c.Input))
			if err != nil {
				t.Fatal(err)
			}
			want, err := npy.ReadFile(filepath.Join(parityDir, c.Output))
			if err != nil {
				t.Fatal(err)
			}
			p, err := m.Plan(Options{Threads: 2, Shapes: map[string][]int{m.Inputs[0].Name: in.Shape}})
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
			if !sameShape(got.Shape, want.Shape) {
				t.Fatalf("output shape %v, PyTorch %v", got.Shape, want.Shape)
			}
			scale, worst := 0.0, 0.0
			for i, w := range want.Data {
				scale = math.Max(scale, math.Abs(float64(w)))
				worst = math.Max(worst, math.Abs(float64(got.F[i])-float64(w)))
			}
			rel := worst / scale
			t.Logf("%s: max |diff| %.3g, output scale %.3g, relative %.3g, %d steps", c.Name, worst, scale, rel, p.Steps())
			if !(rel <= 1e-4) {
				t.Errorf("%s: relative error %.3g exceeds 1e-4", c.Name, rel)
			}
		})
	}
}
