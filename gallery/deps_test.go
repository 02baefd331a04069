package gallery

import (
	"testing"

	"github.com/edge-pi/edge/internal/depcheck"
)

// TestDependencies keeps the package to embeddings and files: it runs no
// network, reads no images and does not log.
func TestDependencies(t *testing.T) {
	deny := []string{
		"log", "log/slog", "os/exec", "net",
		"github.com/edge-pi/edge/infer", "github.com/edge-pi/edge/twin",
		"github.com/edge-pi/edge/imageio", "github.com/edge-pi/edge/models",
	}
	for _, dep := range depcheck.List(t) {
		for _, d := range deny {
			if dep == d {
				t.Errorf("gallery depends on %s", dep)
			}
		}
	}
}
