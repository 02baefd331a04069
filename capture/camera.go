package capture

import (
	"context"
	"errors"
	"fmt"
	"image"
	"sync"
	"time"
)

// PixelFormat names a camera's pixel format, as V4L2's fourcc.
type PixelFormat string

// The pixel formats a Camera decodes.
const (
	YUYV  PixelFormat = "YUYV" // packed 4:2:2; grey is every other byte
	MJPEG PixelFormat = "MJPG" // Motion-JPEG; decoded by image/jpeg
	GREY  PixelFormat = "GREY" // 8-bit grey, as is
	JPEG  PixelFormat = "JPEG" // as MJPEG
)

// Format is what a camera and a Camera agreed on.
type Format struct {
	Pixel         PixelFormat
	Width, Height int
	FPS           float64 // the driver's frame interval, inverted; 0 if unknown
}

func (f Format) String() string {
	return fmt.Sprintf("%s %d×%d at %.4g fps", f.Pixel, f.Width, f.Height, f.FPS)
}

// CameraOptions configure OpenCamera. Zero fields take the defaults.
type CameraOptions struct {
	// Width and Height are the frame size asked for (default 640×480);
	// the driver gives the nearest it has.
	Width, Height int
	// FPS is the frame rate asked for (default 30); the driver may give
	// another, which Format reports.
	FPS int
	// Formats are the pixel formats to try, in order of preference
	// (default YUYV, then MJPEG, then GREY): the first the camera offers
	// is taken. YUYV costs nothing to decode; MJPEG costs a JPEG decode
	// per frame but passes larger frames through USB 2.
	Formats []PixelFormat
	// Buffers is the number of driver buffers (default 4).
	Buffers int
	// Stall is how long without a frame counts as the camera lost
	// (default 5 s, and at least 10 frame intervals).
	Stall time.Duration
	// RetryMin and RetryMax bound the wait between attempts to reopen a
	// lost camera, which doubles from one to the other (defaults 250 ms
	// and 10 s).
	RetryMin, RetryMax time.Duration
	// OnState, if set, is called on every change of state and on each
	// failed reopen, from the capture goroutine (Closed: from Close). It
	// must not block.
	OnState func(Status)
}

func (o CameraOptions) withDefaults() CameraOptions {
	if o.Width <= 0 || o.Height <= 0 {
		o.Width, o.Height = 640, 480
	}
	if o.FPS <= 0 {
		o.FPS = 30
	}
	if len(o.Formats) == 0 {
		o.Formats = []PixelFormat{YUYV, MJPEG, GREY}
	}
	if o.Buffers <= 0 {
		o.Buffers = 4
	}
	if o.Stall <= 0 {
		o.Stall = 5 * time.Second
	}
	o.Stall = max(o.Stall, 10*time.Second/time.Duration(o.FPS))
	if o.RetryMin <= 0 {
		o.RetryMin = 250 * time.Millisecond
	}
	if o.RetryMax < o.RetryMin {
		o.RetryMax = max(10*time.Second, o.RetryMin)
	}
	return o
}

// State is where a Camera stands.
type State int

const (
	// Streaming: the camera is open and frames are expected.
	Streaming State = iota
	// Lost: the camera failed (unplugged, stalled, an I/O error) and is
	// being reopened; Status.Err says why, Status.Retry how soon.
	Lost
	// Closed: Close was called.
	Closed
)

func (s State) String() string {
	switch s {
	case Streaming:
		return "streaming"
	case Lost:
		return "lost"
	case Closed:
		return "closed"
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// Status is a Camera's state and what goes with it.
type Status struct {
	State  State
	Format Format        // the format last agreed on
	Err    error         // Lost: the error that lost it, or the last reopen's
	Since  time.Time     // when the state began
	Retry  time.Duration // Lost: the wait before the next reopen
	Opens  int           // times the camera was (re)opened
}

// ErrNoV4L2 is OpenCamera's error in a build without V4L2 (not Linux, or
// CGO_ENABLED=0).
var ErrNoV4L2 = errors.New("capture: V4L2 cameras need a Linux build with cgo")

// errStalled is the error of a camera that sent no frame for Stall.
var errStalled = errors.New("capture: no frame from the camera")

// feed is one open camera, streaming; the V4L2 build implements it.
type feed interface {
	format() Format
	// read waits up to wait for a frame and decodes the newest into dst
	// (of format's size). ok is false when none came (or only damaged
	// ones); skipped counts the frames discarded, older or damaged. An
	// error means the device is lost.
	read(dst *image.Gray, wait time.Duration) (ok bool, t time.Time, skipped uint64, err error)
	close() error
}

type opener func(path string, o CameraOptions) (feed, error)

// pollWait is the longest read waits, so that Close is seen that soon.
const pollWait = 100 * time.Millisecond

// Camera is a V4L2 camera as a Source. A goroutine reads the device and
// keeps only the newest frame: Next never makes the camera wait. When the
// camera is lost it is closed and reopened with exponential backoff until
// it comes back or Close is called; Next meanwhile waits (give it a
// context with a deadline to bound the wait, and see Status for why).
type Camera struct {
	path string
	o    CameraOptions
	open opener
	box  *mailbox
	stop chan struct{}
	once sync.Once
	wg   sync.WaitGroup

	mu     sync.Mutex
	status Status
}

func newCamera(path string, o CameraOptions, open opener) (*Camera, error) {
	o = o.withDefaults()
	d, err := open(path, o)
	if err != nil {
		return nil, err
	}
	c := &Camera{path: path, o: o, open: open, box: newMailbox(), stop: make(chan struct{})}
	c.status = Status{State: Streaming, Format: d.format(), Since: time.Now(), Opens: 1}
	c.wg.Add(1)
	go c.run(d)
	return c, nil
}

// Next returns the newest frame (see Source).
func (c *Camera) Next(ctx context.Context) (Frame, error) { return c.box.take(ctx) }

// Status returns the camera's state.
func (c *Camera) Status() Status {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.status
}

// Format returns the format last agreed with the camera.
func (c *Camera) Format() Format { return c.Status().Format }

// Close stops capture and closes the device; Next then returns ErrClosed.
func (c *Camera) Close() error {
	c.once.Do(func() {
		close(c.stop)
		c.wg.Wait()
		c.box.close()
		c.setState(Status{State: Closed})
	})
	return nil
}

// setState records s (keeping the format and count unless s has them) and
// reports it.
func (c *Camera) setState(s Status) {
	c.mu.Lock()
	if s.Format == (Format{}) {
		s.Format = c.status.Format
	}
	if s.Opens == 0 {
		s.Opens = c.status.Opens
	}
	s.Since = time.Now()
	c.status = s
	c.mu.Unlock()
	if c.o.OnState != nil {
		c.o.OnState(s)
	}
}

// run is the capture goroutine: stream from d until it fails, then
// reopen, until stop.
func (c *Camera) run(d feed) {
	defer c.wg.Done()
	var back *image.Gray
	retry := c.o.RetryMin
	for {
		err := c.stream(d, &back, &retry)
		d.close()
		if err == nil { // stopped
			return
		}
		for d = nil; d == nil; {
			c.setState(Status{State: Lost, Err: err, Retry: retry})
			select {
			case <-c.stop:
				return
			case <-time.After(retry):
			}
			if d, err = c.open(c.path, c.o); err != nil {
				retry = min(2*retry, c.o.RetryMax)
			}
		}
		c.setState(Status{State: Streaming, Format: d.format(), Opens: c.Status().Opens + 1})
	}
}

// stream reads frames from d into the mailbox until d fails (its error)
// or stop (nil). The backoff starts again from RetryMin once a frame came.
func (c *Camera) stream(d feed, back **image.Gray, retry *time.Duration) error {
	f := d.format()
	last := time.Now()
	var lost uint64 // frames skipped since the last published
	for {
		select {
		case <-c.stop:
			return nil
		default:
		}
		if g := *back; g == nil || g.Rect.Dx() != f.Width || g.Rect.Dy() != f.Height {
			*back = image.NewGray(image.Rect(0, 0, f.Width, f.Height))
		}
		ok, t, skipped, err := d.read(*back, pollWait)
		if err != nil {
			return err
		}
		lost += skipped
		now := time.Now()
		if !ok {
			if now.Sub(last) > c.o.Stall {
				return fmt.Errorf("%w for %v", errStalled, now.Sub(last).Round(time.Millisecond))
			}
			continue
		}
		last, *retry = now, c.o.RetryMin
		*back = c.box.publish(*back, t, lost)
		lost = 0
	}
}
