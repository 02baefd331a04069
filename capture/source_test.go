package capture_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/edge-pi/edge/capture"
	"github.com/edge-pi/edge/capture/capturetest"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// pattern is a w × h image whose pixels depend on k.
func pattern(w, h, k int) *image.Gray {
	g := image.NewGray(image.Rect(0, 0, w, h))
	for i := range g.Pix {
		g.Pix[i] = byte(k*31 + i*7 + i/w*13)
	}
	return g
}

// folder writes n PNG images and some files Folder must skip.
func folder(t *testing.T, n int) string {
	dir := t.TempDir()
	for i := 0; i < n; i++ {
		var b bytes.Buffer
		png.Encode(&b, pattern(12, 10, i))
		os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%02d.png", i)), b.Bytes(), 0o644)
	}
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not an image"), 0o644)
	os.Mkdir(filepath.Join(dir, "sub.png"), 0o755)
	return dir
}

func same(a, b *image.Gray) bool {
	return a.Rect.Size() == b.Rect.Size() && bytes.Equal(a.Pix, b.Pix)
}

// drain reads src to its end and returns its frames' Seq and Dropped, and
// checks each image against want(seq).
func drain(t *testing.T, src capture.Source, want func(seq uint64) *image.Gray) (seqs, dropped []uint64, times []time.Time) {
	t.Helper()
	for {
		f, err := src.Next(context.Background())
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if want != nil && !same(f.Gray, want(f.Seq)) {
			t.Fatalf("frame %d: wrong image", f.Seq)
		}
		seqs, dropped, times = append(seqs, f.Seq), append(dropped, f.Dropped), append(times, f.Time)
	}
}

func TestFolderUnpaced(t *testing.T) {
	dir := folder(t, 5)
	f, err := capture.OpenFolder(dir, capture.Pace{})
	if err != nil {
		t.Fatal(err)
	}
	if f.Len() != 5 {
		t.Fatalf("Len() = %d, want 5", f.Len())
	}
	seqs, dropped, _ := drain(t, f, func(s uint64) *image.Gray { return pattern(12, 10, int(s)) })
	if fmt.Sprint(seqs, dropped) != "[0 1 2 3 4] [0 0 0 0 0]" {
		t.Errorf("Seq %v, Dropped %v", seqs, dropped)
	}
	f.Close()
	if _, err := f.Next(context.Background()); !errors.Is(err, capture.ErrClosed) {
		t.Errorf("Next after Close: %v", err)
	}
	if _, err := capture.OpenFolder(t.TempDir(), capture.Pace{}); err == nil {
		t.Error("an empty folder opened")
	}
}

// TestPace: frames at 10 fps on a fake clock; a consumer that keeps up
// gets them all on time, a slow one the newest, the rest counted dropped.
func TestPace(t *testing.T) {
	dir := folder(t, 8)
	clock := capturetest.NewClock(t0)
	f, err := capture.OpenFolder(dir, capture.Pace{FPS: 10, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	want := func(fr capture.Frame, seq, dropped uint64) {
		t.Helper()
		if fr.Seq != seq || fr.Dropped != dropped || !fr.Time.Equal(t0.Add(time.Duration(seq)*100*time.Millisecond)) ||
			!same(fr.Gray, pattern(12, 10, int(seq))) {
			t.Fatalf("frame %d (%d dropped) at %v, want %d (%d dropped)", fr.Seq, fr.Dropped, fr.Time.Sub(t0), seq, dropped)
		}
	}
	fr, _ := f.Next(ctx)
	want(fr, 0, 0)
	fr, _ = f.Next(ctx) // waits 100 ms (of fake time)
	want(fr, 1, 0)
	if now := clock.Now(); !now.Equal(t0.Add(100 * time.Millisecond)) {
		t.Errorf("clock at %v after the wait", now.Sub(t0))
	}
	clock.Advance(350 * time.Millisecond) // now 450 ms: frame 4 is the newest
	fr, _ = f.Next(ctx)
	want(fr, 4, 2)
	clock.Advance(10 * time.Second) // past the end: the last frame, then EOF
	fr, _ = f.Next(ctx)
	want(fr, 7, 2)
	if _, err := f.Next(ctx); err != io.EOF {
		t.Errorf("after the last frame: %v", err)
	}

	// Looping: Seq goes on, the images come round again.
	f, _ = capture.OpenFolder(dir, capture.Pace{FPS: 10, Loop: true, Clock: clock})
	start := clock.Now()
	for i := uint64(0); i < 20; i++ {
		fr, err := f.Next(ctx)
		if err != nil || fr.Seq != i || !same(fr.Gray, pattern(12, 10, int(i%8))) || !fr.Time.Equal(start.Add(time.Duration(i)*100*time.Millisecond)) {
			t.Fatalf("loop: frame %d: %+v, %v", i, fr, err)
		}
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := f.Next(cctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Next with a done context: %v", err)
	}
}

// TestPaceRealClock: a paced source on the system clock waits, and a
// cancelled wait returns at once.
func TestPaceRealClock(t *testing.T) {
	f, err := capture.OpenFolder(folder(t, 3), capture.Pace{FPS: 50})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, _, times := drain(t, f, nil)
	if len(times) == 0 || time.Since(start) < 30*time.Millisecond {
		t.Errorf("3 frames at 50 fps took %v", time.Since(start))
	}
	f, _ = capture.OpenFolder(folder(t, 3), capture.Pace{FPS: 0.001})
	f.Next(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := f.Next(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a wait of 1000 s with a 20 ms deadline: %v", err)
	}
}

func recording(t testing.TB, quality int, frames []capture.Frame) []byte {
	var b bytes.Buffer
	if err := capture.Record(&b, quality, frames...); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func testFrames() []capture.Frame {
	var fs []capture.Frame
	for i, size := range []image.Point{{16, 12}, {16, 12}, {3, 5}, {40, 30}} {
		fs = append(fs, capture.Frame{Gray: pattern(size.X, size.Y, i), Time: t0.Add(time.Duration(i) * 33 * time.Millisecond)})
	}
	// A sub-image: recorded as its own pixels.
	big := pattern(30, 30, 9)
	fs = append(fs, capture.Frame{Gray: big.SubImage(image.Rect(5, 7, 25, 22)).(*image.Gray), Time: t0.Add(time.Second)})
	return fs
}

func TestRecordReplay(t *testing.T) {
	frames := testFrames()
	for _, quality := range []int{0, 95} {
		data := recording(t, quality, frames)
		path := filepath.Join(t.TempDir(), "rec.edgefrm")
		os.WriteFile(path, data, 0o644)
		p, err := capture.Replay(path, capture.Pace{})
		if err != nil {
			t.Fatal(err)
		}
		if p.Len() != len(frames) {
			t.Fatalf("Len() = %d", p.Len())
		}
		for i, want := range frames {
			f, err := p.Next(context.Background())
			if err != nil {
				t.Fatalf("quality %d, frame %d: %v", quality, i, err)
			}
			if !p.RecordedAt(i).Equal(want.Time) {
				t.Errorf("frame %d recorded at %v, want %v", i, p.RecordedAt(i), want.Time)
			}
			w := want.Gray
			if f.Gray.Rect.Size() != w.Rect.Size() {
				t.Fatalf("frame %d: %v, want %v", i, f.Gray.Rect, w.Rect)
			}
			var diff, n int
			for y := 0; y < w.Rect.Dy(); y++ {
				for x := 0; x < w.Rect.Dx(); x++ {
					d := int(f.Gray.GrayAt(x, y).Y) - int(w.GrayAt(w.Rect.Min.X+x, w.Rect.Min.Y+y).Y)
					diff += max(d, -d)
					n++
				}
			}
			if quality == 0 && diff != 0 || float64(diff)/float64(n) > 12 {
				t.Errorf("quality %d, frame %d: mean difference %.1f", quality, i, float64(diff)/float64(n))
			}
		}
		if _, err := p.Next(context.Background()); err != io.EOF {
			t.Errorf("after the last frame: %v", err)
		}
		if err := p.Close(); err != nil {
			t.Error(err)
		}
	}
}

// TestRecordingCut: a recording cut anywhere is an error, except at a
// frame's end, where it is the frames before.
func TestRecordingCut(t *testing.T) {
	frames := testFrames()[:3]
	data := recording(t, 0, frames)
	ends := map[int]int{}
	off := 8
	for i, f := range frames {
		off += 24 + f.Gray.Rect.Dx()*f.Gray.Rect.Dy()
		ends[off] = i + 1
	}
	for n := 0; n < len(data); n++ {
		p, err := capture.NewPlayer(bytes.NewReader(data[:n]), int64(n), capture.Pace{})
		if want, ok := ends[n]; ok {
			if err != nil || p.Len() != want {
				t.Fatalf("cut at a frame's end, %d bytes: %v", n, err)
			}
			continue
		}
		if !errors.Is(err, capture.ErrRecording) {
			t.Fatalf("cut to %d bytes: %v, want ErrRecording", n, err)
		}
	}
	bad := func(name string, edit func(b []byte)) {
		b := bytes.Clone(data)
		edit(b)
		if _, err := capture.NewPlayer(bytes.NewReader(b), int64(len(b)), capture.Pace{}); !errors.Is(err, capture.ErrRecording) {
			t.Errorf("%s: %v", name, err)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
	bad("version 2", func(b []byte) { b[7] = 2 })
	bad("not a recording", func(b []byte) { b[0] = 'X' })
	bad("kind", func(b []byte) { b[8] = 'Z' })
	bad("reserved", func(b []byte) { b[9] = 1 })
	bad("width 0", func(b []byte) { copy(b[12:], []byte{0, 0, 0, 0}) })
	bad("huge", func(b []byte) { copy(b[12:], []byte{0, 0, 0, 1}); copy(b[16:], []byte{0, 0, 0, 1}) })
	bad("length", func(b []byte) { b[28]++ })

	// A JPEG frame whose size is not its head's fails when it is read.
	data = recording(t, 90, frames[:1])
	data[12] = 15 // width 15, the JPEG is 16 wide
	p, err := capture.NewPlayer(bytes.NewReader(data), int64(len(data)), capture.Pace{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Next(context.Background()); !errors.Is(err, capture.ErrRecording) {
		t.Errorf("JPEG of the wrong size: %v", err)
	}
}

func TestRecorderErrors(t *testing.T) {
	if _, err := capture.NewRecorder(io.Discard, 101); err == nil {
		t.Error("quality 101 accepted")
	}
	r, _ := capture.NewRecorder(io.Discard, 0)
	if err := r.Add(capture.Frame{}); err == nil {
		t.Error("a frame without an image recorded")
	}
}

// TestFakes: capturetest's Source serves its images, fails on cue and
// closes.
func TestFakes(t *testing.T) {
	imgs := []*image.Gray{pattern(4, 4, 0), pattern(4, 4, 1)}
	boom := errors.New("camera fault")
	s := &capturetest.Source{Images: imgs, Start: t0, Fail: func(seq uint64) error {
		if seq == 1 {
			return boom
		}
		return nil
	}}
	ctx := context.Background()
	if f, err := s.Next(ctx); err != nil || f.Gray != imgs[0] || !f.Time.Equal(t0) {
		t.Fatalf("%+v, %v", f, err)
	}
	if _, err := s.Next(ctx); err != boom {
		t.Fatalf("fault: %v", err)
	}
	s.Fail = nil
	if f, err := s.Next(ctx); err != nil || f.Gray != imgs[1] || f.Seq != 1 || !f.Time.Equal(t0.Add(time.Second/30)) {
		t.Fatalf("%+v, %v", f, err)
	}
	if _, err := s.Next(ctx); err != io.EOF {
		t.Fatalf("end: %v", err)
	}
	s.Close()
	if _, err := s.Next(ctx); !errors.Is(err, capture.ErrClosed) || !s.Closed() {
		t.Fatalf("closed: %v", err)
	}
}

// TestReplayAllocs: replaying raw frames reads into one buffer.
func TestReplayAllocs(t *testing.T) {
	data := recording(t, 0, testFrames())
	p, err := capture.NewPlayer(bytes.NewReader(data), int64(len(data)), capture.Pace{Loop: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for range p.Len() { // the buffer grows to the largest frame
		p.Next(ctx)
	}
	if n := testing.AllocsPerRun(50, func() {
		if _, err := p.Next(ctx); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("%v allocations a raw frame", n)
	}
}
