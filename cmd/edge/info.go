package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/edge-pi/edge/infer"
)

type infoReport struct {
	Path       string            `json:"path"`
	SHA256     string            `json:"sha256"`
	Bytes      int               `json:"bytes"`
	IRVersion  int64             `json:"ir_version"`
	Opset      int64             `json:"opset"`
	Producer   string            `json:"producer,omitempty"`
	Inputs     []string          `json:"inputs"`
	Outputs    []string          `json:"outputs"`
	Ops        map[string]int    `json:"ops"`
	Params     int               `json:"parameters"`
	FLOPs      int64             `json:"flops_per_inference"`
	PlanShapes []string          `json:"plan_outputs,omitempty"`
	Metadata   map[string]string `json:"metadata"`
	Note       string            `json:"note,omitempty"`
}

func cmdInfo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flags("info", stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return errors.New("want one MODEL argument")
	}
	m, err := loadModelFile(pos[0])
	if err != nil {
		return err
	}
	r := infoReport{Path: pos[0], SHA256: hex.EncodeToString(m.SHA256[:]), Bytes: m.Size, IRVersion: m.IRVersion,
		Opset: m.Opset, Producer: m.Producer, Ops: m.Ops(), Params: m.Params(), Metadata: m.Metadata}
	for _, in := range m.Inputs {
		r.Inputs = append(r.Inputs, in.String())
	}
	for _, o := range m.Outputs {
		r.Outputs = append(r.Outputs, o.String())
	}
	// FLOPs are counted on a plan for batch 1 (symbolic dims set to 1).
	p, err := m.Plan(infer.Options{Threads: 1})
	if err != nil {
		r.Note = "no plan at default shapes: " + err.Error()
	} else {
		r.FLOPs = p.FLOPs()
		for i := 0; i < p.NumOutputs(); i++ {
			r.PlanShapes = append(r.PlanShapes, fmt.Sprintf("%s %v", p.OutputName(i), p.Output(i).Shape))
		}
		p.Close()
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	fmt.Fprintf(stdout, "model      %s\n", r.Path)
	fmt.Fprintf(stdout, "sha256     %s\n", r.SHA256)
	fmt.Fprintf(stdout, "size       %d bytes\n", r.Bytes)
	fmt.Fprintf(stdout, "format     ONNX IR %d, opset %d, producer %q\n", r.IRVersion, r.Opset, r.Producer)
	for _, s := range r.Inputs {
		fmt.Fprintf(stdout, "input      %s\n", s)
	}
	for _, s := range r.Outputs {
		fmt.Fprintf(stdout, "output     %s\n", s)
	}
	fmt.Fprintf(stdout, "parameters %d\n", r.Params)
	if r.Note != "" {
		fmt.Fprintf(stdout, "flops      unknown (%s)\n", r.Note)
	} else {
		fmt.Fprintf(stdout, "flops      %d per inference at batch 1 (%.1f MFLOPs)\n", r.FLOPs, float64(r.FLOPs)/1e6)
	}
	var ops []string
	for op := range r.Ops {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	fmt.Fprint(stdout, "ops       ")
	for _, op := range ops {
		fmt.Fprintf(stdout, " %s×%d", op, r.Ops[op])
	}
	fmt.Fprintln(stdout)
	var keys []string
	for k := range r.Metadata {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(stdout, "metadata   %s = %s\n", k, r.Metadata[k])
	}
	return nil
}
