//go:build linux && cgo

package capture

import (
	"errors"
	"fmt"
	"image"
	"strings"
	"time"

	"github.com/vladimirvivien/go4vl/device"
	"github.com/vladimirvivien/go4vl/v4l2"
	"golang.org/x/sys/unix"
)

// OpenCamera opens the V4L2 camera at path (/dev/video0), agrees a format
// (CameraOptions.Formats, the size and rate asked for or the nearest the
// driver has; Format says which) and starts streaming. An error here is
// returned, not retried: a camera missing at start is a configuration
// error. Once open, a lost camera is reopened in the background. Prefer
// a stable path (/dev/v4l/by-id/usb-…-video-index0): a camera plugged
// back in can come back as another /dev/videoN.
//
// go4vl opens the device and sets the format; its own streaming loop
// (Device.Start, GetOutput) is not used, because it panics on any
// dequeue error, which unplugging the camera causes (ENODEV, EIO), and it
// copies every frame into a new slice and queues them oldest first. The
// loop here uses go4vl's v4l2 calls, decodes the newest frame straight
// from the driver's mapped buffer, and reports failures as errors.
func OpenCamera(path string, o CameraOptions) (*Camera, error) {
	return newCamera(path, o, openV4L2)
}

var fourccs = map[PixelFormat]v4l2.FourCCType{
	YUYV: v4l2.PixelFmtYUYV, MJPEG: v4l2.PixelFmtMJPEG, JPEG: v4l2.PixelFmtJPEG, GREY: v4l2.PixelFmtGrey,
}

// stream is a go4vl device with the buffers the driver gave, as go4vl's
// v4l2 streaming calls want it.
type stream struct {
	*device.Device
	count uint32
	bufs  [][]byte // mapped driver buffers, read-only
}

func (s *stream) BufferCount() uint32 { return s.count }
func (s *stream) Buffers() [][]byte   { return s.bufs }

// v4l2Device is an open, streaming V4L2 camera.
type v4l2Device struct {
	s         *stream
	fd        uintptr
	f         Format
	stride    int // bytes a row
	streaming bool
	mjpeg     mjpegDecoder
	poll      [1]unix.PollFd
	seq       uint32 // driver sequence of the last frame dequeued
	seqOK     bool
}

func openV4L2(path string, o CameraOptions) (feed, error) {
	d, err := device.Open(path, device.WithBufferSize(uint32(o.Buffers)))
	if err != nil {
		return nil, fmt.Errorf("capture: %w", err)
	}
	v := &v4l2Device{s: &stream{Device: d}, fd: d.Fd()}
	if err := v.start(o); err != nil {
		v.close()
		return nil, fmt.Errorf("capture: %s: %w", path, err)
	}
	return v, nil
}

// start agrees the format and rate, maps the buffers and starts streaming.
func (v *v4l2Device) start(o CameraOptions) error {
	d := v.s.Device
	if !d.Capability().IsVideoCaptureSupported() {
		return errors.New("not a video capture device")
	}
	descs, err := d.GetFormatDescriptions()
	if err != nil {
		return err
	}
	offered := make(map[v4l2.FourCCType]bool)
	var names []string
	for _, desc := range descs {
		offered[desc.PixelFormat] = true
		names = append(names, fourccString(desc.PixelFormat))
	}
	var pix v4l2.PixFormat
	for _, pf := range o.Formats {
		cc, ok := fourccs[pf]
		if !ok || !offered[cc] {
			continue
		}
		want := v4l2.PixFormat{Width: uint32(o.Width), Height: uint32(o.Height), PixelFormat: cc, Field: v4l2.FieldNone}
		if err := d.SetPixFormat(want); err != nil {
			return fmt.Errorf("set format %s: %w", pf, err)
		}
		if pix, err = v4l2.GetPixFormat(v.fd); err != nil {
			return err
		}
		if pix.PixelFormat == cc {
			v.f.Pixel = pf
			break
		}
	}
	if v.f.Pixel == "" {
		return fmt.Errorf("the camera offers %s, none of %v", strings.Join(names, ", "), o.Formats)
	}
	v.f.Width, v.f.Height = int(pix.Width), int(pix.Height)
	if v.f.Width <= 0 || v.f.Height <= 0 || v.f.Width*v.f.Height > 1<<24 {
		return fmt.Errorf("the driver chose %d×%d", v.f.Width, v.f.Height)
	}
	v.stride = int(pix.BytesPerLine)
	switch v.f.Pixel {
	case YUYV:
		v.stride = max(v.stride, 2*v.f.Width)
	case GREY:
		v.stride = max(v.stride, v.f.Width)
	}
	// Not every driver sets the rate; the rate it runs at is read back.
	_ = d.SetFrameRate(uint32(o.FPS))
	if p, err := v4l2.GetStreamParam(v.fd, v4l2.BufTypeVideoCapture); err == nil && p.Capture.TimePerFrame.Numerator > 0 {
		v.f.FPS = float64(p.Capture.TimePerFrame.Denominator) / float64(p.Capture.TimePerFrame.Numerator)
	}

	v.s.count = uint32(o.Buffers)
	req, err := v4l2.InitBuffers(v.s)
	if err != nil {
		return err
	}
	if req.Count == 0 {
		return errors.New("the driver gave no buffers")
	}
	v.s.count = req.Count
	// Mapped here rather than by v4l2.MapMemoryBuffers, which loses the
	// buffers mapped before a failure.
	for i := range req.Count {
		b, err := v4l2.GetBuffer(v.s, i)
		if err != nil {
			return err
		}
		m, err := unix.Mmap(int(v.fd), int64(b.Info.Offset), int(b.Length), unix.PROT_READ, unix.MAP_SHARED)
		if err != nil {
			return fmt.Errorf("map buffer %d: %w", i, err)
		}
		v.s.bufs = append(v.s.bufs, m)
	}
	for i := range v.s.bufs {
		if err := v.queue(uint32(i)); err != nil {
			return err
		}
	}
	if err := v4l2.StreamOn(v.s); err != nil {
		return err
	}
	v.streaming = true
	v.poll[0] = unix.PollFd{Fd: int32(v.fd), Events: unix.POLLIN}
	return nil
}

func (v *v4l2Device) format() Format { return v.f }

func (v *v4l2Device) queue(i uint32) error {
	_, err := v4l2.QueueBuffer(v.fd, v4l2.IOTypeMMAP, v4l2.BufTypeVideoCapture, i)
	return err
}

// wouldBlock reports whether a dequeue found no frame ready: go4vl turns
// EAGAIN into ErrorTimeout (EAGAIN is a timeout to syscall.Errno).
func wouldBlock(err error) bool {
	return errors.Is(err, v4l2.ErrorTimeout) || errors.Is(err, v4l2.ErrorTemporary) || errors.Is(err, unix.EAGAIN)
}

// errUnplugged is the error of a device that reports an error condition
// with no frame to dequeue.
var errUnplugged = errors.New("capture: the camera reported an error (unplugged?)")

// read polls for frames, dequeues every ready one, requeues all but the
// newest, and decodes that one from its mapped buffer before requeuing it.
// go4vl reports ENODEV and EIO, what an unplugged camera gives, as
// v4l2.ErrorSystem: any error but "nothing ready" loses the device.
func (v *v4l2Device) read(dst *image.Gray, wait time.Duration) (bool, time.Time, uint64, error) {
	n, err := unix.Poll(v.poll[:], int(wait/time.Millisecond))
	if err == unix.EINTR || n == 0 {
		return false, time.Time{}, 0, nil
	}
	if err != nil {
		return false, time.Time{}, 0, fmt.Errorf("capture: poll: %w", err)
	}
	revents := v.poll[0].Revents
	if revents&unix.POLLNVAL != 0 {
		return false, time.Time{}, 0, errors.New("capture: poll: invalid descriptor")
	}
	var (
		newest  v4l2.Buffer
		have    bool
		skipped uint64
	)
	for {
		b, err := v4l2.DequeueBuffer(v.fd, v4l2.IOTypeMMAP, v4l2.BufTypeVideoCapture)
		if err != nil {
			if wouldBlock(err) {
				break
			}
			if errors.Is(err, v4l2.ErrorSystem) { // ENODEV, EIO, ENXIO, …
				return false, time.Time{}, skipped, fmt.Errorf("capture: the camera is gone (unplugged?): %w", err)
			}
			return false, time.Time{}, skipped, fmt.Errorf("capture: %w", err)
		}
		if have {
			if err := v.queue(newest.Index); err != nil {
				return false, time.Time{}, skipped, fmt.Errorf("capture: %w", err)
			}
			skipped++
		}
		newest, have = b, true
		if v.seqOK && b.Sequence > v.seq+1 { // the driver dropped frames
			skipped += uint64(b.Sequence - v.seq - 1)
		}
		v.seq, v.seqOK = b.Sequence, true
	}
	if !have {
		if revents&(unix.POLLERR|unix.POLLHUP) != 0 {
			return false, time.Time{}, skipped, errUnplugged
		}
		return false, time.Time{}, skipped, nil
	}
	t := v.stamp(&newest)
	derr := v.decode(dst, newest)
	if err := v.queue(newest.Index); err != nil {
		return false, time.Time{}, skipped, fmt.Errorf("capture: %w", err)
	}
	if derr != nil { // a damaged frame; a camera sending only those stalls
		return false, time.Time{}, skipped + 1, nil
	}
	return true, t, skipped, nil
}

func (v *v4l2Device) decode(dst *image.Gray, b v4l2.Buffer) error {
	if int(b.Index) >= len(v.s.bufs) || b.Flags&v4l2.BufFlagError != 0 || b.BytesUsed == 0 || int(b.BytesUsed) > len(v.s.bufs[b.Index]) {
		return errors.New("capture: damaged frame")
	}
	data := v.s.bufs[b.Index][:b.BytesUsed]
	switch v.f.Pixel {
	case YUYV:
		return packedToGray(dst, data, v.stride, 2)
	case GREY:
		return packedToGray(dst, data, v.stride, 1)
	default:
		return v.mjpeg.decode(dst, data)
	}
}

// stamp converts the driver's capture time, on the monotonic clock for
// most drivers, to wall time; otherwise it is now.
func (v *v4l2Device) stamp(b *v4l2.Buffer) time.Time {
	now := time.Now()
	if b.Flags&v4l2.BufFlagTimestampMask != v4l2.BufFlagTimestampMonotonic {
		return now
	}
	var mono unix.Timespec
	if unix.ClockGettime(unix.CLOCK_MONOTONIC, &mono) != nil {
		return now
	}
	age := time.Duration(mono.Nano() - b.Timestamp.Nano())
	if age < 0 || age > time.Minute {
		return now
	}
	return now.Add(-age)
}

// close stops streaming, unmaps the buffers and closes the device. Errors
// are those of closing the descriptor: the others are expected of a
// camera that is gone.
func (v *v4l2Device) close() error {
	if v.streaming {
		_ = v4l2.StreamOff(v.s)
		v.streaming = false
	}
	for _, b := range v.s.bufs {
		_ = unix.Munmap(b)
	}
	v.s.bufs = nil
	return v.s.Device.Close()
}

// fourccString spells a fourcc code.
func fourccString(cc v4l2.FourCCType) string {
	return string([]byte{byte(cc), byte(cc >> 8), byte(cc >> 16), byte(cc >> 24)})
}
