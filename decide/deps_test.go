package decide

import (
	"strings"
	"testing"

	"github.com/edge-pi/edge/internal/depcheck"
)

// TestDependencies keeps the decision pure: no logging, no hardware, no
// network and none of the project's other packages (fmt brings os, which
// the package itself does not use).
func TestDependencies(t *testing.T) {
	for _, dep := range depcheck.List(t) {
		switch {
		case dep == "log", dep == "log/slog", dep == "os/exec", dep == "net",
			strings.HasPrefix(dep, "periph.io/"),
			strings.HasPrefix(dep, "github.com/edge-pi/edge/") && dep != "github.com/edge-pi/edge/decide":
			t.Errorf("decide depends on %s", dep)
		}
	}
}
