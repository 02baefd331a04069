package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"github.com/edge-pi/edge/infer"
	onnx "github.com/owulveryck/onnx-go"
	"github.com/owulveryck/onnx-go/backend/x/gorgonnx"
	ort "github.com/yalue/onnxruntime_go"
	"gorgonia.org/tensor"
)

// ours is edge's engine.
type ours struct{ p *infer.Plan }

func newOurs(m *infer.Model, threads int, shape []int, in []float32) (*ours, error) {
	// as edge's own commands plan: a small network keeps one thread where
	// that timed faster (infer.Options.TuneThreads)
	p, err := m.Plan(infer.Options{Threads: threads, Shapes: map[string][]int{m.Inputs[0].Name: shape}, TuneThreads: true})
	if err != nil {
		return nil, err
	}
	if err := p.SetInput(0, in); err != nil {
		p.Close()
		return nil, err
	}
	return &ours{p}, nil
}

func (o *ours) run() error        { return o.p.Run() }
func (o *ours) output() []float32 { return o.p.Output(0).F }
func (o *ours) close()            { o.p.Close() }

// defaultORTLib is where `npm install --prefix REPO/bench/.ort
// onnxruntime-node@1.30.0` puts the library for this machine.
func defaultORTLib(repo string) string {
	arch := map[string]string{"amd64": "x64", "arm64": "arm64"}[runtime.GOARCH]
	return filepath.Join(repo, "bench/.ort/node_modules/onnxruntime-node/bin/napi-v6", runtime.GOOS, arch, "libonnxruntime.so.1")
}

// initORT loads the ONNX Runtime library and returns its version.
func initORT(lib string) (string, error) {
	if _, err := os.Stat(lib); err != nil {
		return "", fmt.Errorf("ONNX Runtime library: %w (make bench-compare installs it)", err)
	}
	ort.SetSharedLibraryPath(lib)
	if err := ort.InitializeEnvironment(ort.WithLogLevelError()); err != nil {
		return "", fmt.Errorf("ONNX Runtime: %w", err)
	}
	return ort.GetVersion(), nil
}

func destroyORT() { _ = ort.DestroyEnvironment() }

// ortEngine is an ONNX Runtime session with its input and output bound
// once: a run passes no Go memory and allocates nothing in Go.
type ortEngine struct {
	s   *ort.AdvancedSession
	in  *ort.Tensor[float32]
	out *ort.Tensor[float32]
}

func newORT(path, inName, outName string, inShape, outShape []int, in []float32, threads int, spin bool) (e *ortEngine, err error) {
	o, err := ort.NewSessionOptions()
	if err != nil {
		return nil, err
	}
	defer o.Destroy()
	spinning := "0"
	if spin {
		spinning = "1"
	}
	err = errors.Join(
		o.SetIntraOpNumThreads(threads),
		o.SetInterOpNumThreads(1),
		o.SetExecutionMode(ort.ExecutionModeSequential),
		o.SetGraphOptimizationLevel(ort.GraphOptimizationLevelEnableAll),
		o.AddSessionConfigEntry("session.intra_op.allow_spinning", spinning),
	)
	if err != nil {
		return nil, err
	}
	e = &ortEngine{}
	defer func() {
		if err != nil {
			e.close()
		}
	}()
	if e.in, err = ort.NewTensor(ortShape(inShape), append([]float32(nil), in...)); err != nil {
		return nil, err
	}
	if e.out, err = ort.NewEmptyTensor[float32](ortShape(outShape)); err != nil {
		return nil, err
	}
	e.s, err = ort.NewAdvancedSession(path, []string{inName}, []string{outName}, []ort.Value{e.in}, []ort.Value{e.out}, o)
	return e, err
}

func ortShape(s []int) ort.Shape {
	d := make(ort.Shape, len(s))
	for i, v := range s {
		d[i] = int64(v)
	}
	return d
}

func (e *ortEngine) run() error        { return e.s.Run() }
func (e *ortEngine) output() []float32 { return e.out.GetData() }

func (e *ortEngine) close() {
	if e.s != nil {
		e.s.Destroy()
	}
	if e.in != nil {
		e.in.Destroy()
	}
	if e.out != nil {
		e.out.Destroy()
	}
}

// gorg is onnx-go's gorgonnx backend, which panics on much it does not
// support: every call into it recovers.
type gorg struct {
	g   *gorgonnx.Graph
	m   *onnx.Model
	out []float32
}

func newGorgonnx(path string, shape []int, in []float32) (g *gorg, err error) {
	defer recoverTo(&err)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	g = &gorg{g: gorgonnx.NewGraph()}
	g.m = onnx.NewModel(g.g)
	if err := g.m.UnmarshalBinary(b); err != nil {
		return nil, err
	}
	t := tensor.New(tensor.WithShape(shape...), tensor.WithBacking(append([]float32(nil), in...)))
	if err := g.m.SetInput(0, t); err != nil {
		return nil, err
	}
	return g, nil
}

func (g *gorg) run() (err error) {
	defer recoverTo(&err)
	if err := g.g.Run(); err != nil {
		return err
	}
	outs, err := g.m.GetOutputTensors()
	if err != nil {
		return err
	}
	if len(outs) == 0 || outs[0] == nil {
		return errors.New("no output")
	}
	f, ok := outs[0].Data().([]float32)
	if !ok {
		return fmt.Errorf("output is %T", outs[0].Data())
	}
	g.out = f
	return nil
}

func (g *gorg) output() []float32 { return g.out }
func (g *gorg) close()            {}

func recoverTo(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("panic: %v", r)
	}
}
