package npy

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
)

// TestWriteFileDiskFull makes writes fail part way through, as a full disk
// would, by lowering the file size limit (RLIMIT_FSIZE: writes past it fail
// with EFBIG; Go ignores the SIGXFSZ that comes with it). The old file must
// survive intact and no temporary file may be left behind.
func TestWriteFileDiskFull(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.npy")
	old := &Array{Shape: []int{2}, Data: []float32{1, 2}}
	if err := WriteFile(path, old); err != nil {
		t.Fatal(err)
	}

	var saved syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &saved); err != nil {
		t.Skip("getrlimit:", err)
	}
	limit := saved
	limit.Cur = 100 << 10
	if saved.Max < limit.Cur {
		t.Skip("file size hard limit too low to test")
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &limit); err != nil {
		t.Skip("setrlimit:", err)
	}
	big := &Array{Shape: []int{1 << 20}, Data: make([]float32, 1<<20)} // 4 MiB
	err := WriteFile(path, big)
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &saved); err != nil {
		t.Fatal("restoring RLIMIT_FSIZE:", err)
	}

	if !errors.Is(err, syscall.EFBIG) || !strings.Contains(err.Error(), path) {
		t.Errorf("error %v, want EFBIG naming %s", err, path)
	}
	got, rerr := ReadFile(path)
	if rerr != nil || !reflect.DeepEqual(got, old) {
		t.Errorf("after a failed write: %+v, %v; want the old contents", got, rerr)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("%d entries in the directory, want only a.npy", len(ents))
	}
}
