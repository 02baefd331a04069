// Package decide turns per-frame recognition results into door
// decisions: unlock only when K of the last N frames matched the same
// enrolled identity within the threshold, then a cooldown, and a cap on
// failed attempts per period. Strangers never unlock.
//
// A Decider is a pure state machine: Observe takes one Frame (its time
// included; the package never reads a clock) and returns a Decision. It
// allocates nothing per frame, logs nothing and touches no hardware.
// It is not safe for concurrent use: one frame loop owns it.
//
// # Frames and matches
//
// A frame matches identity X when Frame.Identity is X (not "") and
// Frame.Distance ≤ Frame.Threshold, the gallery's convention; a NaN
// distance or threshold never matches. The window is the last N frames,
// every frame counting, with or without a face; a frame that does not
// match puts a blank in it. An unlock needs K entries of the window to
// be the same identity, so alternating identities, or one identity
// interleaved with strangers, reach K only if one of them alone does.
// Choose K > N/2 (3 of 5, the default): then only one identity can hold
// K entries of a window, and it holds the majority of the frames.
//
// # Attempts and the cap
//
// An attempt starts at a frame with a face (Frame.Face, or a non-empty
// Identity) when none is running, and lasts N frames, face or not. It
// succeeds if the door unlocks within them; otherwise, at its N-th
// frame, it is a failed attempt: Decision.AttemptFailed is set (audit
// it) and its time is recorded. With MaxAttempts failed attempts in the
// last AttemptPeriod, frames are refused (RateLimited) until the oldest
// of them is AttemptPeriod old: refused frames neither open attempts
// nor fill the window, so a person who keeps standing there does not
// extend the lockout, and the lockout ends on its own. A stranger in
// view fails one attempt per N frames (at 10 frames a second and N = 5,
// two a second), so MaxAttempts is reached in MaxAttempts·N frames; a
// poster or a screen in view locks everyone out while it stays there,
// which the service's logs then show as RateLimited.
//
// # Cooldown
//
// After an unlock, frames are answered Cooldown, and neither counted
// nor kept, for Cooldown: [unlock, unlock+Cooldown). The window starts
// empty after it, so a second unlock needs K fresh matching frames.
//
// # Time
//
// Durations are measured on an internal clock that advances by the time
// between consecutive frames, and never backwards. A frame older than
// the one before it (the wall clock was stepped back) is answered
// ClockBack: the window and the attempt are dropped and the frame is
// not counted, while the cooldown and the attempt history keep their
// remaining time. Frames further apart than MaxGap (a stalled camera)
// empty the window, so that no unlock joins frames from two visits; the
// running attempt is dropped without counting. Pass time.Now(), whose
// monotonic reading already hides wall-clock steps.
//
// # Reporting
//
// Decision.Changed is set when the Reason or the Identity differs from
// the previous frame's: log changes, not frames, and rate-limit those
// too (LogLimiter) since a face at the edge of detection can flap
// between NoFace and Stranger every frame. Audit every Unlock and every
// AttemptFailed.
package decide

import (
	"fmt"
	"math"
	"time"
)

// Reason says why a frame got its decision.
type Reason uint8

const (
	NoFace      Reason = iota // no face in the frame
	Stranger                  // a face, but no enrolled identity within the threshold
	Matching                  // Identity matched, in fewer than K of the last N frames
	Unlock                    // Identity matched in K of the last N frames: unlock
	Cooldown                  // within Cooldown of the last unlock
	RateLimited               // MaxAttempts failed attempts within AttemptPeriod
	ClockBack                 // the frame is older than the previous one: ignored
	NotLive                   // Identity's face failed the liveness check (Frame.NotLive): not a match
)

var reasonNames = [...]string{"no_face", "stranger", "matching", "unlock", "cooldown", "rate_limited", "clock_back", "not_live"}

// String returns the reason in snake case, as the audit log and the
// service's logs write it: "no_face", "stranger", "matching", "unlock",
// "cooldown", "rate_limited", "clock_back", "not_live".
func (r Reason) String() string {
	if int(r) < len(reasonNames) {
		return reasonNames[r]
	}
	return fmt.Sprintf("Reason(%d)", uint8(r))
}

// Frame is one frame's recognition result.
type Frame struct {
	Time time.Time
	// Face: a face (or the region of interest) was found. Implied by a
	// non-empty Identity.
	Face bool
	// Identity is the nearest enrolled identity, or "" when there is no
	// face or the recogniser answered "unknown".
	Identity string
	// Distance is the distance to Identity (or to the nearest identity
	// when Identity is ""; NaN when there is none).
	Distance float32
	// Threshold: the frame matches Identity when Distance ≤ Threshold.
	Threshold float32
	// NotLive: the face failed the liveness check (a photo, a screen). It
	// is a face, never a match: it puts a blank in the window, and an
	// attempt of such frames fails (Best still names the identity).
	NotLive bool
	// Unproven: the face matched, but the liveness check has no evidence
	// yet either way (the motion check needs a second view). It counts
	// as a match only once a later frame of the same identity within the
	// window is live (neither Unproven nor NotLive): that frame's
	// evidence, movement between it and the frames before, vouches for
	// them. Until then it is answered NotLive.
	Unproven bool
}

// Candidate is the closest a face came during an attempt.
type Candidate struct {
	Identity string  // "" when the recogniser gave no name
	Distance float32 // NaN when no frame had a distance
}

// Decision is the answer to one frame.
type Decision struct {
	Unlock bool   // open the door now
	Reason Reason // why
	// Identity: with Unlock and Matching, the identity that matched; with
	// NotLive, the one the face was nearest; with Cooldown, the identity
	// that unlocked; "" otherwise.
	Identity string
	Distance float32 // the frame's distance
	Matches  int     // with Unlock and Matching: frames of the last N that matched Identity

	// AttemptFailed: this frame ended a failed attempt (audit it), and
	// Best is the closest a face came during it.
	AttemptFailed bool
	Best          Candidate
	// Attempts counts the failed attempts within AttemptPeriod (at most
	// MaxAttempts; always 0 without a cap).
	Attempts int

	Changed bool // Reason or Identity differs from the previous decision
}

// Config sets the rules. Zero K, N, AttemptPeriod and MaxGap take their
// defaults; a zero Cooldown or MaxAttempts turns that rule off.
type Config struct {
	K, N          int           // unlock after K of the last N frames (default 3 of 5)
	Cooldown      time.Duration // no decisions for this long after an unlock
	MaxAttempts   int           // failed attempts per AttemptPeriod before refusing (0: no cap)
	AttemptPeriod time.Duration // default time.Minute
	MaxGap        time.Duration // frames further apart empty the window (default 2 s; < 0: never)
}

// DefaultConfig is a door's usual setting: 3 of 5 frames, 5 s cooldown,
// 10 failed attempts a minute.
var DefaultConfig = Config{K: 3, N: 5, Cooldown: 5 * time.Second, MaxAttempts: 10, AttemptPeriod: time.Minute, MaxGap: 2 * time.Second}

// Bounds on Config; beyond them a setting is taken for a mistake.
const (
	MaxN           = 1024
	MaxMaxAttempts = 1 << 16
)

// Decider holds the state between frames.
type Decider struct {
	cfg Config

	window []string // the last N frames' matched identity, "" for none
	proven []bool   // whether that match counts (false: Unproven so far)
	head   int      // where the next frame goes
	filled int      // frames in the window

	failed []time.Duration // failed attempts' times (internal clock), a ring
	fHead  int
	fCount int

	started bool
	last    time.Time     // the previous frame's time
	now     time.Duration // internal clock: advances by the frames' positive steps

	cooling    bool
	unlockedAt time.Duration
	unlockedID string

	attempt    bool      // an attempt runs
	attemptLen int       // its frames so far
	best       Candidate // the closest a face came in it

	prevReason   Reason
	prevIdentity string
	decided      bool
}

// New checks cfg and returns a Decider with an empty history.
func New(cfg Config) (*Decider, error) {
	if cfg.K == 0 && cfg.N == 0 {
		cfg.K, cfg.N = DefaultConfig.K, DefaultConfig.N
	}
	if cfg.AttemptPeriod == 0 {
		cfg.AttemptPeriod = DefaultConfig.AttemptPeriod
	}
	if cfg.MaxGap == 0 {
		cfg.MaxGap = DefaultConfig.MaxGap
	}
	switch {
	case cfg.K < 1 || cfg.N < cfg.K || cfg.N > MaxN:
		return nil, fmt.Errorf("decide: %d of %d frames: want 1 ≤ K ≤ N ≤ %d", cfg.K, cfg.N, MaxN)
	case cfg.Cooldown < 0:
		return nil, fmt.Errorf("decide: cooldown %v: want ≥ 0", cfg.Cooldown)
	case cfg.MaxAttempts < 0 || cfg.MaxAttempts > MaxMaxAttempts:
		return nil, fmt.Errorf("decide: %d attempts: want 0 (no cap) to %d", cfg.MaxAttempts, MaxMaxAttempts)
	case cfg.AttemptPeriod < 0:
		return nil, fmt.Errorf("decide: attempt period %v: want > 0", cfg.AttemptPeriod)
	}
	return &Decider{
		cfg:    cfg,
		window: make([]string, cfg.N),
		proven: make([]bool, cfg.N),
		failed: make([]time.Duration, cfg.MaxAttempts),
	}, nil
}

// Config returns the rules in force, defaults filled in.
func (d *Decider) Config() Config { return d.cfg }

// Reset empties the window and drops the running attempt; the cooldown
// and the attempt history stay. Call it when the gallery changes.
func (d *Decider) Reset() {
	clear(d.window)
	d.head, d.filled = 0, 0
	d.attempt = false
}

// Observe decides one frame.
func (d *Decider) Observe(f Frame) Decision {
	if !d.started {
		d.started, d.last = true, f.Time
	}
	step := f.Time.Sub(d.last)
	d.last = f.Time
	if step < 0 {
		d.Reset()
		return d.emit(Decision{Reason: ClockBack, Distance: f.Distance, Attempts: d.recentFailures()})
	}
	d.now += step
	if d.cfg.MaxGap > 0 && step > d.cfg.MaxGap {
		d.Reset()
	}

	if d.cooling {
		if d.now-d.unlockedAt < d.cfg.Cooldown {
			return d.emit(Decision{Reason: Cooldown, Identity: d.unlockedID, Distance: f.Distance, Attempts: d.recentFailures()})
		}
		d.cooling = false
	}
	if n := d.recentFailures(); d.cfg.MaxAttempts > 0 && n >= d.cfg.MaxAttempts {
		d.Reset()
		return d.emit(Decision{Reason: RateLimited, Distance: f.Distance, Attempts: n})
	}

	face := f.Face || f.Identity != ""
	near := f.Identity != "" && f.Distance <= f.Threshold && !f.NotLive // false for NaN
	match := near && !f.Unproven
	id := ""
	if near {
		id = f.Identity
	}
	d.window[d.head], d.proven[d.head] = id, match
	if match { // this frame vouches for the unproven ones of its identity
		for i, w := range d.window {
			d.proven[i] = d.proven[i] || w == id
		}
	}
	d.head = (d.head + 1) % len(d.window)
	d.filled = min(d.filled+1, len(d.window))

	if face && !d.attempt {
		d.attempt, d.attemptLen = true, 0
		d.best = Candidate{Distance: float32(math.NaN())}
	}
	if d.attempt {
		d.attemptLen++
		if face && !isNaN(f.Distance) && (isNaN(d.best.Distance) || f.Distance < d.best.Distance) {
			d.best = Candidate{Identity: f.Identity, Distance: f.Distance}
		}
	}

	dec := Decision{Reason: NoFace, Distance: f.Distance}
	switch {
	case match:
		dec.Identity, dec.Matches = id, d.count(id)
		dec.Reason = Matching
		if dec.Matches >= d.cfg.K {
			dec.Reason, dec.Unlock = Unlock, true
			d.cooling, d.unlockedAt, d.unlockedID = true, d.now, id
			d.Reset()
		}
	case (f.NotLive || f.Unproven) && f.Identity != "":
		dec.Reason, dec.Identity = NotLive, f.Identity
	case face:
		dec.Reason = Stranger
	}
	if d.attempt && d.attemptLen >= d.cfg.N {
		d.attempt = false
		dec.AttemptFailed, dec.Best = true, d.best
		d.recordFailure()
	}
	dec.Attempts = d.recentFailures()
	return d.emit(dec)
}

// count returns how many frames of the window matched id.
func (d *Decider) count(id string) int {
	n := 0
	for i, w := range d.window[:d.filled] {
		if w == id && d.proven[i] {
			n++
		}
	}
	return n
}

func (d *Decider) recordFailure() {
	if len(d.failed) == 0 {
		return
	}
	d.failed[d.fHead] = d.now
	d.fHead = (d.fHead + 1) % len(d.failed)
	d.fCount = min(d.fCount+1, len(d.failed))
}

// recentFailures counts the failed attempts within AttemptPeriod of now.
func (d *Decider) recentFailures() int {
	n := 0
	for _, t := range d.failed[:d.fCount] {
		if d.now-t < d.cfg.AttemptPeriod {
			n++
		}
	}
	return n
}

// emit sets Changed against the previous decision.
func (d *Decider) emit(dec Decision) Decision {
	dec.Changed = !d.decided || dec.Reason != d.prevReason || dec.Identity != d.prevIdentity
	d.decided, d.prevReason, d.prevIdentity = true, dec.Reason, dec.Identity
	return dec
}

func isNaN(x float32) bool { return x != x }
