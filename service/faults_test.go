package service

import (
	"context"
	"errors"
	"image"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"

	"github.com/edge-pi/edge/audit"
	"github.com/edge-pi/edge/capture"
	"github.com/edge-pi/edge/decide"
	"github.com/edge-pi/edge/gallery"
	egpio "github.com/edge-pi/edge/gpio"
)

// statusLog records what the loop tells the supervisor.
type statusLog struct{ lines []string }

func (s *statusLog) Ready() error             { return nil }
func (s *statusLog) Watchdog() error          { return nil }
func (s *statusLog) Status(line string) error { s.lines = append(s.lines, line); return nil }

// faultRig is the enrolled person in front of the camera for every frame,
// with a relay on a gpiotest pin; each test breaks one stage.
type faultRig struct {
	l      *Loop
	pin    *gpiotest.Pin
	reps   []Report
	logs   strings.Builder
	status statusLog
	high   []bool // the pin after each frame
}

func newFaultRig(t *testing.T, n int, prep func(dir string)) *faultRig {
	return newRig(t, n, prep, 30*time.Millisecond)
}

// newRig is the rig with the relay's pulse of the caller's choosing.
func newRig(t *testing.T, n int, prep func(dir string), pulse time.Duration) *faultRig {
	t.Helper()
	net, g, dir := setup(t, seq(1, 1, n))
	if prep != nil {
		prep(dir)
	}
	src, err := capture.OpenFolder(dir, capture.Pace{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { src.Close() })
	r := &faultRig{pin: &gpiotest.Pin{N: "GPIO17", L: gpio.Low}}
	relay, err := egpio.New(egpio.Pins{Relay: r.pin}, egpio.Config{Pulse: pulse, Cooldown: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { relay.Close() })
	dec, _ := decide.New(decide.Config{K: 3, N: 5, MaxGap: -1, Cooldown: 10 * time.Millisecond})
	clock := &fakeClock{t: time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC), step: 10 * time.Millisecond}
	r.l = &Loop{Source: src, Net: net, Gallery: memGallery{g}, Decider: dec, Relay: relay, Threshold: 1e-3,
		Now: clock.now, Log: slog.New(slog.NewTextHandler(&r.logs, nil)), Notify: &r.status,
		OnFrame: func(rep Report) {
			r.reps = append(r.reps, rep)
			r.high = append(r.high, r.pin.Read() == gpio.High)
		}}
	return r
}

func (r *faultRig) unlocks() int {
	n := 0
	for _, rep := range r.reps {
		if rep.Unlocked {
			n++
		}
	}
	return n
}

// TestBadFramesSkipped: an unreadable file among the frames is skipped
// and reported; the loop goes on and the enrolled person gets in.
func TestBadFramesSkipped(t *testing.T) {
	r := newFaultRig(t, 8, func(dir string) {
		for _, f := range []string{"0001.pgm", "0002.pgm"} {
			if err := os.WriteFile(filepath.Join(dir, f), []byte("P5 not an image"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	})
	if err := r.l.Run(context.Background()); err != nil {
		t.Fatalf("Run: %v, want the loop to go on past unreadable frames", err)
	}
	bad := 0
	for _, rep := range r.reps {
		if rep.Fault == "bad frame" {
			bad++
		}
	}
	if bad != 2 || r.unlocks() == 0 || r.pin.Read() != gpio.Low {
		t.Errorf("%d bad frames reported (want 2), %d unlocks (want some), final pin %v", bad, r.unlocks(), r.pin.Read())
	}
	if len(r.status.lines) < 2 || !strings.Contains(r.status.lines[0], "unreadable frames") || r.status.lines[len(r.status.lines)-1] != "running" {
		t.Errorf("status lines %q: want the fault, then running", r.status.lines)
	}
}

// TestBadFramesEnd: a source that only sends garbage ends the loop
// after MaxBadFrames, with the relay locked.
func TestBadFramesEnd(t *testing.T) {
	r := newFaultRig(t, 1, nil)
	r.l.Source = &garbage{}
	err := r.l.Run(context.Background())
	if err == nil || !errors.Is(err, capture.ErrBadFrame) || r.pin.Read() != gpio.Low {
		t.Errorf("Run: %v, pin %v; want the bad-frame error and a locked relay", err, r.pin.Read())
	}
	if n := len(r.reps); n != MaxBadFrames-1 {
		t.Errorf("%d frames skipped before giving up, want %d", n, MaxBadFrames-1)
	}
}

type garbage struct{}

func (garbage) Next(context.Context) (capture.Frame, error) {
	return capture.Frame{}, errors.Join(capture.ErrBadFrame, errors.New("truncated frame"))
}
func (garbage) Close() error { return nil }

// flakyGallery loads, then fails from the second reload on (a gallery
// file corrupted while the service runs).
type flakyGallery struct {
	g *gallery.Gallery
	n int
}

func (f *flakyGallery) ReloadIfChanged() (*gallery.Gallery, bool, error) {
	f.n++
	if f.n > 1 {
		return nil, false, errors.New("gallery.edge: checksum mismatch")
	}
	return f.g, true, nil
}

// TestCorruptGalleryKeepsLastGood: the last good gallery stays in use,
// the fault is reported, and a gallery that cannot be read at the start
// is still an error.
func TestCorruptGalleryKeepsLastGood(t *testing.T) {
	r := newFaultRig(t, 8, nil)
	g := r.l.Gallery.(memGallery).g
	r.l.Gallery = &flakyGallery{g: g}
	if err := r.l.Run(context.Background()); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if r.unlocks() == 0 || r.reps[0].Fault != "gallery" {
		t.Errorf("%d unlocks with the last good gallery (want some); first frame's fault %q", r.unlocks(), r.reps[0].Fault)
	}
	if len(r.status.lines) != 1 || !strings.Contains(r.status.lines[0], "checksum mismatch") ||
		strings.Count(r.logs.String(), "level=ERROR") != 1 {
		t.Errorf("status %q, log:\n%s\nwant the fault reported once", r.status.lines, r.logs.String())
	}

	r = newFaultRig(t, 2, nil)
	r.l.Gallery = &flakyGallery{n: 1}
	if err := r.l.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "checksum") {
		t.Errorf("a gallery unreadable at start: Run returned %v", err)
	}
}

// fullDisk fails every write until it is given room.
type fullDisk struct {
	room    bool
	written []string
}

func (d *fullDisk) Write(rec audit.Record, crop image.Image) error {
	if !d.room {
		return errors.New("write audit.jsonl: no space left on device")
	}
	d.written = append(d.written, rec.Decision)
	return nil
}

// TestAuditFullRefusesUnlocks: while the audit cannot be written the door
// does not open, and the loop goes on; once it can, unlocks resume and
// are recorded.
func TestAuditFullRefusesUnlocks(t *testing.T) {
	r := newFaultRig(t, 40, nil)
	disk := &fullDisk{}
	r.l.Audit = disk
	frames := 0
	inner := r.l.OnFrame
	r.l.OnFrame = func(rep Report) {
		inner(rep)
		if frames++; frames == 20 {
			disk.room = true
		}
	}
	if err := r.l.Run(context.Background()); err != nil {
		t.Fatalf("Run: %v", err)
	}
	for i := 0; i < 20; i++ {
		if r.high[i] || r.reps[i].Unlocked {
			t.Fatalf("frame %d: the door opened while the audit could not be written", i)
		}
	}
	refused := 0
	for _, rep := range r.reps[:20] {
		if rep.Fault == "audit" {
			refused++
		}
	}
	if refused == 0 || r.unlocks() == 0 || len(disk.written) != r.unlocks() {
		t.Errorf("%d unlocks refused, %d after room (%d recorded): want refusals, then recorded unlocks", refused, r.unlocks(), len(disk.written))
	}
	if len(r.status.lines) != 2 || !strings.Contains(r.status.lines[0], "unlocks refused") || r.status.lines[1] != "running" {
		t.Errorf("status lines %q", r.status.lines)
	}
}
