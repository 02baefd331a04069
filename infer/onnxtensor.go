package infer

import (
	"fmt"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// TensorProtos: their data checked against their dims and type before
// onnx-go sees them, float16 widened, and test data decoded.

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
