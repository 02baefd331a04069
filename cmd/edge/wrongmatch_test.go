package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/edge-pi/edge/audit"
)

// TestWrongMatchThresholds: a reported wrong match tightens that
// person's threshold to just below its distance (never below half the
// door's, never above the door's), only for reports of unlocks in the
// audit log, once each; renaming and removing the person carry or drop
// their reports, also across a restart.
func TestWrongMatchThresholds(t *testing.T) {
	dir := t.TempDir()
	apath := filepath.Join(dir, "audit.jsonl")
	log, err := audit.Open(apath, audit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	for i, d := range []float32{0.6, 0.3, 0.1} {
		if err := log.Write(audit.Record{Time: at.Add(time.Duration(i) * time.Minute), Decision: "unlock", Identity: "ada", Distance: d, Threshold: 0.8}, nil); err != nil {
			t.Fatal(err)
		}
	}
	log.Close()
	w, err := loadWrongMatches(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := w.threshold("ada", 0.8); got != 0.8 {
		t.Errorf("no report: %v, want the door's 0.8", got)
	}
	if err := w.report(at, "ada", apath); err != nil {
		t.Fatal(err)
	}
	if got := w.threshold("ada", 0.8); got != wrongMargin*float32(0.6) {
		t.Errorf("after a wrong match at 0.6: %v, want %v", got, wrongMargin*0.6)
	}
	if got := w.threshold("ada", 0.5); got != 0.5 {
		t.Errorf("a door's threshold below the cap: %v, want 0.5", got)
	}
	if err := w.report(at.Add(time.Minute), "ada", apath); err != nil {
		t.Fatal(err)
	}
	if got := w.threshold("ada", 0.8); got != 0.4 {
		t.Errorf("after a wrong match at 0.3: %v, want the floor 0.4", got)
	}
	if err := w.report(at.Add(time.Minute), "ada", apath); err != nil || w.counts()["ada"] != 2 {
		t.Errorf("a second report of one unlock: %v, count %d", err, w.counts()["ada"])
	}
	if err := w.report(at.Add(time.Hour), "ada", apath); err == nil {
		t.Error("a report of an unlock the audit log does not hold was taken")
	}
	if got := w.threshold("grace", 0.8); got != 0.8 {
		t.Errorf("someone else's threshold: %v", got)
	}
	if err := w.rename("ada", "ada l"); err != nil {
		t.Fatal(err)
	}
	again, err := loadWrongMatches(dir) // a restart
	if err != nil {
		t.Fatal(err)
	}
	if again.threshold("ada l", 0.8) != 0.4 || again.threshold("ada", 0.8) != 0.8 || again.counts()["ada l"] != 2 {
		t.Errorf("after the rename and a restart: %v %v %v", again.threshold("ada l", 0.8), again.threshold("ada", 0.8), again.counts())
	}
	if err := again.rename("ada l", ""); err != nil {
		t.Fatal(err)
	}
	if again.threshold("ada l", 0.8) != 0.8 || len(again.counts()) != 0 {
		t.Errorf("after the removal: %v %v", again.threshold("ada l", 0.8), again.counts())
	}
	if fi, err := os.Stat(filepath.Join(dir, wrongFile)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("%s: %v %v", wrongFile, fi, err)
	}
}
