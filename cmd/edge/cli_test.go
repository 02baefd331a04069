package main

import (
	"testing"
	"time"
)

func TestPercentiles(t *testing.T) {
	d := func(ms ...int) []time.Duration {
		var s []time.Duration
		for _, m := range ms {
			s = append(s, time.Duration(m)*time.Millisecond)
		}
		return s
	}
	for _, c := range []struct {
		in       []time.Duration
		med, p99 time.Duration
	}{
		{d(7), 7 * time.Millisecond, 7 * time.Millisecond},
		{d(1, 3), 2 * time.Millisecond, 3 * time.Millisecond},
		{d(1, 2, 9), 2 * time.Millisecond, 9 * time.Millisecond},
		{nil, 0, 0},
	} {
		if m, p := median(c.in), percentile(c.in, 99); m != c.med || p != c.p99 {
			t.Errorf("%v: median %v p99 %v, want %v %v", c.in, m, p, c.med, c.p99)
		}
	}
	// Nearest rank: of 100 values 1…100 ms, p99 is the 99th.
	var h []time.Duration
	for i := 1; i <= 100; i++ {
		h = append(h, time.Duration(i)*time.Millisecond)
	}
	if p := percentile(h, 99); p != 99*time.Millisecond {
		t.Errorf("p99 of 1…100 ms: %v", p)
	}
}
