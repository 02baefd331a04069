package infer

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/edge-pi/edge/internal/depcheck"
)

// inferDeps are the modules infer may depend on, and why. onnx-go is the
// design's ONNX decoder (README, "The engine"); it brings the rest:
//
//	github.com/owulveryck/onnx-go          decodes the graph: nodes, attributes, initialisers
//	gorgonia.org/tensor, vecf32, vecf64     onnx-go hands initialisers over as gorgonia tensors
//	gonum.org/v1/gonum (graph, mat, …)      onnx-go builds into a gonum graph; gorgonia's tensors use its BLAS
//	github.com/gogo/protobuf, golang/protobuf,
//	google.golang.org/protobuf               onnx-go's generated ONNX protobuf code
//	github.com/chewxy/hm, chewxy/math32, xtgo/set,
//	github.com/google/flatbuffers, pkg/errors  gorgonia's own dependencies
//	golang.org/x/sys/cpu                    through simd: the CPU's features
//
// edge reads the fields onnx-go drops with its own wire-format code, on
// google.golang.org/protobuf/encoding/protowire. Anything else is a new
// dependency of the engine: add it here with its reason, or keep it out.
var inferDeps = []string{
	"github.com/edge-pi/edge/infer", "github.com/edge-pi/edge/simd",
	"github.com/owulveryck/onnx-go", "gorgonia.org/", "gonum.org/v1/gonum/",
	"github.com/gogo/protobuf/", "github.com/golang/protobuf/", "google.golang.org/protobuf/",
	"github.com/chewxy/hm", "github.com/chewxy/math32", "github.com/xtgo/set", "github.com/google/flatbuffers/",
	"github.com/pkg/errors", "golang.org/x/sys/cpu",
}

// TestDependencies holds the engine to that budget: no hardware, no
// networking, no logging of its own (the one "log" in the list comes
// from gogo/protobuf's generated code and is never called by infer),
// and no third-party module outside inferDeps.
func TestDependencies(t *testing.T) {
	for _, dep := range depcheck.List(t) {
		allowed := false
		for _, p := range inferDeps {
			if strings.HasSuffix(p, "/") && strings.HasPrefix(dep, p) || dep == p || strings.HasPrefix(dep, p+"/") {
				allowed = true
			}
		}
		switch {
		case allowed:
		case dep == "log/slog", dep == "net", dep == "net/http", dep == "os/exec",
			strings.HasPrefix(dep, "periph.io/"), strings.HasPrefix(dep, "github.com/vladimirvivien/"):
			t.Errorf("infer depends on %s", dep)
		case strings.Contains(strings.SplitN(dep, "/", 2)[0], "."):
			t.Errorf("infer depends on %s, which is not in its budget (inferDeps)", dep)
		}
	}
	// infer's own files never log: the "log" above is a dependency's.
	src, err := exec.Command("go", "list", "-f", "{{join .Imports \" \"}}", ".").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range strings.Fields(string(src)) {
		if imp == "log" || imp == "log/slog" {
			t.Errorf("infer imports %s itself: libraries return errors and do not log", imp)
		}
	}
}
