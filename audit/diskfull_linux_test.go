package audit

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

// childEnv makes the test binary a child that writes to a log under a
// file size limit.
const childEnv = "EDGE_AUDIT_TEST_CHILD"

// TestDiskFullRlimit fills the "disk" in a child process by lowering its
// file size limit (RLIMIT_FSIZE: a write past it fails with EFBIG, and
// one that crosses it is cut short; Go ignores the SIGXFSZ that comes
// with it). Needs neither root nor a mount.
func TestDiskFullRlimit(t *testing.T) {
	if path, ok := strings.CutPrefix(os.Getenv(childEnv), "fsize:"); ok {
		os.Exit(fsizeChild(path))
	}
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	cmd := exec.Command(os.Args[0], "-test.run=^TestDiskFullRlimit$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"=fsize:"+path)
	out, err := cmd.CombinedOutput()
	if errors.Is(err, syscall.ENOEXEC) {
		t.Skip("cannot run the test binary as a child (qemu-user without binfmt):", err)
	}
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	var written int
	var werr string
	if _, err := fmt.Sscanf(lastLine(out), "written %d, then %q", &written, &werr); err != nil {
		if strings.Contains(string(out), "skip:") {
			t.Skip(string(out))
		}
		t.Fatalf("child said %q: %v", out, err)
	}
	if !strings.Contains(werr, "file too large") {
		t.Errorf("the write past the limit failed with %q, want EFBIG", werr)
	}
	if !strings.Contains(werr, path) {
		t.Errorf("the error %q does not name the log", werr)
	}
	got, skipped := readAll(t, path)
	if len(got) != written || skipped > 1 {
		t.Errorf("read %d records, %d skipped; the child wrote %d (a torn last line at most)", len(got), skipped, written)
	}
	// With room again, the log goes on on a line of its own.
	l := openLog(t, path, Options{})
	if err := l.Write(rec(9999), nil); err != nil {
		t.Fatal(err)
	}
	got2, skipped2 := readAll(t, path)
	if len(got2) != written+1 || skipped2 != skipped || !same(got2[written], rec(9999)) {
		t.Errorf("after the disk freed up: %d records, %d skipped; want %d, %d", len(got2), skipped2, written+1, skipped)
	}
}

// fsizeChild runs in the child of TestDiskFullRlimit: it lowers its file
// size limit to 4 kB, writes records until one fails, and says how many
// it wrote and how the next one failed.
func fsizeChild(path string) int {
	l, err := Open(path, Options{})
	if err != nil {
		fmt.Println(err)
		return 1
	}
	lim := syscall.Rlimit{Cur: 4 << 10, Max: 4 << 10}
	var saved syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &saved); err != nil || saved.Max < lim.Max {
		fmt.Println("skip: cannot lower RLIMIT_FSIZE:", err)
		return 0
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
		fmt.Println("skip: setrlimit:", err)
		return 0
	}
	for i := 0; i < 1000; i++ {
		if err := l.Write(rec(i), nil); err != nil {
			if !errors.Is(err, syscall.EFBIG) {
				fmt.Println("not EFBIG:", err)
			}
			fmt.Printf("written %d, then %q\n", i, err.Error())
			// A full disk stays full: the next write fails too.
			if err := l.Write(rec(i+1), nil); err == nil {
				fmt.Println("a write after the failure succeeded")
				return 1
			}
			return 0
		}
	}
	fmt.Println("1000 records fitted in 4 kB?")
	return 1
}

// TestDiskFullTmpfs writes to a 16 kB tmpfs (as root, where mounting is
// allowed) until it is full: the write fails with ENOSPC, every record
// that Write accepted reads back, the crop that did not fit is reported,
// and nothing half-written is left but a torn last line.
func TestDiskFullTmpfs(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=16k,mode=0700"); err != nil {
		t.Skip("cannot mount a tmpfs here:", err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, syscall.MNT_DETACH); err != nil {
			t.Error("unmount:", err)
		}
	})
	path := filepath.Join(dir, "audit.jsonl")
	l, err := Open(path, Options{Sync: true, CropDir: filepath.Join(dir, "crops")})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	written := 0
	var werr error
	for i := 0; i < 10000; i++ {
		if werr = l.Write(rec(i), nil); werr != nil {
			break
		}
		written++
	}
	if !errors.Is(werr, syscall.ENOSPC) || !strings.Contains(werr.Error(), path) {
		t.Fatalf("after %d records: %v; want ENOSPC naming %s", written, werr, path)
	}
	if err := l.Write(rec(written+1), face()); err == nil {
		t.Error("a record with a crop fitted on a full disk")
	}
	got, skipped := readAll(t, path)
	if len(got) != written || skipped > 1 {
		t.Errorf("read %d records, %d skipped; %d were written (a torn last line at most)", len(got), skipped, written)
	}
	ents, _ := os.ReadDir(filepath.Join(dir, "crops"))
	for _, e := range ents {
		info, _ := e.Info()
		if info.Size() == 0 || !strings.HasSuffix(e.Name(), ".jpg") {
			t.Errorf("left behind in the crop directory: %s (%d bytes)", e.Name(), info.Size())
		}
	}
}
