// Package depcheck lists what a package depends on, for the tests that
// hold each library to its dependency budget (STYLE.md: infer and simd
// never import hardware or logging packages; audit, decide and gallery
// stay to their own concerns).
package depcheck

import (
	"os/exec"
	"strings"
	"testing"
)

// List returns the import paths the package in the test's folder depends
// on, itself included (go list -deps). The test runs under go test, so
// the go command is there; if it fails, the test fails.
func List(t testing.TB) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	return strings.Fields(string(out))
}
