package main

// "Not this person": the page's reports of a wrong match, kept in the
// state directory and counted per person on the people page.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/edge-pi/edge/internal/safefile"
)

// wrongFile is where "not this person" reports are kept, in the state
// directory: one JSON line each.
const wrongFile = "wrong-matches.jsonl"

// maxWrongBytes bounds the file (about 10 000 reports).
const maxWrongBytes = 1 << 20

type wrongMatch struct {
	Time     time.Time `json:"time"` // the unlock's
	Identity string    `json:"identity"`
	Reported time.Time `json:"reported"`
}

// ReportWrong records a "not this person": once per unlock, for an
// enrolled name.
func (b *webBackend) ReportWrong(t time.Time, identity string) error {
	g, err := b.load()
	if err != nil {
		return err
	}
	if !hasName(g, identity) {
		return fmt.Errorf("%q is not enrolled", identity)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	path := filepath.Join(b.stateDir, wrongFile)
	old, err := safefile.ReadFile(path, maxWrongBytes)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	for _, l := range bytes.Split(old, []byte("\n")) {
		var w wrongMatch
		if json.Unmarshal(l, &w) == nil && w.Time.Equal(t) && w.Identity == identity {
			return nil // reported already
		}
	}
	line, _ := json.Marshal(wrongMatch{Time: t.UTC(), Identity: identity, Reported: time.Now().UTC()})
	if len(old)+len(line)+1 > maxWrongBytes {
		return fmt.Errorf("%s is full (%d bytes)", path, maxWrongBytes)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(append(line, '\n'))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// wrongCounts is the number of reports per name.
func (b *webBackend) wrongCounts() (map[string]int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	data, err := safefile.ReadFile(filepath.Join(b.stateDir, wrongFile), maxWrongBytes)
	if err != nil {
		return nil, err
	}
	n := map[string]int{}
	for _, l := range bytes.Split(data, []byte("\n")) {
		var w wrongMatch
		if json.Unmarshal(l, &w) == nil {
			n[w.Identity]++
		}
	}
	return n, nil
}
