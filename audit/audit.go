// Package audit keeps the door's audit log: an append-only file of JSON
// lines, one per event (an unlock, a failed attempt, an exit-button
// press), and optionally the face crop of each event as a JPEG file, kept
// within a size and age limit.
//
// # Lines
//
// Each record is one line, written with a single write(2) on a file
// opened with O_APPEND:
//
//	{"time":"2026-11-28T15:00:00.123456789Z","decision":"unlock","identity":"ada","distance":0.41,"threshold":0.85,"model":"1a2b…","crop":"crop-20261128T150000.123456789Z-unlock.jpg","detail":"3 of 5"}
//
// time is RFC 3339 with nanoseconds; distance and threshold are null
// when not a number. A crash can cut at most the line being written;
// Read skips such a torn line and counts it, and the next Log opened on
// the file starts its first line on a line of its own. With
// Options.Sync each line is also fsynced, so that it survives a power
// cut; events are rare (a few a minute at most), so it costs nothing
// that matters.
//
// # Errors
//
// A write that fails (a full disk: ENOSPC; a file size limit: EFBIG; a
// short write) is returned, never hidden. Write the record before you
// unlock, and keep the door locked when Write fails: an unlock that
// cannot be audited does not happen.
//
// # Crops
//
// With Options.CropDir set, Write stores the record's face crop as
// crop-<UTC time>-<decision>.jpg in that directory and names it in the
// record's crop field. After each crop, the oldest crops are deleted
// until the rest are younger than CropMaxAge and together no larger than
// CropMaxBytes (by the time in their names, so that a copied directory
// keeps its order). Files that are not crops are never touched.
//
// The package returns errors and does not log.
package audit

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// Record is one audit event.
type Record struct {
	Time      time.Time
	Decision  string  // what happened: "unlock", "stranger", "exit_button", …
	Identity  string  // who, if known
	Distance  float32 // the distance that decided; NaN: none
	Threshold float32 // the threshold in force; NaN: none
	Model     string  // the model's hash (hex SHA-256)
	Crop      string  // the face crop's file name in the crop directory; set by Write
	Detail    string  // anything else, free text
}

// line is a Record as written.
type line struct {
	Time      string   `json:"time"`
	Decision  string   `json:"decision"`
	Identity  string   `json:"identity"`
	Distance  *float32 `json:"distance"`
	Threshold *float32 `json:"threshold"`
	Model     string   `json:"model,omitempty"`
	Crop      string   `json:"crop,omitempty"`
	Detail    string   `json:"detail,omitempty"`
}

func number(x float32) *float32 {
	if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
		return nil
	}
	return &x
}

func fromNumber(p *float32) float32 {
	if p == nil {
		return float32(math.NaN())
	}
	return *p
}

// Marshal returns r as one JSON line, newline included.
func Marshal(r Record) ([]byte, error) {
	if r.Time.IsZero() || r.Decision == "" {
		return nil, errors.New("audit: a record needs a time and a decision")
	}
	b, err := json.Marshal(line{
		Time:      r.Time.Format(time.RFC3339Nano),
		Decision:  r.Decision,
		Identity:  r.Identity,
		Distance:  number(r.Distance),
		Threshold: number(r.Threshold),
		Model:     r.Model,
		Crop:      r.Crop,
		Detail:    r.Detail,
	})
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	return append(b, '\n'), nil
}

// Unmarshal parses one line (without or with its newline).
func Unmarshal(b []byte) (Record, error) {
	var l line
	if err := json.Unmarshal(b, &l); err != nil { // unknown fields pass: a newer writer's
		return Record{}, fmt.Errorf("audit: %w", err)
	}
	t, err := time.Parse(time.RFC3339Nano, l.Time)
	if err != nil {
		return Record{}, fmt.Errorf("audit: %w", err)
	}
	if l.Decision == "" {
		return Record{}, errors.New("audit: no decision")
	}
	return Record{
		Time: t, Decision: l.Decision, Identity: l.Identity,
		Distance: fromNumber(l.Distance), Threshold: fromNumber(l.Threshold),
		Model: l.Model, Crop: l.Crop, Detail: l.Detail,
	}, nil
}

// Options tune a Log; the zero value writes lines only, without fsync.
type Options struct {
	Sync bool // fsync the file after each line

	CropDir      string        // where face crops go; "" keeps none
	CropMaxBytes int64         // the crops' total size limit; 0: none
	CropMaxAge   time.Duration // the crops' age limit; 0: none
	JPEGQuality  int           // 1–100; 0: 85

	// Mode is the permission bits of a new log file and of each crop
	// (0: 0600, private to the service's user: the log names people and
	// the crops are their faces). It may add read for the group (0640);
	// the crop directory gets search (x) where Mode gives read.
	Mode os.FileMode
}

// DefaultMode is the permission bits of new files when Options.Mode is 0.
const DefaultMode os.FileMode = 0o600

// dirMode is the crop directory's mode for file mode m: search where m
// gives read.
func dirMode(m os.FileMode) os.FileMode { return m | (m&0o444)>>2 }

// Log is an open audit log. Its methods are safe for concurrent use.
type Log struct {
	path string
	opt  Options

	mu   sync.Mutex
	f    *os.File
	torn bool // the file does not end in a newline: start the next write with one
}

// Open opens (creating it, with Options.Mode: 0600 by default) the log at
// path for appending. The directory must exist; CropDir is created if
// needed (0700 by default). An existing log and crop directory of this
// user are given those modes too.
func Open(path string, opt Options) (*Log, error) {
	if opt.JPEGQuality == 0 {
		opt.JPEGQuality = 85
	}
	if opt.Mode == 0 {
		opt.Mode = DefaultMode
	}
	if opt.Mode&^0o640 != 0 || opt.Mode&0o600 != 0o600 {
		return nil, fmt.Errorf("audit: mode %#o: want 0600 or 0640 (the owner reads and writes; the group may read; no one else)", opt.Mode)
	}
	switch {
	case opt.JPEGQuality < 1 || opt.JPEGQuality > 100:
		return nil, fmt.Errorf("audit: JPEG quality %d: want 1 to 100", opt.JPEGQuality)
	case opt.CropMaxBytes < 0:
		return nil, fmt.Errorf("audit: crop size limit %d bytes: must not be negative", opt.CropMaxBytes)
	case opt.CropMaxAge < 0:
		return nil, fmt.Errorf("audit: crop age limit %v: must not be negative", opt.CropMaxAge)
	}
	if opt.CropDir != "" {
		if err := os.MkdirAll(opt.CropDir, dirMode(opt.Mode)); err != nil {
			return nil, fmt.Errorf("audit: crop directory: %w", err)
		}
		os.Chmod(opt.CropDir, dirMode(opt.Mode)) // one an older edge made 0750; best effort
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, opt.Mode)
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	if st, err := f.Stat(); err == nil && st.Mode().Perm() != opt.Mode {
		f.Chmod(opt.Mode) // a log an older edge made 0640; best effort (another owner's stays)
	}
	l := &Log{path: path, opt: opt, f: f}
	if l.torn, err = endsTorn(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("audit: %s: %w", path, err)
	}
	return l, nil
}

// endsTorn reports whether a non-empty f lacks a final newline.
func endsTorn(f *os.File) (bool, error) {
	st, err := f.Stat()
	if err != nil || st.Size() == 0 {
		return false, err
	}
	r, err := os.Open(f.Name())
	if err != nil {
		return false, err
	}
	defer r.Close()
	var last [1]byte
	if _, err := r.ReadAt(last[:], st.Size()-1); err != nil {
		return false, err
	}
	return last[0] != '\n', nil
}

// Path returns the log's file name.
func (l *Log) Path() string { return l.path }

// Write appends r, after saving crop (nil for none) if the Log keeps
// crops; r.Crop is set to the crop's name. A crop that cannot be saved
// does not stop the line, which is then written without it; the error
// is returned all the same. On error, keep the door locked.
func (l *Log) Write(r Record, crop image.Image) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return errors.New("audit: write to a closed log")
	}
	r.Crop = ""
	var cropErr error
	if crop != nil && l.opt.CropDir != "" {
		r.Crop, cropErr = l.saveCrop(r, crop)
	}
	b, err := Marshal(r)
	if err != nil {
		return errors.Join(err, l.dropCrop(r.Crop))
	}
	if l.torn {
		b = append([]byte{'\n'}, b...)
	}
	if err := l.writeLine(b); err != nil {
		return errors.Join(cropErr, fmt.Errorf("audit: %s: %w", l.path, err), l.dropCrop(r.Crop))
	}
	if l.opt.Sync {
		if err := l.f.Sync(); err != nil {
			return errors.Join(cropErr, fmt.Errorf("audit: %s: fsync: %w", l.path, err))
		}
	}
	if r.Crop != "" {
		cropErr = errors.Join(cropErr, l.prune(r.Time))
	}
	return cropErr
}

// writeLine appends b with one write(2). After a short write it ends
// the torn line, so that the next record starts on its own line.
func (l *Log) writeLine(b []byte) error {
	n, err := writeOnce(l.f, b)
	if err == nil && n == len(b) {
		l.torn = false
		return nil
	}
	if n > 0 {
		l.torn = true
		_, nlErr := writeOnce(l.f, []byte{'\n'})
		if nlErr == nil {
			l.torn = false
		}
		cause := err // the kernel says why it stopped only on the next write
		if cause == nil {
			cause = nlErr
		}
		if cause == nil {
			cause = io.ErrShortWrite
		}
		return fmt.Errorf("torn line, %d of %d bytes written: %w", n, len(b), cause)
	}
	if err == nil {
		err = io.ErrShortWrite
	}
	return err
}

// Close closes the file. Further writes fail.
func (l *Log) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}

// Read calls fn for every record in the log at path, in order, and
// returns how many lines it skipped because they did not parse (a torn
// last line after a crash). It stops at fn's first error and returns it.
func Read(path string, fn func(Record) error) (skipped int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("audit: %w", err)
	}
	defer f.Close()
	br := bufio.NewReader(f)
	for {
		b, rerr := br.ReadBytes('\n')
		if len(bytes.TrimSpace(b)) != 0 {
			r, perr := Unmarshal(b)
			if perr != nil {
				skipped++
			} else if err := fn(r); err != nil {
				return skipped, err
			}
		}
		if rerr == io.EOF {
			return skipped, nil
		}
		if rerr != nil {
			return skipped, fmt.Errorf("audit: %s: %w", path, rerr)
		}
	}
}

// Crops.

const (
	cropPrefix = "crop-"
	cropSuffix = ".jpg"
	cropTime   = "20060102T150405.000000000Z" // fixed width: names sort by time
)

// cropName returns the crop's file name for r: its UTC time and its
// decision, reduced to letters, digits and underscores.
func cropName(r Record, n int) string {
	var sb strings.Builder
	sb.WriteString(cropPrefix)
	sb.WriteString(r.Time.UTC().Format(cropTime))
	sb.WriteByte('-')
	for _, c := range r.Decision {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_':
			sb.WriteRune(c)
		default:
			sb.WriteByte('_')
		}
	}
	if n > 0 {
		fmt.Fprintf(&sb, "-%d", n)
	}
	sb.WriteString(cropSuffix)
	return sb.String()
}

// cropTimeOf parses the time out of a crop's file name.
func cropTimeOf(name string) (time.Time, bool) {
	if !strings.HasPrefix(name, cropPrefix) || !strings.HasSuffix(name, cropSuffix) || len(name) < len(cropPrefix)+len(cropTime) {
		return time.Time{}, false
	}
	t, err := time.Parse(cropTime, name[len(cropPrefix):len(cropPrefix)+len(cropTime)])
	return t, err == nil
}

// saveCrop writes crop as a new JPEG file and returns its name.
func (l *Log) saveCrop(r Record, crop image.Image) (string, error) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, crop, &jpeg.Options{Quality: l.opt.JPEGQuality}); err != nil {
		return "", fmt.Errorf("audit: encoding the crop: %w", err)
	}
	for n := 0; n < 100; n++ {
		name := cropName(r, n)
		path := filepath.Join(l.opt.CropDir, name)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, l.opt.Mode)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("audit: crop: %w", err)
		}
		_, err = f.Write(buf.Bytes())
		if err == nil && l.opt.Sync {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(path)
			return "", fmt.Errorf("audit: crop: %w", err)
		}
		return name, nil
	}
	return "", fmt.Errorf("audit: crop: too many crops named %s", cropName(r, 0))
}

// dropCrop removes a crop whose line could not be written.
func (l *Log) dropCrop(name string) error {
	if name == "" {
		return nil
	}
	if err := os.Remove(filepath.Join(l.opt.CropDir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("audit: removing an unreferenced crop: %w", err)
	}
	return nil
}

// Prune deletes the oldest crops until those left are younger than
// CropMaxAge at now and no larger than CropMaxBytes together. Write
// calls it after each crop; call it at start-up too.
func (l *Log) Prune(now time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.prune(now)
}

func (l *Log) prune(now time.Time) error {
	if l.opt.CropDir == "" || (l.opt.CropMaxBytes == 0 && l.opt.CropMaxAge == 0) {
		return nil
	}
	ents, err := os.ReadDir(l.opt.CropDir)
	if err != nil {
		return fmt.Errorf("audit: pruning crops: %w", err)
	}
	type crop struct {
		name string
		t    time.Time
		size int64
	}
	var crops []crop
	var total int64
	for _, e := range ents {
		t, ok := cropTimeOf(e.Name())
		if !ok || !e.Type().IsRegular() {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue // gone meanwhile
		}
		crops = append(crops, crop{e.Name(), t, info.Size()})
		total += info.Size()
	}
	slices.SortFunc(crops, func(a, b crop) int { return strings.Compare(a.name, b.name) })
	var errs []error
	for _, c := range crops {
		old := l.opt.CropMaxAge > 0 && now.Sub(c.t) >= l.opt.CropMaxAge
		big := l.opt.CropMaxBytes > 0 && total > l.opt.CropMaxBytes
		if !old && !big {
			break
		}
		if err := os.Remove(filepath.Join(l.opt.CropDir, c.name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
			continue
		}
		total -= c.size
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("audit: pruning crops: %w", err)
	}
	return nil
}
