// Package edgedata finds, for tests, the data that is not in the
// repository: the shared data folder (AT&T faces, Omniglot, the ONNX node
// tests) and the PyTorch parity exports that `make parity-data` generates.
//
// The data folder is $EDGE_DATA, by default ../shared/data beside the
// module root; a relative $EDGE_DATA is taken from the module root too, so
// that it names the same folder for every package's test. A test whose
// data is missing skips with a message naming it, unless
// EDGE_REQUIRE_DATA=1 (CI sets it), where it fails.
package edgedata

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// Default is the data folder when $EDGE_DATA is not set, relative to the
// module root.
const Default = "../shared/data"

// Hint is how to get the data folder, for Missing.
const Hint = "set EDGE_DATA, or put ../shared beside the clone"

// Required reports whether missing data fails a test (EDGE_REQUIRE_DATA=1)
// rather than skipping it.
func Required() bool { return os.Getenv("EDGE_REQUIRE_DATA") == "1" }

// ModuleRoot returns the folder holding go.mod, found by walking up from
// the working directory (a test runs in its package's folder, under qemu
// too, where the go command is not at hand).
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		up := filepath.Dir(dir)
		if up == dir {
			return "", errors.New("edgedata: no go.mod above the working directory")
		}
		dir = up
	}
}

// Folder returns the data folder: $EDGE_DATA (or Default) resolved from
// the module root. It does not check that the folder exists.
func Folder() (string, error) {
	d := os.Getenv("EDGE_DATA")
	if d == "" {
		d = Default
	}
	if filepath.IsAbs(d) {
		return filepath.Clean(d), nil
	}
	root, err := ModuleRoot()
	if err != nil {
		return "", err
	}
	return filepath.Join(root, d), nil
}

// Dir returns the data folder's entry name (slash-separated, such as
// "att-faces" or "att-faces/s1/1.pgm"), skipping the test, or failing it
// under EDGE_REQUIRE_DATA=1, when it is not there.
func Dir(t testing.TB, name string) string {
	t.Helper()
	dir, err := Folder()
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, filepath.FromSlash(name))
	if _, err := os.Stat(p); err != nil {
		Missing(t, p, Hint)
	}
	return p
}

// Parity returns the folder of the PyTorch parity exports
// (infer/testdata/parity/out, made by `make parity-data`), skipping the
// test, or failing it under EDGE_REQUIRE_DATA=1, when its manifest is not
// there.
func Parity(t testing.TB) string {
	t.Helper()
	root, err := ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, "infer", "testdata", "parity", "out")
	if _, err := os.Stat(filepath.Join(dir, "manifest.json")); err != nil {
		Missing(t, dir, "run `make parity-data`: it needs Debian's python3-torch and python3-torchvision")
	}
	return dir
}

// Missing stops a test whose data at path is not there: a skip naming the
// path and how to get it, or under EDGE_REQUIRE_DATA=1 a failure.
func Missing(t testing.TB, path, how string) {
	t.Helper()
	if Required() {
		t.Fatalf("missing test data: %s (%s; EDGE_REQUIRE_DATA=1 makes this a failure)", path, how)
		return
	}
	t.Skipf("missing test data: %s (%s)", path, how)
}
