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

// Field numbers from onnx.proto (IR version 8).
const (
	fModelIRVersion   = 1
	fModelProducer    = 2
	fModelProducerVer = 3
	fModelDomain      = 4
	fModelVersion     = 5
	fModelDoc         = 6
	fModelGraph       = 7
	fModelOpset       = 8
	fModelMetadata    = 14
	fModelFunctions   = 25

	fOpsetDomain  = 1
	fOpsetVersion = 2

	fKVKey   = 1
	fKVValue = 2

	fGraphNode       = 1
	fGraphName       = 2
	fGraphInit       = 5
	fGraphSparseInit = 15
	fGraphInput      = 11
	fGraphOutput     = 12

	fNodeInput  = 1
	fNodeOutput = 2
	fNodeName   = 3
	fNodeOpType = 4
	fNodeAttr   = 5
	fNodeDomain = 7

	fAttrName     = 1
	fAttrF        = 2
	fAttrI        = 3
	fAttrS        = 4
	fAttrT        = 5
	fAttrG        = 6
	fAttrFloats   = 7
	fAttrInts     = 8
	fAttrStrings  = 9
	fAttrTensors  = 10
	fAttrGraphs   = 11
	fAttrTP       = 14
	fAttrType     = 20
	fAttrSparseT  = 22
	fAttrSparseTs = 23
	fAttrTPs      = 15

	fTensorDims     = 1
	fTensorDataType = 2
	fTensorSegment  = 3
	fTensorFloats   = 4
	fTensorInt32s   = 5
	fTensorStrings  = 6
	fTensorInt64s   = 7
	fTensorName     = 8
	fTensorRaw      = 9
	fTensorDoubles  = 10
	fTensorUint64s  = 11
	fTensorExternal = 13
	fTensorLocation = 14

	fValueName = 1
	fValueType = 2

	fTypeTensor  = 1
	fTensorElem  = 1
	fTensorShape = 2
	fShapeDim    = 1
	fDimValue    = 1
	fDimParam    = 2
)

// Limits on what a model file may declare.
const (
	maxNodes      = 1 << 20
	maxTotalElems = 1 << 30 // all initializers together, elements
	maxRank       = 8
)

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
	nodes     int
	sanitized []byte // the whitelisted copy handed to onnx-go
}

var errTruncated = errors.New("truncated or malformed protobuf")

// field is one decoded protobuf field.
type field struct {
	num protowire.Number
	typ protowire.Type
	v   uint64 // varint, fixed32 or fixed64 value
	b   []byte // bytes value
	raw []byte // the whole encoded field, tag included
}

// fields walks the fields of one message.
func fields(msg []byte, fn func(f field) error) error {
	for len(msg) > 0 {
		num, typ, n := protowire.ConsumeTag(msg)
		if n < 0 {
			return errTruncated
		}
		f := field{num: num, typ: typ}
		var m int
		switch typ {
		case protowire.VarintType:
			f.v, m = protowire.ConsumeVarint(msg[n:])
		case protowire.Fixed32Type:
			var x uint32
			x, m = protowire.ConsumeFixed32(msg[n:])
			f.v = uint64(x)
		case protowire.Fixed64Type:
			f.v, m = protowire.ConsumeFixed64(msg[n:])
		case protowire.BytesType:
			f.b, m = protowire.ConsumeBytes(msg[n:])
		default:
			m = protowire.ConsumeFieldValue(num, typ, msg[n:])
		}
		if m < 0 {
			return errTruncated
		}
		f.raw = msg[:n+m]
		msg = msg[n+m:]
		if err := fn(f); err != nil {
			return err
		}
	}
	return nil
}

// ints decodes a repeated int64 field, packed or not, appending to dst.
func ints(f field, dst []int64) ([]int64, error) {
	switch f.typ {
	case protowire.VarintType:
		return append(dst, int64(f.v)), nil
	case protowire.BytesType:
		b := f.b
		for len(b) > 0 {
			v, n := protowire.ConsumeVarint(b)
			if n < 0 {
				return nil, errTruncated
			}
			dst = append(dst, int64(v))
			b = b[n:]
		}
		return dst, nil
	}
	return nil, errTruncated
}

// countPacked counts elements of a repeated scalar field of the given width
// (0 for varints), packed or not.
func countPacked(f field, width int) (int, error) {
	if f.typ != protowire.BytesType {
		return 1, nil
	}
	if width > 0 {
		if len(f.b)%width != 0 {
			return 0, errTruncated
		}
		return len(f.b) / width, nil
	}
	n := 0
	for b := f.b; len(b) > 0; n++ {
		_, m := protowire.ConsumeVarint(b)
		if m < 0 {
			return 0, errTruncated
		}
		b = b[m:]
	}
	return n, nil
}

func str(f field) (string, error) {
	if f.typ != protowire.BytesType {
		return "", errTruncated
	}
	return string(f.b), nil
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
	err := fields(g, func(f field) error {
		switch f.num {
		case fGraphName:
			h.graphName, _ = str(f)
		case fGraphNode:
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
		case fNodeInput, fNodeOutput:
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

var elemSize = map[DType]int{Float32: 4, Int64: 8, Int32: 4, Float64: 8, Bool: 1,
	Uint8: 1, Int8: 1, Uint16: 2, Int16: 2, Float16: 2, BFloat16: 2, Uint32: 4, Uint64: 8}

// checkTensor checks that a TensorProto's data matches its dims and type.
// It accepts Float16, which the caller widens with widenFloat16 before
// onnx-go sees the tensor.
func checkTensor(b []byte) (name string, dt DType, elems int, err error) {
	name, dt, elems, err = scanTensor(b)
	if err == nil && boolRaw(b) {
		// onnx-go reads boolean raw_data with the wrong element width.
		return name, dt, 0, unsupportedf("boolean tensors in raw_data are not supported")
	}
	if err == nil && elems == 0 {
		// onnx-go refuses tensors without data; an empty tensor is legal
		// ONNX but no operator edge supports needs one as a weight.
		return name, dt, 0, unsupportedf("empty tensors are not supported")
	}
	return name, dt, elems, err
}

func boolRaw(b []byte) bool {
	var dt DType
	raw := false
	_ = fields(b, func(f field) error {
		switch f.num {
		case fTensorDataType:
			dt = DType(int32(f.v))
		case fTensorRaw:
			raw = true
		}
		return nil
	})
	return dt == Bool && raw
}

// checkTensorAllowEmpty checks a tensor that is decoded as it is
// (DecodeTensorProto's): float16 is not among its types.
func checkTensorAllowEmpty(b []byte) (name string, elems int, err error) {
	var dt DType
	name, dt, elems, err = scanTensor(b)
	if err == nil && dt == Float16 {
		return name, 0, unsupportedf("data type %v is not supported", dt)
	}
	return name, elems, err
}

// scanTensor checks that a TensorProto's data matches its dims and that
// its type is one edge holds or widens (Float16), and returns the type and
// the element count.
func scanTensor(b []byte) (name string, dt DType, elems int, err error) {
	var dims []int64
	counts := map[protowire.Number]int{}
	var raw []byte
	hasRaw := false
	err = fields(b, func(f field) error {
		switch f.num {
		case fTensorName:
			name, _ = str(f)
		case fTensorDims:
			var e error
			dims, e = ints(f, dims)
			return e
		case fTensorDataType:
			dt = DType(int32(f.v))
		case fTensorSegment:
			return unsupportedf("segmented tensors are not supported")
		case fTensorExternal, fTensorLocation:
			if f.num == fTensorLocation && f.v == 0 {
				return nil
			}
			return unsupportedf("tensors with external data are not supported; re-export with the weights inside the file")
		case fTensorRaw:
			raw, hasRaw = f.b, true
		case fTensorFloats, fTensorInt32s:
			n, e := countPacked(f, map[protowire.Number]int{fTensorFloats: 4, fTensorInt32s: 0}[f.num])
			if f.num == fTensorFloats && f.typ == protowire.Fixed32Type {
				n, e = 1, nil
			}
			counts[f.num] += n
			return e
		case fTensorInt64s, fTensorUint64s:
			n, e := countPacked(f, 0)
			counts[f.num] += n
			return e
		case fTensorDoubles:
			n, e := countPacked(f, 8)
			if f.typ == protowire.Fixed64Type {
				n, e = 1, nil
			}
			counts[f.num] += n
			return e
		case fTensorStrings:
			counts[f.num]++
		}
		return nil
	})
	if err != nil {
		return name, dt, 0, err
	}
	if len(dims) > maxRank {
		return name, dt, 0, fmt.Errorf("rank %d exceeds %d", len(dims), maxRank)
	}
	shape := make([]int, len(dims))
	for i, d := range dims {
		if d < 0 || d > math.MaxInt32 {
			return name, dt, 0, fmt.Errorf("dimension %d out of range", d)
		}
		shape[i] = int(d)
	}
	n, err := checkedNumel(shape)
	if err != nil {
		return name, dt, 0, err
	}
	if !dt.supported() && dt != Float16 {
		return name, dt, 0, unsupportedf("data type %v is not supported", dt)
	}
	if n == 0 {
		return name, dt, 0, nil
	}
	var got int
	switch {
	case hasRaw:
		if len(raw)%elemSize[dt] != 0 {
			return name, dt, 0, fmt.Errorf("raw_data of %d bytes is not a whole number of %v", len(raw), dt)
		}
		got = len(raw) / elemSize[dt]
	case dt == Float32:
		got = counts[fTensorFloats]
	case dt == Int32 || dt == Bool || dt == Float16:
		got = counts[fTensorInt32s]
	case dt == Int64:
		got = counts[fTensorInt64s]
	case dt == Float64:
		got = counts[fTensorDoubles]
	}
	if got != n {
		return name, dt, 0, fmt.Errorf("holds %d values but its shape %v needs %d", got, shape, n)
	}
	return name, dt, n, nil
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

// DecodeTensorProto decodes a serialized ONNX TensorProto (the format of
// the ONNX test data sets' input_N.pb and output_N.pb files).
func DecodeTensorProto(b []byte) (name string, t *Tensor, err error) {
	name, n, err := checkTensorAllowEmpty(b)
	if err != nil {
		return name, nil, err
	}
	t = &Tensor{}
	var dims []int64
	var raw []byte
	hasRaw := false
	err = fields(b, func(f field) error {
		switch f.num {
		case fTensorDims:
			var e error
			dims, e = ints(f, dims)
			return e
		case fTensorDataType:
			t.DType = DType(int32(f.v))
		case fTensorRaw:
			raw, hasRaw = f.b, true
		case fTensorFloats:
			if f.typ == protowire.Fixed32Type {
				t.F = append(t.F, math.Float32frombits(uint32(f.v)))
				return nil
			}
			for p := f.b; len(p) >= 4; p = p[4:] {
				t.F = append(t.F, math.Float32frombits(uint32(p[0])|uint32(p[1])<<8|uint32(p[2])<<16|uint32(p[3])<<24))
			}
		case fTensorDoubles:
			if f.typ == protowire.Fixed64Type {
				t.F = append(t.F, float32(math.Float64frombits(f.v)))
				return nil
			}
			for p := f.b; len(p) >= 8; p = p[8:] {
				var v uint64
				for j := 7; j >= 0; j-- {
					v = v<<8 | uint64(p[j])
				}
				t.F = append(t.F, float32(math.Float64frombits(v)))
			}
		case fTensorInt32s, fTensorInt64s:
			var e error
			t.I, e = ints(f, t.I)
			if f.num == fTensorInt32s {
				for i := range t.I {
					t.I[i] = int64(int32(t.I[i]))
				}
			}
			return e
		}
		return nil
	})
	if err != nil {
		return name, nil, err
	}
	t.Shape = toInts(dims)
	if hasRaw {
		switch t.DType {
		case Float32:
			t.F = make([]float32, n)
			for i := range t.F {
				t.F[i] = math.Float32frombits(uint32(raw[4*i]) | uint32(raw[4*i+1])<<8 | uint32(raw[4*i+2])<<16 | uint32(raw[4*i+3])<<24)
			}
		case Int64:
			t.I = make([]int64, n)
			for i := range t.I {
				var v uint64
				for j := 7; j >= 0; j-- {
					v = v<<8 | uint64(raw[8*i+j])
				}
				t.I[i] = int64(v)
			}
		case Int32:
			t.I = make([]int64, n)
			for i := range t.I {
				t.I[i] = int64(int32(uint32(raw[4*i]) | uint32(raw[4*i+1])<<8 | uint32(raw[4*i+2])<<16 | uint32(raw[4*i+3])<<24))
			}
		case Bool:
			t.I = make([]int64, n)
			for i := range t.I {
				if raw[i] != 0 {
					t.I[i] = 1
				}
			}
		case Float64:
			t.F = make([]float32, n)
			for i := range t.F {
				var v uint64
				for j := 7; j >= 0; j-- {
					v = v<<8 | uint64(raw[8*i+j])
				}
				t.F[i] = float32(math.Float64frombits(v))
			}
		}
	}
	if (t.DType == Float32 || t.DType == Float64) && t.F == nil {
		t.F = []float32{}
	}
	if t.DType.isInt() && t.I == nil {
		t.I = []int64{}
	}
	return name, t, nil
}
