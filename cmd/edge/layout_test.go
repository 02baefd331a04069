package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// maxLines is how long a file here grows before it is split, or says in
// its first lines why it is not, in a comment that starts "Long file:".
const maxLines = 600

// TestFileLength keeps the package one short file per command, with the
// shared helpers in files of their own.
func TestFileLength(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		n := strings.Count(string(b), "\n")
		if n <= maxLines {
			continue
		}
		head := strings.Split(string(b), "\n")[:30]
		if !strings.Contains(strings.Join(head, "\n"), "// Long file:") {
			t.Errorf("%s has %d lines: split it, or say why not in a \"// Long file:\" comment in its first 30 lines", f, n)
		}
	}
}
