package infer

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sort"
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
}

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

// kernel runs one node of a plan. Kernels read and write the arena
// through their node's values and must not allocate.
type kernel interface {
	run(p *pool)
}

// alias is returned by operators whose output is their first input with a
// new shape (Reshape, Flatten, Squeeze, Unsqueeze, Identity, Dropout): no
// step runs, the output shares the input's storage.
type alias struct{}

func (alias) run(*pool) {}

// preparer kernels finish their set-up after fusion (packing weights).
type preparer interface {
	prepare(threads int) error
}

// scratcher kernels need temporary memory while they run; all of them
// share one scratch buffer since steps run one after the other.
type scratcher interface {
	scratchLen(threads int) int
	setScratch(s []float32)
}

// actFuser kernels can apply an activation to their output as they write it.
type actFuser interface {
	fuseAct(a *activation) bool
}

// affineFuser kernels can fold a per-channel scale and shift (a
// BatchNormalization that follows them) into their weights.
type affineFuser interface {
	fuseAffine(scale, shift []float32) bool
}

// opDef describes an operator: the attributes it understands and how to
// build a kernel for a node.
type opDef struct {
	attrs      map[string]bool
	sinceOpset int64
	build      func(b *builder) (kernel, error)
}

func (d *opDef) knows(attr string) bool { return d.attrs[attr] }

var registry = map[string]*opDef{}

// register adds an operator. It is called from init functions of the op
// files, which only fill this table.
func register(op string, attrNames []string, build func(b *builder) (kernel, error)) {
	d := &opDef{attrs: map[string]bool{}, build: build}
	for _, a := range attrNames {
		d.attrs[a] = true
	}
	registry[op] = d
}

// Supported lists the operators edge implements.
func Supported() []string {
	var s []string
	for op := range registry {
		s = append(s, op)
	}
	sort.Strings(s)
	return s
}

// builder is what an operator's build function sees of its node.
type builder struct {
	n     *node
	a     *attrs
	opset int64
	plan  *Plan
}

// newConst allocates a constant output within the plan's memory budget.
func (b *builder) newConst(dt DType, shape ...int) (*Tensor, error) {
	n, err := checkedNumel(shape)
	if err != nil {
		return nil, b.errf("%v", err)
	}
	if err := b.plan.spend(int64(n) * 8); err != nil {
		return nil, b.errf("%v", err)
	}
	return NewTensor(dt, shape...), nil
}

// in returns input i, or nil when absent.
func (b *builder) in(i int) *value {
	if i < len(b.n.in) {
		return b.n.in[i]
	}
	return nil
}

func (b *builder) nin() int { return len(b.n.in) }

// errf makes an error that names the node. A message that says "not
// supported" marks a feature edge lacks (ErrUnsupported), as opposed to a
// malformed model.
func (b *builder) errf(format string, args ...interface{}) error {
	msg := fmt.Sprintf(format, args...)
	if strings.Contains(msg, "not supported") {
		return &unsupportedError{fmt.Sprintf("%v: %s", b.n, msg)}
	}
	return fmt.Errorf("%v: %s", b.n, msg)
}

// ErrUnsupported is matched (errors.Is) by errors about an operator,
// attribute or data type edge does not implement.
var ErrUnsupported = errors.New("not supported")

type unsupportedError struct{ msg string }

func (e *unsupportedError) Error() string        { return e.msg }
func (e *unsupportedError) Is(target error) bool { return target == ErrUnsupported }

// unsupportedf makes an ErrUnsupported error.
func unsupportedf(format string, args ...interface{}) error {
	return &unsupportedError{fmt.Sprintf(format, args...)}
}

// wantInputs checks the input count.
func (b *builder) wantInputs(min, max int) error {
	n := len(b.n.in)
	for n > 0 && b.n.in[n-1] == nil {
		n--
	}
	if n < min || n > max {
		if min == max {
			return b.errf("wants %d inputs, has %d", min, n)
		}
		return b.errf("wants %d to %d inputs, has %d", min, max, n)
	}
	for i := 0; i < min; i++ {
		if b.n.in[i] == nil {
			return b.errf("input %d is required", i)
		}
	}
	return nil
}

// float checks that input i is float32.
func (b *builder) float(i int) error {
	v := b.in(i)
	if v != nil && v.dtype != Float32 {
		return b.errf("input %d (%q) is %v; this operator computes in float32", i, v.name, v.dtype)
	}
	return nil
}

// constInts returns the values of a constant integer input.
func (b *builder) constInts(i int) ([]int64, error) {
	v := b.in(i)
	if v == nil {
		return nil, nil
	}
	if !v.isConst {
		return nil, b.errf("input %d (%q) must be a constant (or an input bound with Options.Consts)", i, v.name)
	}
	if !v.dtype.isInt() {
		return nil, b.errf("input %d (%q) must be integer, is %v", i, v.name, v.dtype)
	}
	return v.t.I, nil
}

// setOut declares output i.
func (b *builder) setOut(i int, dt DType, shape []int) error {
	if i >= len(b.n.out) || b.n.out[i] == nil {
		return nil // output not used by the graph
	}
	if _, err := checkedNumel(shape); err != nil {
		return b.errf("output %d: %v", i, err)
	}
	v := b.n.out[i]
	v.dtype = dt
	v.shape = append([]int(nil), shape...)
	return nil
}

// setConst declares output i as a constant computed at build time.
func (b *builder) setConst(i int, t *Tensor) error {
	if err := b.setOut(i, t.DType, t.Shape); err != nil {
		return err
	}
	if i < len(b.n.out) && b.n.out[i] != nil {
		b.n.out[i].t = t
		b.n.out[i].isConst = true
	}
	return nil
}

// axis normalises a possibly negative axis for the given rank.
func (b *builder) axis(ax int64, rank int) (int, error) {
	if ax < -int64(rank) || ax >= int64(rank) {
		return 0, b.errf("axis %d out of range for rank %d", ax, rank)
	}
	if ax < 0 {
		ax += int64(rank)
	}
	return int(ax), nil
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
	pool    *pool
	threads int
	budget  int64 // bytes left for folded constants and the arena
}

// Plan compiles the model for the given options.
func (m *Model) Plan(o Options) (*Plan, error) {
	threads := o.Threads
	if threads <= 0 {
		threads = runtime.NumCPU()
	}
	p := &Plan{model: m, threads: threads}
	if err := p.build(o, false); err != nil {
		return nil, err
	}
	p.pool = newPool(threads)
	return p, nil
}

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
		if o.dtype != Float32 {
			return b.errf("output %d would be %v at run time; only float32 is computed at run time (bind integer inputs with Options.Consts)", i, o.dtype)
		}
	}
	if _, ok := k.(alias); ok {
		n.out[0].alias = n.in[0]
	}
	for _, in := range n.in {
		if in != nil && !in.isConst && in.dtype != Float32 {
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

func runSafely(n *node, k kernel, pl *pool) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v: %w: %v", n, errInternal, r)
		}
	}()
	k.run(pl)
	return nil
}

// schedule removes nodes no output needs, then fuses batch normalisation
// and activations into their producers.
func (p *Plan) schedule(nodes []*node) []*node {
	countUses := func() {
		for _, n := range nodes {
			for _, in := range n.in {
				if in != nil {
					in.uses = 0
				}
			}
		}
		for _, n := range nodes {
			if n.dead {
				continue
			}
			for _, in := range n.in {
				if in != nil {
					in.uses++
				}
			}
		}
	}
	// Dead code: walk back from the outputs.
	needed := map[*node]bool{}
	var mark func(v *value)
	mark = func(v *value) {
		if v == nil || v.isConst || v.producer == nil || needed[v.producer] {
			return
		}
		needed[v.producer] = true
		for _, in := range v.producer.in {
			mark(in)
		}
	}
	for _, o := range p.outputs {
		mark(o)
	}
	for _, n := range nodes {
		n.dead = !needed[n]
	}
	countUses()
	// Fusion: a BatchNormalization, residual Add or activation whose input
	// is the only use of a fusable producer's output disappears into that
	// producer.
	pos := map[*node]int{}
	for i, n := range nodes {
		pos[n] = i
	}
	for _, n := range nodes {
		if n.dead || len(n.in) == 0 || n.in[0] == nil {
			continue
		}
		if bk, ok := n.k.(*binKernel); ok && n.op == "Add" && len(n.in) == 2 && n.in[1] != nil && bk.g.n > 0 {
			if p.fuseAdd(n, pos) {
				countUses()
			}
			continue
		}
		x := n.in[0]
		prod := x.producer
		if x.isConst || prod == nil || prod.dead || x.uses != 1 || x.output || len(prod.out) != 1 {
			continue
		}
		fused := false
		switch k := n.k.(type) {
		case *bnKernel:
			if f, ok := prod.k.(affineFuser); ok && !k.training {
				fused = f.fuseAffine(k.scale, k.shift)
			}
		case *actKernel:
			if f, ok := prod.k.(actFuser); ok {
				fused = f.fuseAct(&k.act)
			}
		case *poolKernel:
			if f, ok := prod.k.(interface{ fusePool(*poolKernel) bool }); ok && !poolFusionOff {
				fused = f.fusePool(k)
			}
		}
		if fused {
			prod.fused = append(prod.fused, n.op)
			prod.out[0] = n.out[0]
			n.out[0].producer = prod
			n.dead = true
			countUses()
		}
	}
	for _, n := range nodes {
		if !n.dead && !concatElisionOff {
			elideConcat(n)
		}
	}
	var steps []*node
	for _, n := range nodes {
		if !n.dead {
			steps = append(steps, n)
		}
	}
	return steps
}

// concatElisionOff keeps every Concat a copy (tests compare with it).
var concatElisionOff = false

// elideConcat turns a Concat whose inputs are each one contiguous block of
// its output (every dimension before the axis 1: squeezenet's fire
// modules, batch 1) into views: each input's producer writes straight into
// its block of the output, and the Concat runs no step. The inputs must be
// computed at run time by steps of their own, used only by this Concat,
// and own their storage.
func elideConcat(n *node) {
	k, ok := n.k.(*concatKernel)
	if !ok || len(n.out) != 1 || n.out[0] == nil || n.out[0].dtype != Float32 {
		return
	}
	if k.s.outer != 1 {
		return
	}
	seen := map[*value]bool{}
	for _, v := range n.in {
		if v == nil || v.isConst || v.input || v.output || v.uses != 1 || v.alias != nil || v.producer == nil || seen[v] {
			return
		}
		if _, a := v.producer.k.(alias); a {
			return
		}
		seen[v] = true
	}
	off := 0
	for _, v := range n.in {
		v.alias, v.aliasOff = n.out[0], off
		off += numel(v.shape)
	}
	n.k = alias{}
}

// poolFusionOff keeps MaxPool a step of its own (tests compare with it).
var poolFusionOff = false

// fuseAdd folds Add(a, b) into the convolution producing a or b when the
// other operand is ready before that convolution runs.
func (p *Plan) fuseAdd(n *node, pos map[*node]int) bool {
	for i := 0; i < 2; i++ {
		x, other := n.in[i], n.in[1-i]
		prod := x.producer
		if x.isConst || other.isConst || prod == nil || prod.dead || x.uses != 1 || x.output || len(prod.out) != 1 || x == other {
			continue
		}
		if op := other.producer; op != nil && !other.input && pos[op] >= pos[prod] {
			continue // the other operand is computed after the convolution
		}
		f, ok := prod.k.(interface{ fuseAdd(*node, *value) bool })
		if !ok || !sameShape(x.shape, n.out[0].shape) || !f.fuseAdd(prod, other) {
			continue
		}
		prod.fused = append(prod.fused, n.op)
		prod.out[0] = n.out[0]
		n.out[0].producer = prod
		n.dead = true
		return true
	}
	return false
}

// arenaAlign keeps every tensor 64-byte aligned within the arena.
const arenaAlign = 16

// allocate places runtime tensors in one arena by liveness and binds them.
func (p *Plan) allocate() error {
	for _, n := range p.steps {
		if pr, ok := n.k.(preparer); ok {
			if err := pr.prepare(p.threads); err != nil {
				return fmt.Errorf("%v: %w", n, err)
			}
		}
	}
	end := len(p.steps)
	var roots []*value
	seen := map[*value]bool{}
	touch := func(v *value, step int) {
		if v == nil || v.isConst {
			return
		}
		r := v.root()
		if !seen[r] {
			seen[r] = true
			r.first, r.last = step, step
			roots = append(roots, r)
		}
		r.first = min(r.first, step)
		r.last = max(r.last, step)
	}
	for _, v := range p.inputs {
		touch(v, -1)
		touch(v, end)
	}
	for i, n := range p.steps {
		for _, v := range n.in {
			touch(v, i)
		}
		for _, v := range n.out {
			touch(v, i)
		}
	}
	for _, v := range p.outputs {
		touch(v, end)
	}
	sort.SliceStable(roots, func(i, j int) bool { return numel(roots[i].shape) > numel(roots[j].shape) })
	type span struct{ off, end, first, last int }
	var placed []span
	total := 0
	for _, r := range roots {
		size := (numel(r.shape) + arenaAlign - 1) / arenaAlign * arenaAlign
		var clash []span
		for _, s := range placed {
			if s.first <= r.last && r.first <= s.last {
				clash = append(clash, s)
			}
		}
		sort.Slice(clash, func(i, j int) bool { return clash[i].off < clash[j].off })
		off := 0
		for _, s := range clash {
			if off+size <= s.off {
				break
			}
			off = max(off, s.end)
		}
		r.off = off
		placed = append(placed, span{off, off + size, r.first, r.last})
		total = max(total, off+size)
	}
	scratch := 0
	for _, n := range p.steps {
		if sc, ok := n.k.(scratcher); ok {
			scratch = max(scratch, sc.scratchLen(p.threads))
		}
	}
	if err := p.spend(4 * int64(total+scratch)); err != nil {
		return err
	}
	p.arena = make([]float32, total)
	bind := func(v *value) {
		if v == nil || v.isConst {
			return
		}
		r, o := v.rootOff()
		n := numel(v.shape)
		v.t = &Tensor{DType: Float32, Shape: v.shape, F: p.arena[r.off+o : r.off+o+n : r.off+o+n]}
	}
	for _, v := range p.inputs {
		bind(v)
	}
	for _, n := range p.steps {
		for _, v := range n.out {
			bind(v)
		}
	}
	p.scratch = make([]float32, scratch)
	for _, n := range p.steps {
		if sc, ok := n.k.(scratcher); ok {
			sc.setScratch(p.scratch)
		}
	}
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
}

// Step describes step i of Run (0 ≤ i < Steps()).
func (p *Plan) Step(i int) StepInfo {
	n := p.steps[i]
	s := StepInfo{Name: n.name, Op: strings.Join(append([]string{n.op}, n.fused...), "+")}
	if f, ok := n.k.(flopper); ok {
		s.FLOPs = f.flops()
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
