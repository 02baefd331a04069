package infer

import (
	"fmt"
	"sort"

	onnx "github.com/owulveryck/onnx-go"
	"gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/iterator"
	"gorgonia.org/tensor"
)

// gnode is a value of the ONNX graph (a tensor name) as onnx-go's decoder
// sees it: it may carry an initializer.
type gnode struct {
	id   int64
	name string
	t    *Tensor
	err  error // set when the initializer could not be converted
}

func (n *gnode) ID() int64                { return n.id }
func (n *gnode) SetName(s string)         { n.name = s }
func (n *gnode) GetName() string          { return n.name }
func (n *gnode) GetTensor() tensor.Tensor { return nil }

// SetTensor receives initializers (and, from onnx-go, nothing else: the
// sanitized file carries no value types).
func (n *gnode) SetTensor(t tensor.Tensor) error {
	c, err := fromGorgonia(t)
	if err != nil {
		n.err = err
		return fmt.Errorf("initializer %q: %w", n.name, err)
	}
	n.t = c
	return nil
}

type gedge struct {
	from, to *gnode
	w        float64
}

func (e gedge) From() graph.Node         { return e.from }
func (e gedge) To() graph.Node           { return e.to }
func (e gedge) ReversedEdge() graph.Edge { return gedge{e.to, e.from, e.w} }
func (e gedge) Weight() float64          { return e.w }

// rawNode is one ONNX operator as decoded: its outputs in order, its
// inputs in order (duplicates kept) and its attributes.
type rawNode struct {
	op    string
	attrs map[string]interface{}
	ins   []*gnode
	outs  []*gnode
}

// decoder is the backend onnx-go decodes into. It implements gonum's
// DirectedWeightedBuilder, but unlike a gonum graph it keeps every edge in
// the order onnx-go adds them: onnx-go adds, for each output of a node,
// one edge per input weighted by the input's position, and an input used
// twice (Mul(x, x)) would otherwise collapse into one edge.
type decoder struct {
	nodes   map[int64]*gnode
	order   []*gnode
	pending []gedge
	ops     []*rawNode
}

func newDecoder() *decoder { return &decoder{nodes: map[int64]*gnode{}} }

func (d *decoder) NewNode() graph.Node { return &gnode{id: int64(len(d.order))} }

func (d *decoder) AddNode(n graph.Node) {
	g := n.(*gnode)
	if _, dup := d.nodes[g.id]; dup {
		panic(fmt.Sprintf("node id %d added twice", g.id)) // onnx-go never does this
	}
	d.nodes[g.id] = g
	d.order = append(d.order, g)
}

func (d *decoder) NewWeightedEdge(from, to graph.Node, w float64) graph.WeightedEdge {
	return gedge{from.(*gnode), to.(*gnode), w}
}

func (d *decoder) SetWeightedEdge(e graph.WeightedEdge) {
	d.pending = append(d.pending, e.(gedge))
}

// ApplyOperation closes the node whose edges were just added.
func (d *decoder) ApplyOperation(op onnx.Operation, outs ...graph.Node) error {
	n := &rawNode{op: op.Name, attrs: op.Attributes}
	for _, o := range outs {
		n.outs = append(n.outs, o.(*gnode))
	}
	// The edges of the first output, weights 0, 1, 2, ..., are the inputs.
	for i, e := range d.pending {
		if i > 0 && e.w == 0 {
			break
		}
		if int(e.w) != i {
			return fmt.Errorf("%s: inputs arrived out of order", op.Name)
		}
		n.ins = append(n.ins, e.to)
	}
	d.pending = d.pending[:0]
	d.ops = append(d.ops, n)
	return nil
}

// The read side of the graph interface, which onnx-go does not use but
// the interface requires.

func (d *decoder) Node(id int64) graph.Node {
	if n, ok := d.nodes[id]; ok {
		return n
	}
	return nil
}

func (d *decoder) Nodes() graph.Nodes {
	ns := make([]graph.Node, len(d.order))
	for i, n := range d.order {
		ns[i] = n
	}
	return iterator.NewOrderedNodes(ns)
}

func (d *decoder) edges() []gedge {
	var es []gedge
	for _, op := range d.ops {
		for _, o := range op.outs {
			for i, in := range op.ins {
				es = append(es, gedge{o, in, float64(i)})
			}
		}
	}
	return es
}

func (d *decoder) From(id int64) graph.Nodes { return d.adj(id, true) }
func (d *decoder) To(id int64) graph.Nodes   { return d.adj(id, false) }

func (d *decoder) adj(id int64, from bool) graph.Nodes {
	seen := map[int64]bool{}
	var ns []graph.Node
	for _, e := range d.edges() {
		a, b := e.from, e.to
		if !from {
			a, b = b, a
		}
		if a.id == id && !seen[b.id] {
			seen[b.id] = true
			ns = append(ns, b)
		}
	}
	sort.Slice(ns, func(i, j int) bool { return ns[i].ID() < ns[j].ID() })
	return iterator.NewOrderedNodes(ns)
}

func (d *decoder) HasEdgeBetween(x, y int64) bool {
	return d.HasEdgeFromTo(x, y) || d.HasEdgeFromTo(y, x)
}

func (d *decoder) HasEdgeFromTo(u, v int64) bool { return d.Edge(u, v) != nil }

func (d *decoder) Edge(u, v int64) graph.Edge {
	for _, e := range d.edges() {
		if e.from.id == u && e.to.id == v {
			return e
		}
	}
	return nil
}

func (d *decoder) WeightedEdge(u, v int64) graph.WeightedEdge {
	if e := d.Edge(u, v); e != nil {
		return e.(gedge)
	}
	return nil
}

func (d *decoder) Weight(u, v int64) (float64, bool) {
	if e := d.Edge(u, v); e != nil {
		return e.(gedge).w, true
	}
	return 0, u == v
}

// fromGorgonia converts a decoded tensor into ours.
func fromGorgonia(t tensor.Tensor) (*Tensor, error) {
	if t == nil {
		return nil, fmt.Errorf("no data")
	}
	shape := append([]int(nil), t.Shape()...)
	if len(shape) == 1 && shape[0] == 1 && t.Dims() == 0 {
		shape = nil
	}
	var out *Tensor
	switch v := t.Data().(type) {
	case []float32:
		out = &Tensor{DType: Float32, F: append([]float32(nil), v...)}
	case float32:
		out = &Tensor{DType: Float32, F: []float32{v}}
	case []int64:
		out = &Tensor{DType: Int64, I: append([]int64(nil), v...)}
	case int64:
		out = &Tensor{DType: Int64, I: []int64{v}}
	case []float64:
		out = &Tensor{DType: Float64, F: make([]float32, len(v))}
		for i, x := range v {
			out.F[i] = float32(x)
		}
	case float64:
		out = &Tensor{DType: Float64, F: []float32{float32(v)}}
	case []int32:
		out = &Tensor{DType: Int32, I: make([]int64, len(v))}
		for i, x := range v {
			out.I[i] = int64(x)
		}
	case int32:
		out = &Tensor{DType: Int32, I: []int64{int64(v)}}
	case []bool:
		out = &Tensor{DType: Bool, I: make([]int64, len(v))}
		for i, x := range v {
			if x {
				out.I[i] = 1
			}
		}
	case bool:
		out = &Tensor{DType: Bool, I: []int64{0}}
		if v {
			out.I[0] = 1
		}
	default:
		return nil, fmt.Errorf("data type %T is not supported", v)
	}
	if t.Dims() == 0 {
		shape = nil
	}
	out.Shape = shape
	if n := max(len(out.F), len(out.I)); n != numel(shape) {
		return nil, fmt.Errorf("holds %d values for shape %v", n, shape)
	}
	return out, nil
}
