package infer

import (
	"errors"
	"fmt"
	"strings"
)

// The builder is what an operator's build function sees of its node while
// a plan is made: inputs, attributes, outputs, and the errors it returns.

// builder is what an operator's build function sees of its node.
type builder struct {
	n     *node
	a     *attrs
	opset int64
	plan  *Plan
}

// newConst allocates a constant output within the plan's memory budget.
func (b *builder) newConst(dt DType, shape ...int) (*Tensor, error) {
	n, err := checkedNumel(shape)
	if err != nil {
		return nil, b.errf("%v", err)
	}
	if err := b.plan.spend(int64(n) * 8); err != nil {
		return nil, b.errf("%v", err)
	}
	return NewTensor(dt, shape...), nil
}

// in returns input i, or nil when absent.
func (b *builder) in(i int) *value {
	if i < len(b.n.in) {
		return b.n.in[i]
	}
	return nil
}

func (b *builder) nin() int { return len(b.n.in) }

// errf makes an error that names the node. A message that says "not
// supported" marks a feature edge lacks (ErrUnsupported), as opposed to a
// malformed model.
func (b *builder) errf(format string, args ...interface{}) error {
	msg := fmt.Sprintf(format, args...)
	if strings.Contains(msg, "not supported") {
		return &unsupportedError{fmt.Sprintf("%v: %s", b.n, msg)}
	}
	return fmt.Errorf("%v: %s", b.n, msg)
}

// ErrUnsupported is matched (errors.Is) by errors about an operator,
// attribute or data type edge does not implement.
var ErrUnsupported = errors.New("not supported")

type unsupportedError struct{ msg string }

func (e *unsupportedError) Error() string        { return e.msg }
func (e *unsupportedError) Is(target error) bool { return target == ErrUnsupported }

// ErrNeedsConst is matched (errors.Is) by the error of a plan that needs
// one of the model's runtime inputs bound as a constant (Options.Consts):
// the integers of shapes and indices, a Resize's scales. NeedsConst names
// the input.
var ErrNeedsConst = errors.New("a runtime input must be bound as a constant")

type needsConstError struct{ msg, input string }

func (e *needsConstError) Error() string        { return e.msg }
func (e *needsConstError) Is(target error) bool { return target == ErrNeedsConst }

// NeedsConst returns the name of the model input that err says must be
// bound as a constant (Options.Consts), if it says so.
func NeedsConst(err error) (string, bool) {
	var e *needsConstError
	if errors.As(err, &e) {
		return e.input, true
	}
	return "", false
}

// needsConst makes the error of input i, a model input where the node
// needs a constant.
func (b *builder) needsConst(i int, what string) error {
	v := b.in(i)
	msg := fmt.Sprintf("%v: input %d (%q) must be %s (or an input bound with Options.Consts)", b.n, i, v.name, what)
	if v.input {
		return &needsConstError{msg: msg, input: v.name}
	}
	return errors.New(msg)
}

// unsupportedf makes an ErrUnsupported error.
func unsupportedf(format string, args ...interface{}) error {
	return &unsupportedError{fmt.Sprintf(format, args...)}
}

// wantInputs checks the input count.
func (b *builder) wantInputs(min, max int) error {
	n := len(b.n.in)
	for n > 0 && b.n.in[n-1] == nil {
		n--
	}
	if n < min || n > max {
		if min == max {
			return b.errf("wants %d inputs, has %d", min, n)
		}
		return b.errf("wants %d to %d inputs, has %d", min, max, n)
	}
	for i := 0; i < min; i++ {
		if b.n.in[i] == nil {
			return b.errf("input %d is required", i)
		}
	}
	return nil
}

// float checks that input i is float32.
func (b *builder) float(i int) error {
	v := b.in(i)
	if v != nil && v.dtype != Float32 {
		return b.errf("input %d (%q) is %v; this operator computes in float32", i, v.name, v.dtype)
	}
	return nil
}

// constInts returns the values of a constant integer input.
func (b *builder) constInts(i int) ([]int64, error) {
	v := b.in(i)
	if v == nil {
		return nil, nil
	}
	if !v.isConst {
		return nil, b.needsConst(i, "a constant")
	}
	if !v.dtype.isInt() {
		return nil, b.errf("input %d (%q) must be integer, is %v", i, v.name, v.dtype)
	}
	return v.t.I, nil
}

// setOut declares output i.
func (b *builder) setOut(i int, dt DType, shape []int) error {
	if i >= len(b.n.out) || b.n.out[i] == nil {
		return nil // output not used by the graph
	}
	if _, err := checkedNumel(shape); err != nil {
		return b.errf("output %d: %v", i, err)
	}
	v := b.n.out[i]
	v.dtype = dt
	v.shape = append([]int(nil), shape...)
	return nil
}

// setConst declares output i as a constant computed at build time.
func (b *builder) setConst(i int, t *Tensor) error {
	if err := b.setOut(i, t.DType, t.Shape); err != nil {
		return err
	}
	if i < len(b.n.out) && b.n.out[i] != nil {
		b.n.out[i].t = t
		b.n.out[i].isConst = true
	}
	return nil
}

// axis normalises a possibly negative axis for the given rank.
func (b *builder) axis(ax int64, rank int) (int, error) {
	if ax < -int64(rank) || ax >= int64(rank) {
		return 0, b.errf("axis %d out of range for rank %d", ax, rank)
	}
	if ax < 0 {
		ax += int64(rank)
	}
	return int(ax), nil
}
