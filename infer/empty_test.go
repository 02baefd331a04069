package infer

import (
	"errors"
	"testing"
)

// TestEmptyConvRefused: a convolution of an empty tensor is refused when
// the plan is built (it divided by zero, or dereferenced nil, in its
// kernel), while a kernel that handles empty tensors still takes one.
func TestEmptyConvRefused(t *testing.T) {
	for _, c := range []struct {
		op  string
		ins []*Tensor
	}{
		{"Conv", []*Tensor{NewTensor(Float32, 0, 2, 5, 5), NewTensor(Float32, 32, 2, 3, 3)}},
		{"Conv", []*Tensor{NewTensor(Float32, 1, 0, 5, 5), NewTensor(Float32, 32, 0, 3, 3)}},
		{"ConvTranspose", []*Tensor{NewTensor(Float32, 0, 2, 5, 5), NewTensor(Float32, 2, 3, 3, 3)}},
	} {
		for _, fold := range []bool{false, true} {
			if _, err := shRun(13, c.op, nil, c.ins, 1, fold); !errors.Is(err, ErrUnsupported) {
				t.Errorf("%s of %v (folded %v): %v, want ErrUnsupported", c.op, c.ins[0].Shape, fold, err)
			}
		}
	}
	if _, err := shRun(13, "Relu", nil, []*Tensor{NewTensor(Float32, 0, 2, 5, 5)}, 1, false); err != nil {
		t.Errorf("Relu of an empty tensor: %v", err)
	}
}
