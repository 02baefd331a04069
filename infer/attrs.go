package infer

import (
	"fmt"
	"sort"

	"gorgonia.org/tensor"
)

// attrs gives typed access to a node's attributes and remembers which ones
// an operator read, so that an attribute edge does not know about fails
// the load instead of being silently ignored.
type attrs struct {
	m    map[string]interface{}
	used map[string]bool
	err  error
}

func newAttrs(m map[string]interface{}) *attrs {
	return &attrs{m: m, used: map[string]bool{}}
}

func (a *attrs) fail(format string, args ...interface{}) {
	if a.err == nil {
		a.err = fmt.Errorf(format, args...)
	}
}

func (a *attrs) get(name string) (interface{}, bool) {
	v, ok := a.m[name]
	if ok {
		a.used[name] = true
	}
	return v, ok
}

func (a *attrs) has(name string) bool {
	_, ok := a.m[name]
	return ok
}

// ignore marks attributes that have no effect at inference.
func (a *attrs) ignore(names ...string) {
	for _, n := range names {
		a.get(n)
	}
}

func (a *attrs) int(name string, def int64) int64 {
	v, ok := a.get(name)
	if !ok {
		return def
	}
	i, ok := v.(int64)
	if !ok {
		a.fail("attribute %q: want an int, got %T", name, v)
	}
	return i
}

func (a *attrs) float(name string, def float32) float32 {
	v, ok := a.get(name)
	if !ok {
		return def
	}
	f, ok := v.(float32)
	if !ok {
		a.fail("attribute %q: want a float, got %T", name, v)
	}
	return f
}

func (a *attrs) str(name, def string) string {
	v, ok := a.get(name)
	if !ok {
		return def
	}
	s, ok := v.(string)
	if !ok {
		a.fail("attribute %q: want a string, got %T", name, v)
	}
	return s
}

func (a *attrs) ints(name string, def []int64) []int64 {
	v, ok := a.get(name)
	if !ok {
		return def
	}
	s, ok := v.([]int64)
	if !ok {
		a.fail("attribute %q: want ints, got %T", name, v)
	}
	return s
}

func (a *attrs) floats(name string, def []float32) []float32 {
	v, ok := a.get(name)
	if !ok {
		return def
	}
	s, ok := v.([]float32)
	if !ok {
		a.fail("attribute %q: want floats, got %T", name, v)
	}
	return s
}

func (a *attrs) tensor(name string) *Tensor {
	v, ok := a.get(name)
	if !ok {
		return nil
	}
	t, ok := v.(tensor.Tensor)
	if !ok {
		a.fail("attribute %q: want a tensor, got %T", name, v)
		return nil
	}
	c, err := fromGorgonia(t)
	if err != nil {
		a.fail("attribute %q: %v", name, err)
		return nil
	}
	return c
}

// unused lists attributes nobody read.
func (a *attrs) unused() []string {
	var u []string
	for k := range a.m {
		if !a.used[k] {
			u = append(u, k)
		}
	}
	sort.Strings(u)
	return u
}

func toInts(v []int64) []int {
	if v == nil {
		return nil
	}
	o := make([]int, len(v))
	for i, x := range v {
		o[i] = int(x)
	}
	return o
}
