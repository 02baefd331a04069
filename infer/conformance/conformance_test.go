package conformance

import (
	"strings"
	"testing"

	"github.com/edge-pi/edge/infer"
	"github.com/edge-pi/edge/internal/edgedata"
)

// TestNodeConformance runs every ONNX node test case; a case fails the
// test when all its operators are ones edge implements and it is not
// skipped for an unsupported data type or attribute.
func TestNodeConformance(t *testing.T) {
	nodeTests := edgedata.Dir(t, "onnx-node-tests")
	rep, err := Run(nodeTests, "", 2)
	if err != nil {
		t.Fatal(err)
	}
	supported := map[string]bool{}
	for _, op := range infer.Supported() {
		supported[op] = true
	}
	for _, r := range rep.Results {
		switch r.Status {
		case Failed:
			t.Errorf("%s: %s", r.Case, r.Reason)
		case Skipped:
			t.Logf("%s skipped: %s", r.Case, r.Reason)
		}
	}
	t.Log(rep.Summary())
	if rep.Passed < 450 {
		t.Errorf("only %d cases passed, want at least 450", rep.Passed)
	}
	_ = strings.Contains
}
