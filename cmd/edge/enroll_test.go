package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestFaceDetectionRequired: the faces model crops faces, and until edge
// has a face detector the CLI says so instead of guessing.
func TestFaceDetectionRequired(t *testing.T) {
	data := t.TempDir()
	writeFaces(t, data, 1, 1)
	code, _, stderr := edge(t, "enroll", "--name", "ada", "--state-dir", t.TempDir(), filepath.Join(data, "p0/0.png"))
	if newLocator == nil && (code != exitError || !strings.Contains(stderr, "--no-detect")) {
		t.Errorf("exit %d: %s", code, stderr)
	}
}

// TestNamesThatSpoof: names that pass for other names, for nothing, or
// for flags and paths are refused; a name that looks like an enrolled one
// and a face that already matches someone else are warned about.
func TestNamesThatSpoof(t *testing.T) {
	data := t.TempDir()
	writeFaces(t, data, 3, 1)
	img := func(p int) string { return filepath.Join(data, fmt.Sprintf("p%d/0.png", p)) }
	state := t.TempDir()
	enroll := func(name string, p int) (int, string) {
		t.Helper()
		code, out, stderr := edge(t, "enroll", "--name", name, "--model", tinyModel, "--state-dir", state, img(p))
		return code, out + stderr
	}
	if code, out := enroll("alice", 0); code != exitOK || strings.Contains(out, "warning") {
		t.Fatalf("alice: exit %d: %s", code, out)
	}
	for _, bad := range []string{"\u202eecila", "\u200b", "a\u200bb", "\u0430lice", "Alice", "ALICE", "--json", "-x", "a/b", `a\b`, "..", "."} {
		if code, out := enroll(bad, 1); code != exitError || !strings.Contains(out, fmt.Sprintf("%q", bad)) {
			t.Errorf("enroll --name %q: exit %d: %s", bad, code, out)
		}
	}
	// All-Cyrillic letters that look like "alice": allowed, with a warning.
	if code, out := enroll("\u0430\u04cf\u0456\u0441\u0435", 1); code != exitOK || !strings.Contains(out, `looks like the enrolled "alice"`) {
		t.Errorf("a look-alike of alice: exit %d: %s", code, out)
	}
	// alice's own photo under another name: a warning.
	if code, out := enroll("bob", 0); code != exitOK || !strings.Contains(out, `photo 1 already matches "alice"`) {
		t.Errorf("alice's photo as bob: exit %d: %s", code, out)
	}
	code, _, stderr := edge(t, "gallery", "rename", "bob", "Alice", "--state-dir", state)
	if code != exitError || !strings.Contains(stderr, "already enrolled") {
		t.Errorf("rename bob Alice: exit %d: %s", code, stderr)
	}
}
