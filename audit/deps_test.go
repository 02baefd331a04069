package audit

import (
	"strings"
	"testing"

	"github.com/edge-pi/edge/internal/depcheck"
)

// TestDependencies keeps the audit log a library: it does not log,
// touch hardware or depend on the rest of the project.
func TestDependencies(t *testing.T) {
	for _, dep := range depcheck.List(t) {
		switch {
		case dep == "log", dep == "log/slog", dep == "net",
			strings.HasPrefix(dep, "periph.io/"),
			strings.HasPrefix(dep, "github.com/edge-pi/edge/") && dep != "github.com/edge-pi/edge/audit":
			t.Errorf("audit depends on %s", dep)
		}
	}
}
