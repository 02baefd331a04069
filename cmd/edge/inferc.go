package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/edge-pi/edge/infer"
	"github.com/edge-pi/edge/models"
	"github.com/edge-pi/edge/npy"
)

func cmdInfer(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flags("infer", stderr)
	model := fs.String("model", "", "an embedded model ("+strings.Join(models.Names(), ", ")+") or an ONNX file")
	input := fs.String("input", "", "input tensor (.npy, float32, C order)")
	output := fs.String("output", "", "where to write the first output (.npy)")
	outputs := fs.String("outputs", "", "a folder to write every output into, as N_NAME.npy (N its place, NAME its name with characters other than letters, digits, '-', '_' and '.' made '_'); integer outputs (a detector's indices) as float32")
	threads := fs.Int("threads", 0, "threads (0: one per core)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 || *model == "" || *input == "" || *output == "" && *outputs == "" {
		return errors.New("want --model, --input and --output or --outputs")
	}
	if err := checkThreads(*threads); err != nil {
		return fmt.Errorf("--%w", err)
	}
	m, err := loadModelFile(*model)
	if err != nil {
		return err
	}
	if len(m.Inputs) != 1 {
		return fmt.Errorf("%s has %d inputs; edge infer feeds models with one", *model, len(m.Inputs))
	}
	in, err := npy.ReadFile(*input)
	if err != nil {
		return err
	}
	p, err := m.Plan(infer.Options{Threads: *threads, Shapes: map[string][]int{m.Inputs[0].Name: in.Shape}})
	if err != nil {
		return err
	}
	defer p.Close()
	if err := p.SetInput(0, in.Data); err != nil {
		return err
	}
	if err := p.Run(); err != nil {
		return err
	}
	if *output != "" {
		if err := npy.WriteFile(*output, outputArray(p.Output(0))); err != nil {
			return err
		}
	}
	if *outputs == "" {
		return nil
	}
	if st, err := os.Stat(*outputs); err != nil || !st.IsDir() {
		return fmt.Errorf("--outputs %q is not a folder", *outputs)
	}
	for i := 0; i < p.NumOutputs(); i++ {
		path := filepath.Join(*outputs, fmt.Sprintf("%d_%s.npy", i, safeName(p.OutputName(i))))
		if err := npy.WriteFile(path, outputArray(p.Output(i))); err != nil {
			return err
		}
	}
	return nil
}

// outputArray is an output as float32: integers (indices, exact below
// 2²⁴) converted.
func outputArray(out *infer.Tensor) *npy.Array {
	data := out.F
	if out.DType != infer.Float32 {
		data = make([]float32, out.Len())
		for i := range data {
			data[i] = float32(out.Float64At(i))
		}
	}
	return &npy.Array{Shape: out.Shape, Data: data}
}

// safeName is an output's name fit for a file name: letters, digits, '-',
// '_' and '.' kept (no leading '.'), others '_', at most 64 bytes; a name
// from a model file cannot leave the folder.
func safeName(s string) string {
	b := []byte(s)
	if len(b) > 64 {
		b = b[:64]
	}
	for i, c := range b {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' && i > 0
		if !ok {
			b[i] = '_'
		}
	}
	return string(b)
}
