//go:build unix

package capture_test

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/edge-pi/edge/capture"
)

// TestReplayOnlyRegularFiles: a FIFO without a writer, a device or a
// directory given as a recording is refused at once, never waited on.
func TestReplayOnlyRegularFiles(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "frames.rec")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	for _, p := range []string{fifo, "/dev/zero", t.TempDir()} {
		done := make(chan error, 1)
		go func() {
			_, err := capture.Replay(p, capture.Pace{})
			done <- err
		}()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), "not a regular file") {
				t.Errorf("Replay(%s): %v, want a not-a-regular-file error", p, err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("Replay(%s) blocked", p)
		}
	}
}
