package decide

import (
	"testing"
	"time"
)

func TestLogLimiter(t *testing.T) {
	l := LogLimiter{Every: time.Second, Burst: 2}
	steps := []struct {
		at   time.Duration
		want bool
	}{
		{0, true}, {0, true}, {0, false}, {500 * time.Millisecond, false}, // burst spent
		{time.Second, true}, {time.Second, false}, // one token back a second after the burst began
		{1900 * time.Millisecond, false}, {2 * time.Second, true},
		{10 * time.Second, true}, {10 * time.Second, true}, {10 * time.Second, false}, // refilled to Burst, no more
	}
	dropped := 0
	for i, s := range steps {
		if got := l.Allow(t0.Add(s.at)); got != s.want {
			t.Errorf("step %d at %v: Allow = %v, want %v", i, s.at, got, s.want)
		}
		if !s.want {
			dropped++
		}
	}
	if got := l.Dropped(); got != dropped {
		t.Errorf("Dropped() = %d, want %d", got, dropped)
	}
	if got := l.Dropped(); got != 0 {
		t.Errorf("Dropped() again = %d, want 0", got)
	}
}

// TestLogLimiterClockBack: a clock stepped back adds no tokens, and the
// refill runs from the new time.
func TestLogLimiterClockBack(t *testing.T) {
	l := LogLimiter{Every: time.Second, Burst: 1}
	if !l.Allow(t0) {
		t.Fatal("first line refused")
	}
	back := t0.Add(-time.Hour)
	if l.Allow(back) {
		t.Error("allowed after the clock went back")
	}
	if l.Allow(back.Add(999 * time.Millisecond)) {
		t.Error("allowed before a full Every on the new clock")
	}
	if !l.Allow(back.Add(time.Second)) {
		t.Error("refused a full Every after the step")
	}
}

func TestLogLimiterZero(t *testing.T) {
	var l LogLimiter
	if l.Allow(t0) || l.Allow(t0.Add(time.Hour)) {
		t.Error("the zero LogLimiter allowed a line")
	}
	l = LogLimiter{Burst: 1} // no refill
	if !l.Allow(t0) || l.Allow(t0.Add(time.Hour)) {
		t.Error("Burst 1 without Every: want exactly one line")
	}
}
