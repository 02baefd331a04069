package web

// The live view: the door's latest frame, at most LiveFPS a second, with
// the face's box drawn in the colour of what the door made of it, as an
// MJPEG stream (multipart/x-mixed-replace: an <img> plays it, no script).

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"net/http"
	"sync"
	"time"
)

// LiveFPS bounds the frames the live view takes from the door.
const LiveFPS = 5

// Mark says what the door made of a frame's face: the box's colour.
type Mark int

// The marks.
const (
	NoFace   Mark = iota // nothing drawn
	Matched              // an enrolled person (green)
	Stranger             // a face nobody enrolled (red)
	Skipped              // refused by the quality gate (amber)
)

var markColors = [...]color.RGBA{{}, {0, 200, 0, 255}, {220, 0, 0, 255}, {240, 160, 0, 255}}

// Live holds the door's latest frame. Offer is called from the door's
// loop and only copies (at most LiveFPS times a second); the readers wait
// in Next.
type Live struct {
	mu      sync.Mutex
	gray    *image.Gray
	box     image.Rectangle
	mark    Mark
	caption string
	seq     uint64
	last    time.Time
	wait    chan struct{} // closed and replaced on each new frame
}

// NewLive returns an empty Live.
func NewLive() *Live { return &Live{wait: make(chan struct{})} }

// Offer keeps a copy of frame (unless one was kept less than 1/LiveFPS
// ago), with its face box, mark and caption ("ada 0.41", "small").
func (l *Live) Offer(now time.Time, frame *image.Gray, box image.Rectangle, mark Mark, caption string) {
	if frame == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.last) < time.Second/LiveFPS {
		return
	}
	l.last = now
	if l.gray == nil || l.gray.Rect != frame.Rect {
		l.gray = image.NewGray(frame.Rect)
	}
	copyGray(l.gray, frame)
	l.box, l.mark, l.caption = box, mark, caption
	l.seq++
	close(l.wait)
	l.wait = make(chan struct{})
}

func copyGray(dst, src *image.Gray) {
	r := src.Rect
	for y := r.Min.Y; y < r.Max.Y; y++ {
		copy(dst.Pix[dst.PixOffset(r.Min.X, y):][:r.Dx()], src.Pix[src.PixOffset(r.Min.X, y):][:r.Dx()])
	}
}

// LiveFrame is a copy of one frame of the live view.
type LiveFrame struct {
	Gray    *image.Gray
	Box     image.Rectangle
	Mark    Mark
	Caption string
	Seq     uint64
}

// Next waits for a frame newer than after.Seq and copies it into after
// (its image reused when the size is the same), or returns ctx's error.
func (l *Live) Next(ctx context.Context, after *LiveFrame) error {
	for {
		l.mu.Lock()
		if l.seq > after.Seq && l.gray != nil {
			if after.Gray == nil || after.Gray.Rect != l.gray.Rect {
				after.Gray = image.NewGray(l.gray.Rect)
			}
			copyGray(after.Gray, l.gray)
			after.Box, after.Mark, after.Caption, after.Seq = l.box, l.mark, l.caption, l.seq
			l.mu.Unlock()
			return nil
		}
		wait := l.wait
		l.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Seq is the number of the latest frame kept (0: none yet).
func (l *Live) Seq() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.seq
}

// Caption is the latest frame's caption.
func (l *Live) Caption() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.caption
}

// drawBox draws r's outline, 3 pixels wide, in c.
func drawBox(img *image.RGBA, r image.Rectangle, c color.RGBA) {
	r = r.Intersect(img.Rect)
	if r.Empty() {
		return
	}
	u := image.NewUniform(c)
	for i := 0; i < 3; i++ {
		for _, e := range []image.Rectangle{
			image.Rect(r.Min.X, r.Min.Y+i, r.Max.X, r.Min.Y+i+1), image.Rect(r.Min.X, r.Max.Y-i-1, r.Max.X, r.Max.Y-i),
			image.Rect(r.Min.X+i, r.Min.Y, r.Min.X+i+1, r.Max.Y), image.Rect(r.Max.X-i-1, r.Min.Y, r.Max.X-i, r.Max.Y),
		} {
			draw.Draw(img, e.Intersect(r), u, image.Point{}, draw.Src)
		}
	}
}

// liveStream serves the MJPEG stream until the client goes away or the
// server stops.
func (s *Server) liveStream(w http.ResponseWriter, r *http.Request, _ session) {
	if s.c.Live == nil {
		http.Error(w, "no camera in this door", http.StatusNotFound)
		return
	}
	rc := http.NewResponseController(w)
	rc.SetWriteDeadline(time.Time{}) // a stream, not one response
	const boundary = "edgeframe"
	w.Header().Set("Content-Type", "multipart/x-mixed-replace; boundary="+boundary)
	var f LiveFrame
	var rgba *image.RGBA
	var buf bytes.Buffer
	for {
		if err := s.c.Live.Next(r.Context(), &f); err != nil {
			return
		}
		if rgba == nil || rgba.Rect != f.Gray.Rect {
			rgba = image.NewRGBA(f.Gray.Rect)
		}
		draw.Draw(rgba, rgba.Rect, f.Gray, f.Gray.Rect.Min, draw.Src)
		if f.Mark != NoFace {
			drawBox(rgba, f.Box, markColors[f.Mark])
		}
		buf.Reset()
		if err := jpeg.Encode(&buf, rgba, &jpeg.Options{Quality: 75}); err != nil {
			return
		}
		if _, err := fmt.Fprintf(w, "--%s\r\nContent-Type: image/jpeg\r\nContent-Length: %d\r\n\r\n", boundary, buf.Len()); err != nil {
			return
		}
		if _, err := w.Write(append(buf.Bytes(), '\r', '\n')); err != nil {
			return
		}
		if rc.Flush() != nil {
			return
		}
	}
}

func (s *Server) livePage(w http.ResponseWriter, r *http.Request, sess session) {
	v := view{CSRF: sess.csrf, Refresh: 5}
	if s.c.Live != nil {
		v.Caption = s.c.Live.Caption()
	}
	s.render(w, http.StatusOK, "live.html", v)
}
