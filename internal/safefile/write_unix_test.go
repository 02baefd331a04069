//go:build unix

package safefile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func write(s string) func(io.Writer) error {
	return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a")
	if err := WriteFile(path, 0o640, write("one")); err != nil {
		t.Fatal(err)
	}
	os.Chmod(path, 0o600)
	if err := WriteFile(path, 0o644, write("two")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "two" {
		t.Errorf("contents %q", b)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o644 {
		t.Errorf("WriteFile: mode %v, want 0644", st.Mode().Perm())
	}
	os.Chmod(path, 0o600)
	if err := Replace(path, 0o644, write("three")); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("Replace: mode %v, want the old 0600", st.Mode().Perm())
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("%d files left in the directory", len(ents))
	}
}

// TestWriteOnlyOverRegular: a device, a directory, a symbolic link and a
// FIFO at the target are refused and left as they were, and no
// temporary file is left anywhere (the temporary file of a target "d" is
// beside it, not in its parent's parent).
func TestWriteOnlyOverRegular(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "sub")
	os.Mkdir(sub, 0o700)
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "target"), []byte("kept"), 0o600)
	link := filepath.Join(dir, "link")
	os.Symlink("target", link)
	targets := []string{sub, sub + "/", fifo, link}
	// A device node of our own where we may make one (root), never a
	// real one, which a regression would replace.
	dev := filepath.Join(dir, "null")
	if err := syscall.Mknod(dev, syscall.S_IFCHR|0o666, 1<<8|3); err == nil {
		targets = append(targets, dev)
	}
	for _, p := range targets {
		before, _ := os.Lstat(p)
		err := WriteFile(p, 0o600, write("x"))
		if !errors.Is(err, ErrNotRegular) {
			t.Errorf("WriteFile(%s) = %v, want ErrNotRegular", p, err)
		}
		if after, _ := os.Lstat(p); after.Mode() != before.Mode() {
			t.Errorf("%s changed from %v to %v", p, before.Mode(), after.Mode())
		}
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "target")); string(b) != "kept" {
		t.Errorf("the link's target holds %q", b)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != len(targets) { // sub twice, and target
		t.Errorf("%d entries in the directory, want %d: %v", len(ents), len(targets), ents)
	}
}
