package infer

import (
	"fmt"
	"math"
	"slices"
)

// DType is an ONNX TensorProto element type. The engine computes in
// float32; the other types exist for plan-time constant folding (shape
// arithmetic) and for integer inputs that are bound when a plan is built.
type DType int32

// The element types edge understands (TensorProto.DataType numbering).
const (
	Undefined DType = 0
	Float32   DType = 1
	Uint8     DType = 2
	Int8      DType = 3
	Uint16    DType = 4
	Int16     DType = 5
	Int32     DType = 6
	Int64     DType = 7
	String    DType = 8
	Bool      DType = 9
	Float16   DType = 10
	Float64   DType = 11
	Uint32    DType = 12
	Uint64    DType = 13
	BFloat16  DType = 16
)

var dtypeNames = map[DType]string{
	Float32: "float32", Uint8: "uint8", Int8: "int8", Uint16: "uint16", Int16: "int16",
	Int32: "int32", Int64: "int64", String: "string", Bool: "bool", Float16: "float16",
	Float64: "float64", Uint32: "uint32", Uint64: "uint64", BFloat16: "bfloat16",
}

func (d DType) String() string {
	if s, ok := dtypeNames[d]; ok {
		return s
	}
	return fmt.Sprintf("dtype(%d)", int32(d))
}

// supported reports whether tensors of this type can exist in a plan.
// Float32 is the compute type; Int64, Int32 and Bool are held as int64
// values and only appear as constants (shapes, indices, masks). Float64
// constants (exporters emit a few, such as an epsilon before a Cast) are
// held in F at float32 precision.
func (d DType) supported() bool {
	switch d {
	case Float32, Int64, Int32, Bool, Float64:
		return true
	}
	return false
}

// isInt reports whether the type is held in Tensor.I.
func (d DType) isInt() bool { return d == Int64 || d == Int32 || d == Bool }

// Tensor is a dense, row-major (C order) tensor. Float32 (and Float64,
// rounded to float32) data lives in F; integer and boolean data in I
// (booleans as 0/1).
type Tensor struct {
	DType DType
	Shape []int
	F     []float32
	I     []int64
}

// NewTensor allocates a zeroed tensor.
func NewTensor(dt DType, shape ...int) *Tensor {
	n := numel(shape)
	t := &Tensor{DType: dt, Shape: append([]int(nil), shape...)}
	if dt.isInt() {
		t.I = make([]int64, n)
	} else {
		t.F = make([]float32, n)
	}
	return t
}

// Len is the number of elements.
func (t *Tensor) Len() int { return numel(t.Shape) }

// Float64At returns element i converted to float64, whatever the type.
func (t *Tensor) Float64At(i int) float64 {
	if t.DType.isInt() {
		return float64(t.I[i])
	}
	return float64(t.F[i])
}

// Clone returns a deep copy.
func (t *Tensor) Clone() *Tensor {
	c := &Tensor{DType: t.DType, Shape: append([]int(nil), t.Shape...)}
	if t.F != nil {
		c.F = append([]float32(nil), t.F...)
	}
	if t.I != nil {
		c.I = append([]int64(nil), t.I...)
	}
	return c
}

func numel(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// maxElems bounds any single tensor (1 GiB of float32): larger shapes are
// refused at load or plan time instead of exhausting memory.
const maxElems = 1 << 28

// checkedNumel multiplies dims, failing on negatives or on a product above maxElems.
func checkedNumel(shape []int) (int, error) {
	n := 1
	for _, d := range shape {
		if d < 0 {
			return 0, fmt.Errorf("negative dimension %d in shape %v", d, shape)
		}
		if d != 0 && n > maxElems/d {
			return 0, fmt.Errorf("shape %v exceeds %d elements", shape, maxElems)
		}
		n *= d
	}
	return n, nil
}

func sameShape(a, b []int) bool { return slices.Equal(a, b) }

// strides returns C-order element strides for shape.
func strides(shape []int) []int {
	s := make([]int, len(shape))
	acc := 1
	for i := len(shape) - 1; i >= 0; i-- {
		s[i] = acc
		acc *= shape[i]
	}
	return s
}

// castInt converts a float to an integer the way ONNX Cast does
// (truncation toward zero), saturating instead of invoking undefined
// behaviour on NaN or out-of-range values.
func castInt(f float64) int64 {
	switch {
	case math.IsNaN(f):
		return 0
	case f >= math.MaxInt64:
		return math.MaxInt64
	case f <= math.MinInt64:
		return math.MinInt64
	}
	return int64(f)
}
