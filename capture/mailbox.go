package capture

import (
	"context"
	"image"
	"sync"
	"time"
)

// mailbox hands the newest frame from a producer goroutine to a consumer,
// through a single slot: the producer never waits, and a frame the
// consumer has not taken when the next one comes is dropped.
//
// Three buffers turn: the producer fills back, publish swaps it with the
// slot, and take swaps the slot with front, the consumer's frame. No
// image is copied and, once the three exist, none is allocated.
type mailbox struct {
	mu      sync.Mutex
	slot    *image.Gray
	slotT   time.Time
	slotSeq uint64
	full    bool   // slot holds a frame not taken
	seq     uint64 // Seq of the next frame published
	front   *image.Gray
	lastSeq uint64 // Seq of the frame last taken
	taken   bool   // a frame was taken
	closed  bool
	ready   chan struct{} // a token when a frame is published
	done    chan struct{} // closed by close
}

func newMailbox() *mailbox {
	return &mailbox{ready: make(chan struct{}, 1), done: make(chan struct{})}
}

// publish puts back, a frame captured at t, in the slot, after skipped
// frames were lost before it, and returns the buffer to fill next (nil
// the first two times: the producer allocates it).
func (m *mailbox) publish(back *image.Gray, t time.Time, skipped uint64) *image.Gray {
	m.mu.Lock()
	m.seq += skipped
	back, m.slot = m.slot, back
	m.slotT, m.slotSeq, m.full = t, m.seq, true
	m.seq++
	m.mu.Unlock()
	select {
	case m.ready <- struct{}{}:
	default:
	}
	return back
}

// take returns the newest frame, waiting for one not taken yet.
func (m *mailbox) take(ctx context.Context) (Frame, error) {
	for {
		m.mu.Lock()
		if m.closed {
			m.mu.Unlock()
			return Frame{}, ErrClosed
		}
		if m.full {
			m.front, m.slot = m.slot, m.front
			f := Frame{Gray: m.front, Time: m.slotT, Seq: m.slotSeq}
			if m.taken {
				f.Dropped = f.Seq - m.lastSeq - 1
			} else {
				f.Dropped = f.Seq
			}
			m.lastSeq, m.taken, m.full = f.Seq, true, false
			m.mu.Unlock()
			return f, nil
		}
		m.mu.Unlock()
		select {
		case <-m.ready:
		case <-m.done:
		case <-ctx.Done():
			return Frame{}, ctx.Err()
		}
	}
}

// close wakes take for good; it is safe to call more than once.
func (m *mailbox) close() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.closed {
		m.closed = true
		close(m.done)
	}
}
