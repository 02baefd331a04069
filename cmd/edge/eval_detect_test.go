package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/edge-pi/edge/internal/edgedata"
)

// attPeople copies the photos of the first n AT&T people from the data
// folder (internal/edgedata) into a temporary folder, or skips the test.
func attPeople(t *testing.T, n int) string {
	t.Helper()
	faces := edgedata.Dir(t, "att-faces")
	dir := t.TempDir()
	for i := 1; i <= n; i++ {
		files, _ := filepath.Glob(filepath.Join(faces, "s"+strconv.Itoa(i), "*.pgm"))
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(dir, "s"+strconv.Itoa(i), filepath.Base(f))
			os.MkdirAll(filepath.Dir(p), 0o755)
			if err := os.WriteFile(p, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dir
}

// TestEvalDetect runs the whole path (frame → detector → eyes → gate →
// aligned crop → embedding) on three people with the embedded faces
// model: every face is found where it was put, and the report carries
// the counts, with the crop geometry --meta chose.
func TestEvalDetect(t *testing.T) {
	dir := attPeople(t, 3)
	for _, meta := range [][]string{nil, {"--meta", "edge.align=eyes", "--meta", "edge.eye_distance=0.3", "--meta", "edge.eye_row=0.4"}} {
		args := append([]string{"eval", "--model", "faces", "--data", dir, "--detect", "--draws", "5", "--json"}, meta...)
		code, out, stderr := edge(t, args...)
		if code != exitOK {
			t.Fatalf("%v: exit %d: %s", meta, code, stderr)
		}
		var r evalReport
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatal(err)
		}
		if d := r.Detect; d == nil || d.Frames != 30 || d.Found < 29 || d.Embedded < 29 || r.NWay != 3 || r.Images != d.Embedded {
			t.Errorf("%v: %s", meta, out)
		}
		if !strings.Contains(out, `"faces_found"`) || !strings.Contains(out, `"skips"`) {
			t.Errorf("JSON keys: %s", out)
		}
		if meta != nil && !strings.Contains(r.Geometry, "eye distance 0.3") {
			t.Errorf("geometry %q", r.Geometry)
		}
	}
	code, out, stderr := edge(t, "eval", "--model", "faces", "--data", dir, "--detect", "--draws", "2", "--roll", "10")
	if code != exitOK || !strings.Contains(out, "30 generated (seed 0, turned up to ±10°)") || !strings.Contains(out, "faces found where put") {
		t.Errorf("text report: exit %d\n%s%s", code, out, stderr)
	}
}

func TestEvalDetectErrors(t *testing.T) {
	dir := evalData(t)
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--model", "faces", "--omniglot-runs", dir, "--detect"}, "--detect needs --data"},
		{[]string{"--model", "faces", "--data", dir, "--detect", "--change", "blur"}, "--detect and --change"},
		{[]string{"--model", "faces", "--data", dir, "--roll", "10"}, "--roll needs --detect"},
		{[]string{"--model", "faces", "--data", dir, "--detect", "--roll", "-1"}, "--roll -1"},
		{[]string{"--model", "raw-pixels", "--data", dir, "--detect"}, "does not crop faces"},
		{[]string{"--model", "faces", "--data", dir, "--meta", "edge.name=x"}, "KEY=VALUE"},
		{[]string{"--model", "faces", "--data", dir, "--meta", "edge.align=sideways"}, "edge.align"},
		{[]string{"--model", "raw-pixels", "--data", dir, "--meta", "edge.crop_margin=0.3"}, "does not crop faces"},
	} {
		code, _, stderr := edge(t, append([]string{"eval"}, c.args...)...)
		if code != exitError || !strings.Contains(stderr, c.msg) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, stderr, c.msg)
		}
	}
}
