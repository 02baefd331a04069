package infer

import (
	"errors"
	"fmt"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// This file reads the parts of an ONNX ModelProto that onnx-go does not
// hand to a backend (opset_import, metadata_props, the symbolic shapes of
// the graph's inputs and outputs) and checks the whole file before onnx-go
// sees it. onnx-go trusts its input: it allocates tensors of any declared
// shape, panics on data that does not fit the dims and recurses into
// nested graphs. The pre-flight pass bounds all of that and re-encodes a
// whitelisted copy of the model (graph nodes, initializers, input and
// output names) for onnx-go to decode.
//
// onnxwire.go holds the protobuf wire-format reading and the field
// numbers; onnxtensor.go the checks of TensorProtos.

// Dim is one dimension of a declared shape: a fixed Value, or a symbolic
// Param (such as "batch") with Value -1.
type Dim struct {
	Value int64
	Param string
}

// ValueInfo describes a graph input or output as declared in the file.
type ValueInfo struct {
	Name  string
	DType DType
	Dims  []Dim
}

// Shape returns the declared shape with symbolic or unknown dims replaced by def.
func (v ValueInfo) Shape(def int) []int {
	s := make([]int, len(v.Dims))
	for i, d := range v.Dims {
		if d.Value >= 0 && d.Param == "" {
			s[i] = int(d.Value)
		} else {
			s[i] = def
		}
	}
	return s
}

// header is what the pre-flight pass learns about a model file.
type header struct {
	irVersion int64
	producer  string
	prodVer   string
	opsets    map[string]int64
	metadata  map[string]string
	graphName string
	inputs    []ValueInfo // all graph inputs, initializers included
	outputs   []ValueInfo
	initNames map[string]bool
	empty     map[string]bool // empty constants, read as absent inputs (emptyConsts)
	nodes     int
	sanitized []byte // the whitelisted copy handed to onnx-go
}

// parseHeader checks a model file and returns its header and sanitized copy.
func parseHeader(data []byte) (*header, error) {
	h := &header{opsets: map[string]int64{}, metadata: map[string]string{}, initNames: map[string]bool{}}
	var graph []byte
	var out []byte
	err := fields(data, func(f field) error {
		switch f.num {
		case fModelIRVersion:
			h.irVersion = int64(f.v)
		case fModelProducer:
			h.producer, _ = str(f)
		case fModelProducerVer:
			h.prodVer, _ = str(f)
		case fModelGraph:
			if f.typ != protowire.BytesType {
				return errTruncated
			}
			graph = f.b
		case fModelOpset:
			var dom string
			var ver int64
			if err := fields(f.b, func(g field) error {
				switch g.num {
				case fOpsetDomain:
					dom, _ = str(g)
				case fOpsetVersion:
					ver = int64(g.v)
				}
				return nil
			}); err != nil {
				return fmt.Errorf("opset_import: %w", err)
			}
			if dom == "ai.onnx" {
				dom = ""
			}
			h.opsets[dom] = ver
		case fModelMetadata:
			var k, v string
			if err := fields(f.b, func(g field) error {
				switch g.num {
				case fKVKey:
					k, _ = str(g)
				case fKVValue:
					v, _ = str(g)
				}
				return nil
			}); err != nil {
				return fmt.Errorf("metadata_props: %w", err)
			}
			h.metadata[k] = v
		case fModelFunctions:
			return unsupportedf("model-local functions are not supported")
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading model: %w", err)
	}
	if graph == nil {
		return nil, errors.New("reading model: no graph (is this an ONNX file?)")
	}
	if _, ok := h.opsets[""]; !ok {
		switch {
		case len(h.opsets) == 0 && h.irVersion > 0 && h.irVersion < 3:
			h.opsets[""] = 1 // IR v1/v2 files predate opset_import
		case len(h.opsets) > 0:
			for dom := range h.opsets {
				return nil, unsupportedf("reading model: operator set %q is not supported", dom)
			}
		default:
			return nil, errors.New("reading model: no opset_import")
		}
	}
	g, err := h.parseGraph(graph)
	if err != nil {
		return nil, fmt.Errorf("reading graph: %w", err)
	}
	out = protowire.AppendTag(out, fModelIRVersion, protowire.VarintType)
	out = protowire.AppendVarint(out, uint64(h.irVersion))
	out = protowire.AppendTag(out, fModelGraph, protowire.BytesType)
	out = protowire.AppendBytes(out, g)
	h.sanitized = out
	return h, nil
}

func (h *header) parseGraph(g []byte) ([]byte, error) {
	var out []byte
	var total int64
	if err := h.emptyConsts(g); err != nil {
		return nil, err
	}
	err := fields(g, func(f field) error {
		switch f.num {
		case fGraphName:
			h.graphName, _ = str(f)
		case fGraphNode:
			if emptyConstant(f.b) != "" {
				return nil // its output is read as absent
			}
			h.nodes++
			if h.nodes > maxNodes {
				return fmt.Errorf("more than %d nodes", maxNodes)
			}
			n, err := h.parseNode(f.b)
			if err != nil {
				return err
			}
			out = protowire.AppendTag(out, fGraphNode, protowire.BytesType)
			out = protowire.AppendBytes(out, n)
		case fGraphInit:
			if name, _, elems, err := scanTensor(f.b); err == nil && elems == 0 && h.empty[name] {
				return nil // read as absent
			}
			name, dt, elems, err := checkTensor(f.b)
			if err != nil {
				return fmt.Errorf("initializer %q: %w", name, err)
			}
			if name == "" {
				return errors.New("initializer without a name")
			}
			if h.initNames[name] {
				return fmt.Errorf("initializer %q defined twice", name)
			}
			h.initNames[name] = true
			total += int64(elems)
			if total > maxTotalElems {
				return fmt.Errorf("initializers hold more than %d elements", maxTotalElems)
			}
			if dt == Float16 {
				t, err := widenFloat16(f.b, elems)
				if err != nil {
					return fmt.Errorf("initializer %q: %w", name, err)
				}
				out = protowire.AppendTag(out, fGraphInit, protowire.BytesType)
				out = protowire.AppendBytes(out, t)
				return nil
			}
			out = append(out, f.raw...)
		case fGraphSparseInit:
			return unsupportedf("sparse initializers are not supported")
		case fGraphInput, fGraphOutput:
			vi, err := parseValueInfo(f.b)
			if err != nil {
				return err
			}
			if f.num == fGraphInput && h.empty[vi.Name] {
				return nil // an empty initializer listed as an input too: left out with it
			}
			if f.num == fGraphInput {
				h.inputs = append(h.inputs, vi)
			} else {
				h.outputs = append(h.outputs, vi)
			}
			// onnx-go gets the name only: shapes and types are ours.
			var v []byte
			v = protowire.AppendTag(v, fValueName, protowire.BytesType)
			v = protowire.AppendString(v, vi.Name)
			out = protowire.AppendTag(out, f.num, protowire.BytesType)
			out = protowire.AppendBytes(out, v)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if h.nodes == 0 {
		return nil, errors.New("the graph has no nodes")
	}
	if len(h.outputs) == 0 {
		return nil, errors.New("the graph has no outputs")
	}
	return out, nil
}

func (h *header) parseNode(b []byte) ([]byte, error) {
	var name, op, dom string
	var out []byte
	var attrs [][]byte
	err := fields(b, func(f field) error {
		switch f.num {
		case fNodeName:
			name, _ = str(f)
		case fNodeOpType:
			op, _ = str(f)
		case fNodeDomain:
			dom, _ = str(f)
		case fNodeAttr:
			attrs = append(attrs, f.b)
			return nil
		case fNodeInput:
			if in, _ := str(f); h.empty[in] {
				// an empty constant: the optional input left out (a
				// Resize's roi at opsets 11–12, as PyTorch exports it)
				out = protowire.AppendTag(out, fNodeInput, protowire.BytesType)
				out = protowire.AppendString(out, "")
				return nil
			}
		case fNodeOutput:
		default:
			return nil
		}
		out = append(out, f.raw...)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("node %q: %w", name, err)
	}
	where := fmt.Sprintf("node %q (%s)", name, op)
	if op == "" {
		return nil, fmt.Errorf("%s: no op_type", where)
	}
	if dom != "" && dom != "ai.onnx" {
		return nil, unsupportedf("%s: operator domain %q is not supported", where, dom)
	}
	for _, a := range attrs {
		s, err := checkAttr(a)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		out = protowire.AppendTag(out, fNodeAttr, protowire.BytesType)
		out = protowire.AppendBytes(out, s)
	}
	return out, nil
}

// checkAttr refuses attribute kinds onnx-go cannot decode safely and
// bounds tensor attributes.
func checkAttr(b []byte) ([]byte, error) {
	var name string
	var out []byte
	var typ uint64
	hasT := false
	err := fields(b, func(f field) error {
		switch f.num {
		case fAttrType:
			typ = f.v
		case fAttrName:
			name, _ = str(f)
		case fAttrG, fAttrGraphs:
			return unsupportedf("attribute %q: subgraphs are not supported", name)
		case fAttrTensors, fAttrSparseT, fAttrSparseTs, fAttrTP, fAttrTPs:
			return unsupportedf("attribute %q: this attribute kind is not supported", name)
		case fAttrT:
			_, dt, elems, err := checkTensor(f.b)
			if err != nil {
				return fmt.Errorf("attribute %q: %w", name, err)
			}
			hasT = true
			if dt == Float16 {
				t, err := widenFloat16(f.b, elems)
				if err != nil {
					return fmt.Errorf("attribute %q: %w", name, err)
				}
				out = protowire.AppendTag(out, fAttrT, protowire.BytesType)
				out = protowire.AppendBytes(out, t)
				return nil
			}
		case fAttrF, fAttrI, fAttrS, fAttrFloats, fAttrInts, fAttrStrings:
		default:
			return nil // doc strings, ref_attr_name: dropped
		}
		out = append(out, f.raw...)
		return nil
	})
	if err == nil && typ == 4 && !hasT { // AttributeProto.TENSOR
		return nil, fmt.Errorf("attribute %q: declared a tensor but holds none", name)
	}
	return out, err
}

func parseValueInfo(b []byte) (ValueInfo, error) {
	var vi ValueInfo
	err := fields(b, func(f field) error {
		switch f.num {
		case fValueName:
			vi.Name, _ = str(f)
		case fValueType:
			return fields(f.b, func(t field) error {
				switch t.num {
				case 4, 5, 8, 9: // sequence_type, map_type, sparse_tensor_type, optional_type
					return unsupportedf("sequence, map, sparse and optional values are not supported")
				}
				if t.num != fTypeTensor {
					return nil
				}
				return fields(t.b, func(tt field) error {
					switch tt.num {
					case fTensorElem:
						vi.DType = DType(int32(tt.v))
					case fTensorShape:
						vi.Dims = []Dim{}
						return fields(tt.b, func(s field) error {
							if s.num != fShapeDim {
								return nil
							}
							d := Dim{Value: -1}
							err := fields(s.b, func(df field) error {
								switch df.num {
								case fDimValue:
									d.Value = int64(df.v)
								case fDimParam:
									d.Param, _ = str(df)
								}
								return nil
							})
							if len(vi.Dims) >= maxRank {
								return fmt.Errorf("value %q: rank above %d", vi.Name, maxRank)
							}
							vi.Dims = append(vi.Dims, d)
							return err
						})
					}
					return nil
				})
			})
		}
		return nil
	})
	if err != nil {
		return vi, fmt.Errorf("value %q: %w", vi.Name, err)
	}
	for _, d := range vi.Dims {
		if d.Value > math.MaxInt32 {
			return vi, fmt.Errorf("value %q: dimension %d out of range", vi.Name, d.Value)
		}
	}
	return vi, nil
}

// emptyConsts records the graph's empty constants (initializers of no
// elements, Constant nodes whose value has none): onnx-go cannot decode
// them and no operator edge supports reads one as data, so each is left
// out and the inputs that name it read as absent. ONNX's way to leave out
// an optional input is an empty name; PyTorch's exporter at opsets 11–12
// passes an empty constant instead (a Resize's roi, its scales when sizes
// are given).
func (h *header) emptyConsts(g []byte) error {
	h.empty = map[string]bool{}
	return fields(g, func(f field) error {
		switch f.num {
		case fGraphInit:
			if name, _, elems, err := scanTensor(f.b); err == nil && elems == 0 && name != "" {
				h.empty[name] = true
			}
		case fGraphNode:
			if out := emptyConstant(f.b); out != "" {
				h.empty[out] = true
			}
		}
		return nil
	})
}

// emptyConstant is the output of a Constant node whose value is a tensor
// of no elements, or "".
func emptyConstant(b []byte) string {
	var op, out string
	empty := false
	_ = fields(b, func(f field) error {
		switch f.num {
		case fNodeOpType:
			op, _ = str(f)
		case fNodeOutput:
			out, _ = str(f)
		case fNodeAttr:
			_ = fields(f.b, func(a field) error {
				if a.num == fAttrT {
					if _, _, elems, err := scanTensor(a.b); err == nil && elems == 0 {
						empty = true
					}
				}
				return nil
			})
		}
		return nil
	})
	if op != "Constant" || !empty {
		return ""
	}
	return out
}
