package gallery

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

func TestDefaultDir(t *testing.T) {
	home, _ := os.UserHomeDir()
	cases := []struct{ state, xdg, want string }{
		{"/var/lib/edge", "/x", "/var/lib/edge"},
		{"/var/lib/edge:/var/lib/other", "", "/var/lib/edge"},
		{"", "/home/u/.state", "/home/u/.state/edge"},
		{"", "relative", filepath.Join(home, ".local/state/edge")},
		{"", "", filepath.Join(home, ".local/state/edge")},
	}
	for _, c := range cases {
		t.Setenv("STATE_DIRECTORY", c.state)
		t.Setenv("XDG_STATE_HOME", c.xdg)
		d, err := DefaultDir()
		if err != nil || d != c.want {
			t.Errorf("STATE_DIRECTORY=%q XDG_STATE_HOME=%q: %q, %v; want %q", c.state, c.xdg, d, err, c.want)
		}
	}
	t.Setenv("STATE_DIRECTORY", "/s")
	if p, _ := DefaultPath(); p != "/s/"+FileName {
		t.Errorf("DefaultPath = %q", p)
	}
}

func enrollFn(name string, e ...[]float32) func(*Gallery) error {
	return func(g *Gallery) error { return g.Enroll(name, e...) }
}

func TestStoreUpdateLoad(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state", "edge") // created by Update
	path := filepath.Join(dir, FileName)
	m := testModel(2)
	s := NewStore(path, m)
	if _, err := s.Load(); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "enrol someone first") {
		t.Errorf("Load of no file: %v", err)
	}
	g, err := s.Update(enrollFn("ada", []float32{1, 2}))
	if err != nil || g.Len() != 1 {
		t.Fatalf("Update: %v", err)
	}
	if _, err := s.Update(enrollFn("bob", []float32{3, 4})); err != nil {
		t.Fatal(err)
	}
	back, err := NewStore(path, m).Load()
	if err != nil || !slicesEqual(names(back), []string{"ada", "bob"}) {
		t.Fatalf("Load: %v, %v", err, back)
	}
	if runtime.GOOS != "windows" {
		fi, _ := os.Stat(path)
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("new gallery mode %v, want 0600", fi.Mode().Perm())
		}
		if err := os.Chmod(path, 0o640); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Update(enrollFn("cy", []float32{5, 6})); err != nil {
			t.Fatal(err)
		}
		if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o640 {
			t.Errorf("rewritten gallery mode %v, want the old 0640", fi.Mode().Perm())
		}
	}
	// A failing fn writes nothing.
	before, _ := os.ReadFile(path)
	boom := errors.New("boom")
	if _, err := s.Update(func(g *Gallery) error { g.Remove("ada"); return boom }); err != boom {
		t.Errorf("Update with a failing fn: %v", err)
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Error("a failed Update changed the file")
	}
	assertOnly(t, dir, FileName, FileName+".lock")
}

func slicesEqual(a, b []string) bool { return strings.Join(a, "\x00") == strings.Join(b, "\x00") }

// assertOnly checks that dir holds exactly the named files.
func assertOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	ents, _ := os.ReadDir(dir)
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	if !slicesEqual(got, names) {
		t.Errorf("directory holds %v, want %v", got, names)
	}
}

func TestStoreRefusesDamage(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	m := testModel(2)
	s := NewStore(path, m)
	if _, err := s.Update(enrollFn("ada", []float32{1, 2})); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	data[30] ^= 4
	os.WriteFile(path, data, 0o600)
	if _, err := s.Update(enrollFn("bob", []float32{1, 2})); !errors.Is(err, ErrCorrupt) {
		t.Errorf("Update of a corrupt file: %v", err)
	}
	if now, _ := os.ReadFile(path); string(now) != string(data) {
		t.Error("Update rewrote a corrupt file")
	}
	os.Remove(path)
	other := testModel(3)
	if _, err := NewStore(path, other).Update(enrollFn("x", []float32{1, 2, 3})); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Update(enrollFn("bob", []float32{1, 2})); !errors.Is(err, ErrModelMismatch) {
		t.Errorf("Update of another model's file: %v", err)
	}
}

func TestReloadIfChanged(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	m := testModel(2)
	service, cli := NewStore(path, m), NewStore(path, m)

	g, changed, err := service.ReloadIfChanged()
	if err != nil || !changed || g.Len() != 0 {
		t.Fatalf("no file at first: %v, %v, %v; want an empty gallery", g, changed, err)
	}
	if g, changed, err := service.ReloadIfChanged(); g != nil || changed || err != nil {
		t.Errorf("still no file: %v, %v, %v", g, changed, err)
	}
	cli.Update(enrollFn("ada", []float32{1, 2}))
	if g, changed, err := service.ReloadIfChanged(); !changed || err != nil || g.Len() != 1 {
		t.Fatalf("after enrolment: %v, %v, %v", g, changed, err)
	}
	if g, changed, err := service.ReloadIfChanged(); g != nil || changed || err != nil {
		t.Errorf("unchanged: %v, %v, %v", g, changed, err)
	}
	// A rewrite of the same size (same name length, same photo count) is
	// still seen: the checksum line changes.
	cli.Update(func(g *Gallery) error { return g.Rename("ada", "bob") })
	if g, changed, err := service.ReloadIfChanged(); !changed || err != nil || names(g)[0] != "bob" {
		t.Fatalf("after rename: %v, %v, %v", g, changed, err)
	}
	good, _ := os.ReadFile(path)
	// Damage in place that leaves the checksum line alone goes unnoticed
	// by the poll, which is harmless: the gallery in memory is the good
	// one. A new, damaged file (another checksum line) is refused.
	bad := []byte(strings.Replace(string(good), "bob", "bod", 1))
	os.WriteFile(path, bad, 0o600)
	if g, changed, err := service.ReloadIfChanged(); g != nil || changed || err != nil {
		t.Errorf("damage in place: %v, %v, %v", g, changed, err)
	}
	bad[len(bad)-2] ^= 1
	os.WriteFile(path, bad, 0o600)
	for range 2 { // the error repeats until the file is fixed
		if _, changed, err := service.ReloadIfChanged(); changed || !errors.Is(err, ErrCorrupt) {
			t.Errorf("after damage: %v, %v", changed, err)
		}
	}
	os.WriteFile(path, good, 0o600) // restored: the file the service has
	if g, changed, err := service.ReloadIfChanged(); g != nil || changed || err != nil {
		t.Errorf("after repair: %v, %v, %v", g, changed, err)
	}
	os.Remove(path)
	if g, changed, err := service.ReloadIfChanged(); !changed || err != nil || g.Len() != 0 {
		t.Errorf("after removal: %v, %v, %v; want an empty gallery", g, changed, err)
	}
	// Its own writes are not news to a Store.
	service.Update(enrollFn("cy", []float32{1, 2}))
	if g, changed, err := service.ReloadIfChanged(); g != nil || changed || err != nil {
		t.Errorf("after its own Update: %v, %v, %v", g, changed, err)
	}
	if n := testing.AllocsPerRun(10, func() { service.ReloadIfChanged() }); n > 10 {
		t.Errorf("unchanged ReloadIfChanged: %v allocations", n)
	}
}

func TestUpdateRemovesTemps(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	s := NewStore(path, testModel(2))
	s.Update(enrollFn("ada", []float32{1, 2}))
	for i := range 3 { // what writers killed before their rename leave
		os.WriteFile(filepath.Join(dir, fmt.Sprintf(".%s.tmp-%d", FileName, i)), []byte("partial"), 0o600)
	}
	os.WriteFile(filepath.Join(dir, "unrelated"), nil, 0o600)
	if _, err := s.Update(enrollFn("bob", []float32{1, 2})); err != nil {
		t.Fatal(err)
	}
	assertOnly(t, dir, FileName, FileName+".lock", "unrelated")
}

// TestConcurrentUpdates: writers that each read, add a name and write
// must not lose each other's names. Each Store opens its own lock file
// descriptor, and flock locks conflict between descriptors even within
// one process.
func TestConcurrentUpdates(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		t.Skip("no file locking here")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	m := testModel(2)
	const writers, each = 4, 10
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			s := NewStore(path, m)
			for i := range each {
				if _, err := s.Update(enrollFn(fmt.Sprintf("w%d-%d", w, i), []float32{1, 2})); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	g, err := NewStore(path, m).Load()
	if err != nil || g.Len() != writers*each {
		t.Errorf("%v identities (%v), want %d: updates were lost", g.Len(), err, writers*each)
	}
}

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	g := smallGallery()
	if err := WriteFile(path, g); err != nil {
		t.Fatal(err)
	}
	back, err := ReadFile(path) // no model asked for: any model's gallery reads
	if err != nil || !Equal(g, back) {
		t.Fatalf("ReadFile: %v", err)
	}
	data, _ := os.ReadFile(path)
	data[len(data)-5] ^= 1
	os.WriteFile(path, data, 0o600)
	if _, err := ReadFile(path); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), path) {
		t.Errorf("ReadFile of a damaged file: %v", err)
	}
	if _, err := ReadFile(filepath.Join(dir, "none")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadFile of no file: %v", err)
	}
}
