package main

import (
	"slices"
	"testing"
)

func TestParse(t *testing.T) {
	c, err := parse([]string{"-a", "HEAD~2", "-models", "faces, bench/models/x.onnx", "-threads", "2,4", "-rounds", "3"})
	if err != nil {
		t.Fatal(err)
	}
	if c.a != "HEAD~2" || c.b != "." || !slices.Equal(c.models, []string{"faces", "bench/models/x.onnx"}) ||
		!slices.Equal(c.threads, []int{2, 4}) || c.rounds != 3 || c.runs != 200 {
		t.Errorf("parsed %+v", c)
	}
	for _, bad := range [][]string{{"-threads", "0"}, {"-threads", "x"}, {"-models", ""}, {"-rounds", "0"}, {"extra"}} {
		if _, err := parse(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestMedian(t *testing.T) {
	for _, c := range []struct {
		v    []float64
		want float64
	}{{[]float64{3}, 3}, {[]float64{5, 1, 3}, 3}, {[]float64{4, 1, 3, 2}, 2.5}} {
		in := slices.Clone(c.v)
		if got := median(c.v); got != c.want || !slices.Equal(in, c.v) {
			t.Errorf("median(%v) = %v, want %v (input left as it was)", in, got, c.want)
		}
	}
}
