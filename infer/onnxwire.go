package infer

import (
	"errors"

	"google.golang.org/protobuf/encoding/protowire"
)

// The protobuf wire format as the ONNX pre-flight reads it: fields one at
// a time, bounded, and the field numbers of onnx.proto it needs.

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
