//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestReadsOnlyRegularFiles: every file edge reads whole must be a
// regular file: /dev/zero (which never ends) and a FIFO without a writer
// (which blocked open forever) are refused at once with a message that
// says what they are.
func TestReadsOnlyRegularFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.pgm")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	state := []string{"--state-dir", t.TempDir()}
	cfg := filepath.Join(dir, "edge.toml")
	os.WriteFile(cfg, []byte("cascade = \"/dev/zero\"\n[relay]\nsimulate = true\n"), 0o600)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"info", "/dev/zero"}, "/dev/zero is a character device"},
		{[]string{"infer", "--model", "/dev/zero", "--input", fifo, "--output", filepath.Join(dir, "out.npy")}, "/dev/zero is a character device"},
		{[]string{"infer", "--model", tinyModel, "--input", fifo, "--output", filepath.Join(dir, "out.npy")}, "fifo.pgm is a FIFO"},
		{[]string{"bench", "--model", "/dev/zero"}, "/dev/zero is a character device"},
		{append([]string{"enroll", "--name", "ada", "--model", "/dev/zero", "a.pgm"}, state...), "/dev/zero is a character device"},
		{append([]string{"enroll", "--name", "ada", "--model", tinyModel, fifo}, state...), "fifo.pgm is a FIFO"},
		{append([]string{"enroll", "--name", "ada", "--model", tinyModel, "/dev/zero"}, state...), "/dev/zero is a character device"},
		{append([]string{"gallery", "import", "/dev/zero", "--model", tinyModel}, state...), "/dev/zero is a character device"},
		{append([]string{"gallery", "import", fifo, "--model", tinyModel}, state...), "fifo.pgm is a FIFO"},
		{[]string{"run", "--config", fifo}, "fifo.pgm is a FIFO"},
		{[]string{"run", "--config", cfg, "--frames", dir}, "cascade: /dev/zero is a character device"},
	}
	for _, c := range cases {
		done := make(chan struct{})
		var code int
		var stderr string
		go func() {
			code, _, stderr = edge(t, c.args...)
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Fatalf("edge %s still running after 20 s", strings.Join(c.args, " "))
		}
		if code != exitError || !strings.Contains(stderr, c.want) {
			t.Errorf("edge %s: exit %d: %s", strings.Join(c.args, " "), code, stderr)
		}
	}
	// identify of a FIFO without a writer blocked forever in open().
	writeFaces(t, dir, 1, 1)
	if code, _, stderr := edge(t, append([]string{"enroll", "--name", "ada", "--model", tinyModel, filepath.Join(dir, "p0/0.png")}, state...)...); code != exitOK {
		t.Fatal(stderr)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		code, _, stderr := edge(t, append([]string{"identify", "--model", tinyModel, fifo}, state...)...)
		if code != exitError || !strings.Contains(stderr, "fifo.pgm is a FIFO") {
			t.Errorf("identify fifo.pgm: exit %d: %s", code, stderr)
		}
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("identify fifo.pgm still blocked after 20 s")
	}

	t.Setenv("EDGE_CASCADE", "/dev/zero")
	code, _, stderr := edge(t, "enroll", "--name", "ada", "--state-dir", t.TempDir(), fifo)
	if code != exitError || !strings.Contains(stderr, "EDGE_CASCADE: /dev/zero is a character device") {
		t.Errorf("EDGE_CASCADE=/dev/zero: exit %d: %s", code, stderr)
	}
}
