package gallery

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// bigUpdate enrols identities until the gallery's file would exceed n
// bytes.
func bigUpdate(n int) func(*Gallery) error {
	return func(g *Gallery) error {
		for g.Photos()*700 < n {
			if err := enrollNext(g); err != nil {
				return err
			}
		}
		return nil
	}
}

// checkOldIntact checks the aftermath of a save that ran out of space:
// the old gallery loads unchanged, and no temporary file is left.
func checkOldIntact(t *testing.T, path string, old *Gallery) {
	t.Helper()
	got, lerr := NewStore(path, old.Model).Load()
	if lerr != nil || !Equal(got, old) {
		t.Errorf("after a failed save: %v; want the old gallery", lerr)
	}
	assertOnly(t, filepath.Dir(path), FileName, FileName+".lock")
}

// TestSaveDiskFullTmpfs saves to a 64 kB tmpfs (as root, where mounting
// is allowed): the write fails with ENOSPC.
func TestSaveDiskFullTmpfs(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=64k,mode=0700"); err != nil {
		t.Skip("cannot mount a tmpfs here:", err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, syscall.MNT_DETACH); err != nil {
			t.Error("unmount:", err)
		}
	})
	path := filepath.Join(dir, FileName)
	s := NewStore(path, testModel(crashDim))
	old, err := s.Update(enrollNext) // ~45 kB: fits
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Update(bigUpdate(200 << 10))
	if !errors.Is(err, syscall.ENOSPC) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "the old file is unchanged") {
		t.Errorf("save on a full disk: %v; want ENOSPC naming %s", err, path)
	}
	checkOldIntact(t, path, old)
}

// TestSaveDiskFullRlimit makes writes fail part way through in a child
// process by lowering its file size limit (RLIMIT_FSIZE: a write past it
// fails with EFBIG; Go ignores the SIGXFSZ that comes with it). It needs
// neither root nor a mount.
func TestSaveDiskFullRlimit(t *testing.T) {
	if path, ok := strings.CutPrefix(os.Getenv(childEnv), "fsize:"); ok {
		os.Exit(fsizeChild(path))
	}
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	s := NewStore(path, testModel(crashDim))
	old, err := s.Update(enrollNext)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestSaveDiskFullRlimit$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"=fsize:"+path)
	out, err := cmd.CombinedOutput()
	switch {
	case errors.Is(err, syscall.ENOEXEC):
		t.Skip("cannot run the test binary as a child here (under qemu-user?):", err)
	case cmd.ProcessState != nil && cmd.ProcessState.ExitCode() == 4:
		t.Skipf("child could not lower RLIMIT_FSIZE: %s", out)
	case err != nil:
		t.Fatalf("child: %v\n%s", err, out)
	}
	msg := strings.TrimSpace(string(out))
	if !strings.Contains(msg, syscall.EFBIG.Error()) || !strings.Contains(msg, path) || !strings.Contains(msg, "the old file is unchanged") {
		t.Errorf("child's error %q, want EFBIG", msg)
	}
	checkOldIntact(t, path, old)
}

// fsizeChild runs in the child of TestSaveDiskFullRlimit: it lowers its
// file size limit, tries to save a big gallery, prints the error and
// exits 0 if it is EFBIG.
func fsizeChild(path string) int {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
		fmt.Println(err)
		return 4
	}
	lim.Cur = 100 << 10
	if lim.Max < lim.Cur {
		fmt.Println("hard limit too low")
		return 4
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
		fmt.Println(err)
		return 4
	}
	_, err := NewStore(path, testModel(crashDim)).Update(bigUpdate(400 << 10))
	fmt.Println(err)
	if !errors.Is(err, syscall.EFBIG) {
		return 1
	}
	return 0
}
