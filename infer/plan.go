package infer

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"time"
)

// Options choose how a plan is built.
type Options struct {
	// Threads is the number of threads the heavy operators use; 0 means
	// one per CPU core.
	Threads int
	// Shapes gives the shape of named inputs. Inputs not named here take
	// their declared shape, with symbolic dimensions set to Batch.
	Shapes map[string][]int
	// Batch replaces symbolic dimensions (such as "batch"); 0 means 1.
	Batch int
	// Consts binds inputs to fixed values when the plan is built. Integer
	// inputs (shapes, indices, axes) must be bound this way: the engine
	// computes in float32 and specialises the plan on them.
	Consts map[string]*Tensor
	// MaxBytes bounds the memory a plan may take for folded constants and
	// activations; 0 means DefaultMaxBytes. A model that needs more is
	// refused when the plan is built, never half-way through a run.
	MaxBytes int64
	// TuneThreads, with more than one thread, has the plan of a small
	// network (fewer than TuneFLOPs per run) timed on its threads against
	// one thread when it is made, keeping the faster (Plan.Threads says
	// which): on such a network waking a second thread and moving its
	// layers' data between the cores' caches can cost more than it saves.
	// A plan left on several threads (below TuneSharesFLOPs) is then timed
	// with all threads taking the next piece of a layer free against each
	// taking its own share first, the default (Plan.OwnedShares says
	// which).
	TuneThreads bool
}

// TuneFLOPs bounds the networks Options.TuneThreads times: below it a run
// is short enough (about a millisecond) that timing a few costs little,
// and the threads' overheads weigh. On the two-core AMD Zen 5 guest of
// BENCHMARKS.md, where a parked thread takes 80–130 µs to wake and a
// layer's input read from the other core's cache 3–4 times as long as
// from its own, two threads were slower than one on faces-scratch (0.23
// → 0.38 ms), omniglot and squeezenet1_1 at 112², faster on Koch's branch.
const TuneFLOPs = 300e6

// TuneSharesFLOPs bounds the networks whose plans Options.TuneThreads
// times with free pieces against owned shares: 18 runs when the plan is
// made, at most about 0.2 s on two Zen 5 cores and 2 s on a Pi 4's four
// (faces: 0.1 s and about 0.6 s). Owned shares, the default, keep a
// layer's data in the core that wrote it: mobilefacenet's depthwise
// layers took 2.5 times as long on data the other core had written. At
// 2 threads, owned against free (AMD Zen 5, edge bench medians, ms):
// mobilefacenet 3.17–3.28 / 3.69–3.85, resnet18_112 4.47–4.69 /
// 4.57–4.85, squeezenet1_1_224 3.26–3.28 / 3.47–3.55, resnet18_224
// 11.97–12.45 / 12.91–12.93, ConvNeXt-tiny 112² 13.71–13.79 /
// 14.53–14.56, ViT-B/16 128.3 / 131.1–132.9, faces 4.51–4.60 /
// 4.63–4.71; the timing keeps free pieces where they are 5% faster.
const TuneSharesFLOPs = 2e9

// DefaultMaxBytes is the memory budget of a plan unless Options.MaxBytes says otherwise.
const DefaultMaxBytes = 1 << 30

// value is one tensor of a plan: a constant, or a runtime tensor that
// lives in the plan's arena.
type value struct {
	name     string
	dtype    DType
	shape    []int
	t        *Tensor // constant data, or a view of the arena once bound
	isConst  bool
	producer *node
	uses     int
	input    bool
	output   bool
	// runRows: the first dimension is known only when the producing step
	// has run (NonMaxSuppression's selection); shape holds the most rows.
	// No step may read it, not even its shape.
	runRows bool

	alias       *value // runtime storage shared with this value (Reshape & co)
	aliasOff    int    // where this value starts within alias's storage (an elided Concat's inputs)
	off         int    // arena offset of a root value
	first, last int    // live range in steps, for root values
}

func (v *value) root() *value {
	r, _ := v.rootOff()
	return r
}

// rootOff returns the value owning v's storage and v's offset within it.
func (v *value) rootOff() (*value, int) {
	off := 0
	for v.alias != nil {
		off += v.aliasOff
		v = v.alias
	}
	return v, off
}

// node is one operator of a plan.
type node struct {
	name  string
	op    string
	in    []*value // nil where an optional input is omitted
	out   []*value
	k     kernel
	dead  bool
	fused []string // operators folded into this one (BatchNormalization, Relu, …)
}

func (n *node) String() string {
	if n.name == "" {
		return fmt.Sprintf("node (%s)", n.op)
	}
	return fmt.Sprintf("node %q (%s)", n.name, n.op)
}

// Plan is a model compiled for fixed input shapes. Run it with Run after
// writing the inputs; a Plan is not safe for concurrent use.
type Plan struct {
	model   *Model
	steps   []*node
	inputs  []*value
	outputs []*value
	arena   []float32
	scratch []float32
	pool    *workers
	threads int
	budget  int64 // bytes left for folded constants and the arena
}

// Plan compiles the model for the given options.
func (m *Model) Plan(o Options) (*Plan, error) {
	threads := o.Threads
	if threads <= 0 {
		threads = runtime.NumCPU()
	}
	p, err := m.plan(o, threads)
	if err != nil || !o.TuneThreads || threads == 1 {
		return p, err
	}
	if p.FLOPs() < TuneFLOPs {
		one, err := m.plan(o, 1)
		if err != nil {
			p.Close()
			return nil, err
		}
		keep, drop := p, one
		if faster, err := fasterThan(one.Run, p.Run); err != nil {
			one.Close()
			p.Close()
			return nil, err
		} else if faster {
			keep, drop = one, p
		}
		drop.Close()
		p = keep
	}
	if p.threads > 1 && p.FLOPs() < TuneSharesFLOPs {
		shares := func(owned bool) func() error {
			return func() error { p.pool.owned = owned; return p.Run() }
		}
		free, err := fasterThan(shares(false), shares(true))
		if err != nil {
			p.Close()
			return nil, err
		}
		p.pool.owned = !free
	}
	return p, nil
}

func (m *Model) plan(o Options, threads int) (*Plan, error) {
	p := &Plan{model: m, threads: threads}
	if err := p.build(o, false); err != nil {
		return nil, err
	}
	p.pool = newWorkers(threads)
	return p, nil
}

// tuneRuns is how many runs of each plan fasterThan times, alternating,
// after two untimed ones each.
const tuneRuns = 7

// fasterThan reports whether run a (a plan's Run) is faster than run b
// by at least 5% in their fastest of tuneRuns runs (on the inputs the
// plans hold: the kernels' time does not depend on the values).
func fasterThan(a, b func() error) (bool, error) {
	best := [2]time.Duration{1 << 62, 1 << 62}
	for r := 0; r < 2+tuneRuns; r++ {
		for i, run := range []func() error{a, b} {
			t0 := time.Now()
			if err := run(); err != nil {
				return false, err
			}
			if d := time.Since(t0); r >= 2 {
				best[i] = min(best[i], d)
			}
		}
	}
	return best[0] < best[1]*95/100, nil
}

// Threads is the number of threads the plan runs on.
func (p *Plan) Threads() int { return p.threads }

// OwnedShares reports whether the plan's threads each take their own
// share of a layer's work first (the default), rather than the next
// piece free (where Options.TuneThreads timed that faster).
func (p *Plan) OwnedShares() bool { return p.pool != nil && p.pool.owned }

// Check builds a plan with the default shapes far enough to validate every
// node (shapes, attributes, operator versions) without allocating the arena.
func (m *Model) Check(o Options) error {
	p := &Plan{model: m, threads: 1}
	return p.build(o, true)
}

func (p *Plan) build(o Options, checkOnly bool) error {
	m := p.model
	if m.Opset > MaxOpset {
		return unsupportedf("opset %d is newer than edge knows (at most %d): not supported", m.Opset, MaxOpset)
	}
	p.budget = o.MaxBytes
	if p.budget <= 0 {
		p.budget = DefaultMaxBytes
	}
	batch := o.Batch
	if batch <= 0 {
		batch = 1
	}
	vals := map[string]*value{}
	for name, t := range m.inits {
		vals[name] = &value{name: name, dtype: t.DType, shape: t.Shape, t: t, isConst: true}
	}
	for _, in := range m.Inputs {
		v := &value{name: in.Name, dtype: in.DType, input: true}
		if c, ok := o.Consts[in.Name]; ok {
			if c.DType != in.DType && in.DType != Undefined {
				return fmt.Errorf("input %q is %v, bound to a %v constant", in.Name, in.DType, c.DType)
			}
			if numel(c.Shape) != max(len(c.F), len(c.I)) {
				return fmt.Errorf("input %q: constant holds %d values for shape %v", in.Name, max(len(c.F), len(c.I)), c.Shape)
			}
			v.dtype, v.shape, v.t, v.isConst, v.input = c.DType, c.Shape, c, true, false
			vals[in.Name] = v
			continue
		}
		if in.DType != Float32 {
			return fmt.Errorf("input %q is %v: bind it with Options.Consts (only float32 inputs are fed at run time)", in.Name, in.DType)
		}
		shape, ok := o.Shapes[in.Name]
		if ok {
			if in.Dims != nil && len(in.Dims) != len(shape) {
				return fmt.Errorf("input %q has rank %d, given shape %v", in.Name, len(in.Dims), shape)
			}
			for i, d := range in.Dims {
				if d.Value >= 0 && d.Param == "" && int(d.Value) != shape[i] {
					return fmt.Errorf("input %q has dimension %d fixed at %d, given shape %v", in.Name, i, d.Value, shape)
				}
			}
		} else {
			if in.Dims == nil {
				return fmt.Errorf("input %q has no declared shape: give one in Options.Shapes", in.Name)
			}
			shape = in.Shape(batch)
		}
		if _, err := checkedNumel(shape); err != nil {
			return fmt.Errorf("input %q: %v", in.Name, err)
		}
		v.shape = append([]int(nil), shape...)
		vals[in.Name] = v
		p.inputs = append(p.inputs, v)
	}
	for name := range o.Shapes {
		if v, ok := vals[name]; !ok || !v.input {
			return fmt.Errorf("Options.Shapes names %q, which is not a runtime input", name)
		}
	}
	var nodes []*node
	for _, mn := range m.nodes {
		n := &node{name: mn.name, op: mn.op}
		for _, in := range mn.ins {
			if in == "" {
				n.in = append(n.in, nil)
				continue
			}
			n.in = append(n.in, vals[in])
		}
		for _, o := range mn.outs {
			if o == "" {
				n.out = append(n.out, nil)
				continue
			}
			v := &value{name: o, producer: n}
			vals[o] = v
			n.out = append(n.out, v)
		}
		if err := p.buildNode(n, mn.attrs); err != nil {
			return err
		}
		if n.k != nil {
			nodes = append(nodes, n)
		}
	}
	for _, o := range m.Outputs {
		v := vals[o.Name]
		v.output = true
		p.outputs = append(p.outputs, v)
	}
	if checkOnly {
		return nil
	}
	p.steps = p.schedule(nodes)
	return p.allocate()
}

// buildNode builds one node's kernel, or folds it into constants when all
// its inputs are constant.
// emptyUnsafe are the operators whose kernels cannot take a tensor with a
// zero dimension: a Conv of 32 or more output channels divides by zero
// splitting an empty batch into work units, and a ConvTranspose
// dereferences nil. Other kernels handle empty tensors (tests hold them
// to it), so only these refuse one, when the plan is built.
var emptyUnsafe = map[string]bool{"Conv": true, "ConvTranspose": true}

func (p *Plan) buildNode(n *node, am map[string]interface{}) error {
	def := registry[n.op]
	a := newAttrs(am)
	b := &builder{n: n, a: a, opset: p.model.Opset, plan: p}
	for _, in := range n.in {
		if in != nil && in.runRows && !in.isConst {
			return b.errf("input %q has a row count known only at run time (%v's): it can be a graph output, not the input of another node", in.name, in.producer)
		}
	}
	if emptyUnsafe[n.op] {
		for _, in := range n.in {
			if in != nil && slices.Contains(in.shape, 0) {
				return b.errf("input %q of shape %v has a zero dimension: an empty tensor is not supported here", in.name, in.shape)
			}
		}
	}
	k, err := def.build(b)
	if err != nil {
		return err
	}
	if a.err != nil {
		return b.errf("%v", a.err)
	}
	if u := a.unused(); len(u) > 0 {
		return b.errf("attribute %q is not supported", u[0])
	}
	for i, o := range n.out {
		if o != nil && o.dtype == Undefined && i == 0 {
			return b.errf("output type was not inferred")
		}
	}
	allConst := true
	for _, in := range n.in {
		if in != nil && !in.isConst {
			allConst = false
		}
	}
	if k == nil {
		// The build function computed constant outputs itself (Shape,
		// Constant) or the node has no effect.
		for _, o := range n.out {
			if o != nil && !o.isConst && o.dtype != Undefined {
				return b.errf("internal error: output %q left undefined", o.name)
			}
		}
		return nil
	}
	if allConst {
		return p.fold(n, k)
	}
	for i, o := range n.out {
		if o == nil || o.isConst {
			continue
		}
		if _, ok := k.(intOutputs); ok && (o.dtype == Int64 || o.dtype == Bool) {
			continue // its own storage, not the arena (allocate); only boolInputs steps read it
		}
		if o.dtype != Float32 {
			return b.errf("output %d would be %v at run time; only float32 is computed at run time (bind integer inputs with Options.Consts)", i, o.dtype)
		}
	}
	if _, ok := k.(alias); ok {
		n.out[0].alias = n.in[0]
	}
	_, readsBool := k.(boolInputs)
	for _, in := range n.in {
		if in != nil && !in.isConst && in.dtype != Float32 && !(readsBool && in.dtype == Bool) {
			return b.errf("input %q is %v at run time; only float32 is computed at run time", in.name, in.dtype)
		}
	}
	n.k = k
	return nil
}

// fold runs a node whose inputs are all constant, once, at build time.
func (p *Plan) fold(n *node, k kernel) error {
	for _, o := range n.out {
		if o == nil || o.isConst {
			continue
		}
		if _, ok := k.(alias); ok {
			src := n.in[0].t
			o.t = &Tensor{DType: src.DType, Shape: o.shape, F: src.F, I: src.I}
		} else {
			if err := p.spend(int64(numel(o.shape)) * 8); err != nil {
				return fmt.Errorf("%v: %w", n, err)
			}
			o.t = NewTensor(o.dtype, o.shape...)
		}
		o.isConst = true
	}
	if pr, ok := k.(preparer); ok {
		if err := pr.prepare(1); err != nil {
			return fmt.Errorf("%v: %w", n, err)
		}
	}
	if sc, ok := k.(scratcher); ok {
		sc.setScratch(make([]float32, sc.scratchLen(1)))
	}
	return runSafely(n, k, nil)
}

// spend takes bytes from the plan's memory budget.
func (p *Plan) spend(bytes int64) error {
	if bytes > p.budget {
		return ErrMemoryBudget
	}
	p.budget -= bytes
	return nil
}

// ErrMemoryBudget is the error of a plan that needs more memory than
// Options.MaxBytes allows.
var ErrMemoryBudget = errors.New("the plan needs more memory than its budget allows")

// MaxOpset is the newest ONNX opset edge knows: a later one may have
// changed what an operator means, so a model that declares it is refused
// (ErrUnsupported) rather than run on a guess.
const MaxOpset = 23

// errInternal marks a panic caught inside the engine: a bug, reported as
// an error so that a running service keeps its safe state.
var errInternal = errors.New("internal error")

func runSafely(n *node, k kernel, pl *workers) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v: %w: %v", n, errInternal, r)
		}
	}()
	k.run(pl)
	return nil
}

// Run executes the plan on the current inputs.
func (p *Plan) Run() error {
	if p.pool == nil {
		return errors.New("plan is closed")
	}
	p.pool.begin()
	defer p.pool.end()
	for _, n := range p.steps {
		if _, ok := n.k.(alias); ok {
			continue
		}
		if err := runSafely(n, n.k, p.pool); err != nil {
			return err
		}
		if err := p.pool.takeErr(); err != nil {
			return fmt.Errorf("%v: %w: %v", n, errInternal, err)
		}
	}
	return nil
}

// NumInputs is the number of runtime inputs.
func (p *Plan) NumInputs() int { return len(p.inputs) }

// NumOutputs is the number of outputs.
func (p *Plan) NumOutputs() int { return len(p.outputs) }

// Input returns runtime input i; write its F before Run.
func (p *Plan) Input(i int) *Tensor { return p.inputs[i].t }

// InputName returns the name of runtime input i.
func (p *Plan) InputName(i int) string { return p.inputs[i].name }

// Output returns output i. Its data is valid until the next Run.
func (p *Plan) Output(i int) *Tensor { return p.outputs[i].t }

// OutputName returns the name of output i.
func (p *Plan) OutputName(i int) string { return p.outputs[i].name }

// SetInput copies data into runtime input i.
func (p *Plan) SetInput(i int, data []float32) error {
	if i < 0 || i >= len(p.inputs) {
		return fmt.Errorf("input %d out of range (the plan has %d)", i, len(p.inputs))
	}
	t := p.inputs[i].t
	if len(data) != len(t.F) {
		return fmt.Errorf("input %q wants %d values (shape %v), got %d", p.inputs[i].name, len(t.F), t.Shape, len(data))
	}
	copy(t.F, data)
	return nil
}

// RunsAlone is how many runs so far went on the calling goroutine alone:
// a plan of several threads times its runs both ways and takes the faster
// (trying the other now and then), which is one thread where another
// process keeps the other cores busy. The results are the same either way.
func (p *Plan) RunsAlone() int {
	if p.pool == nil {
		return 0
	}
	return p.pool.alone
}

// ArenaBytes is the size of the plan's activation memory.
func (p *Plan) ArenaBytes() int { return 4 * (len(p.arena) + len(p.scratch)) }

// Steps is the number of kernels a Run executes.
func (p *Plan) Steps() int { return len(p.steps) }

// Close stops the plan's worker threads.
func (p *Plan) Close() {
	if p.pool != nil {
		p.pool.close()
		p.pool = nil
	}
}

// flopper kernels report the floating-point operations of one run
// (a multiply-add counts as two).
type flopper interface {
	flops() int64
}

// FLOPs is the number of floating-point operations of one Run in the
// convolution and matrix kernels, which dominate it.
func (p *Plan) FLOPs() int64 {
	var f int64
	for _, n := range p.steps {
		if fl, ok := n.k.(flopper); ok {
			f += fl.flops()
		}
	}
	return f
}

// StepInfo describes one step of a plan.
type StepInfo struct {
	Name  string // the ONNX node's name
	Op    string // its operator, with fused ones: "Conv+BatchNormalization+Relu"
	FLOPs int64  // for convolution and matrix kernels; 0 for the others
	Shape []int  // the output shape
	// Path is how a convolution or matrix step is computed: "gemm",
	// "gemm-shifted", "gemm-im2col", "gemm-transposed", "winograd" or
	// "depthwise"; "" for the other steps.
	Path string
}

// Step describes step i of Run (0 ≤ i < Steps()).
func (p *Plan) Step(i int) StepInfo {
	n := p.steps[i]
	s := StepInfo{Name: n.name, Op: strings.Join(append([]string{n.op}, n.fused...), "+")}
	if f, ok := n.k.(flopper); ok {
		s.FLOPs = f.flops()
	}
	if pk, ok := n.k.(interface{ path() string }); ok {
		s.Path = pk.path()
	}
	if len(n.out) > 0 && n.out[0] != nil {
		s.Shape = n.out[0].shape
	}
	return s
}

// RunProfiled is Run that adds the time of step i to d[i]; d must have
// Steps() elements. It allocates nothing.
func (p *Plan) RunProfiled(d []time.Duration) error {
	if p.pool == nil {
		return errors.New("plan is closed")
	}
	if len(d) != len(p.steps) {
		return fmt.Errorf("RunProfiled wants %d durations, got %d", len(p.steps), len(d))
	}
	p.pool.begin()
	defer p.pool.end()
	for i, n := range p.steps {
		if _, ok := n.k.(alias); ok {
			continue
		}
		t0 := time.Now()
		if err := runSafely(n, n.k, p.pool); err != nil {
			return err
		}
		if err := p.pool.takeErr(); err != nil {
			return fmt.Errorf("%v: %w: %v", n, errInternal, err)
		}
		d[i] += time.Since(t0)
	}
	return nil
}
