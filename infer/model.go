// Package infer imports ONNX models and runs them with edge's own
// execution plans: a static schedule for fixed input shapes, constants
// folded, batch normalisation folded into convolutions, activations fused
// into their producers and every intermediate tensor placed in one arena,
// so that running a plan allocates nothing.
//
// onnx-go decodes the file (nodes, attributes, initializers); this package
// reads the fields onnx-go does not pass on (opset_import, metadata_props,
// symbolic input shapes) and checks the file before decoding it.
package infer

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"sort"

	onnx "github.com/owulveryck/onnx-go"
)

// Model is a decoded, checked ONNX model. It is immutable; plans made from
// it are independent of each other.
type Model struct {
	// Opset is the version of the default ONNX operator set the file uses.
	Opset int64
	// IRVersion is the file's ONNX IR version.
	IRVersion int64
	// Producer names the exporter ("pytorch 1.13.1").
	Producer string
	// Metadata holds the file's metadata_props.
	Metadata map[string]string
	// Inputs are the graph inputs that are not initializers.
	Inputs []ValueInfo
	// Outputs are the graph outputs.
	Outputs []ValueInfo
	// SHA256 is the digest of the file's bytes.
	SHA256 [32]byte
	// Size is the file's length in bytes.
	Size int

	nodes []*mnode
	inits map[string]*Tensor
}

// mnode is one operator of the model.
type mnode struct {
	name  string
	op    string
	ins   []string // "" for an omitted optional input
	outs  []string
	attrs map[string]interface{}
}

// LoadFile reads and decodes an ONNX model file.
func LoadFile(path string) (*Model, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m, err := Load(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// Load decodes an ONNX model. A file that is malformed, or that uses an
// operator, attribute or data type edge does not support, is refused with
// an error naming the node and what is wrong.
func Load(data []byte) (*Model, error) {
	h, err := parseHeader(data)
	if err != nil {
		return nil, err
	}
	d := newDecoder()
	if err := decodeSafely(d, h.sanitized); err != nil {
		return nil, fmt.Errorf("decoding graph: %w", err)
	}
	if len(d.ops) != h.nodes {
		return nil, fmt.Errorf("decoding graph: %d nodes decoded, %d in the file", len(d.ops), h.nodes)
	}
	m := &Model{
		Opset:     h.opsets[""],
		IRVersion: h.irVersion,
		Producer:  h.producer,
		Metadata:  h.metadata,
		Outputs:   h.outputs,
		SHA256:    sha256.Sum256(data),
		Size:      len(data),
		inits:     map[string]*Tensor{},
	}
	if h.prodVer != "" {
		m.Producer += " " + h.prodVer
	}
	if m.Opset < 1 {
		return nil, fmt.Errorf("opset %d is not valid", m.Opset)
	}
	for _, g := range d.order {
		if g.t != nil && h.initNames[g.name] {
			m.inits[g.name] = g.t
		}
	}
	for name := range h.initNames {
		if m.inits[name] == nil {
			return nil, fmt.Errorf("initializer %q could not be decoded", name)
		}
	}
	for _, in := range h.inputs {
		if !h.initNames[in.Name] {
			m.Inputs = append(m.Inputs, in)
		}
	}
	names, ops := nodeNames(h.sanitized)
	for i, r := range d.ops {
		n := &mnode{name: names[i], op: r.op, attrs: r.attrs}
		if ops[i] != r.op {
			return nil, fmt.Errorf("decoding graph: node %d is %s, onnx-go says %s", i, ops[i], r.op)
		}
		if r.op != "Constant" {
			for _, in := range r.ins {
				n.ins = append(n.ins, in.name)
			}
		}
		for _, o := range r.outs {
			n.outs = append(n.outs, o.name)
		}
		m.nodes = append(m.nodes, n)
	}
	if err := m.checkGraph(); err != nil {
		return nil, err
	}
	if err := m.checkOps(); err != nil {
		return nil, err
	}
	if m.fixedShapes() {
		// Build the plan at batch 1 without running it, so that attribute
		// values and data types edge does not support fail here, at load
		// time. Other errors wait for the real shapes.
		if err := m.Check(Options{Threads: 1}); errors.Is(err, ErrUnsupported) {
			return nil, err
		}
	}
	return m, nil
}

// fixedShapes reports whether every input is float32 with a declared shape
// whose only symbolic dimension, if any, is the first (the batch).
func (m *Model) fixedShapes() bool {
	for _, in := range m.Inputs {
		if in.DType != Float32 || in.Dims == nil {
			return false
		}
		for i, d := range in.Dims {
			if i > 0 && (d.Param != "" || d.Value < 0) {
				return false
			}
		}
	}
	return true
}

// decodeSafely runs onnx-go's decoder, turning a panic inside it into an error.
func decodeSafely(d *decoder, b []byte) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("onnx-go: %w: %v", errInternal, r)
		}
	}()
	return onnx.NewModel(d).UnmarshalBinary(b)
}

// nodeNames lists node names and op types in file order (onnx-go does not
// pass node names to the backend).
func nodeNames(sanitized []byte) (names, ops []string) {
	_ = fields(sanitized, func(f field) error {
		if f.num != fModelGraph {
			return nil
		}
		return fields(f.b, func(g field) error {
			if g.num != fGraphNode {
				return nil
			}
			var name, op string
			_ = fields(g.b, func(n field) error {
				switch n.num {
				case fNodeName:
					name, _ = str(n)
				case fNodeOpType:
					op, _ = str(n)
				}
				return nil
			})
			names = append(names, name)
			ops = append(ops, op)
			return nil
		})
	})
	return names, ops
}

func (n *mnode) String() string {
	if n.name == "" {
		return fmt.Sprintf("node (%s)", n.op)
	}
	return fmt.Sprintf("node %q (%s)", n.name, n.op)
}

// checkGraph checks that every value has one producer, that every input
// exists, and that the graph has no cycle; it leaves m.nodes in
// topological order.
func (m *Model) checkGraph() error {
	producer := map[string]int{}
	avail := map[string]bool{}
	for name := range m.inits {
		avail[name] = true
	}
	for _, in := range m.Inputs {
		if in.Name == "" {
			return errors.New("a graph input has no name")
		}
		if avail[in.Name] {
			return fmt.Errorf("graph input %q defined twice", in.Name)
		}
		avail[in.Name] = true
	}
	for i, n := range m.nodes {
		for _, o := range n.outs {
			if o == "" {
				continue
			}
			if avail[o] {
				return fmt.Errorf("%v: output %q is also a graph input or initializer", n, o)
			}
			if _, dup := producer[o]; dup {
				return fmt.Errorf("%v: output %q is produced twice", n, o)
			}
			producer[o] = i
		}
	}
	for _, n := range m.nodes {
		for _, in := range n.ins {
			if in == "" || avail[in] {
				continue
			}
			if _, ok := producer[in]; !ok {
				return fmt.Errorf("%v: input %q is neither a graph input, an initializer nor a node output", n, in)
			}
		}
	}
	for _, o := range m.Outputs {
		if _, ok := producer[o.Name]; !ok && !avail[o.Name] {
			return fmt.Errorf("graph output %q is never produced", o.Name)
		}
	}
	// Kahn's algorithm, stable in file order.
	indeg := make([]int, len(m.nodes))
	users := make([][]int, len(m.nodes))
	for i, n := range m.nodes {
		for _, in := range n.ins {
			if p, ok := producer[in]; ok && in != "" {
				indeg[i]++
				users[p] = append(users[p], i)
			}
		}
	}
	var ready []int
	for i := range m.nodes {
		if indeg[i] == 0 {
			ready = append(ready, i)
		}
	}
	order := make([]*mnode, 0, len(m.nodes))
	for len(ready) > 0 {
		sort.Ints(ready)
		i := ready[0]
		ready = ready[1:]
		order = append(order, m.nodes[i])
		for _, u := range users[i] {
			indeg[u]--
			if indeg[u] == 0 {
				ready = append(ready, u)
			}
		}
	}
	if len(order) != len(m.nodes) {
		for i, d := range indeg {
			if d > 0 {
				return fmt.Errorf("%v: the graph has a cycle through this node", m.nodes[i])
			}
		}
	}
	m.nodes = order
	return nil
}

// checkOps refuses operators, opsets and attributes edge does not know.
func (m *Model) checkOps() error {
	for _, n := range m.nodes {
		def, ok := registry[n.op]
		if !ok {
			return unsupportedf("%v: operator %s is not supported", n, n.op)
		}
		if def.sinceOpset > 0 && m.Opset < def.sinceOpset {
			return fmt.Errorf("%v: operator %s needs opset %d, the model has %d", n, n.op, def.sinceOpset, m.Opset)
		}
		for name := range n.attrs {
			if !def.knows(name) {
				return unsupportedf("%v: attribute %q is not supported", n, name)
			}
		}
	}
	return nil
}

// Ops returns the operator types used, with counts.
func (m *Model) Ops() map[string]int {
	c := map[string]int{}
	for _, n := range m.nodes {
		c[n.op]++
	}
	return c
}

// Params returns the number of parameters (initializer elements).
func (m *Model) Params() int {
	p := 0
	for _, t := range m.inits {
		p += t.Len()
	}
	return p
}

// ModelInfo is a summary of one input or output.
func (v ValueInfo) String() string {
	s := v.Name + " " + v.DType.String() + "["
	for i, d := range v.Dims {
		if i > 0 {
			s += ","
		}
		if d.Param != "" {
			s += d.Param
		} else if d.Value < 0 {
			s += "?"
		} else {
			s += fmt.Sprint(d.Value)
		}
	}
	return s + "]"
}
