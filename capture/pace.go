package capture

import (
	"context"
	"io"
	"math"
	"time"
)

// Pace says how a file source (Folder, Player) delivers its frames.
type Pace struct {
	// FPS is the rate frames fall due, as from a camera: frame k is due
	// k/FPS seconds after the first Next, and a consumer slower than that
	// gets the newest frame due, the others dropped. 0 delivers every
	// frame, one per Next, without waiting: for tests that want them all.
	FPS float64
	// Loop starts again after the last frame instead of returning io.EOF.
	// Seq keeps counting; frame Seq is file frame Seq mod count.
	Loop bool
	// Clock is the clock the source runs on; nil is SystemClock.
	Clock Clock
}

// schedule turns a Pace into which of n frames to deliver next.
type schedule struct {
	Pace
	n       uint64 // frames in the source, > 0
	start   time.Time
	started bool
	next    uint64 // Seq of the first frame not yet delivered or dropped
}

func newSchedule(p Pace, n int) schedule {
	if p.Clock == nil {
		p.Clock = SystemClock{}
	}
	if p.FPS < 0 || math.IsNaN(p.FPS) || math.IsInf(p.FPS, 0) {
		p.FPS = 0
	}
	return schedule{Pace: p, n: uint64(n)}
}

// due is when frame seq falls due.
func (s *schedule) due(seq uint64) time.Time {
	return s.start.Add(time.Duration(float64(seq) / s.FPS * float64(time.Second)))
}

// wait waits until a frame is due and returns its Seq, its file index,
// its time and how many frames were skipped to reach it.
func (s *schedule) wait(ctx context.Context) (seq uint64, index int, t time.Time, dropped uint64, err error) {
	if err := ctx.Err(); err != nil {
		return 0, 0, time.Time{}, 0, err
	}
	if !s.Loop && s.next >= s.n {
		return 0, 0, time.Time{}, 0, io.EOF
	}
	now := s.Clock.Now()
	if !s.started {
		s.start, s.started = now, true
	}
	if s.FPS == 0 {
		seq, t = s.next, now
	} else {
		for {
			// The newest frame due: floor(elapsed·FPS), corrected for
			// rounding against due's own arithmetic.
			el := now.Sub(s.start).Seconds()
			k := uint64(max(0, math.Floor(el*s.FPS)))
			for s.due(k+1).Compare(now) <= 0 {
				k++
			}
			for k > 0 && s.due(k).After(now) {
				k--
			}
			if k >= s.next {
				seq = k
				break
			}
			if err := s.Clock.Sleep(ctx, s.due(s.next).Sub(now)); err != nil {
				return 0, 0, time.Time{}, 0, err
			}
			now = s.Clock.Now()
		}
		if !s.Loop && seq >= s.n {
			seq = s.n - 1 // past the end: the last frame is the newest
		}
		t = s.due(seq)
	}
	dropped = seq - s.next
	s.next = seq + 1
	return seq, int(seq % s.n), t, dropped, nil
}
