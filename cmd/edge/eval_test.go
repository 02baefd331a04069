package main

import (
	"archive/zip"
	"encoding/json"
	"fmt"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/edge-pi/edge/internal/edgedata"
	"github.com/edge-pi/edge/models"
)

// writePGM writes a w×h grey image whose pixels are v plus a small
// pattern that depends on k.
func writePGM(t *testing.T, path string, w, h int, v, k int) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	b := []byte(fmt.Sprintf("P5\n%d %d\n255\n", w, h))
	for i := 0; i < w*h; i++ {
		b = append(b, byte(min(255, v+(i*k)%9)))
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// evalData writes 3 classes × 4 images of 8×8, classes 60 grey levels
// apart, and one corrupt image.
func evalData(t *testing.T) string {
	dir := t.TempDir()
	for c := 0; c < 3; c++ {
		for i := 0; i < 4; i++ {
			writePGM(t, filepath.Join(dir, fmt.Sprintf("p%d/%d.pgm", c, i)), 8, 8, 60*c, i+1)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "p1/broken.pgm"), []byte("P5 8 8 255\n\x00"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestEvalData(t *testing.T) {
	dir := evalData(t)
	plots := filepath.Join(t.TempDir(), "plots")
	code, out, stderr := edge(t, "eval", "--model", "raw-pixels:8x8", "--data", dir, "--json", "--draws", "7", "--seed", "3", "--plot", plots)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "skipped "+filepath.Join(dir, "p1", "broken.pgm")+": imageio: invalid image") {
		t.Errorf("the corrupt image is not reported: %q", stderr)
	}
	var r map[string]interface{}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]float64{"oneshot_nway_acc": 1, "n_way": 3, "auc": 1, "eer": 0, "tar_at_far1": 1,
		"images": 12, "skipped": 1, "draws": 7, "seed": 3, "genuine_pairs": 18, "impostor_pairs": 48} {
		if got, ok := r[key].(float64); !ok || got != want {
			t.Errorf("%s = %v, want %v", key, r[key], want)
		}
	}
	for _, name := range []string{"roc.png", "distances.png"} {
		f, err := os.Open(filepath.Join(plots, name))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil || img.Bounds().Dx() < 400 {
			t.Errorf("%s: %v", name, err)
		}
	}

	// Text output, and a model file: the tiny test network of twin.
	code, out, stderr = edge(t, "eval", "--model", "../../twin/testdata/tiny_gray.onnx", "--data", dir, "--draws", "3", "--threads", "1")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"3-way", "AUC", "EER", "TAR@FAR=1%", "12 images of 3 classes (1 skipped)", "tiny v1"} {
		if !strings.Contains(out, want) {
			t.Errorf("text report lacks %q:\n%s", want, out)
		}
	}
}

// writeRun writes an Omniglot run: three classes whose training images
// are 0, 100 and 200 grey, test items near them; item 3 is drawn nearer
// class 0 than its own class 1, so 2 of 3 trials are right.
func writeRun(t *testing.T, dir string) {
	name := filepath.Base(dir)
	var labels strings.Builder
	for k, v := range []int{10, 190, 40} {
		writePGM(t, filepath.Join(dir, fmt.Sprintf("training/class%02d.pgm", k)), 6, 6, 100*k, 0)
		writePGM(t, filepath.Join(dir, fmt.Sprintf("test/item%02d.pgm", k)), 6, 6, v, 0)
		fmt.Fprintf(&labels, "%s/test/item%02d.pgm %s/training/class%02d.pgm\n", name, k, name, []int{0, 2, 1}[k])
	}
	if err := os.WriteFile(filepath.Join(dir, "class_labels.txt"), []byte(labels.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestEvalOmniglot(t *testing.T) {
	root := t.TempDir()
	writeRun(t, filepath.Join(root, "run01"))
	writeRun(t, filepath.Join(root, "run02"))
	zipPath := filepath.Join(t.TempDir(), "runs.zip")
	zf, err := os.Create(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(zf)
	if err := zw.AddFS(os.DirFS(root)); err != nil {
		t.Fatal(err)
	}
	zw.Close()
	zf.Close()
	for _, c := range []struct {
		path                  string
		trials, runs, correct int
	}{
		{root, 6, 2, 4},
		{filepath.Join(root, "run02"), 3, 1, 2},
		{zipPath, 6, 2, 4},
	} {
		code, out, stderr := edge(t, "eval", "--model", "raw-pixels:6x6", "--omniglot-runs", c.path, "--json")
		if code != exitOK {
			t.Fatalf("%s: exit %d: %s", c.path, code, stderr)
		}
		var r omniglotReport
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatal(err)
		}
		if r.Trials != c.trials || r.Correct != c.correct || len(r.PerRun) != c.runs || math.Abs(r.Accuracy-float64(c.correct)/float64(c.trials)) > 1e-12 {
			t.Errorf("%s: %+v", c.path, r)
		}
		if !strings.Contains(out, `"accuracy"`) || !strings.Contains(out, `"trials"`) {
			t.Errorf("JSON keys: %s", out)
		}
	}
	code, out, _ := edge(t, "eval", "--model", "raw-pixels:6x6", "--omniglot-runs", root)
	if code != exitOK || !strings.Contains(out, "66.7% (4 of 6 trials correct)") {
		t.Errorf("text report: %s", out)
	}
}

func TestEvalErrors(t *testing.T) {
	dir := evalData(t)
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--data", dir}, "want --model"},
		{[]string{"--model", "raw-pixels"}, "want one of --data and --omniglot-runs"},
		{[]string{"--model", "raw-pixels", "--data", dir, "--omniglot-runs", dir}, "want one of"},
		{[]string{"--model", "raw-pixels", "--omniglot-runs", dir, "--plot", dir}, "--plot needs --data"},
		{[]string{"--model", "raw-pixels", "--data", dir, "--draws", "0"}, "--draws 0"},
		{[]string{"--model", "raw-pixels", "--data", dir, "extra"}, "unexpected argument"},
		{[]string{"--model", "raw-pixels:0x5", "--data", dir}, "raw-pixels:WIDTHxHEIGHT"},
		{[]string{"--model", "raw-pixels:5", "--data", dir}, "raw-pixels:WIDTHxHEIGHT"},
		{[]string{"--model", "no-such-model", "--data", dir}, "no embedded model"},
		{[]string{"--model", "raw-pixels", "--data", filepath.Join(dir, "missing")}, "missing"},
		{[]string{"--model", "raw-pixels", "--data", filepath.Join(dir, "p0", "0.pgm")}, "not a folder or a zip"},
		{[]string{"--model", "raw-pixels", "--data", filepath.Join(dir, "p0")}, "no class folders"},
		{[]string{"--model", "raw-pixels", "--omniglot-runs", dir}, "no run folders"},
		{[]string{"--model", "../../twin/testdata/gen.py", "--data", dir}, "gen.py"},
		{[]string{"--bogus"}, "bogus"},
	} {
		code, _, stderr := edge(t, append([]string{"eval"}, c.args...)...)
		if code != exitError || !strings.Contains(stderr, c.msg) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, stderr, c.msg)
		}
	}
}

// TestEvalSharedRawPixels pins the raw-pixel baseline on ../shared: the
// verification figures agree with an independent NumPy computation
// (AUC 0.948098, EER 12.67%, TAR@FAR=1% 61.19%; run01 7 of 20).
func TestEvalSharedRawPixels(t *testing.T) {
	faces := edgedata.Dir(t, "att-faces")
	runs := edgedata.Dir(t, "omniglot/runs-sample")
	code, out, stderr := edge(t, "eval", "--model", "raw-pixels", "--data", faces, "--json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var r evalReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if r.NWay != 30 || r.Images != 300 || math.Abs(r.AUC-0.948098) > 1e-5 || math.Abs(r.EER-0.126667) > 1e-5 ||
		math.Abs(r.TAR-0.611852) > 1e-5 || math.Abs(r.OneShot-0.745370) > 1e-5 {
		t.Errorf("att-faces raw pixels: %+v", r)
	}
	code, out, stderr = edge(t, "eval", "--model", "raw-pixels:105x105", "--omniglot-runs", runs, "--json")
	var o omniglotReport
	if code != exitOK || json.Unmarshal([]byte(out), &o) != nil || o.Trials != 20 || o.Correct != 7 {
		t.Errorf("runs-sample raw pixels: exit %d, %s %s", code, out, stderr)
	}
}

// TestEvalEmbeddedModels runs every model of package models through
// `edge eval`: each must carry valid metadata (models/METADATA.md).
func TestEvalEmbeddedModels(t *testing.T) {
	dir := evalData(t)
	names := models.Names()
	if len(names) == 0 {
		t.Skip("no embedded models")
	}
	for _, name := range names {
		code, out, stderr := edge(t, "eval", "--model", name, "--data", dir, "--draws", "2", "--threads", "1", "--json")
		var r evalReport
		if code != exitOK || json.Unmarshal([]byte(out), &r) != nil || r.Images != 12 || r.ModelSHA256 == "" {
			t.Errorf("%s: exit %d, %s %s", name, code, out, stderr)
		}
	}
}

func TestEvalProgress(t *testing.T) {
	var b strings.Builder
	p := progress(&b, "eval", time.Now())
	p(1, 10)
	p(10, 10)
	if b.Len() != 0 {
		t.Errorf("a short run reports progress: %q", b.String())
	}
	p = progress(&b, "calibrate", time.Now().Add(-time.Minute))
	p(1, 10)
	p(2, 10) // within two seconds of the last report
	p(10, 10)
	if got := b.String(); strings.Count(got, "\n") != 2 || !strings.Contains(got, "edge calibrate: embedded 1 of 10 images") || !strings.Contains(got, "embedded 10 of 10") {
		t.Errorf("progress %q", got)
	}
}

// TestEvalChangeAndOpenSet: --change applies a camera-like change before
// embedding (the figures move, the counts stay), and the open-set check
// counts every probe once, both halves enrolled in turn.
func TestEvalChangeAndOpenSet(t *testing.T) {
	faces := edgedata.Dir(t, "att-faces")
	var plain, noisy evalReport
	for _, run := range []struct {
		r    *evalReport
		args []string
	}{
		{&plain, nil},
		{&noisy, []string{"--change", "noise"}},
	} {
		args := append([]string{"eval", "--model", "raw-pixels", "--data", faces, "--draws", "5", "--threshold", "2000", "--json"}, run.args...)
		code, out, stderr := edge(t, args...)
		if code != exitOK || json.Unmarshal([]byte(out), run.r) != nil {
			t.Fatalf("%v: exit %d, %s %s", run.args, code, out, stderr)
		}
		if a := run.r.AtThreshold; a == nil || a.Threshold != 2000 || a.FAR < 0 || a.FAR > 1 || a.TAR < a.FAR {
			t.Errorf("%v: at_threshold %+v", run.args, a)
		}
		o := run.r.OpenSet
		if o == nil || o.Enrolled != 270 || o.Strangers != 270 || o.Threshold != 2000 ||
			o.Named+o.Misnamed > o.Enrolled || o.Accepted > o.Strangers || o.Named == 0 {
			t.Errorf("%v: open set %+v", run.args, o)
		}
	}
	// at_threshold agrees with the ROC: at the FAR-1% distance, FAR 1% and
	// the TAR the report gives there.
	code, out, stderr := edge(t, "eval", "--model", "raw-pixels", "--data", faces, "--draws", "1",
		"--threshold", fmt.Sprint(plain.FAR1Threshold), "--json")
	var at evalReport
	if code != exitOK || json.Unmarshal([]byte(out), &at) != nil || at.AtThreshold == nil {
		t.Fatalf("exit %d, %s %s", code, out, stderr)
	}
	if a := at.AtThreshold; math.Abs(a.FAR-0.01) > 0.001 || math.Abs(a.TAR-plain.TAR) > 0.002 {
		t.Errorf("at the FAR-1%% distance %v: FAR %v, TAR %v (the ROC's TAR %v)", a.Threshold, a.FAR, a.TAR, plain.TAR)
	}
	if noisy.Change != "noise" || plain.Change != "" || noisy.AUC == plain.AUC || noisy.Images != 300 {
		t.Errorf("--change noise: change %q, AUC %v (plain %v)", noisy.Change, noisy.AUC, plain.AUC)
	}
	for _, bad := range [][]string{{"--change", "sepia"}, {"--threshold", "NaN"}, {"--threshold", "-1"}} {
		code, _, stderr := edge(t, append([]string{"eval", "--model", "raw-pixels", "--data", faces}, bad...)...)
		if code != exitError || stderr == "" {
			t.Errorf("%v: exit %d, %s", bad, code, stderr)
		}
	}
}
