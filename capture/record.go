package capture

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"time"

	"github.com/edge-pi/edge/imageio"
	"github.com/edge-pi/edge/internal/safefile"
)

// A recording is a file of grey frames, written by Recorder and replayed
// by Player. All integers are little-endian.
//
//	header  8 bytes   "EDGEFRM" and the version, 0x01
//	then frames, each a 24-byte head and its data:
//	  kind     1 byte   'G': raw grey, width·height bytes row after row;
//	                    'J': a JPEG file (grey or colour, read as grey)
//	  reserved 3 bytes  zero
//	  width    uint32   pixels, ≥ 1
//	  height   uint32   pixels, ≥ 1; width·height ≤ imageio.MaxPixels
//	  time     int64    capture time, nanoseconds since the Unix epoch
//	  length   uint32   bytes of data: width·height for 'G'; at most
//	                    imageio.MaxFileBytes for 'J'
//	  data     length bytes
//
// The file ends after a whole frame: a partial frame, an unknown kind or
// version, or a JPEG whose size is not the head's is an error wrapping
// ErrRecording. Frames may differ in size.
const recordMagic = "EDGEFRM\x01"

const frameHead = 24

// The frame kinds.
const (
	kindGray = 'G'
	kindJPEG = 'J'
)

// ErrRecording is wrapped by every error about a recording's content.
var ErrRecording = errors.New("capture: invalid recording")

// Recorder writes frames to a recording.
type Recorder struct {
	w       io.Writer
	quality int
	head    [frameHead]byte
	buf     bytes.Buffer // the JPEG of the frame being written
	err     error
}

// NewRecorder writes a recording's header to w and returns a Recorder
// that adds frames after it: raw grey if quality is 0, otherwise JPEG at
// that quality (1 to 100).
func NewRecorder(w io.Writer, quality int) (*Recorder, error) {
	if quality < 0 || quality > 100 {
		return nil, fmt.Errorf("capture: JPEG quality %d, want 0 (raw) to 100", quality)
	}
	if _, err := io.WriteString(w, recordMagic); err != nil {
		return nil, err
	}
	return &Recorder{w: w, quality: quality}, nil
}

// Add appends f's image and time. After an error, every Add fails.
func (r *Recorder) Add(f Frame) error {
	if r.err != nil {
		return r.err
	}
	g := f.Gray
	if g == nil || g.Rect.Empty() || g.Rect.Dx()*g.Rect.Dy() > imageio.MaxPixels {
		return fmt.Errorf("capture: cannot record a frame of %v", bounds(g))
	}
	w, h := g.Rect.Dx(), g.Rect.Dy()
	kind, n := byte(kindGray), w*h
	if r.quality > 0 {
		r.buf.Reset()
		if err := jpeg.Encode(&r.buf, g, &jpeg.Options{Quality: r.quality}); err != nil {
			return err
		}
		kind, n = kindJPEG, r.buf.Len()
	}
	r.head = [frameHead]byte{0: kind}
	binary.LittleEndian.PutUint32(r.head[4:], uint32(w))
	binary.LittleEndian.PutUint32(r.head[8:], uint32(h))
	binary.LittleEndian.PutUint64(r.head[12:], uint64(f.Time.UnixNano()))
	binary.LittleEndian.PutUint32(r.head[20:], uint32(n))
	if _, r.err = r.w.Write(r.head[:]); r.err != nil {
		return r.err
	}
	if kind == kindJPEG {
		_, r.err = r.w.Write(r.buf.Bytes())
		return r.err
	}
	for y := g.Rect.Min.Y; y < g.Rect.Max.Y && r.err == nil; y++ {
		i := g.PixOffset(g.Rect.Min.X, y)
		_, r.err = r.w.Write(g.Pix[i : i+w])
	}
	return r.err
}

func bounds(g *image.Gray) any {
	if g == nil {
		return "nil"
	}
	return g.Rect
}

// Record writes a recording of frames to w (quality as for NewRecorder).
func Record(w io.Writer, quality int, frames ...Frame) error {
	r, err := NewRecorder(w, quality)
	if err != nil {
		return err
	}
	for _, f := range frames {
		if err := r.Add(f); err != nil {
			return err
		}
	}
	return nil
}

// entry is one frame of a recording, as its head says.
type entry struct {
	off  int64 // of the data
	n    uint32
	w, h uint32
	time int64
	kind byte
}

// Player replays a recording as a Source. It reads the frame it delivers
// and no other: raw frames straight into its reused buffer, JPEG frames
// through image/jpeg (which allocates the decoded image each time).
type Player struct {
	r     io.ReaderAt
	c     io.Closer // nil: not ours
	index []entry
	sched schedule
	data  []byte // a JPEG frame's bytes
	pix   []byte // the frames' pixels
	gray  image.Gray
	jr    bytes.Reader
	done  bool
}

// Replay opens the recording at path and replays it at pace p.
func Replay(path string, p Pace) (*Player, error) {
	f, st, err := safefile.Open(path) // a regular file: never block on a FIFO
	if err != nil {
		return nil, err
	}
	pl, err := NewPlayer(f, st.Size(), p)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	pl.c = f
	return pl, nil
}

// NewPlayer replays the recording of size bytes held by r at pace p. It
// reads every frame's head first, so a malformed file fails here.
func NewPlayer(r io.ReaderAt, size int64, p Pace) (*Player, error) {
	index, err := readIndex(r, size)
	if err != nil {
		return nil, err
	}
	return &Player{r: r, index: index, sched: newSchedule(p, len(index))}, nil
}

func readIndex(r io.ReaderAt, size int64) ([]entry, error) {
	var head [frameHead]byte
	if size < int64(len(recordMagic)) {
		return nil, fmt.Errorf("%w: %d bytes", ErrRecording, size)
	}
	if _, err := r.ReadAt(head[:len(recordMagic)], 0); err != nil {
		return nil, err
	}
	if string(head[:len(recordMagic)]) != recordMagic {
		if string(head[:7]) == recordMagic[:7] {
			return nil, fmt.Errorf("%w: version %d, want %d", ErrRecording, head[7], recordMagic[7])
		}
		return nil, fmt.Errorf("%w: not a recording", ErrRecording)
	}
	var index []entry
	for off := int64(len(recordMagic)); off < size; {
		i := len(index)
		if size-off < frameHead {
			return nil, fmt.Errorf("%w: frame %d: head cut short at byte %d", ErrRecording, i, size)
		}
		if _, err := r.ReadAt(head[:], off); err != nil {
			return nil, err
		}
		e := entry{
			off:  off + frameHead,
			kind: head[0],
			w:    binary.LittleEndian.Uint32(head[4:]),
			h:    binary.LittleEndian.Uint32(head[8:]),
			time: int64(binary.LittleEndian.Uint64(head[12:])),
			n:    binary.LittleEndian.Uint32(head[20:]),
		}
		pixels := uint64(e.w) * uint64(e.h)
		switch {
		case e.kind != kindGray && e.kind != kindJPEG:
			return nil, fmt.Errorf("%w: frame %d: unknown kind %q", ErrRecording, i, e.kind)
		case head[1] != 0 || head[2] != 0 || head[3] != 0:
			return nil, fmt.Errorf("%w: frame %d: reserved bytes set", ErrRecording, i)
		case pixels == 0 || pixels > imageio.MaxPixels:
			return nil, fmt.Errorf("%w: frame %d: %d×%d pixels", ErrRecording, i, e.w, e.h)
		case e.kind == kindGray && uint64(e.n) != pixels:
			return nil, fmt.Errorf("%w: frame %d: %d bytes for %d×%d grey pixels", ErrRecording, i, e.n, e.w, e.h)
		case e.kind == kindJPEG && (e.n < 2 || e.n > imageio.MaxFileBytes):
			return nil, fmt.Errorf("%w: frame %d: JPEG of %d bytes", ErrRecording, i, e.n)
		case int64(e.n) > size-e.off:
			return nil, fmt.Errorf("%w: frame %d: %d bytes of data, %d left in the file", ErrRecording, i, e.n, size-e.off)
		}
		index = append(index, e)
		off = e.off + int64(e.n)
	}
	if len(index) == 0 {
		return nil, fmt.Errorf("%w: no frames", ErrRecording)
	}
	return index, nil
}

// Len is the number of frames in the recording.
func (p *Player) Len() int { return len(p.index) }

// RecordedAt is when frame i (0 ≤ i < Len) was recorded.
func (p *Player) RecordedAt(i int) time.Time { return time.Unix(0, p.index[i].time) }

// Next returns the frame due now (see Pace). Time is when it fell due,
// not when it was recorded (RecordedAt).
func (p *Player) Next(ctx context.Context) (Frame, error) {
	if p.done {
		return Frame{}, ErrClosed
	}
	seq, i, t, dropped, err := p.sched.wait(ctx)
	if err != nil {
		return Frame{}, err
	}
	if err := p.read(i); err != nil {
		return Frame{}, fmt.Errorf("frame %d: %w", i, err)
	}
	return Frame{Gray: &p.gray, Time: t, Seq: seq, Dropped: dropped}, nil
}

// read decodes frame i into p.gray.
func (p *Player) read(i int) error {
	e := p.index[i]
	w, h := int(e.w), int(e.h)
	if e.kind == kindGray {
		return p.readAt(w, h, e.off)
	}
	if cap(p.data) < int(e.n) {
		p.data = make([]byte, e.n)
	}
	data := p.data[:e.n]
	if _, err := p.r.ReadAt(data, e.off); err != nil {
		return err
	}
	p.jr.Reset(data)
	cfg, err := jpeg.DecodeConfig(&p.jr)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrRecording, err)
	}
	if cfg.Width != w || cfg.Height != h {
		return fmt.Errorf("%w: a %d×%d JPEG in a %d×%d frame", ErrRecording, cfg.Width, cfg.Height, w, h)
	}
	p.jr.Reset(data)
	img, err := jpeg.Decode(&p.jr)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrRecording, err)
	}
	p.resize(w, h)
	return greyInto(&p.gray, img)
}

// readAt reads a raw w × h frame at off straight into p.gray.
func (p *Player) readAt(w, h int, off int64) error {
	p.resize(w, h)
	_, err := p.r.ReadAt(p.gray.Pix, off)
	return err
}

// resize makes p.gray w × h, growing its buffer if it must.
func (p *Player) resize(w, h int) {
	if cap(p.pix) < w*h {
		p.pix = make([]byte, w*h)
	}
	p.gray = image.Gray{Pix: p.pix[:w*h], Stride: w, Rect: image.Rect(0, 0, w, h)}
}

// Close closes the recording's file (Replay's; not NewPlayer's reader).
func (p *Player) Close() error {
	if p.done {
		return nil
	}
	p.done = true
	if p.c != nil {
		return p.c.Close()
	}
	return nil
}
