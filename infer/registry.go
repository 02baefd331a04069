package infer

import "sort"

// The operator registry and the interfaces kernels implement: each
// operator family's file registers its operators in its init.

// kernel runs one node of a plan. Kernels read and write the arena
// through their node's values and must not allocate.
type kernel interface {
	run(p *workers)
}

// alias is returned by operators whose output is their first input with a
// new shape (Reshape, Flatten, Squeeze, Unsqueeze, Identity, Dropout): no
// step runs, the output shares the input's storage.
type alias struct{}

func (alias) run(*workers) {}

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
