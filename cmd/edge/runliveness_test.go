package main

import (
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edge-pi/edge/eval"
	"github.com/edge-pi/edge/gallery"
	"github.com/edge-pi/edge/internal/edgedata"
)

// writeFrames saves frames as numbered PNGs in a new folder.
func writeFrames(t *testing.T, frames []*image.Gray) string {
	t.Helper()
	dir := t.TempDir()
	for i, f := range frames {
		w, err := os.Create(filepath.Join(dir, fmt.Sprintf("%02d.png", i)))
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(w, f); err != nil {
			t.Fatal(err)
		}
		w.Close()
	}
	return dir
}

// TestRunLiveness is the attack the liveness check is for: the enrolled
// person's photo held to the camera (a generated replay). Without the
// check it opens the door; with [liveness] mode = "motion" it does not,
// and the audit records the denied attempt with its motion score, while
// the person's own visit (their other photos in order) still opens it.
// Bad [liveness] settings stop edge run at start.
func TestRunLiveness(t *testing.T) {
	fsys, closer, err := eval.Open(edgedata.Dir(t, "att-faces"))
	if err != nil {
		t.Fatal(err)
	}
	defer closer.Close()
	names, people, err := eval.LoadPeople(fsys)
	if err != nil {
		t.Fatal(err)
	}
	var photos []image.Image
	for i, n := range names {
		if n == "s1" {
			photos = people[i]
		}
	}
	enrol := writeFrames(t, []*image.Gray{eval.MakeFrame(photos[0], 1, eval.FrameOptions{MinScale: 1.5, MaxScale: 2.3}).Image})
	state := t.TempDir()
	if code, _, stderr := edge(t, "enroll", "--name", "ada", "--model", "faces", "--state-dir", state, filepath.Join(enrol, "00.png")); code != exitOK {
		t.Fatal(stderr)
	}
	seq := func(kind string, photos []image.Image, n int) string {
		s, err := eval.MakeSequence(photos, kind, 5, eval.SequenceOptions{Frames: n})
		if err != nil {
			t.Fatal(err)
		}
		var fs []*image.Gray
		for _, f := range s.Frames {
			fs = append(fs, f.Image)
		}
		return writeFrames(t, fs)
	}
	attack, visit := seq("replay", photos, 10), seq("genuine", photos[1:], 5)
	cfg := filepath.Join(t.TempDir(), "edge.toml")
	runWith := func(mode, frames string) (string, string, string) {
		t.Helper()
		st := t.TempDir()
		b, _ := os.ReadFile(filepath.Join(state, gallery.FileName))
		os.WriteFile(filepath.Join(st, gallery.FileName), b, 0o600)
		os.WriteFile(cfg, []byte(fmt.Sprintf("[liveness]\nmode = %q\n", mode)), 0o644)
		code, out, stderr := edge(t, "run", "--config", cfg, "--frames", frames, "--simulate-relay", "--model", "faces", "--state-dir", st)
		if code != exitOK {
			t.Fatalf("mode %s: exit %d\n%s%s", mode, code, out, stderr)
		}
		audit, _ := os.ReadFile(filepath.Join(st, "audit.jsonl"))
		return out, stderr, string(audit)
	}
	if out, _, _ := runWith("off", attack); !strings.Contains(out, "UNLOCKED") {
		t.Fatalf("without liveness the held photo did not open the door: the test shows nothing\n%s", out)
	}
	out, stderr, audit := runWith("motion", attack)
	if strings.Contains(out, "UNLOCKED") {
		t.Errorf("with the motion check the held photo opened the door\n%s%s", out, stderr)
	}
	if !strings.Contains(audit, `"decision":"denied"`) || !strings.Contains(audit, "failed: no motion") || !strings.Contains(audit, `"identity":"ada"`) {
		t.Errorf("the attack's attempts are not audited as denied for ada with the motion verdict:\n%s", audit)
	}
	if out, stderr, audit := runWith("motion", visit); !strings.Contains(out, "UNLOCKED") || !strings.Contains(audit, "liveness motion=") {
		t.Errorf("ada's own visit did not open the door with its motion score in the audit\n%s%s%s", out, stderr, audit)
	}
	for _, bad := range []string{"mode = \"on\"", "motion = -1", "motion = nan", "passive = 1.5"} {
		os.WriteFile(cfg, []byte("[liveness]\n"+bad+"\n"), 0o644)
		code, _, stderr := edge(t, "run", "--config", cfg, "--frames", visit, "--simulate-relay", "--model", "faces", "--state-dir", t.TempDir())
		if code != exitError || !strings.Contains(stderr, "liveness") {
			t.Errorf("%q: exit %d, %s", bad, code, stderr)
		}
	}
}
