package main

import (
	"encoding/json"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edge-pi/edge/internal/edgedata"
)

// TestExitCodes holds README's table of exit codes: an answer that is
// "no" (no match, unknown, no face in a photo to check) is 1; a request
// that could not be carried out (nothing enrolled, a name that is not
// enrolled, a bad flag) is 2; with --json, errors are JSON on stdout too.
func TestExitCodes(t *testing.T) {
	face := edgedata.Dir(t, "att-faces/s1/1.pgm")
	dir := t.TempDir()
	gal := filepath.Join(dir, "gallery.edge")
	blank := filepath.Join(dir, "wall.png")
	f, err := os.Create(blank)
	if err != nil {
		t.Fatal(err)
	}
	img := image.NewGray(image.Rect(0, 0, 320, 240))
	for i := range img.Pix {
		img.Pix[i] = 128
	}
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if code, _, stderr := edge(t, "enroll", "--gallery", gal, "--name", "alice", "--no-detect", face); code != exitOK {
		t.Fatalf("enroll: exit %d: %s", code, stderr)
	}
	for _, tc := range []struct {
		args []string
		code int
		out  string // in stdout
	}{
		{[]string{"identify", "--gallery", gal, "--no-detect", face}, exitOK, "alice"},
		{[]string{"verify", "--gallery", gal, "--name", "alice", "--no-detect", face}, exitOK, "match alice"},
		// no face in the photo: nobody to match, an answer
		{[]string{"identify", "--gallery", gal, blank}, exitNo, "no face found"},
		{[]string{"verify", "--gallery", gal, "--name", "alice", blank}, exitNo, "no match alice: no face found"},
		// requests that cannot be carried out
		{[]string{"enroll", "--gallery", gal, "--name", "bob", blank}, exitError, ""},
		{[]string{"verify", "--gallery", gal, "--name", "bob", "--no-detect", face}, exitError, ""},
		{[]string{"gallery", "remove", "--gallery", gal, "bob"}, exitError, ""},
		{[]string{"identify", "--gallery", gal, "--no-such-flag", face}, exitError, ""},
	} {
		code, out, stderr := edge(t, tc.args...)
		if code != tc.code || !strings.Contains(out, tc.out) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit %d and %q", tc.args, code, out, stderr, tc.code, tc.out)
		}
		if code == exitError && stderr == "" {
			t.Errorf("%v: an error without a message", tc.args)
		}
	}

	// --json: answers and errors alike are JSON on stdout.
	code, out, _ := edge(t, "identify", "--gallery", gal, "--json", blank)
	var rs []matchReport
	if code != exitNo || json.Unmarshal([]byte(out), &rs) != nil || len(rs) != 1 || rs[0].Name != "unknown" ||
		!strings.Contains(rs[0].Reason, "no face") || rs[0].Match {
		t.Errorf("identify --json of a wall: exit %d, %s", code, out)
	}
	for _, args := range [][]string{
		{"verify", "--gallery", gal, "--name", "bob", "--no-detect", "--json", face},
		{"enroll", "--gallery", gal, "--name", "bob", "--json", blank},
		{"info", "--json", filepath.Join(dir, "missing.onnx")},
	} {
		code, out, stderr := edge(t, args...)
		var e struct {
			Error   string `json:"error"`
			Command string `json:"command"`
			Exit    int    `json:"exit"`
		}
		if code != exitError || json.Unmarshal([]byte(out), &e) != nil || e.Error == "" || e.Command != args[0] || e.Exit != exitError || stderr == "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want a JSON error on stdout", args, code, out, stderr)
		}
	}
	if code, out, _ := edge(t, "verify", "--gallery", gal, "--name", "bob", "--no-detect", face); code != exitError || out != "" {
		t.Errorf("without --json an error prints nothing on stdout: %q", out)
	}
}
