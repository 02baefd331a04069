package service

import (
	"errors"
	"image"
	"math"
	"strings"
	"testing"

	"github.com/edge-pi/edge/audit"
	"github.com/edge-pi/edge/liveness"
)

// fakeLiveness answers every matched face with live, or with an error.
type fakeLiveness struct {
	live, pending bool
	err           error
	calls         int
}

func (f *fakeLiveness) Observe(img *image.Gray, box image.Rectangle, identity string) (liveness.Result, error) {
	nan := math.NaN()
	r := liveness.Result{Motion: nan, Passive: float32(nan)}
	if identity == "" {
		return r, nil
	}
	f.calls++
	r.Checked, r.Motion = true, 0.05
	if f.live {
		r.Live, r.Motion = true, 0.4
	} else {
		r.Reason, r.Pending = "no motion", f.pending
	}
	return r, f.err
}

// records keeps the audit's records.
type records struct{ recs []audit.Record }

func (a *records) Write(rec audit.Record, crop image.Image) error {
	a.recs = append(a.recs, rec)
	return nil
}

// TestLivenessRefusesUnlocks: the enrolled person's face, matched in
// every frame, opens nothing while the liveness stage says it is not
// live (a held photo), has no evidence that it is, or fails; each attempt is audited as denied with
// the scores; once it is live the door opens, the scores in the unlock's
// record.
func TestLivenessRefusesUnlocks(t *testing.T) {
	frames := seq(1, 1, 12) // the enrolled person throughout
	for _, c := range []struct {
		name string
		lv   fakeLiveness
	}{{"not live", fakeLiveness{}}, {"never proven", fakeLiveness{pending: true}}, {"error", fakeLiveness{live: true, err: errors.New("network failed")}}} {
		t.Run(c.name, func(t *testing.T) {
			a := &records{}
			lv := c.lv
			faults := 0
			r := runLoop(t, frames, -1, func(l *Loop) {
				l.Audit, l.Liveness = a, &lv
				prev := l.OnFrame
				l.OnFrame = func(rep Report) {
					prev(rep)
					if rep.Fault == "liveness" {
						faults++
					}
				}
			})
			if r.err != nil {
				t.Fatal(r.err)
			}
			if r.unlocks != 0 || lv.calls == 0 {
				t.Fatalf("%d unlocks over %d checked frames, want none", r.unlocks, lv.calls)
			}
			if len(a.recs) == 0 {
				t.Fatal("no denied attempt audited")
			}
			for _, rec := range a.recs {
				if rec.Decision != "denied" || !strings.Contains(rec.Detail, "liveness") || !strings.Contains(rec.Detail, "failed") {
					t.Errorf("record %q detail %q, want denied with the liveness scores", rec.Decision, rec.Detail)
				}
			}
			if c.lv.err != nil && faults != lv.calls {
				t.Errorf("%d frames reported the liveness fault, want %d", faults, lv.calls)
			}
		})
	}
	a := &records{}
	r := runLoop(t, frames, -1, func(l *Loop) { l.Audit, l.Liveness = a, &fakeLiveness{live: true} })
	if r.err != nil || r.unlocks != 1 {
		t.Fatalf("live: %d unlocks (%v), want 1", r.unlocks, r.err)
	}
	if len(a.recs) == 0 || a.recs[0].Decision != "unlock" || a.recs[0].Detail != "liveness motion=0.400" {
		t.Errorf("records %+v, want an unlock with the motion score", a.recs)
	}
}
