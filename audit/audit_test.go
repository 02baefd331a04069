package audit

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 28, 15, 0, 0, 123456789, time.UTC)

func rec(i int) Record {
	return Record{
		Time:      t0.Add(time.Duration(i) * time.Second),
		Decision:  "unlock",
		Identity:  fmt.Sprintf("person-%d", i),
		Distance:  0.25,
		Threshold: 0.85,
		Model:     "1a2b3c4d5e6f",
		Detail:    "3 of 5",
	}
}

// readAll reads the log back.
func readAll(t *testing.T, path string) ([]Record, int) {
	t.Helper()
	var out []Record
	skipped, err := Read(path, func(r Record) error { out = append(out, r); return nil })
	if err != nil {
		t.Fatal(err)
	}
	return out, skipped
}

func same(a, b Record) bool {
	eq := func(x, y float32) bool { return x == y || (x != x && y != y) }
	return a.Time.Equal(b.Time) && a.Decision == b.Decision && a.Identity == b.Identity &&
		eq(a.Distance, b.Distance) && eq(a.Threshold, b.Threshold) &&
		a.Model == b.Model && a.Crop == b.Crop && a.Detail == b.Detail
}

func openLog(t *testing.T, path string, opt Options) *Log {
	t.Helper()
	l, err := Open(path, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func TestRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l := openLog(t, path, Options{Sync: true})
	nan := float32(math.NaN())
	in := []Record{
		rec(0),
		{Time: t0.In(time.FixedZone("CET", 3600)), Decision: "stranger", Distance: 1.5, Threshold: 0.85},
		{Time: t0, Decision: "exit_button", Distance: nan, Threshold: nan},
		{Time: t0, Decision: "unlock", Identity: "Zoë \"Z\" Ødegård", Distance: float32(math.Inf(1)), Threshold: 1, Detail: "line\nbreak\ttab\x00nul"},
	}
	for _, r := range in {
		if err := l.Write(r, nil); err != nil {
			t.Fatal(err)
		}
	}
	got, skipped := readAll(t, path)
	if skipped != 0 || len(got) != len(in) {
		t.Fatalf("read %d records, skipped %d; want %d, 0", len(got), skipped, len(in))
	}
	in[3].Distance = nan // Inf is written as null, read as NaN
	for i := range in {
		if !same(got[i], in[i]) {
			t.Errorf("record %d: got %+v, want %+v", i, got[i], in[i])
		}
	}
	data, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if len(lines) != len(in) {
		t.Errorf("%d lines for %d records:\n%s", len(lines), len(in), data)
	}
	if want := `{"time":"2026-11-28T15:00:00.123456789Z","decision":"unlock","identity":"person-0","distance":0.25,"threshold":0.85,"model":"1a2b3c4d5e6f","detail":"3 of 5"}`; lines[0] != want {
		t.Errorf("line 0:\n got  %s\n want %s", lines[0], want)
	}
	if !strings.Contains(lines[1], `"time":"2026-11-28T16:00:00.123456789+01:00"`) {
		t.Errorf("line 1 keeps the zone: %s", lines[1])
	}
	if !strings.Contains(lines[2], `"distance":null,"threshold":null`) {
		t.Errorf("NaN as null: %s", lines[2])
	}
}

func TestMarshalRefuses(t *testing.T) {
	for _, r := range []Record{{Decision: "unlock"}, {Time: t0}} {
		if _, err := Marshal(r); err == nil {
			t.Errorf("Marshal(%+v) accepted", r)
		}
	}
	l := openLog(t, filepath.Join(t.TempDir(), "a.jsonl"), Options{})
	if err := l.Write(Record{Time: t0}, nil); err == nil {
		t.Error("Write without a decision accepted")
	}
}

func TestUnmarshal(t *testing.T) {
	for _, bad := range []string{
		``, `{`, `{"time":"2026-11-28T15:00:00Z","decision":"unlock"`, `{"time":"yesterday","decision":"unlock"}`,
		`{"time":"2026-11-28T15:00:00Z"}`, `{"time":"2026-11-28T15:00:00Z","decision":"unlock"} {}`, `[1,2]`,
	} {
		if _, err := Unmarshal([]byte(bad)); err == nil {
			t.Errorf("Unmarshal(%q) accepted", bad)
		}
	}
	r, err := Unmarshal([]byte(`{"time":"2026-11-28T15:00:00Z","decision":"unlock","new_field":1}` + "\n"))
	if err != nil || r.Decision != "unlock" || !math.IsNaN(float64(r.Distance)) {
		t.Errorf("a newer writer's line: %+v, %v", r, err)
	}
}

// TestTornLastLine: a crash mid-write leaves a partial last line. Read
// skips it and counts it; the next Log starts on a new line.
func TestTornLastLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l := openLog(t, path, Options{})
	for i := range 3 {
		if err := l.Write(rec(i), nil); err != nil {
			t.Fatal(err)
		}
	}
	l.Close()
	whole, _ := Marshal(rec(3))
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write(whole[:len(whole)/2]) // the crash
	f.Close()

	got, skipped := readAll(t, path)
	if len(got) != 3 || skipped != 1 {
		t.Fatalf("read %d records, skipped %d; want 3, 1", len(got), skipped)
	}

	l = openLog(t, path, Options{})
	if err := l.Write(rec(4), nil); err != nil {
		t.Fatal(err)
	}
	got, skipped = readAll(t, path)
	if len(got) != 4 || skipped != 1 || !same(got[3], rec(4)) {
		t.Fatalf("after reopening: %d records, skipped %d; want 4 ending in record 4, 1", len(got), skipped)
	}
	// The repair is one newline, written once.
	if err := l.Write(rec(5), nil); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	if n := bytes.Count(data, []byte("\n")); n != 6 || bytes.Contains(data, []byte("\n\n")) {
		t.Errorf("%d newlines (want 6, no blank line):\n%s", n, data)
	}
}

// TestReadStops: fn's error ends Read.
func TestReadStops(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l := openLog(t, path, Options{})
	for i := range 3 {
		l.Write(rec(i), nil)
	}
	stop := errors.New("enough")
	n := 0
	if _, err := Read(path, func(Record) error { n++; return stop }); err != stop || n != 1 {
		t.Errorf("Read: %v after %d records", err, n)
	}
	if _, err := Read(filepath.Join(t.TempDir(), "missing"), func(Record) error { return nil }); err == nil {
		t.Error("Read of a missing file succeeded")
	}
}

func TestConcurrentWriters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l := openLog(t, path, Options{})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				if err := l.Write(rec(g*1000+i), nil); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	got, skipped := readAll(t, path)
	if len(got) != 400 || skipped != 0 {
		t.Errorf("%d records, %d skipped; want 400, 0", len(got), skipped)
	}
}

func TestClosed(t *testing.T) {
	l := openLog(t, filepath.Join(t.TempDir(), "a.jsonl"), Options{})
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Write(rec(0), nil); err == nil {
		t.Error("Write after Close succeeded")
	}
	if err := l.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := Open(filepath.Join(dir, "no", "such", "dir", "a.jsonl"), Options{}); err == nil {
		t.Error("Open in a missing directory succeeded")
	}
	for _, opt := range []Options{{JPEGQuality: 101}, {JPEGQuality: -1}, {CropMaxBytes: -1}, {CropMaxAge: -1}} {
		_, err := Open(filepath.Join(dir, "a.jsonl"), opt)
		if err == nil {
			t.Errorf("Open(%+v) succeeded", opt)
		} else if strings.Contains(err.Error(), "{") || strings.Count(err.Error(), "audit:") != 1 {
			t.Errorf("Open(%+v): %q: want one plain sentence, not a Go struct", opt, err)
		}
	}
}

// face is a small grey gradient, the same every time.
func face() image.Image {
	img := image.NewGray(image.Rect(0, 0, 32, 40))
	for y := range 40 {
		for x := range 32 {
			img.SetGray(x, y, color.Gray{Y: uint8(x*4 + y*2)})
		}
	}
	return img
}

func TestCrop(t *testing.T) {
	dir := t.TempDir()
	crops := filepath.Join(dir, "crops")
	path := filepath.Join(dir, "audit.jsonl")
	l := openLog(t, path, Options{CropDir: crops, Sync: true})
	r := rec(0)
	r.Decision = "stranger/../x" // sanitised in the file name
	if err := l.Write(r, face()); err != nil {
		t.Fatal(err)
	}
	if err := l.Write(r, face()); err != nil { // same time: a second name
		t.Fatal(err)
	}
	if err := l.Write(rec(1), nil); err != nil { // no crop
		t.Fatal(err)
	}
	got, _ := readAll(t, path)
	want := []string{"crop-20261128T150000.123456789Z-stranger____x.jpg", "crop-20261128T150000.123456789Z-stranger____x-1.jpg", ""}
	for i, w := range want {
		if got[i].Crop != w {
			t.Errorf("record %d: crop %q, want %q", i, got[i].Crop, w)
		}
	}
	f, err := os.Open(filepath.Join(crops, want[0]))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := jpeg.Decode(f)
	if err != nil || img.Bounds() != face().Bounds() {
		t.Errorf("the crop: %v, %v", img.Bounds(), err)
	}
}

// TestRetention: crops beyond the age or size limit go, oldest first;
// other files stay.
func TestRetention(t *testing.T) {
	dir := t.TempDir()
	crops := filepath.Join(dir, "crops")
	if err := os.MkdirAll(crops, 0o750); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"notes.txt", "crop-garbage.jpg", "crop-20000101T000000.000000000Z-unlock.txt"} {
		os.WriteFile(filepath.Join(crops, name), []byte("keep me"), 0o640)
	}
	names := func() []string {
		ents, _ := os.ReadDir(crops)
		var out []string
		for _, e := range ents {
			if _, ok := cropTimeOf(e.Name()); ok {
				out = append(out, e.Name()[len("crop-20261128T"):len("crop-20261128T150000")])
			}
		}
		return out
	}

	t.Run("age", func(t *testing.T) {
		l := openLog(t, filepath.Join(dir, "age.jsonl"), Options{CropDir: crops, CropMaxAge: 48 * time.Hour})
		at := func(d time.Duration) Record { r := rec(0); r.Time = t0.Add(d); return r }
		for _, d := range []time.Duration{-72 * time.Hour, -48 * time.Hour, -48*time.Hour + time.Second, -time.Hour} {
			if err := l.Write(at(d), face()); err != nil {
				t.Fatal(err)
			}
		}
		// The newest so far is an hour old: pruning at its time keeps all
		// but the 72 h one (24 h older than it).
		if got := len(names()); got != 3 {
			t.Fatalf("%d crops after writing 4 spanning 71 h with a 48 h limit: %v", got, names())
		}
		if err := l.Prune(t0); err != nil {
			t.Fatal(err)
		}
		// At t0: -48 h is exactly 48 h old (goes), -48 h+1 s stays.
		if got := len(names()); got != 2 {
			t.Errorf("%d crops left at t0, want 2", got)
		}
		for _, d := range []time.Duration{time.Hour, 2 * time.Hour} {
			if err := l.Write(at(d), face()); err != nil {
				t.Fatal(err)
			}
		}
		if err := l.Prune(t0.Add(1000 * time.Hour)); err != nil {
			t.Fatal(err)
		}
		if got := names(); len(got) != 0 {
			t.Errorf("crops left after 1000 h: %v", got)
		}
	})

	t.Run("size", func(t *testing.T) {
		var one bytes.Buffer
		jpeg.Encode(&one, face(), &jpeg.Options{Quality: 85})
		size := int64(one.Len())
		l := openLog(t, filepath.Join(dir, "size.jsonl"), Options{CropDir: crops, CropMaxBytes: 2*size + size/2})
		for i := range 5 {
			if err := l.Write(rec(i), face()); err != nil {
				t.Fatal(err)
			}
		}
		if got, want := names(), []string{"150003", "150004"}; !slices.Equal(got, want) {
			t.Errorf("crops kept: %v, want the newest two %v", got, want)
		}
	})

	for _, name := range []string{"notes.txt", "crop-garbage.jpg", "crop-20000101T000000.000000000Z-unlock.txt"} {
		if _, err := os.Stat(filepath.Join(crops, name)); err != nil {
			t.Errorf("retention touched %s: %v", name, err)
		}
	}
}

func lastLine(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return lines[len(lines)-1]
}
