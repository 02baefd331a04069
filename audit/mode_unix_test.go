//go:build unix

package audit

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestModes: the log, the crop directory and the crops are private to
// the service's user unless Options.Mode lets its group read them.
func TestModes(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	for _, c := range []struct{ mode, file, dir os.FileMode }{{0, 0o600, 0o700}, {0o640, 0o640, 0o750}} {
		dir := t.TempDir()
		crops := filepath.Join(dir, "crops")
		path := filepath.Join(dir, "audit.jsonl")
		// As an older edge left them: the log 0644, the crops 0755.
		os.WriteFile(path, nil, 0o644)
		os.Mkdir(crops, 0o755)
		l := openLog(t, path, Options{CropDir: crops, Mode: c.mode})
		if err := l.Write(rec(0), face()); err != nil {
			t.Fatal(err)
		}
		got, _ := readAll(t, path)
		for p, want := range map[string]os.FileMode{path: c.file, crops: c.dir | os.ModeDir, filepath.Join(crops, got[0].Crop): c.file} {
			if st, err := os.Stat(p); err != nil || st.Mode() != want {
				t.Errorf("Mode %#o: %s is %v, want %v (%v)", c.mode, filepath.Base(p), st.Mode(), want, err)
			}
		}
	}
	for _, bad := range []os.FileMode{0o644, 0o666, 0o400, 0o700} {
		if _, err := Open(filepath.Join(t.TempDir(), "a.jsonl"), Options{Mode: bad}); err == nil {
			t.Errorf("Mode %#o accepted", bad)
		}
	}
}
