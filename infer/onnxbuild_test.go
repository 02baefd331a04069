package infer

import (
	"math"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
)

// gb builds small ONNX models for tests, field by field.
type gb struct {
	opset   int64
	nodes   [][]byte
	inits   [][]byte
	inputs  [][]byte
	outputs [][]byte
	meta    [][2]string
}

func newGB(opset int64) *gb { return &gb{opset: opset} }

func msg(fields ...[]byte) []byte {
	var b []byte
	for _, f := range fields {
		b = append(b, f...)
	}
	return b
}

func fBytes(num protowire.Number, v []byte) []byte {
	b := protowire.AppendTag(nil, num, protowire.BytesType)
	return protowire.AppendBytes(b, v)
}

func fString(num protowire.Number, s string) []byte { return fBytes(num, []byte(s)) }

func fVarint(num protowire.Number, v int64) []byte {
	b := protowire.AppendTag(nil, num, protowire.VarintType)
	return protowire.AppendVarint(b, uint64(v))
}

// valueInfo encodes a tensor ValueInfoProto; a negative dim is symbolic.
func valueInfo(name string, dt DType, dims ...int64) []byte {
	var shape []byte
	for _, d := range dims {
		if d < 0 {
			shape = append(shape, fBytes(fShapeDim, fString(fDimParam, "batch"))...)
		} else {
			shape = append(shape, fBytes(fShapeDim, fVarint(fDimValue, d))...)
		}
	}
	tt := msg(fVarint(fTensorElem, int64(dt)), fBytes(fTensorShape, shape))
	return msg(fString(fValueName, name), fBytes(fValueType, fBytes(fTypeTensor, tt)))
}

func (g *gb) input(name string, dims ...int64) *gb {
	g.inputs = append(g.inputs, valueInfo(name, Float32, dims...))
	return g
}

func (g *gb) output(name string) *gb {
	g.outputs = append(g.outputs, fString(fValueName, name))
	return g
}

func tensorF(name string, dims []int64, data []float32) []byte {
	var b []byte
	for _, d := range dims {
		b = append(b, fVarint(fTensorDims, d)...)
	}
	b = append(b, fVarint(fTensorDataType, int64(Float32))...)
	raw := make([]byte, 0, 4*len(data))
	for _, v := range data {
		raw = protowire.AppendFixed32(raw, math.Float32bits(v))
	}
	b = append(b, fBytes(fTensorRaw, raw)...)
	return append(b, fString(fTensorName, name)...)
}

func tensorI(name string, dims []int64, data []int64) []byte {
	var b []byte
	for _, d := range dims {
		b = append(b, fVarint(fTensorDims, d)...)
	}
	b = append(b, fVarint(fTensorDataType, int64(Int64))...)
	var packed []byte
	for _, v := range data {
		packed = protowire.AppendVarint(packed, uint64(v))
	}
	b = append(b, fBytes(fTensorInt64s, packed)...)
	return append(b, fString(fTensorName, name)...)
}

func (g *gb) initF(name string, dims []int64, data []float32) *gb {
	g.inits = append(g.inits, tensorF(name, dims, data))
	return g
}

func (g *gb) initI(name string, dims []int64, data []int64) *gb {
	g.inits = append(g.inits, tensorI(name, dims, data))
	return g
}

func attrInt(name string, v int64) []byte {
	return msg(fString(fAttrName, name), fVarint(fAttrType, 2), fVarint(fAttrI, v))
}

func attrFloat(name string, v float32) []byte {
	b := protowire.AppendTag(nil, fAttrF, protowire.Fixed32Type)
	b = protowire.AppendFixed32(b, math.Float32bits(v))
	return msg(fString(fAttrName, name), fVarint(fAttrType, 1), b)
}

func attrInts(name string, v ...int64) []byte {
	b := msg(fString(fAttrName, name), fVarint(fAttrType, 7))
	for _, x := range v {
		b = append(b, fVarint(fAttrInts, x)...)
	}
	return b
}

func attrString(name, v string) []byte {
	return msg(fString(fAttrName, name), fVarint(fAttrType, 3), fString(fAttrS, v))
}

func (g *gb) node(name, op string, ins, outs []string, attrs ...[]byte) *gb {
	var b []byte
	for _, in := range ins {
		b = append(b, fString(fNodeInput, in)...)
	}
	for _, o := range outs {
		b = append(b, fString(fNodeOutput, o)...)
	}
	b = append(b, fString(fNodeName, name)...)
	b = append(b, fString(fNodeOpType, op)...)
	for _, a := range attrs {
		b = append(b, fBytes(fNodeAttr, a)...)
	}
	g.nodes = append(g.nodes, b)
	return g
}

func (g *gb) bytes() []byte {
	var graph []byte
	for _, n := range g.nodes {
		graph = append(graph, fBytes(fGraphNode, n)...)
	}
	graph = append(graph, fString(fGraphName, "test")...)
	for _, t := range g.inits {
		graph = append(graph, fBytes(fGraphInit, t)...)
	}
	for _, in := range g.inputs {
		graph = append(graph, fBytes(fGraphInput, in)...)
	}
	for _, o := range g.outputs {
		graph = append(graph, fBytes(fGraphOutput, o)...)
	}
	m := fVarint(fModelIRVersion, 8)
	m = append(m, fString(fModelProducer, "edge-test")...)
	m = append(m, fBytes(fModelGraph, graph)...)
	m = append(m, fBytes(fModelOpset, msg(fString(fOpsetDomain, ""), fVarint(fOpsetVersion, g.opset)))...)
	for _, kv := range g.meta {
		m = append(m, fBytes(fModelMetadata, msg(fString(fKVKey, kv[0]), fString(fKVValue, kv[1])))...)
	}
	return m
}

// mustPlan loads model and plans it on the given threads; the test fails
// where either does. The caller closes the plan.
func mustPlan(t *testing.T, model []byte, threads int) *Plan {
	t.Helper()
	m, err := Load(model)
	if err != nil {
		t.Fatal(err)
	}
	p, err := m.Plan(Options{Threads: threads})
	if err != nil {
		t.Fatal(err)
	}
	return p
}
