package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edge-pi/edge/gallery"
)

const tinyModel = "../../twin/testdata/tiny_gray.onnx" // crop none, 4-d, threshold 0.5

// writeFaces writes n random 12×16 grey PNGs per person into
// dir/PERSON/k.png: each person's photos are a base image with a little
// noise, so that a twin network with random weights still tells people
// apart most of the time.
func writeFaces(t *testing.T, dir string, people, n int) {
	t.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	for p := range people {
		base := make([]uint8, 12*16)
		for i := range base {
			base[i] = uint8(r.IntN(256))
		}
		pd := filepath.Join(dir, fmt.Sprintf("p%d", p))
		if err := os.MkdirAll(pd, 0o755); err != nil {
			t.Fatal(err)
		}
		for k := range n {
			img := image.NewGray(image.Rect(0, 0, 12, 16))
			for i, v := range base {
				img.Pix[i] = uint8(max(0, min(255, int(v)+r.IntN(9)-4)))
			}
			f, err := os.Create(filepath.Join(pd, fmt.Sprintf("%d.png", k)))
			if err != nil {
				t.Fatal(err)
			}
			png.Encode(f, img)
			f.Close()
		}
	}
}

func TestGalleryCommands(t *testing.T) {
	data := t.TempDir()
	writeFaces(t, data, 3, 3)
	img := func(p, k int) string { return filepath.Join(data, fmt.Sprintf("p%d/%d.png", p, k)) }
	state := t.TempDir()
	g := []string{"--state-dir", state}
	m := append([]string{"--model", tinyModel}, g...)

	mustRun := func(want int, args ...string) string {
		t.Helper()
		code, out, stderr := edge(t, args...)
		if code != want {
			t.Fatalf("edge %s: exit %d, want %d\n%s%s", strings.Join(args, " "), code, want, out, stderr)
		}
		return out + stderr
	}
	// No gallery yet.
	if out := mustRun(exitError, append([]string{"identify", img(0, 0)}, m...)...); !strings.Contains(out, "enrol someone first") {
		t.Errorf("identify without a gallery: %s", out)
	}
	mustRun(exitOK, append([]string{"enroll", "--name", "ada", img(0, 0)}, m...)...)
	mustRun(exitOK, append([]string{"enroll", "--name", "bob", img(1, 0), img(1, 1)}, m...)...)
	if out := mustRun(exitError, append([]string{"enroll", "--name", "unknown", img(2, 0)}, m...)...); !strings.Contains(out, "reserved") {
		t.Errorf("enrolling 'unknown': %s", out)
	}

	// The gallery remembers its model: no --model needed from here on
	// (the tiny model is not embedded, so give it anyway).
	var list listReport
	if err := json.Unmarshal([]byte(mustRun(exitOK, append([]string{"gallery", "list", "--json"}, g...)...)), &list); err != nil {
		t.Fatal(err)
	}
	if list.Model != "tiny" || len(list.Identities) != 2 || list.Identities[1].Photos != 2 {
		t.Errorf("list: %+v", list)
	}

	var rs []matchReport
	out := mustRun(exitOK, append([]string{"identify", "--json", img(0, 0), img(1, 2)}, m...)...)
	if err := json.Unmarshal([]byte(out), &rs); err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 || rs[0].Name != "ada" || rs[0].Distance != 0 || rs[0].Score != 1 || rs[0].Threshold != 0.5 || rs[1].Name != "bob" {
		t.Errorf("identify: %s", out)
	}
	// A stranger at a tight threshold: unknown, exit 1.
	if out := mustRun(exitNo, append([]string{"identify", "--threshold", "1e-6", img(2, 0)}, m...)...); !strings.HasPrefix(out, "unknown (nearest distance") {
		t.Errorf("identify a stranger: %s", out)
	}
	if out := mustRun(exitOK, append([]string{"verify", "--name", "ada", img(0, 0)}, m...)...); !strings.HasPrefix(out, "match ada: distance 0 ≤ threshold 0.5") {
		t.Errorf("verify: %s", out)
	}
	mustRun(exitNo, append([]string{"verify", "--name", "ada", "--threshold", "1e-6", img(1, 0)}, m...)...)
	if out := mustRun(exitError, append([]string{"verify", "--name", "eve", img(0, 0)}, m...)...); !strings.Contains(out, "not enrolled") {
		t.Errorf("verify a name not enrolled: %s", out)
	}

	// Calibration stores a threshold that identify then uses.
	var cal calibrateReport
	out = mustRun(exitOK, append([]string{"calibrate", "--data", data, "--far", "0.1", "--json"}, m...)...)
	if err := json.Unmarshal([]byte(out), &cal); err != nil {
		t.Fatal(err)
	}
	if cal.Images != 9 || cal.Genuine != 9 || cal.Impostor != 27 || cal.FAR > 0.1 || cal.Threshold <= 0 {
		t.Errorf("calibrate: %s", out)
	}
	out = mustRun(exitOK, append([]string{"identify", "--json", img(0, 0)}, m...)...)
	if err := json.Unmarshal([]byte(out), &rs); err != nil || rs[0].Threshold != cal.Threshold {
		t.Errorf("identify after calibration: %s (threshold %v)", out, cal.Threshold)
	}

	// rename, remove, export, import.
	mustRun(exitOK, append([]string{"gallery", "rename", "bob", "rob"}, g...)...)
	mustRun(exitError, append([]string{"gallery", "rename", "bob", "rob"}, g...)...)
	backup := filepath.Join(t.TempDir(), "backup.edge")
	mustRun(exitOK, append([]string{"gallery", "export", backup}, g...)...)
	mustRun(exitOK, append([]string{"gallery", "remove", "rob"}, g...)...)
	if out := mustRun(exitOK, append([]string{"gallery", "list"}, g...)...); strings.Contains(out, "rob") {
		t.Errorf("after remove: %s", out)
	}
	mustRun(exitOK, append([]string{"gallery", "import", backup}, m...)...)
	mustRun(exitOK, append([]string{"gallery", "import", backup}, m...)...) // twice changes nothing
	if err := json.Unmarshal([]byte(mustRun(exitOK, append([]string{"gallery", "list", "--json"}, g...)...)), &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Identities) != 2 || list.Identities[1].Name != "rob" || list.Identities[1].Photos != 2 {
		t.Errorf("after import: %+v", list)
	}
	mustRun(exitOK, append([]string{"gallery", "import", "--replace", backup}, m...)...)
	mustRun(exitError, append([]string{"gallery", "frobnicate"}, g...)...)

	// A gallery of another model is refused, saying which.
	rgb := append([]string{"--model", "../../twin/testdata/tiny_rgb.onnx"}, g...)
	if out := mustRun(exitError, append([]string{"identify", img(0, 0)}, rgb...)...); !strings.Contains(out, "was made with model tiny (sha256") {
		t.Errorf("another model: %s", out)
	}

	// A flipped byte: exit 2 and a clear message, for every command.
	path := filepath.Join(state, "gallery.edge")
	b, _ := os.ReadFile(path)
	b[len(b)/2] ^= 0x10
	os.WriteFile(path, b, 0o600)
	for _, args := range [][]string{
		append([]string{"identify", img(0, 0)}, m...),
		append([]string{"enroll", "--name", "cy", img(2, 0)}, m...),
		append([]string{"gallery", "list"}, g...),
		append([]string{"gallery", "remove", "ada"}, g...),
	} {
		out := mustRun(exitError, args...)
		if !strings.Contains(out, "gallery file "+path+" is corrupt (checksum mismatch): restore a backup or remove it and enrol again") {
			t.Errorf("edge %s on a corrupt gallery: %s", args[0], out)
		}
	}
	if now, _ := os.ReadFile(path); string(now) != string(b) {
		t.Error("a command rewrote the corrupt gallery")
	}
}

// TestAcceptAnyoneThreshold: a threshold that is not a distance the model
// can produce (beyond its bound, infinite, NaN, negative) is refused
// wherever it enters, with a message that says so: the --threshold flag,
// a gallery file, an imported file.
func TestAcceptAnyoneThreshold(t *testing.T) {
	data := t.TempDir()
	writeFaces(t, data, 2, 1)
	img := func(p int) string { return filepath.Join(data, fmt.Sprintf("p%d/0.png", p)) }
	state := t.TempDir()
	m := []string{"--model", tinyModel, "--state-dir", state}
	if code, _, stderr := edge(t, append([]string{"enroll", "--name", "ada", img(0)}, m...)...); code != exitOK {
		t.Fatal(stderr)
	}
	for _, v := range []string{"Inf", "NaN", "-1", "1e30", "0"} {
		code, out, stderr := edge(t, append([]string{"verify", "--name", "ada", "--threshold", v, img(1)}, m...)...)
		if code != exitError || !strings.Contains(stderr, "threshold") || strings.Contains(stderr, "no threshold") {
			t.Errorf("verify --threshold %s: exit %d: %s%s", v, code, out, stderr)
		}
	}

	// A file with a valid checksum and an accept-anyone threshold.
	path := filepath.Join(state, gallery.FileName)
	g, err := gallery.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	g.Threshold = 1e30
	bad := filepath.Join(t.TempDir(), "bad.edge")
	if err := gallery.WriteFile(bad, g); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	code, out, stderr := edge(t, append([]string{"gallery", "import", "--replace", bad}, m...)...)
	if code != exitError || !strings.Contains(stderr, "threshold 1e+30 is not a distance") {
		t.Errorf("import --replace of threshold 1e30: exit %d: %s%s", code, out, stderr)
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Error("the refused import changed the gallery")
	}
	// The same file in place of the gallery: identify refuses to use it.
	if err := gallery.WriteFile(path, g); err != nil {
		t.Fatal(err)
	}
	code, out, stderr = edge(t, append([]string{"identify", img(1)}, m...)...)
	if code != exitError || !strings.Contains(stderr, "threshold 1e+30 is not a distance") {
		t.Errorf("identify with a gallery threshold of 1e30: exit %d: %s%s", code, out, stderr)
	}
}

// TestOldNamesKeepWorking: a gallery an older edge wrote with a name the
// profile now refuses still loads, matches, takes more photos of that
// name, and can rename it; only new names are refused.
func TestOldNamesKeepWorking(t *testing.T) {
	data := t.TempDir()
	writeFaces(t, data, 2, 2)
	img := func(p, k int) string { return filepath.Join(data, fmt.Sprintf("p%d/%d.png", p, k)) }
	state := t.TempDir()
	m := []string{"--model", tinyModel, "--state-dir", state}
	if code, _, stderr := edge(t, append([]string{"enroll", "--name", "xada", img(0, 0)}, m...)...); code != exitOK {
		t.Fatal(stderr)
	}
	// Rename xada to -ada in the file, as an older edge could have
	// written it, with a valid checksum.
	path := filepath.Join(state, gallery.FileName)
	b, _ := os.ReadFile(path)
	body := strings.Replace(string(b[:len(b)-len("sha256 ")-65]), `"xada"`, `"-ada"`, 1)
	sum := sha256.Sum256([]byte(body))
	os.WriteFile(path, []byte(body+"sha256 "+hex.EncodeToString(sum[:])+"\n"), 0o600)

	run := func(want int, args ...string) string {
		t.Helper()
		code, out, stderr := edge(t, append(args, m...)...)
		if code != want {
			t.Fatalf("edge %s: exit %d, want %d: %s%s", strings.Join(args, " "), code, want, out, stderr)
		}
		return out
	}
	if out := run(exitOK, "identify", "--threshold", "1e-3", img(0, 0)); !strings.HasPrefix(out, "-ada ") {
		t.Errorf("identify: %s", out)
	}
	run(exitOK, "enroll", "--name", "-ada", img(0, 1))
	run(exitError, "enroll", "--name", "-bob", img(1, 0))
	if code, _, stderr := edge(t, "gallery", "rename", "--state-dir", state, "--", "-ada", "ada"); code != exitOK {
		t.Errorf("rename -ada ada: %s", stderr)
	}
}
