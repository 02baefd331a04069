package simd

import (
	"strings"
	"testing"

	"github.com/edge-pi/edge/internal/depcheck"
)

// TestDependencies keeps the kernels a leaf: the standard library's
// non-I/O packages and golang.org/x/sys/cpu (the CPU's features, read
// once), nothing else — no logging, no hardware, no other package of
// this project, no third-party code.
func TestDependencies(t *testing.T) {
	for _, dep := range depcheck.List(t) {
		switch {
		case dep == "github.com/edge-pi/edge/simd", dep == "golang.org/x/sys/cpu":
		case dep == "log", dep == "log/slog", dep == "net", dep == "os/exec", dep == "net/http",
			strings.Contains(dep, "."): // a module outside the standard library
			t.Errorf("simd depends on %s", dep)
		}
	}
}
