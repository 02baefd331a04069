// Package capture delivers camera frames, in grey, newest first: a
// consumer slower than the camera gets the latest frame each time it asks,
// and the frames in between are dropped and counted, never queued.
//
// Sources:
//   - Camera: a V4L2 device through go4vl (Linux with cgo; elsewhere
//     OpenCamera returns ErrNoV4L2), reopened with backoff when unplugged.
//   - Folder: the images of a folder, in name order, at a given rate.
//   - Player: a recording (see Recorder for the format), at a given rate.
//
// Each Source owns the image it returns: it is valid until the next call
// to Next or Close, and buffers are reused from one frame to the next.
// Package capturetest has a fake Source and a fake Clock.
package capture

import (
	"context"
	"errors"
	"image"
	"time"
)

// Frame is one frame from a Source.
type Frame struct {
	// Gray is the frame in grey (all the shipped models are grey). It
	// belongs to the Source and is valid until the next Next or Close.
	Gray *image.Gray
	// Time is when the frame was captured (file sources: when it was due).
	Time time.Time
	// Seq numbers the frames the source produced from 0, dropped ones
	// included: gaps in Seq are the drops.
	Seq uint64
	// Dropped is the number of frames dropped between the previous frame
	// Next returned and this one (Seq − previous Seq − 1).
	Dropped uint64
}

// Source produces frames.
type Source interface {
	// Next returns the newest frame, waiting for one when the consumer
	// has seen the newest already. It returns io.EOF after the last frame
	// of a finite source, ctx.Err() when ctx is done, and ErrClosed after
	// Close.
	Next(ctx context.Context) (Frame, error)
	// Close releases the source; Next then returns ErrClosed.
	Close() error
}

// ErrClosed is returned by Next after Close.
var ErrClosed = errors.New("capture: source closed")

// ErrBadFrame is wrapped by the error of Next when one frame could not be
// read or decoded but the source goes on (the next call may succeed): a
// consumer may skip the frame.
var ErrBadFrame = errors.New("capture: bad frame")

// badFrame is a skippable frame's error.
type badFrame struct{ err error }

func (e *badFrame) Error() string   { return e.err.Error() }
func (e *badFrame) Unwrap() []error { return []error{ErrBadFrame, e.err} }

// Clock is the time a paced source runs on.
type Clock interface {
	Now() time.Time
	// Sleep waits for d, or until ctx is done and then returns ctx.Err().
	Sleep(ctx context.Context, d time.Duration) error
}

// SystemClock is the real clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// Sleep waits for d or for ctx.
func (SystemClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
