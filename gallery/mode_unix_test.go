//go:build unix && !aix && !hurd

package gallery

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestPrivateFiles: the gallery, its directory and its lock file are
// private to their user.
func TestPrivateFiles(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	dir := filepath.Join(t.TempDir(), "state")
	s := NewStore(filepath.Join(dir, FileName), testModel(1))
	os.Mkdir(dir, 0o700)
	os.WriteFile(s.Path+".lock", nil, 0o644) // as an older edge left it
	if _, err := s.Update(func(g *Gallery) error { return g.Enroll("ada", []float32{1}) }); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]os.FileMode{dir: 0o700 | os.ModeDir, s.Path: 0o600, s.Path + ".lock": 0o600} {
		if st, err := os.Stat(p); err != nil || st.Mode() != want {
			t.Errorf("%s is %v, want %v (%v)", filepath.Base(p), st.Mode(), want, err)
		}
	}
}
