//go:build linux

// Command vpictl is the virtual Raspberry Pi's helper (make vpi): on the
// build machine it draws the face frames the checks show the camera; on
// the virtual Pi it sets vivid up so that what is written to its video
// output comes back on its capture device, plays those frames into the
// output, and presses vivid's "Disconnect" button (a camera unplugged).
//
//	vpictl frames -att DIR -out DIR            (build machine)
//	vpictl loop CAPTURE OUTPUT                 640×480p60 HDMI in and out, Loop Video on
//	vpictl play OUTPUT PHASEFILE               stream the frames of the folder PHASEFILE names
//	vpictl ctrl DEVICE NAME VALUE              set a control by its name
//
// It is a test fixture, not part of edge: it talks to the kernel with
// bare V4L2 ioctls (golang.org/x/sys/unix, no cgo) so that it builds
// static for arm64 with CGO_ENABLED=0.
package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/edge-pi/edge/eval"
	"github.com/edge-pi/edge/imageio"
)

const (
	width, height = 640, 480
	frameBytes    = width * height * 2 // YUYV
)

func main() {
	if len(os.Args) < 2 {
		fail(errors.New("usage: vpictl frames|loop|play|ctrl ARGS"))
	}
	var err error
	switch a := os.Args[2:]; os.Args[1] {
	case "frames":
		err = frames(a)
	case "loop":
		err = need(a, 2, func() error { return loop(a[0], a[1]) })
	case "play":
		err = need(a, 2, func() error { return play(a[0], a[1]) })
	case "ctrl":
		err = need(a, 3, func() error {
			v, err := strconv.Atoi(a[2])
			if err != nil {
				return err
			}
			return setCtrl(a[0], a[1], int32(v))
		})
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fail(err)
	}
}

func need(a []string, n int, f func() error) error {
	if len(a) != n {
		return fmt.Errorf("want %d arguments, got %d", n, len(a))
	}
	return f()
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "vpictl:", err)
	os.Exit(2)
}

// frames writes the checks' camera frames: each AT&T photo placed into a
// 640×480 frame by eval.MakeFrame (fixed seeds and scale, no roll), as
// raw YUYV for the video output and as PGM for enrolment:
//
//	enrol.pgm      s1's photo 1, to enrol s1 from
//	s1/*.yuyv      s1's photos 2–6: the enrolled person at the door
//	stranger/*.yuyv s2's photos 1–5: someone not enrolled
//	empty/*.yuyv   the background alone
func frames(args []string) error {
	if len(args) != 4 || args[0] != "-att" || args[2] != "-out" {
		return errors.New("usage: vpictl frames -att DIR -out DIR")
	}
	att, out := args[1], args[3]
	o := eval.FrameOptions{MinScale: 2.5, MaxScale: 2.5, MinGamma: 1, MaxGamma: 1, MinGain: 1, MaxGain: 1}
	load := func(person string, n int) (image.Image, error) {
		return imageio.LoadFile(filepath.Join(att, person, strconv.Itoa(n)+".pgm"))
	}
	face, err := load("s1", 1)
	if err != nil {
		return err
	}
	if err := writeFile(filepath.Join(out, "enrol.pgm"), pgm(eval.MakeFrame(face, 1, o).Image)); err != nil {
		return err
	}
	for _, set := range []struct {
		dir, person string
		photos      []int
	}{{"s1", "s1", []int{2, 3, 4, 5, 6}}, {"stranger", "s2", []int{1, 2, 3, 4, 5}}, {"empty", "", []int{1, 2}}} {
		for _, n := range set.photos {
			var img image.Image
			if set.person == "" { // a flat patch: no face
				g := image.NewGray(image.Rect(0, 0, 92, 112))
				for i := range g.Pix {
					g.Pix[i] = 128
				}
				img = g
			} else if img, err = load(set.person, n); err != nil {
				return err
			}
			f := eval.MakeFrame(img, uint64(100+n), o).Image
			base := filepath.Join(out, set.dir, strconv.Itoa(n))
			if err := writeFile(base+".yuyv", yuyv(f)); err != nil {
				return err
			}
			if err := writeFile(base+".pgm", pgm(f)); err != nil {
				return err
			}
		}
	}
	return nil
}

func writeFile(path string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

func pgm(g *image.Gray) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "P5\n%d %d\n255\n", g.Rect.Dx(), g.Rect.Dy())
	for y := 0; y < g.Rect.Dy(); y++ {
		b.Write(g.Pix[y*g.Stride : y*g.Stride+g.Rect.Dx()])
	}
	return b.Bytes()
}

// yuyv packs a grey frame as YUYV with neutral chroma.
func yuyv(g *image.Gray) []byte {
	b := make([]byte, 0, frameBytes)
	for y := 0; y < height; y++ {
		for x := 0; x < width; x++ {
			b = append(b, g.Pix[y*g.Stride+x], 128)
		}
	}
	return b
}

// V4L2, as linux/videodev2.h lays it out on a 64-bit kernel.
const (
	bufTypeCapture = 1
	bufTypeOutput  = 2
	memoryMMAP     = 1
	fieldNone      = 1
	fourccYUYV     = 'Y' | 'U'<<8 | 'Y'<<16 | 'V'<<24

	vidiocSFmt          = 0xc0d05605 // _IOWR('V', 5, struct v4l2_format): 208 bytes
	vidiocReqbufs       = 0xc0145608 // _IOWR('V', 8, struct v4l2_requestbuffers): 20
	vidiocQuerybuf      = 0xc0585609 // _IOWR('V', 9, struct v4l2_buffer): 88
	vidiocQbuf          = 0xc058560f // _IOWR('V', 15, struct v4l2_buffer)
	vidiocDqbuf         = 0xc0585611 // _IOWR('V', 17, struct v4l2_buffer)
	vidiocStreamon      = 0x40045612 // _IOW('V', 18, int)
	vidiocSCtrl         = 0xc008561c // _IOWR('V', 28, struct v4l2_control)
	vidiocQueryctrl     = 0xc0445624 // _IOWR('V', 36, struct v4l2_queryctrl): 68
	vidiocSDVTimings    = 0xc0845657 // _IOWR('V', 87, struct v4l2_dv_timings): 132, packed
	vidiocEnumDVTimings = 0xc0945662 // _IOWR('V', 98, struct v4l2_enum_dv_timings): 148
	ctrlFlagNextCtrl    = 0x80000000
)

// buffer is struct v4l2_buffer on a 64-bit kernel (88 bytes).
type buffer struct {
	Index, Type, BytesUsed, Flags, Field uint32
	_                                    uint32
	Timestamp                            [16]byte
	Timecode                             [16]byte
	Sequence, Memory                     uint32
	Offset                               uint32 // the union m: offset for MMAP
	_                                    uint32
	Length, Reserved2, RequestFD         uint32
	_                                    uint32
}

var _ [88 - unsafe.Sizeof(buffer{})]byte
var _ [unsafe.Sizeof(buffer{}) - 88]byte

func ioctl(fd int, req uint, arg unsafe.Pointer) error {
	for {
		_, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), uintptr(req), uintptr(arg))
		switch e {
		case 0:
			return nil
		case unix.EINTR:
			continue
		}
		return e
	}
}

// loop makes vivid's HDMI output loop back to its HDMI input: the same
// 640×480 timings on both, YUYV on the output, and the capture device's
// "Loop Video" control on. edge sets the capture format itself.
func loop(capture, output string) error {
	for _, dev := range []string{capture, output} {
		if err := setTimings(dev, width, height); err != nil {
			return err
		}
	}
	fd, err := unix.Open(output, unix.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	if err := setFormat(fd, bufTypeOutput); err != nil {
		return fmt.Errorf("%s: %w", output, err)
	}
	return setCtrl(capture, "Loop Video", 1)
}

// setTimings picks the first DV timings of w×h the device lists.
func setTimings(dev string, w, h uint32) error {
	fd, err := unix.Open(dev, unix.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	for i := uint32(0); ; i++ {
		var e [148]byte
		binary.LittleEndian.PutUint32(e[0:], i)
		if err := ioctl(fd, vidiocEnumDVTimings, unsafe.Pointer(&e[0])); err != nil {
			return fmt.Errorf("%s: no %d×%d DV timings: %w", dev, w, h, err)
		}
		t := e[16:] // struct v4l2_dv_timings: type, then the bt timings
		if binary.LittleEndian.Uint32(t[4:]) != w || binary.LittleEndian.Uint32(t[8:]) != h || binary.LittleEndian.Uint32(t[12:]) != 0 {
			continue
		}
		var s [132]byte
		copy(s[:], t)
		if err := ioctl(fd, vidiocSDVTimings, unsafe.Pointer(&s[0])); err != nil {
			return fmt.Errorf("%s: S_DV_TIMINGS: %w", dev, err)
		}
		return nil
	}
}

func setFormat(fd int, typ uint32) error {
	var f [208]byte
	le := binary.LittleEndian
	le.PutUint32(f[0:], typ)
	p := f[8:] // the union, 8-aligned
	le.PutUint32(p[0:], width)
	le.PutUint32(p[4:], height)
	le.PutUint32(p[8:], fourccYUYV)
	le.PutUint32(p[12:], fieldNone)
	if err := ioctl(fd, vidiocSFmt, unsafe.Pointer(&f[0])); err != nil {
		return fmt.Errorf("S_FMT: %w", err)
	}
	if w, h, cc := le.Uint32(p[0:]), le.Uint32(p[4:]), le.Uint32(p[8:]); w != width || h != height || cc != fourccYUYV {
		return fmt.Errorf("S_FMT: the driver chose %d×%d %08x", w, h, cc)
	}
	return nil
}

// setCtrl sets the control named name on dev (a button is pressed by
// any value).
func setCtrl(dev, name string, v int32) error {
	fd, err := unix.Open(dev, unix.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	var q [68]byte
	id := uint32(ctrlFlagNextCtrl)
	for {
		binary.LittleEndian.PutUint32(q[0:], id)
		if err := ioctl(fd, vidiocQueryctrl, unsafe.Pointer(&q[0])); err != nil {
			return fmt.Errorf("%s: no control %q", dev, name)
		}
		id = binary.LittleEndian.Uint32(q[0:])
		if string(bytes.TrimRight(q[8:40], "\x00")) == name {
			break
		}
		id |= ctrlFlagNextCtrl
	}
	c := [2]uint32{id, uint32(v)}
	if err := ioctl(fd, vidiocSCtrl, unsafe.Pointer(&c[0])); err != nil {
		return fmt.Errorf("%s: set %q: %w", dev, name, err)
	}
	return nil
}

// play streams frames into the output device for ever: the .yuyv files of
// the folder that phaseFile names, each shown for half a second in turn.
// phaseFile is reread every half second, so the checks switch what the
// camera sees by rewriting it.
func play(output, phaseFile string) error {
	fd, err := unix.Open(output, unix.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	if err := setFormat(fd, bufTypeOutput); err != nil {
		return err
	}
	req := [5]uint32{4, bufTypeOutput, memoryMMAP}
	if err := ioctl(fd, vidiocReqbufs, unsafe.Pointer(&req[0])); err != nil {
		return fmt.Errorf("REQBUFS: %w", err)
	}
	bufs := make([][]byte, req[0])
	for i := range bufs {
		b := buffer{Index: uint32(i), Type: bufTypeOutput, Memory: memoryMMAP}
		if err := ioctl(fd, vidiocQuerybuf, unsafe.Pointer(&b)); err != nil {
			return fmt.Errorf("QUERYBUF: %w", err)
		}
		if bufs[i], err = unix.Mmap(fd, int64(b.Offset), int(b.Length), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED); err != nil {
			return err
		}
	}
	var (
		phase  string
		shown  [][]byte
		turn   int // counts the frames shown, across phases
		change time.Time
		held   = make([]int, len(bufs)) // the turn each buffer holds
	)
	for i := range held {
		held[i] = -1
	}
	next := func() {
		if now := time.Now(); now.After(change) {
			change = now.Add(500 * time.Millisecond)
			turn++
			if b, err := os.ReadFile(phaseFile); err == nil && strings.TrimSpace(string(b)) != phase {
				phase = strings.TrimSpace(string(b))
				shown = readFrames(phase)
			}
		}
	}
	queue := func(i uint32) error {
		next()
		// Copy only when the frame changes: under emulation 600 kB at
		// 60 frames a second is a load of its own.
		if held[i] != turn {
			if len(shown) == 0 {
				clear(bufs[i][:frameBytes])
			} else {
				copy(bufs[i], shown[turn%len(shown)])
			}
			held[i] = turn
		}
		b := buffer{Index: i, Type: bufTypeOutput, Memory: memoryMMAP, BytesUsed: frameBytes, Field: fieldNone}
		return ioctl(fd, vidiocQbuf, unsafe.Pointer(&b))
	}
	for i := range bufs {
		if err := queue(uint32(i)); err != nil {
			return fmt.Errorf("QBUF: %w", err)
		}
	}
	typ := int32(bufTypeOutput)
	if err := ioctl(fd, vidiocStreamon, unsafe.Pointer(&typ)); err != nil {
		return fmt.Errorf("STREAMON: %w", err)
	}
	for {
		b := buffer{Type: bufTypeOutput, Memory: memoryMMAP}
		if err := ioctl(fd, vidiocDqbuf, unsafe.Pointer(&b)); err != nil {
			return fmt.Errorf("DQBUF: %w", err)
		}
		if err := queue(b.Index); err != nil {
			return fmt.Errorf("QBUF: %w", err)
		}
	}
}

// readFrames loads the .yuyv frames of dir, in name order; none if the
// folder is missing.
func readFrames(dir string) [][]byte {
	names, _ := filepath.Glob(filepath.Join(dir, "*.yuyv"))
	sort.Strings(names)
	var fs [][]byte
	for _, n := range names {
		if b, err := os.ReadFile(n); err == nil && len(b) == frameBytes {
			fs = append(fs, b)
		}
	}
	return fs
}
