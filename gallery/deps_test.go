package gallery

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencies keeps the package to embeddings and files: it runs no
// network, reads no images and does not log.
func TestDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skip("go list:", err)
	}
	deny := []string{
		"log", "log/slog", "os/exec", "net",
		"github.com/edge-pi/edge/infer", "github.com/edge-pi/edge/twin",
		"github.com/edge-pi/edge/imageio", "github.com/edge-pi/edge/models",
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, d := range deny {
			if dep == d {
				t.Errorf("gallery depends on %s", dep)
			}
		}
	}
}
