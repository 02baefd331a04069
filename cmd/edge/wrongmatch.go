package main

// "Not this person": the page's reports of a wrong match, kept in the
// state directory (wrong-matches.jsonl), counted per person on the
// people page, and turned into that person's own threshold: below the
// distance of every match of them reported wrong, so that the same face
// no longer passes as them.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/edge-pi/edge/audit"
	"github.com/edge-pi/edge/internal/safefile"
)

// wrongFile is where "not this person" reports are kept, in the state
// directory: one JSON line each.
const wrongFile = "wrong-matches.jsonl"

// maxWrongBytes bounds the file (about 10 000 reports).
const maxWrongBytes = 1 << 20

// A person's threshold is wrongMargin times the smallest distance of
// their matches reported wrong, and never below wrongFloor times the
// door's (so that they still get in; a wrong match closer than that
// needs new photos or a new calibration).
const (
	wrongMargin = 0.98
	wrongFloor  = 0.5
)

type wrongMatch struct {
	Time     time.Time `json:"time"` // the unlock's
	Identity string    `json:"identity"`
	Distance float32   `json:"distance"` // the unlock's, from the audit log
	Reported time.Time `json:"reported"`
}

// wrongMatches are the reports, with the per-person caps the door's loop
// reads (lock-free) at every match.
type wrongMatches struct {
	path  string
	mu    sync.Mutex
	caps  atomic.Pointer[map[string]float32]
	count atomic.Pointer[map[string]int]
}

// loadWrongMatches reads the reports in dir (none is no report).
func loadWrongMatches(dir string) (*wrongMatches, error) {
	w := &wrongMatches{path: filepath.Join(dir, wrongFile)}
	rs, err := w.read()
	if err != nil {
		return nil, err
	}
	w.index(rs)
	return w, nil
}

func (w *wrongMatches) read() ([]wrongMatch, error) {
	data, err := safefile.ReadFile(w.path, maxWrongBytes)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var rs []wrongMatch
	for _, l := range bytes.Split(data, []byte("\n")) {
		var m wrongMatch
		if len(l) > 0 && json.Unmarshal(l, &m) == nil && m.Identity != "" {
			rs = append(rs, m)
		}
	}
	return rs, nil
}

func (w *wrongMatches) index(rs []wrongMatch) {
	caps, count := map[string]float32{}, map[string]int{}
	for _, m := range rs {
		count[m.Identity]++
		if d := m.Distance; d > 0 && !math.IsInf(float64(d), 0) {
			if c, ok := caps[m.Identity]; !ok || wrongMargin*d < c {
				caps[m.Identity] = wrongMargin * d
			}
		}
	}
	w.caps.Store(&caps)
	w.count.Store(&count)
}

// threshold is service.Loop's PersonThreshold.
func (w *wrongMatches) threshold(identity string, door float32) float32 {
	c, ok := (*w.caps.Load())[identity]
	if !ok {
		return door
	}
	return max(min(c, door), wrongFloor*door)
}

func (w *wrongMatches) counts() map[string]int { return *w.count.Load() }

// report adds a report of the unlock of identity at t, with its distance
// from the audit log at auditPath; a second report of it changes nothing.
func (w *wrongMatches) report(t time.Time, identity, auditPath string) error {
	var dist float32
	found := false
	_, err := audit.Read(auditPath, func(r audit.Record) error {
		if r.Decision == "unlock" && r.Identity == identity && r.Time.Equal(t) {
			dist, found = r.Distance, true
		}
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if !found {
		return fmt.Errorf("no unlock of %q at %s in the audit log", identity, t.Format(time.RFC3339Nano))
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	rs, err := w.read()
	if err != nil {
		return err
	}
	for _, m := range rs {
		if m.Time.Equal(t) && m.Identity == identity {
			return nil // reported already
		}
	}
	rs = append(rs, wrongMatch{Time: t.UTC(), Identity: identity, Distance: dist, Reported: time.Now().UTC()})
	if err := w.write(rs); err != nil {
		return err
	}
	w.index(rs)
	return nil
}

// rename follows a rename (new != "") or a removal of a person.
func (w *wrongMatches) rename(old, new string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	rs, err := w.read()
	if err != nil {
		return err
	}
	kept := rs[:0]
	for _, m := range rs {
		if m.Identity == old {
			if new == "" {
				continue
			}
			m.Identity = new
		}
		kept = append(kept, m)
	}
	if err := w.write(kept); err != nil {
		return err
	}
	w.index(kept)
	return nil
}

func (w *wrongMatches) write(rs []wrongMatch) error {
	var b bytes.Buffer
	for _, m := range rs {
		line, _ := json.Marshal(m)
		b.Write(append(line, '\n'))
	}
	if b.Len() > maxWrongBytes {
		return fmt.Errorf("%s would pass %d bytes", w.path, maxWrongBytes)
	}
	return writeFileAtomic(w.path, b.Bytes())
}

// ReportWrong records a "not this person" (web.Backend).
func (b *webBackend) ReportWrong(t time.Time, identity string) error {
	g, err := b.load()
	if err != nil {
		return err
	}
	if !hasName(g, identity) {
		return fmt.Errorf("%q is not enrolled", identity)
	}
	return b.wrong.report(t, identity, b.auditPath)
}

// writeFileAtomic writes data to path atomically, mode 0600, and only over
// a regular file (safefile.WriteFile), its folder made first.
func writeFileAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return safefile.WriteFile(path, 0o600, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}
