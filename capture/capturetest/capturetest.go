// Package capturetest has fakes for code that takes a capture.Source or
// runs on a capture.Clock: everything is testable without a camera and
// without waiting.
package capturetest

import (
	"context"
	"image"
	"io"
	"sync"
	"time"

	"github.com/edge-pi/edge/capture"
)

// Clock is a capture.Clock that moves only when told: Advance moves it,
// and Sleep moves it by the time slept, at once. It is safe for
// concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a Clock at t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// Sleep moves the clock by d, unless ctx is done.
func (c *Clock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d > 0 {
		c.Advance(d)
	}
	return nil
}

// Source is a capture.Source that serves Images in order, one per Next,
// then io.EOF (or from the first again, with Loop). Its frames are
// Interval apart from Start. Set the fields before the first Next.
type Source struct {
	Images   []*image.Gray
	Loop     bool
	Start    time.Time
	Interval time.Duration // 0: 1/30 s
	// Fail, if set, is asked before each frame; a non-nil error is what
	// that Next returns instead (a camera fault), and the frame is not
	// consumed.
	Fail func(seq uint64) error

	mu     sync.Mutex
	next   uint64
	closed bool
}

// Next returns the next image.
func (s *Source) Next(ctx context.Context) (capture.Frame, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closed:
		return capture.Frame{}, capture.ErrClosed
	case ctx.Err() != nil:
		return capture.Frame{}, ctx.Err()
	case len(s.Images) == 0 || !s.Loop && s.next >= uint64(len(s.Images)):
		return capture.Frame{}, io.EOF
	}
	if s.Fail != nil {
		if err := s.Fail(s.next); err != nil {
			return capture.Frame{}, err
		}
	}
	d := s.Interval
	if d <= 0 {
		d = time.Second / 30
	}
	f := capture.Frame{Gray: s.Images[s.next%uint64(len(s.Images))], Time: s.Start.Add(time.Duration(s.next) * d), Seq: s.next}
	s.next++
	return f, nil
}

// Close closes the Source; Next then returns capture.ErrClosed.
func (s *Source) Close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	return nil
}

// Closed reports whether Close was called.
func (s *Source) Closed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

var _ capture.Source = (*Source)(nil)
var _ capture.Clock = (*Clock)(nil)
