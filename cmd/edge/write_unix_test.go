//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/edge-pi/edge/npy"
)

func noErr[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestWritesOnlyOverRegularFiles: gallery export and infer --output
// replace a regular file or create one, and refuse a FIFO (or a device),
// a directory or a symbolic link at the target, leaving it as it was.
func TestWritesOnlyOverRegularFiles(t *testing.T) {
	data := t.TempDir()
	writeFaces(t, data, 1, 1)
	state := t.TempDir()
	if code, _, stderr := edge(t, "enroll", "--name", "ada", "--model", tinyModel, "--state-dir", state, filepath.Join(data, "p0/0.png")); code != exitOK {
		t.Fatal(stderr)
	}
	in := filepath.Join(t.TempDir(), "in.npy")
	if err := npy.WriteFile(in, &npy.Array{Shape: []int{1, 1, 16, 12}, Data: make([]float32, 16*12)}); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := edge(t, "infer", "--model", tinyModel, "--input", in, "--output", in+".out"); code != exitOK {
		t.Fatal(stderr)
	}
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o666); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "sub")
	os.Mkdir(sub, 0o755)
	link := filepath.Join(dir, "link")
	os.Symlink(filepath.Join(dir, "elsewhere"), link)
	targets := map[string]string{fifo: "a FIFO", sub: "a directory", link: "a symbolic link"}
	// A device of our own (a copy of /dev/null's node, where we may make
	// one): never a real one, which a regression would replace.
	dev := filepath.Join(dir, "null")
	if err := syscall.Mknod(dev, syscall.S_IFCHR|0o666, 1<<8|3); err == nil {
		targets[dev] = "a character device"
	}
	for target, kind := range targets {
		before, _ := os.Lstat(target)
		code, _, stderr := edge(t, "gallery", "export", target, "--state-dir", state)
		if code != exitError || !strings.Contains(stderr, "is "+kind) {
			t.Errorf("gallery export %s: exit %d: %s", target, code, stderr)
		}
		code, _, stderr = edge(t, "infer", "--model", tinyModel, "--input", in, "--output", target)
		if code != exitError || !strings.Contains(stderr, "is "+kind) {
			t.Errorf("infer --output %s: exit %d: %s", target, code, stderr)
		}
		if after, _ := os.Lstat(target); after.Mode() != before.Mode() {
			t.Errorf("%s became %v", target, after.Mode())
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != len(targets) {
		t.Errorf("files left beside the targets: %v", ents)
	}
	for _, e := range noErr(os.ReadDir(filepath.Dir(dir))) {
		if strings.Contains(e.Name(), ".tmp") {
			t.Errorf("a file left above the targets: %s", e.Name())
		}
	}
}
