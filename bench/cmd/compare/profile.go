package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	ort "github.com/yalue/onnxruntime_go"

	"github.com/edge-pi/edge/infer"
)

// stepTimes are per-node medians in milliseconds, in the order the nodes
// ran, with each node's operator.
type stepTimes struct {
	names []string
	ops   map[string]string
	ms    map[string]float64
}

// profileOurs times each step of edge's plan over runs runs (after one
// warm-up) and returns the medians.
func profileOurs(m *infer.Model, threads int, shape []int, in []float32, runs int) (*stepTimes, error) {
	o, err := newOurs(m, threads, shape, in)
	if err != nil {
		return nil, err
	}
	defer o.close()
	n := o.p.Steps()
	d := make([]time.Duration, n)
	per := make([][]time.Duration, n)
	if err := o.p.RunProfiled(d); err != nil {
		return nil, err
	}
	for r := 0; r < runs; r++ {
		clear(d)
		if err := o.p.RunProfiled(d); err != nil {
			return nil, err
		}
		for i, v := range d {
			per[i] = append(per[i], v)
		}
	}
	st := &stepTimes{ops: map[string]string{}, ms: map[string]float64{}}
	for i := 0; i < n; i++ {
		s := o.p.Step(i)
		st.names = append(st.names, s.Name)
		st.ops[s.Name] = s.Op
		st.ms[s.Name] = median(per[i])
	}
	return st, nil
}

// ortEvent is one record of ONNX Runtime's profile (Chrome trace format).
type ortEvent struct {
	Cat  string  `json:"cat"`
	Name string  `json:"name"`
	Dur  float64 `json:"dur"` // µs
	Args struct {
		OpName string `json:"op_name"`
	} `json:"args"`
}

// profileORT runs ONNX Runtime with its profiler on, runs times after one
// warm-up, and returns each node's median kernel time. The profile file
// goes to a temporary folder, removed after.
func profileORT(path, inName, outName string, inShape, outShape []int, in []float32, threads, runs int) (*stepTimes, error) {
	dir, err := os.MkdirTemp("", "ort-profile")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	o, err := ort.NewSessionOptions()
	if err != nil {
		return nil, err
	}
	defer o.Destroy()
	err = errors.Join(
		o.SetIntraOpNumThreads(threads),
		o.SetInterOpNumThreads(1),
		o.SetExecutionMode(ort.ExecutionModeSequential),
		o.SetGraphOptimizationLevel(ort.GraphOptimizationLevelEnableAll),
		o.AddSessionConfigEntry("session.intra_op.allow_spinning", "0"),
		o.EnableProfiling(filepath.Join(dir, "ort")),
	)
	if err != nil {
		return nil, err
	}
	inT, err := ort.NewTensor(ortShape(inShape), append([]float32(nil), in...))
	if err != nil {
		return nil, err
	}
	defer inT.Destroy()
	outT, err := ort.NewEmptyTensor[float32](ortShape(outShape))
	if err != nil {
		return nil, err
	}
	defer outT.Destroy()
	s, err := ort.NewAdvancedSession(path, []string{inName}, []string{outName}, []ort.Value{inT}, []ort.Value{outT}, o)
	if err != nil {
		return nil, err
	}
	for r := 0; r <= runs; r++ {
		if err := s.Run(); err != nil {
			s.Destroy()
			return nil, err
		}
	}
	if err := s.Destroy(); err != nil { // writes the profile
		return nil, err
	}
	files, _ := filepath.Glob(filepath.Join(dir, "ort*.json"))
	if len(files) != 1 {
		return nil, fmt.Errorf("ONNX Runtime wrote %d profiles, want 1", len(files))
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		return nil, err
	}
	var ev []ortEvent
	if err := json.Unmarshal(b, &ev); err != nil {
		return nil, fmt.Errorf("ONNX Runtime's profile: %w", err)
	}
	return ortSteps(ev, runs), nil
}

// ortSteps turns the profile's node events into per-node medians over the
// last runs runs (the first, a warm-up, left out).
func ortSteps(ev []ortEvent, runs int) *stepTimes {
	st := &stepTimes{ops: map[string]string{}, ms: map[string]float64{}}
	per := map[string][]time.Duration{}
	for _, e := range ev {
		name, ok := strings.CutSuffix(e.Name, "_kernel_time")
		if e.Cat != "Node" || !ok {
			continue
		}
		if _, seen := per[name]; !seen {
			st.names = append(st.names, name)
			st.ops[name] = e.Args.OpName
		}
		per[name] = append(per[name], time.Duration(e.Dur*float64(time.Microsecond)))
	}
	for name, d := range per {
		if len(d) > runs {
			d = d[len(d)-runs:]
		}
		st.ms[name] = median(d)
	}
	return st
}

// pair matches edge's steps with ONNX Runtime's nodes: by name, and the
// rest in order where their operators agree (ORT renames the nodes it
// fuses or lays out anew, "conv1_relu_Relu_y_nchwc", but runs them in the
// graph's order). It returns ORT's node for each of edge's steps ("" for
// none).
func pair(ours, theirs *stepTimes) map[string]string {
	m := map[string]string{}
	used := map[string]bool{}
	for _, n := range ours.names {
		if _, ok := theirs.ms[n]; ok {
			m[n], used[n] = n, true
		}
	}
	j := 0
	for _, n := range ours.names {
		if m[n] != "" {
			continue
		}
		op, _, _ := strings.Cut(ours.ops[n], "+")
		for k := j; k < len(theirs.names); k++ {
			t := theirs.names[k]
			if used[t] {
				continue
			}
			if to := theirs.ops[t]; to == op || to == "Fused"+op {
				m[n], used[t], j = t, true, k+1
				break
			}
		}
	}
	return m
}

// printProfiles prints edge's steps beside ONNX Runtime's nodes (see
// pair), then ORT's nodes that edge has no step for.
func printProfiles(w io.Writer, model string, threads int, ours, theirs *stepTimes) {
	fmt.Fprintf(w, "\n%s, %d thread(s): per-node medians\n\n", model, threads)
	fmt.Fprintln(w, "| edge step | edge op | edge ms | ORT node | ORT op | ORT ms | edge/ORT |")
	fmt.Fprintln(w, "|---|---|--:|---|---|--:|--:|")
	m := pair(ours, theirs)
	used := map[string]bool{}
	var sumO, sumT float64
	for _, n := range ours.names {
		o := ours.ms[n]
		sumO += o
		t := m[n]
		if t == "" {
			fmt.Fprintf(w, "| %s | %s | %.4f | | | | |\n", n, ours.ops[n], o)
			continue
		}
		used[t] = true
		sumT += theirs.ms[t]
		fmt.Fprintf(w, "| %s | %s | %.4f | %s | %s | %.4f | %.2f× |\n", n, ours.ops[n], o, t, theirs.ops[t], theirs.ms[t], o/theirs.ms[t])
	}
	for _, t := range theirs.names {
		if used[t] {
			continue
		}
		sumT += theirs.ms[t]
		fmt.Fprintf(w, "| | | | %s | %s | %.4f | |\n", t, theirs.ops[t], theirs.ms[t])
	}
	fmt.Fprintf(w, "| sum | | %.4f | | | %.4f | %.2f× |\n", sumO, sumT, sumO/sumT)
}
