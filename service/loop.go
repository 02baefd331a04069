// Package service is the recognition loop of `edge run` and `edge demo`:
// frame (capture) → face and embedding (twin) → nearest enrolled identity
// (gallery) → decision (decide) → relay (gpio), with an audit record of
// every unlock and failed attempt. Data flows one way and each stage is a
// plain call; cmd/edge builds the stages and owns the logger.
//
// The door stays locked on any fault: the loop halts the relay when it
// returns, on a panic (which it turns into an error), and on any error of
// a stage it cannot go on from. Where it can go on safely it does, says
// why in the log (rate-limited) and in the supervisor's status line
// (systemd's STATUS=), and keeps the door locked meanwhile:
//
//   - a frame the source could not read or decode (capture.ErrBadFrame)
//     is skipped; MaxBadFrames of them in a row end the loop (a camera
//     that only sends garbage is broken: systemd restarts the service);
//   - a gallery that can no longer be read (corrupted, replaced by
//     something that is not a gallery) is reported, and the last good one
//     stays in use until a good one is written;
//   - an audit record that cannot be written (a full disk) refuses the
//     unlock it was for: no unlock goes unrecorded. Denied attempts and
//     button presses that cannot be recorded are logged. Unlocks resume
//     once the audit can be written again.
package service

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"log/slog"
	"math"
	"strings"
	"time"

	"github.com/edge-pi/edge/audit"
	"github.com/edge-pi/edge/capture"
	"github.com/edge-pi/edge/decide"
	"github.com/edge-pi/edge/gallery"
	"github.com/edge-pi/edge/gpio"
	"github.com/edge-pi/edge/liveness"
	"github.com/edge-pi/edge/locate"
	"github.com/edge-pi/edge/twin"
)

// Embedder turns a frame into an embedding (*twin.Net, with its locator).
type Embedder interface {
	Embed(img image.Image) ([]float32, error)
}

// Relay is the lock (*gpio.Relay).
type Relay interface {
	Unlock(now time.Time) error
	Tick(now time.Time) (gpio.Event, error)
	Halt() error
}

// Gallery yields the current enrolled identities (*gallery.Store).
type Gallery interface {
	ReloadIfChanged() (*gallery.Gallery, bool, error)
}

// Auditor records decisions (*audit.Log).
type Auditor interface {
	Write(r audit.Record, crop image.Image) error
}

// Notifier tells the supervisor how the service is doing (systemd).
type Notifier interface {
	Ready() error
	Watchdog() error
}

// StatusNotifier is a Notifier that also takes a one-line status
// (systemd's STATUS=); the loop sets it when a fault starts and ends.
type StatusNotifier interface {
	Status(s string) error
}

// MaxBadFrames is how many unreadable frames in a row end the loop.
const MaxBadFrames = 100

// Report is what the loop saw and did with one frame.
type Report struct {
	Seq      uint64
	Time     time.Time
	Face     bool
	Identity string // "" when unknown or no face
	Distance float32
	Decision decide.Decision
	Unlocked bool // the relay was told to unlock on this frame
	Remote   bool // by a remote request (Loop.Remote), not a face
	Button   bool // the exit button unlocked the door
	// Skip is why a face found was not matched (twin.QualityError's
	// reason: small, dark, blurred, turned); the frame counts as one
	// without a face, neither a match nor an attempt.
	Skip string
	// Fault says what went wrong with this frame that the loop went on
	// from ("bad frame", "gallery", "audit"); "" when nothing did.
	Fault string
	// Stage latencies.
	Capture, Embed, Match, Act time.Duration
	// Frame is the frame, for OnFrame only: its pixels are the capture's
	// buffer, reused for the next frame (copy what you keep). Box is the
	// face found in it, also when the quality gate refused it (empty
	// when none was, or the Embedder does not say).
	Frame *image.Gray
	Box   image.Rectangle
	// Liveness is the liveness stage's verdict on the frame (Checked
	// false: not run, or no match to judge).
	Liveness liveness.Result
}

// RemoteUnlock is an unlock request from outside the door.
type RemoteUnlock struct {
	By string // who asked, for the audit ("mqtt: home-assistant")
	// Refused: the request failed its authentication; it is audited
	// ("remote_refused") and opens nothing.
	Refused bool
}

// Loop is one recognition loop. The fields are its stages; Audit, Notify,
// OnFrame and Now are optional.
type Loop struct {
	Source    capture.Source
	Net       Embedder
	Gallery   Gallery
	Decider   *decide.Decider
	Relay     Relay
	Audit     Auditor
	Notify    Notifier
	Log       *slog.Logger
	Threshold float32 // the model's default; a calibrated gallery threshold wins
	Model     string  // the model's SHA-256, for the audit
	// WatchdogEvery is how often to ping Notify.Watchdog from the frame
	// loop; 0 never.
	WatchdogEvery time.Duration
	// OnFrame, if set, is called after every frame (edge demo's counters).
	OnFrame func(Report)
	// Allow, if set, says which enrolled identities may open this door;
	// the others are treated as strangers. nil allows every enrolled one.
	Allow func(identity string) bool
	// PersonThreshold, if set, gives the distance a match of identity
	// must be within, given the threshold in force (never above it): a
	// tighter one for someone whose matches were reported wrong. A face
	// nearest to that person but outside it is a stranger.
	PersonThreshold func(identity string, threshold float32) float32
	// Remote, if set, carries unlock requests from outside the door
	// (Home Assistant over MQTT), authenticated by whoever sends them.
	// The loop takes at most one a frame; each is audited
	// ("remote_unlock", who asked in the record's detail) before the
	// relay opens, and none is taken while the audit cannot be written.
	Remote <-chan RemoteUnlock
	// Liveness, if set, judges each face that matched someone
	// (*liveness.Checker): one that fails is never a match (decide's
	// NotLive, an attempt of them fails and is audited "denied"), and the
	// scores go into the audit's detail of every unlock and denial. An
	// error of the check is a fault of the frame and a face that is not
	// live: the door stays shut.
	Liveness LivenessChecker
	// Now is the clock decisions and the relay run on; nil is time.Now.
	// Stage latencies are always measured on the real clock.
	Now func() time.Time

	g        *gallery.Gallery
	lim      decide.LogLimiter
	lastPing time.Time
	lastSkip string // the previous frame's Report.Skip, to log changes
	bad      int    // unreadable frames in a row
	faults   faults // the faults in force, for the status line
	// live is the liveness of the last live frame, refused of the last
	// frame that failed it within the running attempt (for the audit).
	live, refused liveness.Result
}

// LivenessChecker is the liveness stage (*liveness.Checker).
type LivenessChecker interface {
	Observe(img *image.Gray, box image.Rectangle, identity string) (liveness.Result, error)
}

// faults are the conditions the loop goes on through; each is "" when
// it does not hold, else what is wrong.
type faults struct{ frame, gallery, audit string }

func (f faults) status() string {
	var parts []string
	for _, p := range []struct{ what, why string }{
		{"camera: skipping unreadable frames", f.frame},
		{"gallery: using the last good one", f.gallery},
		{"audit: cannot write, unlocks refused", f.audit},
	} {
		if p.why != "" {
			parts = append(parts, p.what+" ("+p.why+")")
		}
	}
	if len(parts) == 0 {
		return "running"
	}
	return strings.Join(parts, "; ")
}

// setFault records a fault starting (why != "") or ending (why == "") and
// tells the log and the supervisor when the status line changes.
func (l *Loop) setFault(which *string, why string) {
	if *which == why {
		return
	}
	before := l.faults.status()
	*which = why
	after := l.faults.status()
	if after == before {
		return
	}
	if why != "" {
		l.Log.Error("fault", "status", after)
	} else {
		l.Log.Info("fault cleared", "status", after)
	}
	if sn, ok := l.Notify.(StatusNotifier); ok {
		_ = sn.Status(after) // the status line is advice; a failure to send it is not a fault
	}
}

func (l *Loop) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return time.Now()
}

// Run runs until ctx is cancelled (a nil error: cancellation is not a
// failure), the source ends (io.EOF, also nil), or a stage fails.
func (l *Loop) Run(ctx context.Context) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("service: panic: %v", r)
		}
		if herr := l.Relay.Halt(); herr != nil {
			err = errors.Join(err, fmt.Errorf("service: locking the relay: %w", herr))
		}
	}()
	if l.Log == nil {
		l.Log = slog.New(slog.DiscardHandler)
	}
	l.lim = decide.LogLimiter{Every: time.Second, Burst: 5}
	if _, err := l.reload(); err != nil {
		return err
	}
	ready := false
	for {
		t0 := time.Now()
		f, err := l.Source.Next(ctx)
		if err != nil {
			switch {
			case ctx.Err() != nil:
				return nil
			case errors.Is(err, io.EOF):
				return nil
			case errors.Is(err, capture.ErrBadFrame) && l.bad+1 < MaxBadFrames:
				l.bad++
				l.setFault(&l.faults.frame, err.Error())
				if l.OnFrame != nil {
					l.OnFrame(Report{Time: l.now(), Fault: "bad frame"})
				}
				continue
			}
			return fmt.Errorf("service: camera: %w", err)
		}
		if l.bad > 0 {
			l.bad = 0
			l.setFault(&l.faults.frame, "")
		}
		if !ready && l.Notify != nil {
			// the model is loaded, the pins are claimed, a frame arrived
			if err := l.Notify.Ready(); err != nil {
				return fmt.Errorf("service: notify: %w", err)
			}
		}
		ready = true
		if err := l.frame(f, t0); err != nil {
			return err
		}
		if ctx.Err() != nil {
			return nil
		}
	}
}

// reload picks up a changed gallery (the CLI enrolled someone). A
// gallery that cannot be read is an error at start; later the last good
// one stays in use and the fault is reported (fault is then true).
func (l *Loop) reload() (fault bool, err error) {
	g, changed, err := l.Gallery.ReloadIfChanged()
	if err != nil {
		if l.g == nil {
			return false, fmt.Errorf("service: gallery: %w", err)
		}
		l.setFault(&l.faults.gallery, err.Error())
		return true, nil
	}
	l.setFault(&l.faults.gallery, "")
	if changed || l.g == nil {
		l.g = g
		l.Decider.Reset()
		l.Log.Info("gallery loaded", "identities", g.Len(), "photos", g.Photos())
	}
	return false, nil
}

func (l *Loop) frame(f capture.Frame, t0 time.Time) error {
	now := l.now()
	real0 := time.Now()
	r := Report{Seq: f.Seq, Time: now, Capture: real0.Sub(t0)}
	if l.WatchdogEvery > 0 && l.Notify != nil && now.Sub(l.lastPing) >= l.WatchdogEvery {
		if err := l.Notify.Watchdog(); err != nil {
			return fmt.Errorf("service: watchdog: %w", err)
		}
		l.lastPing = now
	}
	if fault, err := l.reload(); err != nil {
		return err
	} else if fault {
		r.Fault = "gallery"
	}
	emb, err := l.Net.Embed(f.Gray)
	var skipped error
	real1 := time.Now()
	r.Frame = f.Gray
	if fl, ok := l.Net.(interface{ Face() (twin.Face, bool) }); ok {
		if face, ok := fl.Face(); ok {
			r.Box = face.Box
		}
	}
	r.Embed = real1.Sub(real0)
	switch {
	case err == nil:
		r.Face = true
	case errors.Is(err, twin.ErrNotFound):
	case errors.Is(err, locate.ErrManyFaces):
		r.Face = true // someone is there, but whom to match is ambiguous: never unlock
		emb = nil
	case errors.Is(err, twin.ErrQuality):
		r.Skip, skipped = twin.SkipReason(err), err // never matched, nor counted as an attempt
	default:
		return fmt.Errorf("service: embedding: %w", err)
	}
	thr := l.g.ThresholdOr(l.Threshold)
	if emb != nil {
		name, dist, ok := l.g.Identify(emb, thr)
		r.Distance = dist
		if ok && l.PersonThreshold != nil && !(dist <= min(thr, l.PersonThreshold(name, thr))) {
			ok = false // within the door's threshold, not within this person's
		}
		if ok {
			r.Identity = name
		}
	}
	real2 := time.Now()
	r.Match = real2.Sub(real1)
	t2 := l.now()
	who := r.Identity
	if who != "" && l.Allow != nil && !l.Allow(who) {
		who = "" // enrolled, but not for this door
	}
	notLive, unproven := false, false
	if l.Liveness != nil {
		lv, err := l.Liveness.Observe(f.Gray, r.Box, who)
		if err != nil {
			lv.Live, lv.Pending, lv.Reason, r.Fault = false, false, "error", "liveness"
			if l.lim.Allow(t2) {
				l.Log.Warn("liveness check failed", "err", err.Error())
			}
		}
		r.Liveness = lv
		switch {
		case who == "":
		case lv.Live:
			l.live = lv
		case lv.Pending:
			unproven, l.refused = true, lv
		default:
			notLive, l.refused = true, lv
		}
	}
	dec := l.Decider.Observe(decide.Frame{Time: t2, Face: r.Face, Identity: who, Distance: r.Distance, Threshold: thr, NotLive: notLive, Unproven: unproven})
	r.Decision = dec
	if dec.Changed && l.lim.Allow(t2) {
		l.Log.Info("decision", "reason", dec.Reason.String(), "identity", dec.Identity, "distance", dec.Distance, "matches", dec.Matches)
	}
	if r.Skip != l.lastSkip && r.Skip != "" && l.lim.Allow(t2) {
		l.Log.Info("face skipped", "reason", r.Skip, "detail", skipped.Error())
	}
	l.lastSkip = r.Skip
	unlock := dec.Unlock
	if unlock {
		// The audit record comes first: an unlock that cannot be recorded
		// does not happen.
		rec := audit.Record{Time: t2, Decision: "unlock", Identity: dec.Identity, Distance: dec.Distance, Threshold: thr, Model: l.Model}
		if l.Liveness != nil {
			rec.Detail = l.live.String()
		}
		l.refused = liveness.Result{}
		if err := l.auditRecord(rec, f.Gray); err != nil {
			unlock, r.Fault = false, "audit"
			l.setFault(&l.faults.audit, err.Error())
		} else {
			l.setFault(&l.faults.audit, "")
		}
	}
	if unlock {
		switch err := l.Relay.Unlock(t2); {
		case err == nil:
			r.Unlocked = true
			l.Log.Info("unlocked", "identity", dec.Identity, "distance", dec.Distance)
		case errors.Is(err, gpio.ErrBusy): // still open, or cooling down
		default:
			return fmt.Errorf("service: relay: %w", err)
		}
	}
	select {
	case req := <-l.Remote: // a nil channel is never ready
		if req.Refused {
			l.auditOrReportRecord(&r, audit.Record{Time: t2, Decision: "remote_refused", Distance: nan32, Threshold: nan32, Model: l.Model, Detail: req.By}, nil)
			l.Log.Warn("remote unlock refused: wrong token", "by", req.By)
			break
		}
		if err := l.auditRecord(audit.Record{Time: t2, Decision: "remote_unlock", Distance: nan32, Threshold: nan32, Model: l.Model, Detail: req.By}, nil); err != nil {
			r.Fault = "audit"
			l.setFault(&l.faults.audit, err.Error())
			l.Log.Warn("remote unlock refused: it cannot be recorded", "by", req.By)
			break
		}
		switch err := l.Relay.Unlock(t2); {
		case err == nil:
			r.Unlocked, r.Remote = true, true
			l.Log.Info("unlocked remotely", "by", req.By)
		case errors.Is(err, gpio.ErrBusy):
		default:
			return fmt.Errorf("service: relay: %w", err)
		}
	default:
	}
	if dec.AttemptFailed {
		rec := audit.Record{Time: t2, Decision: "denied", Identity: dec.Best.Identity, Distance: dec.Best.Distance, Threshold: thr, Model: l.Model}
		if l.refused.Checked {
			rec.Detail = l.refused.String()
		}
		l.refused = liveness.Result{}
		l.auditOrReportRecord(&r, rec, f.Gray)
	}
	ev, err := l.Relay.Tick(t2)
	if err != nil {
		return fmt.Errorf("service: relay: %w", err)
	}
	if ev.Button {
		r.Button = true
		l.auditOrReport(&r, t2, "button", "", 0, thr, nil)
	}
	r.Act = time.Since(real2)
	if l.OnFrame != nil {
		l.OnFrame(r)
	}
	return nil
}

// auditOrReport writes a record of something that happened anyway (a
// denied attempt, the exit button): a failure is a fault to report, not a
// reason to stop watching the door.
func (l *Loop) auditOrReport(r *Report, t time.Time, decision, identity string, dist, thr float32, crop image.Image) {
	l.auditOrReportRecord(r, audit.Record{Time: t, Decision: decision, Identity: identity, Distance: dist, Threshold: thr, Model: l.Model}, crop)
}

// auditOrReportRecord is auditOrReport of a whole record.
func (l *Loop) auditOrReportRecord(r *Report, rec audit.Record, crop image.Image) {
	if err := l.auditRecord(rec, crop); err != nil {
		r.Fault = "audit"
		l.setFault(&l.faults.audit, err.Error())
		return
	}
	l.setFault(&l.faults.audit, "")
}

// nan32 is a distance or threshold a record does not have.
var nan32 = float32(math.NaN())

func (l *Loop) auditRecord(rec audit.Record, crop image.Image) error {
	if l.Audit == nil {
		return nil
	}
	if err := l.Audit.Write(rec, crop); err != nil {
		return fmt.Errorf("service: %w", err) // err says "audit: …"
	}
	return nil
}
