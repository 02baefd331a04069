package main

import (
	"context"
	"errors"
	"fmt"
	"io"
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
	threads := fs.Int("threads", 0, "threads (0: one per core)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 || *model == "" || *input == "" || *output == "" {
		return errors.New("want --model, --input and --output")
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
	out := p.Output(0)
	data := out.F
	if out.DType != infer.Float32 {
		data = make([]float32, out.Len())
		for i := range data {
			data[i] = float32(out.Float64At(i))
		}
	}
	return npy.WriteFile(*output, &npy.Array{Shape: out.Shape, Data: data})
}
