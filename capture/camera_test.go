package capture

import (
	"context"
	"errors"
	"image"
	"sync"
	"syscall"
	"testing"
	"time"
)

// fakeCam is a camera that can be unplugged: its feeds fail while it is,
// and opening it fails too.
type fakeCam struct {
	mu       sync.Mutex
	plugged  bool
	silent   bool // feeds send nothing (a stalled camera)
	opens    int  // successful
	attempts int
	open     int // feeds open now
	value    byte
	size     image.Point
}

func (c *fakeCam) opener(path string, o CameraOptions) (feed, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.attempts++
	if !c.plugged {
		return nil, &pathError{path, syscall.ENOENT}
	}
	c.opens++
	c.open++
	return &fakeFeed{cam: c, f: Format{Pixel: YUYV, Width: c.size.X, Height: c.size.Y, FPS: float64(o.FPS)}}, nil
}

type pathError struct {
	path string
	err  error
}

func (e *pathError) Error() string { return e.path + ": " + e.err.Error() }
func (e *pathError) Unwrap() error { return e.err }

func (c *fakeCam) set(f func(c *fakeCam)) {
	c.mu.Lock()
	f(c)
	c.mu.Unlock()
}

type fakeFeed struct {
	cam    *fakeCam
	f      Format
	closed bool
}

func (f *fakeFeed) format() Format { return f.f }

func (f *fakeFeed) read(dst *image.Gray, wait time.Duration) (bool, time.Time, uint64, error) {
	time.Sleep(time.Millisecond)
	c := f.cam
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.plugged {
		return false, time.Time{}, 0, syscall.ENODEV
	}
	if c.silent {
		return false, time.Time{}, 0, nil
	}
	c.value++
	for i := range dst.Pix {
		dst.Pix[i] = c.value
	}
	return true, time.Now(), 0, nil
}

func (f *fakeFeed) close() error {
	if f.closed {
		panic("feed closed twice")
	}
	f.closed = true
	f.cam.set(func(c *fakeCam) { c.open-- })
	return nil
}

// states collects a Camera's reports.
type states struct {
	mu sync.Mutex
	s  []Status
	ch chan Status
}

func newStates() *states { return &states{ch: make(chan Status, 1000)} }

func (s *states) on(st Status) {
	s.mu.Lock()
	s.s = append(s.s, st)
	s.mu.Unlock()
	s.ch <- st
}

// wait waits for a report of state want.
func (s *states) wait(t *testing.T, want State) Status {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case st := <-s.ch:
			if st.State == want {
				return st
			}
		case <-timeout:
			t.Fatalf("no %v state in 10 s", want)
		}
	}
}

func next(t *testing.T, c *Camera) Frame {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	f, err := c.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestCameraUnplug(t *testing.T) {
	cam := &fakeCam{plugged: true, size: image.Pt(8, 6)}
	st := newStates()
	o := CameraOptions{RetryMin: time.Millisecond, RetryMax: 8 * time.Millisecond, OnState: st.on}
	c, err := newCamera("/dev/video9", o, cam.opener)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got := c.Format(); got.Width != 8 || got.Height != 6 || got.Pixel != YUYV || got.FPS != 30 {
		t.Errorf("Format() = %v", got)
	}
	f := next(t, c)
	if f.Gray.Rect.Dx() != 8 || f.Gray.Pix[0] == 0 {
		t.Fatalf("first frame %v", f.Gray.Rect)
	}
	seq := f.Seq

	// Unplugged: lost, and reopened with growing waits while it stays so.
	cam.set(func(c *fakeCam) { c.plugged = false })
	lost := st.wait(t, Lost)
	if !errors.Is(lost.Err, syscall.ENODEV) || lost.Retry != time.Millisecond {
		t.Errorf("lost: %+v, want ENODEV and a 1 ms retry", lost)
	}
	var retries []time.Duration
	for len(retries) < 5 {
		s := st.wait(t, Lost)
		if !errors.Is(s.Err, syscall.ENOENT) {
			t.Errorf("failed reopen reported %v", s.Err)
		}
		retries = append(retries, s.Retry)
	}
	want := []time.Duration{2, 4, 8, 8, 8}
	for i := range want {
		if retries[i] != want[i]*time.Millisecond {
			t.Errorf("retry waits %v, want doubling to 8 ms", retries)
			break
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	// Maybe one frame published before the loss is still unread; then none.
	for {
		if _, err := c.Next(ctx); err != nil {
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("Next while lost: %v", err)
			}
			break
		}
	}
	cancel()
	if s := c.Status(); s.State != Lost {
		t.Errorf("Status() = %+v while unplugged", s)
	}

	// Plugged back in: streaming again, Seq going on.
	cam.set(func(c *fakeCam) { c.plugged = true })
	back := st.wait(t, Streaming)
	if back.Opens != 2 {
		t.Errorf("back: %+v, want 2 opens", back)
	}
	if f := next(t, c); f.Seq <= seq {
		t.Errorf("Seq %d after replugging, was %d", f.Seq, seq)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	c.Close()
	if _, err := c.Next(context.Background()); !errors.Is(err, ErrClosed) {
		t.Errorf("Next after Close: %v", err)
	}
	st.wait(t, Closed)
	cam.set(func(c *fakeCam) {
		if c.open != 0 {
			t.Errorf("%d feeds left open", c.open)
		}
	})
}

func TestCameraStall(t *testing.T) {
	cam := &fakeCam{plugged: true, size: image.Pt(4, 4)}
	st := newStates()
	o := CameraOptions{FPS: 1000, Stall: 30 * time.Millisecond, RetryMin: time.Millisecond, OnState: st.on}
	c, err := newCamera("cam", o, cam.opener)
	if err != nil {
		t.Fatal(err)
	}
	next(t, c)
	cam.set(func(c *fakeCam) { c.silent = true })
	if s := st.wait(t, Lost); !errors.Is(s.Err, errStalled) {
		t.Errorf("stalled: %v", s.Err)
	}
	cam.set(func(c *fakeCam) { c.silent = false })
	st.wait(t, Streaming)
	next(t, c)
	c.Close()
}

// TestCameraCloseWhileLost: Close returns at once while reopening waits.
func TestCameraCloseWhileLost(t *testing.T) {
	cam := &fakeCam{plugged: true, size: image.Pt(4, 4)}
	st := newStates()
	c, err := newCamera("cam", CameraOptions{RetryMin: time.Hour, OnState: st.on}, cam.opener)
	if err != nil {
		t.Fatal(err)
	}
	cam.set(func(c *fakeCam) { c.plugged = false })
	st.wait(t, Lost)
	done := make(chan struct{})
	go func() { c.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close waits for the retry")
	}
}

func TestCameraOpenFails(t *testing.T) {
	cam := &fakeCam{}
	if _, err := newCamera("/dev/video7", CameraOptions{}, cam.opener); !errors.Is(err, syscall.ENOENT) {
		t.Errorf("open of an absent camera: %v", err)
	}
	if cam.attempts != 1 {
		t.Errorf("%d attempts: the first open is not retried", cam.attempts)
	}
}

func TestCameraDefaults(t *testing.T) {
	o := CameraOptions{}.withDefaults()
	if o.Width != 640 || o.Height != 480 || o.FPS != 30 || len(o.Formats) != 3 || o.Stall != 5*time.Second ||
		o.RetryMin != 250*time.Millisecond || o.RetryMax != 10*time.Second || o.Buffers != 4 {
		t.Errorf("defaults: %+v", o)
	}
	if o := (CameraOptions{FPS: 1, Stall: time.Second}).withDefaults(); o.Stall != 10*time.Second {
		t.Errorf("stall at 1 fps: %v, want 10 frame intervals", o.Stall)
	}
}
