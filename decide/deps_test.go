package decide

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencies keeps the decision pure: no logging, no hardware, no
// network and none of the project's other packages (fmt brings os, which
// the package itself does not use).
func TestDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skip("go list:", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		switch {
		case dep == "log", dep == "log/slog", dep == "os/exec", dep == "net",
			strings.HasPrefix(dep, "periph.io/"),
			strings.HasPrefix(dep, "github.com/edge-pi/edge/") && dep != "github.com/edge-pi/edge/decide":
			t.Errorf("decide depends on %s", dep)
		}
	}
}
