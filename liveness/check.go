package liveness

import (
	"errors"
	"fmt"
	"image"
	"math"
)

// Mode says which checks must pass before a face may count as a match.
type Mode string

const (
	Off         Mode = "off"     // no check: every face counts (a photo opens the door)
	PassiveOnly Mode = "passive" // the anti-spoofing network on each frame
	MotionOnly  Mode = "motion"  // non-planar motion within the decision window
	Both        Mode = "both"    // both of them
)

// ParseMode reads a Mode from its name; "" is Off.
func ParseMode(s string) (Mode, error) {
	switch m := Mode(s); m {
	case "":
		return Off, nil
	case Off, PassiveOnly, MotionOnly, Both:
		return m, nil
	}
	return "", fmt.Errorf("liveness %q: want off, passive, motion or both", s)
}

func (m Mode) motion() bool  { return m == MotionOnly || m == Both }
func (m Mode) passive() bool { return m == PassiveOnly || m == Both }

// Defaults of Config.
const (
	DefaultMotion  = 0.10 // between the planar attacks' largest evidence (0.080) and genuine visits' smallest (0.124)
	DefaultPassive = 0.25 // low: on the generated attacks the network does not separate (AUC ≈ 0.5); it refuses only faces it is sure of
	DefaultWindow  = 5    // decide.DefaultConfig's N
)

// Config sets the checks; zero thresholds and window take the defaults.
type Config struct {
	Mode Mode
	// Motion is the least motion score (Motion.Next) that two pairs of
	// consecutive faces within the window must reach to make a face live;
	// Passive the least passive score of the frame itself.
	Motion  float64
	Passive float32
	// Window is the number of frames the motion evidence is kept: the
	// decision's N, so that the frames that unlock saw the movement.
	Window int
}

func (c Config) withDefaults() Config {
	if c.Motion == 0 {
		c.Motion = DefaultMotion
	}
	if c.Passive == 0 {
		c.Passive = DefaultPassive
	}
	if c.Window <= 0 {
		c.Window = DefaultWindow
	}
	return c
}

// Scorer is the passive check (*Passive).
type Scorer interface {
	Score(img image.Image, box image.Rectangle) (float32, error)
}

// Result is one frame's liveness.
type Result struct {
	// Checked: the frame had a face that matched an identity, and the
	// checks of the mode ran on it. Frames without are never live.
	Checked bool
	// Live: every check of the mode passed (always, with Off).
	Live bool
	// Pending: not live, but only for want of motion evidence (the first
	// view of a face, or a face that has not moved yet) and nothing
	// against it; a later live frame of the same identity within the
	// window may vouch for it (decide's Frame.Unproven). A face the
	// passive check refused is never pending.
	Pending bool
	// Motion is the second largest motion score within the window for
	// this identity (the evidence: two pairs of views must have moved);
	// Passive this frame's passive score. NaN when not measured.
	Motion  float64
	Passive float32
	// Reason says which check failed: "no motion", "passive", or both
	// joined by "+"; "" when live or not checked.
	Reason string
}

// String is the result as the audit's detail writes it.
func (r Result) String() string {
	s := "liveness"
	if !math.IsNaN(r.Motion) {
		s += fmt.Sprintf(" motion=%.3f", r.Motion)
	}
	if !math.IsNaN(float64(r.Passive)) {
		s += fmt.Sprintf(" passive=%.3f", r.Passive)
	}
	if r.Reason != "" {
		s += " failed: " + r.Reason
	}
	return s
}

// Checker runs the checks of a Config on a frame loop's faces. Motion is
// measured between consecutive faces that matched the same identity
// (frames without a match in between do not break the chain, but do not
// count either: a stranger stepping in front of a held photo makes no
// movement of the photo); a change of identity starts a new chain. It
// allocates nothing per frame, logs nothing, and is not safe for
// concurrent use.
type Checker struct {
	cfg     Config
	motion  *Motion
	passive Scorer
	id      string    // the identity the chain is of
	hist    []float64 // the last Window frames' motion scores, NaN where none
	head    int
}

// ErrNoPassive is NewChecker's error for a mode that needs the passive
// network without one.
var ErrNoPassive = errors.New("liveness: the passive check needs its network")

// NewChecker returns a Checker for cfg; passive is the network for the
// passive and both modes (nil otherwise).
func NewChecker(cfg Config, passive Scorer) (*Checker, error) {
	cfg = cfg.withDefaults()
	if _, err := ParseMode(string(cfg.Mode)); err != nil {
		return nil, err
	}
	if cfg.Mode.passive() && passive == nil {
		return nil, ErrNoPassive
	}
	if !(cfg.Motion > 0 && cfg.Motion < 10) || !(cfg.Passive > 0 && cfg.Passive < 1) {
		return nil, fmt.Errorf("liveness: thresholds motion %v (want 0–10) and passive %v (want 0–1)", cfg.Motion, cfg.Passive)
	}
	c := &Checker{cfg: cfg, passive: passive, hist: make([]float64, cfg.Window)}
	if cfg.Mode.motion() {
		c.motion = NewMotion()
	}
	c.Reset()
	return c, nil
}

// Mode is the checker's mode.
func (c *Checker) Mode() Mode { return c.cfg.Mode }

// Reset forgets the chain (a new visit).
func (c *Checker) Reset() {
	c.id = ""
	for i := range c.hist {
		c.hist[i] = math.NaN()
	}
	if c.motion != nil {
		c.motion.Reset()
	}
}

// Observe checks one frame: the face's box in img and the identity it
// matched ("" for none: no face, a stranger). An error from the passive
// network comes back with a result that is not live.
func (c *Checker) Observe(img *image.Gray, box image.Rectangle, identity string) (Result, error) {
	nan := math.NaN()
	r := Result{Motion: nan, Passive: float32(nan)}
	if c.cfg.Mode == Off {
		r.Live = true
		return r, nil
	}
	c.head = (c.head + 1) % len(c.hist)
	c.hist[c.head] = nan
	if identity == "" || box.Empty() || img == nil {
		return r, nil
	}
	if identity != c.id {
		c.Reset()
		c.id = identity
	}
	r.Checked = true
	live := true
	if c.motion != nil {
		c.hist[c.head] = c.motion.Next(img, box)
		r.Motion = secondLargest(c.hist)
		if !(r.Motion >= c.cfg.Motion) { // NaN: no evidence yet
			live = false
			r.Reason = "no motion"
		}
	}
	if c.passive != nil && c.cfg.Mode.passive() {
		s, err := c.passive.Score(img, box)
		if err != nil {
			r.Reason = "passive"
			return r, fmt.Errorf("liveness: %w", err)
		}
		r.Passive = s
		if !(s >= c.cfg.Passive) {
			live = false
			if r.Reason != "" {
				r.Reason += "+"
			}
			r.Reason += "passive"
		}
	}
	r.Live = live
	r.Pending = !live && r.Reason == "no motion"
	return r, nil
}

// secondLargest is the second largest of v, NaNs left out (NaN when
// fewer than two are numbers): the motion evidence of a window is its
// two largest scores, so that one pair of views that the fit got wrong
// (a detector's box that slipped past the edge of a held photo) does
// not make a photo live.
func secondLargest(v []float64) float64 {
	a, b := math.Inf(-1), math.Inf(-1)
	for _, x := range v {
		switch {
		case math.IsNaN(x):
		case x > a:
			a, b = x, a
		case x > b:
			b = x
		}
	}
	if math.IsInf(b, -1) {
		return math.NaN()
	}
	return b
}
