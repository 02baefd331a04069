package service

import (
	"context"
	"errors"
	"fmt"
	"image"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"

	"github.com/edge-pi/edge/capture"
	"github.com/edge-pi/edge/decide"
	"github.com/edge-pi/edge/gallery"
	egpio "github.com/edge-pi/edge/gpio"
	"github.com/edge-pi/edge/imageio"
	"github.com/edge-pi/edge/internal/edgedata"
	"github.com/edge-pi/edge/twin"
)

// fakeClock advances by step at every reading: each frame takes a few
// readings, so pulses end after a few frames.
type fakeClock struct {
	t    time.Time
	step time.Duration
}

func (c *fakeClock) now() time.Time { c.t = c.t.Add(c.step); return c.t }

// memGallery serves a fixed gallery.
type memGallery struct{ g *gallery.Gallery }

func (m memGallery) ReloadIfChanged() (*gallery.Gallery, bool, error) { return m.g, false, nil }

type frameSpec struct {
	person, photo int // a negative photo: that photo, a little brighter
}

// brighter adds 2 to every pixel of a binary PGM (P5, maxval 255).
func brighter(t *testing.T, pgm []byte) []byte {
	t.Helper()
	fields, at := 0, 0
	for at < len(pgm) && fields < 4 { // P5, width, height, maxval
		for at < len(pgm) && (pgm[at] == ' ' || pgm[at] == '\n' || pgm[at] == '\r' || pgm[at] == '\t') {
			at++
		}
		for at < len(pgm) && !(pgm[at] == ' ' || pgm[at] == '\n' || pgm[at] == '\r' || pgm[at] == '\t') {
			at++
		}
		fields++
	}
	out := append([]byte(nil), pgm...)
	for i := at + 1; i < len(out); i++ {
		out[i] = byte(min(255, int(out[i])+2))
	}
	return out
}

// setup enrols person 1 (photo 1) with raw-pixel embeddings, and writes
// the frames in order into a folder the capture source replays.
func setup(t *testing.T, frames []frameSpec) (*twin.Net, *gallery.Gallery, string) {
	t.Helper()
	faces := edgedata.Dir(t, "att-faces")
	net := twin.RawPixels(46, 56)
	emb := func(person, photo int) []float32 {
		img, err := imageio.LoadFile(filepath.Join(faces, fmt.Sprintf("s%d/%d.pgm", person, photo)))
		if err != nil {
			t.Fatal(err)
		}
		e, err := net.Embed(img)
		if err != nil {
			t.Fatal(err)
		}
		return append([]float32(nil), e...)
	}
	g := gallery.New(gallery.ModelID{Name: "raw-pixels", EmbeddingSize: 46 * 56})
	if err := g.Enroll("alice", emb(1, 1)); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for i, f := range frames {
		src := filepath.Join(faces, fmt.Sprintf("s%d/%d.pgm", f.person, max(f.photo, -f.photo)))
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if f.photo < 0 { // the photo a little brighter: near it, not on it
			b = brighter(t, b)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%04d.pgm", i)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return net, g, dir
}

// threshold sits halfway between alice's own photo (distance 0) and the
// nearest stranger photo of people 2–10.
func threshold(t *testing.T, net *twin.Net, g *gallery.Gallery) float32 {
	faces := edgedata.Dir(t, "att-faces")
	nearest := float32(1e30)
	for p := 2; p <= 10; p++ {
		for ph := 1; ph <= 10; ph++ {
			img, err := imageio.LoadFile(filepath.Join(faces, fmt.Sprintf("s%d/%d.pgm", p, ph)))
			if err != nil {
				t.Fatal(err)
			}
			e, _ := net.Embed(img)
			_, d := g.Nearest(e)
			nearest = min(nearest, d)
		}
	}
	return nearest / 2
}

type run struct {
	levels  []gpio.Level
	persons []int
	unlocks int
	err     error
	final   gpio.Level
}

func runLoop(t *testing.T, frames []frameSpec, stopAt int, opts ...func(*Loop)) run {
	net, g, dir := setup(t, frames)
	thr := threshold(t, net, g)
	src, err := capture.OpenFolder(dir, capture.Pace{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	pin := &gpiotest.Pin{N: "GPIO17", L: gpio.Low}
	relay, err := egpio.New(egpio.Pins{Relay: pin}, egpio.Config{Pulse: 500 * time.Millisecond, Cooldown: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer relay.Close()
	dec, err := decide.New(decide.Config{K: 3, N: 5, Cooldown: time.Second, MaxGap: -1})
	if err != nil {
		t.Fatal(err)
	}
	clock := &fakeClock{t: time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC), step: 50 * time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var r run
	l := &Loop{Source: src, Net: net, Gallery: memGallery{g}, Decider: dec, Relay: relay, Threshold: thr, Now: clock.now,
		OnFrame: func(rep Report) {
			i := len(r.levels)
			r.levels = append(r.levels, pin.Read())
			r.persons = append(r.persons, frames[i].person)
			if rep.Unlocked {
				r.unlocks++
			}
			if i == stopAt {
				cancel()
			}
		}}
	for _, o := range opts {
		o(l)
	}
	r.err = l.Run(ctx)
	r.final = pin.Read()
	return r
}

func seq(person, from, n int) []frameSpec {
	var s []frameSpec
	for i := 0; i < n; i++ {
		s = append(s, frameSpec{person, from})
	}
	return s
}

// TestEndToEnd replays strangers, then the enrolled person, then
// strangers: the relay pin rises only while the enrolled person is in
// front of the camera, for the pulse, and never for a stranger.
func TestEndToEnd(t *testing.T) {
	var frames []frameSpec
	for p := 2; p <= 6; p++ {
		frames = append(frames, frameSpec{p, 1}, frameSpec{p, 2}, frameSpec{p, 3})
	}
	aliceFrom := len(frames)
	frames = append(frames, seq(1, 1, 6)...)
	aliceTo := len(frames)
	for p := 7; p <= 10; p++ {
		frames = append(frames, seq(p, 4, 4)...)
	}
	r := runLoop(t, frames, -1)
	if r.err != nil {
		t.Fatal(r.err)
	}
	if r.unlocks != 1 {
		t.Errorf("%d unlocks, want 1", r.unlocks)
	}
	high := 0
	for i, l := range r.levels {
		if l == gpio.High {
			high++
			if i < aliceFrom {
				t.Errorf("frame %d (stranger s%d): relay high", i, r.persons[i])
			}
			if i > aliceTo+4 {
				t.Errorf("frame %d: relay still high long after the pulse", i)
			}
		}
	}
	// 3-of-5 needs the 3rd alice frame; the 500 ms pulse at 100 ms per frame
	// (2 clock readings of 50 ms) lasts about 5 frames.
	if high < 3 || high > 6 {
		t.Errorf("relay high for %d frames, want about the 500 ms pulse", high)
	}
	if r.final != gpio.Low {
		t.Error("relay left high after the loop ended")
	}
}

// TestPersonThreshold: a person's own threshold, tighter than the
// door's (their matches were reported wrong), keeps the door shut for
// faces that the door's threshold alone would let in as them; one equal
// to the door's changes nothing.
func TestPersonThreshold(t *testing.T) {
	frames := append(seq(2, 1, 3), seq(1, -1, 6)...) // near the enrolled photo, not on it
	var asked []string
	tight := runLoop(t, frames, -1, func(l *Loop) {
		l.PersonThreshold = func(id string, thr float32) float32 {
			asked = append(asked, id)
			return thr / 1e6
		}
	})
	if tight.err != nil || tight.unlocks != 0 {
		t.Errorf("with a tight threshold for the enrolled person: %d unlocks (%v)", tight.unlocks, tight.err)
	}
	if len(asked) == 0 {
		t.Error("PersonThreshold was never asked")
	}
	same := runLoop(t, frames, -1, func(l *Loop) {
		l.PersonThreshold = func(id string, thr float32) float32 { return thr }
	})
	if same.err != nil || same.unlocks != 1 {
		t.Errorf("with the door's own threshold: %d unlocks (%v), want 1", same.unlocks, same.err)
	}
	loose := runLoop(t, seq(2, 1, 8), -1, func(l *Loop) {
		l.PersonThreshold = func(id string, thr float32) float32 { return 100 * thr } // never above the door's
	})
	if loose.unlocks != 0 {
		t.Errorf("a person's threshold above the door's let a stranger in: %d unlocks", loose.unlocks)
	}
}

func TestStrangersNeverUnlock(t *testing.T) {
	var frames []frameSpec
	for p := 2; p <= 30; p++ {
		for ph := 1; ph <= 10; ph += 3 {
			frames = append(frames, frameSpec{p, ph})
		}
	}
	r := runLoop(t, frames, -1)
	if r.err != nil {
		t.Fatal(r.err)
	}
	for i, l := range r.levels {
		if l != gpio.Low {
			t.Fatalf("frame %d (s%d): relay high for a stranger", i, r.persons[i])
		}
	}
}

// TestStopLeavesLocked cancels the loop at random frames, including in
// the middle of a pulse: the pin is low afterwards every time.
func TestStopLeavesLocked(t *testing.T) {
	frames := append(seq(1, 1, 8), seq(2, 1, 4)...)
	rng := rand.New(rand.NewPCG(3, 3))
	stops := []int{0, 3, 4, 5}
	for i := 0; i < 4; i++ {
		stops = append(stops, rng.IntN(len(frames)))
	}
	for _, stop := range stops {
		r := runLoop(t, frames, stop)
		if r.err != nil {
			t.Fatalf("stop at %d: %v", stop, r.err)
		}
		if r.final != gpio.Low {
			t.Errorf("stopped at frame %d: relay left high", stop)
		}
		if len(r.levels) != stop+1 {
			t.Errorf("stopped at frame %d but %d frames ran", stop, len(r.levels))
		}
	}
}

// failingNet embeds like the raw-pixel net until frame n, then fails (an
// engine fault): the loop must return the error with the relay locked,
// even in the middle of a pulse.
type failingNet struct {
	*twin.Net
	n, i int
}

func (f *failingNet) Embed(img image.Image) ([]float32, error) {
	f.i++
	if f.i > f.n {
		return nil, errors.New("engine fault")
	}
	return f.Net.Embed(img)
}

func TestFaultLocks(t *testing.T) {
	r := newRig(t, 10, nil, 5*time.Second)
	r.l.Net = &failingNet{Net: r.l.Net.(*twin.Net), n: 5}
	err := r.l.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "engine fault") {
		t.Fatalf("Run returned %v, want the engine fault", err)
	}
	wasHigh := false
	for _, h := range r.high {
		wasHigh = wasHigh || h
	}
	if !wasHigh {
		t.Fatal("the door never opened before the fault; the test proves nothing")
	}
	if r.pin.Read() != gpio.Low {
		t.Error("relay left high after a fault")
	}
}

// gatedNet refuses the frames in bad for their quality, as the locator's
// gate does, and embeds the others like the raw-pixel net.
type gatedNet struct {
	*twin.Net
	bad map[int]string
	i   int
}

func (g *gatedNet) Embed(img image.Image) ([]float32, error) {
	defer func() { g.i++ }()
	if reason, ok := g.bad[g.i]; ok {
		return nil, fmt.Errorf("frame: %w", &twin.QualityError{Reason: reason, Value: 1, Limit: 2})
	}
	return g.Net.Embed(img)
}

// TestQualitySkips: a face refused by the quality gate is reported with
// its reason, logged when the reason changes, never matched, and the
// loop goes on; the enrolled person still gets in once the frames are
// good.
func TestQualitySkips(t *testing.T) {
	r := newRig(t, 9, nil, 5*time.Second)
	bad := map[int]string{0: "blurred", 1: "blurred", 2: "dark", 3: "blurred", 4: "blurred", 5: "blurred"}
	r.l.Net = &gatedNet{Net: r.l.Net.(*twin.Net), bad: bad}
	if err := r.l.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	unlockAt := -1
	for i, rep := range r.reps {
		if rep.Skip != bad[i] || (rep.Skip != "" && (rep.Face || rep.Identity != "" || rep.Unlocked)) {
			t.Errorf("frame %d: %+v, want skip %q", i, rep, bad[i])
		}
		if rep.Unlocked && unlockAt < 0 {
			unlockAt = i
		}
	}
	if unlockAt != 8 {
		t.Errorf("unlocked at frame %d, want 8 (the third good frame)", unlockAt)
	}
	if n := strings.Count(r.logs.String(), "face skipped"); n != 3 || !strings.Contains(r.logs.String(), "reason=dark") {
		t.Errorf("%d skip log lines, want 3 (blurred, dark, blurred):\n%s", n, r.logs.String())
	}
}

// TestRemoteUnlock: a remote request opens the door once, for strangers'
// frames, recorded as remote_unlock with who asked; while the audit
// cannot be written it does not open; without a Remote channel nothing
// from outside reaches the relay.
func TestRemoteUnlock(t *testing.T) {
	frames := seq(2, 1, 6) // a stranger at the camera throughout
	req := make(chan RemoteUnlock, 1)
	req <- RemoteUnlock{By: "mqtt: test"}
	disk := &fullDisk{room: true}
	var remote int
	r := runLoop(t, frames, -1, func(l *Loop) {
		l.Remote, l.Audit = req, disk
		prev := l.OnFrame
		l.OnFrame = func(rep Report) {
			prev(rep)
			if rep.Remote {
				remote++
			}
		}
	})
	if r.err != nil || r.unlocks != 1 || remote != 1 {
		t.Errorf("one remote request: %d unlocks, %d remote (%v)", r.unlocks, remote, r.err)
	}
	if !slices.Contains(disk.written, "remote_unlock") {
		t.Errorf("audit records %v lack remote_unlock", disk.written)
	}
	req <- RemoteUnlock{By: "mqtt: test"}
	full := runLoop(t, frames, -1, func(l *Loop) { l.Remote, l.Audit = req, &fullDisk{} })
	if full.unlocks != 0 {
		t.Errorf("a remote request with the audit full opened the door: %d unlocks", full.unlocks)
	}
	if none := runLoop(t, frames, -1); none.unlocks != 0 {
		t.Errorf("strangers without a remote channel: %d unlocks", none.unlocks)
	}
}
