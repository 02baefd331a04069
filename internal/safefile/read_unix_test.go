//go:build unix

package safefile

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small")
	os.WriteFile(small, []byte("12345"), 0o600)
	if b, err := ReadFile(small, 5); err != nil || string(b) != "12345" {
		t.Errorf("ReadFile at the limit: %q, %v", b, err)
	}
	if _, err := ReadFile(small, 4); !errors.Is(err, ErrTooLarge) {
		t.Errorf("ReadFile over the limit: %v", err)
	}
	// A sparse file of 1 TiB is refused from its size, at once.
	huge := filepath.Join(dir, "huge")
	f, _ := os.Create(huge)
	if err := f.Truncate(1 << 40); err != nil {
		t.Skip("no sparse files here:", err)
	}
	f.Close()
	start := time.Now()
	if _, err := ReadFile(huge, 1<<20); !errors.Is(err, ErrTooLarge) || time.Since(start) > time.Second {
		t.Errorf("ReadFile of 1 TiB: %v after %v", err, time.Since(start))
	}
	fifo := filepath.Join(dir, "fifo")
	syscall.Mkfifo(fifo, 0o600)
	for _, p := range []string{"/dev/zero", fifo, dir} {
		if _, err := ReadFile(p, 1<<20); !errors.Is(err, ErrNotRegular) {
			t.Errorf("ReadFile(%s) = %v, want ErrNotRegular", p, err)
		}
	}
	if _, err := ReadFile(filepath.Join(dir, "none"), 1); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a missing file: %v", err)
	}
}

// TestReadAllStops: a limit on an endless stream, and a cancelled
// context while a read blocks (a pipe no one writes to: standard input
// under SIGINT).
func TestReadAllStops(t *testing.T) {
	zero, _ := os.Open("/dev/zero")
	defer zero.Close()
	if _, err := ReadAll(context.Background(), zero, 1<<20); !errors.Is(err, ErrTooLarge) {
		t.Errorf("ReadAll of /dev/zero: %v", err)
	}
	r, w := io.Pipe()
	defer w.Close()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	done := make(chan error, 1)
	go func() { _, err := ReadAll(ctx, r, 1<<20); done <- err }()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("ReadAll after cancel: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("ReadAll went on reading after its context was cancelled")
	}
}
