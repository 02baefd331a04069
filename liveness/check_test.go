package liveness_test

import (
	"errors"
	"image"
	"math"
	"testing"

	"github.com/edge-pi/edge/eval"
	"github.com/edge-pi/edge/liveness"
)

// fixedScorer is a passive check that gives one score, or an error.
type fixedScorer struct {
	v   float32
	err error
}

func (f fixedScorer) Score(image.Image, image.Rectangle) (float32, error) { return f.v, f.err }

func TestParseMode(t *testing.T) {
	for in, want := range map[string]liveness.Mode{"": liveness.Off, "off": liveness.Off, "passive": liveness.PassiveOnly, "motion": liveness.MotionOnly, "both": liveness.Both} {
		if m, err := liveness.ParseMode(in); err != nil || m != want {
			t.Errorf("ParseMode(%q) = %q, %v; want %q", in, m, err, want)
		}
	}
	for _, bad := range []string{"on", "Both", "motion ", "yes"} {
		if _, err := liveness.ParseMode(bad); err == nil {
			t.Errorf("ParseMode(%q) accepted", bad)
		}
	}
}

func TestNewCheckerRefuses(t *testing.T) {
	if _, err := liveness.NewChecker(liveness.Config{Mode: liveness.Both}, nil); !errors.Is(err, liveness.ErrNoPassive) {
		t.Errorf("both without the network: %v, want ErrNoPassive", err)
	}
	for _, c := range []liveness.Config{{Mode: "sometimes"}, {Mode: liveness.MotionOnly, Motion: -1}, {Mode: liveness.MotionOnly, Motion: math.NaN()}, {Mode: liveness.PassiveOnly, Passive: 2}} {
		if _, err := liveness.NewChecker(c, fixedScorer{v: 1}); err == nil {
			t.Errorf("NewChecker(%+v) accepted", c)
		}
	}
}

// TestChecker walks a genuine visit and a held photo through the modes:
// the first face is pending (no second view yet), a moving face is live,
// the photo stays pending, a face the passive check refuses is never
// pending, and a new identity starts a new chain.
func TestChecker(t *testing.T) {
	ps := people(t)
	l := detector(t)
	seqs := map[string]eval.Sequence{}
	for _, kind := range []string{"genuine", "replay"} {
		photos := ps[0]
		if kind == "genuine" {
			photos = photos[1:]
		}
		s, err := eval.MakeSequence(photos, kind, 3, eval.SequenceOptions{})
		if err != nil {
			t.Fatal(err)
		}
		seqs[kind] = s
	}
	run := func(c *liveness.Checker, s eval.Sequence, id string) []liveness.Result {
		var rs []liveness.Result
		for _, f := range s.Frames {
			face, err := l.LocateFace(f.Image)
			if err != nil {
				t.Fatalf("no face in a %s frame: %v", s.Kind, err)
			}
			r, err := c.Observe(f.Image, face.Box, id)
			if err != nil {
				t.Fatal(err)
			}
			rs = append(rs, r)
		}
		return rs
	}
	off, _ := liveness.NewChecker(liveness.Config{Mode: liveness.Off}, nil)
	for _, r := range run(off, seqs["replay"], "ann") {
		if !r.Live {
			t.Fatal("off: a face was not live")
		}
	}
	motion, _ := liveness.NewChecker(liveness.Config{Mode: liveness.MotionOnly}, nil)
	g := run(motion, seqs["genuine"], "ann")
	if !g[0].Pending || g[0].Live || !math.IsNaN(g[0].Motion) {
		t.Errorf("first face: %+v, want pending with no motion score", g[0])
	}
	if last := g[len(g)-1]; !last.Live || last.Motion < liveness.DefaultMotion {
		t.Errorf("genuine visit's last frame: %+v, want live", last)
	}
	for i, r := range run(motion, seqs["replay"], "bob") { // a new identity: its own chain
		if r.Live || !r.Pending || r.Reason != "no motion" {
			t.Errorf("held photo frame %d: %+v, want pending for want of motion", i, r)
		}
	}
	if r, _ := motion.Observe(seqs["replay"].Frames[0].Image, image.Rectangle{}, ""); r.Checked || r.Live {
		t.Errorf("a frame with no match: %+v, want unchecked and not live", r)
	}
	both, _ := liveness.NewChecker(liveness.Config{Mode: liveness.Both}, fixedScorer{v: 0.1})
	for i, r := range run(both, seqs["genuine"], "ann") {
		if r.Live || r.Pending {
			t.Errorf("frame %d refused by the passive check: %+v, want neither live nor pending", i, r)
		}
	}
	failing, _ := liveness.NewChecker(liveness.Config{Mode: liveness.PassiveOnly}, fixedScorer{err: errors.New("broken")})
	f := seqs["genuine"].Frames[0]
	if r, err := failing.Observe(f.Image, f.Face, "ann"); err == nil || r.Live {
		t.Errorf("a failing network: %+v, %v; want an error and not live", r, err)
	}
}
