package audit

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencies keeps the audit log a library: it does not log,
// touch hardware or depend on the rest of the project.
func TestDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skip("go list:", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		switch {
		case dep == "log", dep == "log/slog", dep == "net",
			strings.HasPrefix(dep, "periph.io/"),
			strings.HasPrefix(dep, "github.com/edge-pi/edge/") && dep != "github.com/edge-pi/edge/audit":
			t.Errorf("audit depends on %s", dep)
		}
	}
}
