package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/edge-pi/edge/internal/edgedata"
	"github.com/edge-pi/edge/internal/mqtttest"
	"github.com/edge-pi/edge/locate"
)

func TestDeployConfig(t *testing.T) {
	c, err := loadRunConfig("../../deploy/edge.toml")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.check(); err != nil {
		t.Fatal(err)
	}
	if c.Model != "faces" || c.Relay.Pin != "GPIO17" || c.Relay.Pulse.Duration != 3*time.Second || c.Decision.K != 3 || c.Decision.N != 5 ||
		c.Camera.Formats[0] != "YUYV" || c.Audit.CropMaxAge.Duration != 720*time.Hour {
		t.Errorf("config %+v", c)
	}
	bad := filepath.Join(t.TempDir(), "bad.toml")
	os.WriteFile(bad, []byte("[relay]\npluse = \"3s\"\n"), 0o644)
	if _, err := loadRunConfig(bad); err == nil || !strings.Contains(err.Error(), "relay.pluse") {
		t.Errorf("a misspelt key gave %v", err)
	}
	os.WriteFile(bad, []byte("[relay]\npulse = \"soon\"\n"), 0o644)
	if _, err := loadRunConfig(bad); err == nil {
		t.Error("a bad duration was accepted")
	}
}

// TestSystemdUnit checks deploy/edge.service with systemd-analyze verify
// (the binary path replaced by one that exists here).
func TestSystemdUnit(t *testing.T) {
	sa, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Fatalf("systemd-analyze not installed (Debian package systemd): %v", err)
	}
	b, err := os.ReadFile("../../deploy/edge.service")
	if err != nil {
		t.Fatal(err)
	}
	unit := filepath.Join(t.TempDir(), "edge.service")
	os.WriteFile(unit, bytes.ReplaceAll(b, []byte("/usr/local/bin/edge"), []byte("/bin/true")), 0o644)
	out, err := exec.Command(sa, "verify", unit).CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
	// with the MQTT and web drop-ins, which the unit's search path picks up
	dropin := filepath.Join(filepath.Dir(unit), "edge.service.d")
	os.Mkdir(dropin, 0o755)
	for _, f := range []string{"mqtt", "web"} {
		d, err := os.ReadFile("../../deploy/edge-" + f + ".conf")
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dropin, f+".conf"), d, 0o644)
	}
	cmd := exec.Command(sa, "verify", unit)
	cmd.Env = append(os.Environ(), "SYSTEMD_UNIT_PATH="+filepath.Dir(unit)+":")
	if out, err := cmd.CombinedOutput(); err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Fatalf("systemd-analyze verify with deploy/edge-mqtt.conf and edge-web.conf: %v\n%s", err, out)
	}
	for _, want := range []string{"Type=notify", "WatchdogSec=", "Restart=on-failure", "StateDirectory=edge", "ProtectSystem=strict", "NoNewPrivileges=yes", "ExecStopPost=/usr/local/bin/edge relay-off", "SupplementaryGroups=video gpio"} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("unit lacks %s", want)
		}
	}
}

// TestRunReplaysFrames runs the service on a folder of frames with a
// simulated relay: it must start, read every frame, and stop at the end
// of the folder with the relay locked.
func TestRunReplaysFrames(t *testing.T) {
	att := edgedata.Dir(t, "att-faces/s1")
	frames := copyPhotos(t, att, 1, 3)
	state := t.TempDir()
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"run", "--frames", frames, "--simulate-relay", "--model", "raw-pixels:46x56",
		"--state-dir", state}, &out, &errb)
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, out.String(), errb.String())
	}
	if !strings.Contains(errb.String(), "relay locked") {
		t.Errorf("log lacks the final lock:\n%s", errb.String())
	}
	if _, err := os.Stat(filepath.Join(state, "audit.jsonl")); err != nil {
		t.Errorf("no audit log: %v", err)
	}
}

func TestDemo(t *testing.T) {
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"demo", "--visitors", "40", "--json"}, &out, &errb)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var r demoReport
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	if r.Frames != 200 || r.FPS <= 0 || r.EmbedP50 <= 0 || r.Authorised != 7 {
		t.Errorf("report %+v", r)
	}
	if r.StrangerOpened != 0 {
		t.Errorf("a stranger opened the door %d times", r.StrangerOpened)
	}
	if r.Accuracy < 0.95 || r.Unlocks == 0 {
		t.Errorf("the trained digits model named %.1f%% of frames and opened %d times", 100*r.Accuracy, r.Unlocks)
	}
	t.Logf("demo: %+v", r)
}

// TestRunUsesConfigThreshold: edge.toml's threshold is the one in force.
// The frames are other photos of the enrolled person, within the model's
// threshold (0.5) but not within the config's 0.0001: the relay must stay
// locked and the audit must record the config's threshold. Thresholds
// that are not a distance the model can produce are refused.
func TestRunUsesConfigThreshold(t *testing.T) {
	att := edgedata.Dir(t, "att-faces/s1")
	frames := copyPhotos(t, att, 2, 7)
	state := t.TempDir()
	if code, _, stderr := edge(t, "enroll", "--name", "ada", "--model", tinyModel, "--state-dir", state, filepath.Join(att, "1.pgm")); code != exitOK {
		t.Fatal(stderr)
	}
	cfg := filepath.Join(t.TempDir(), "edge.toml")
	runWith := func(threshold string) (int, string, string) {
		t.Helper()
		os.WriteFile(cfg, []byte("threshold = "+threshold+"\n"), 0o644)
		return edge(t, "run", "--config", cfg, "--frames", frames, "--simulate-relay", "--model", tinyModel, "--state-dir", state)
	}
	code, out, stderr := runWith("0.0001")
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, out, stderr)
	}
	if strings.Contains(out, "UNLOCKED") {
		t.Errorf("the relay unlocked at threshold 0.0001:\n%s", out)
	}
	b, _ := os.ReadFile(filepath.Join(state, "audit.jsonl"))
	if len(b) == 0 {
		t.Fatal("nothing audited")
	}
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var r struct{ Threshold float32 }
		if err := json.Unmarshal([]byte(l), &r); err != nil || r.Threshold != 0.0001 {
			t.Errorf("audit line %s: threshold %v, want the config's 0.0001", l, r.Threshold)
		}
	}
	// The tiny model is not normalised: its bound is 4 × its margin, 8.
	for _, bad := range []string{"-1", "8.5", "1e30", "inf", "nan"} {
		if code, _, stderr := runWith(bad); code != exitError || !strings.Contains(stderr, "threshold") {
			t.Errorf("threshold = %s: exit %d, %s", bad, code, stderr)
		}
	}
}

// TestValidationAlike: every command refuses the same bad values, from a
// flag or from edge.toml, and run creates its state directory as enroll
// does.
func TestValidationAlike(t *testing.T) {
	dir := t.TempDir()
	img := filepath.Join(dir, "a.pgm")
	os.WriteFile(img, []byte("P5 12 16 255\n"+strings.Repeat("x", 12*16)), 0o600)
	state := []string{"--state-dir", t.TempDir()}
	in := filepath.Join(dir, "in.npy")
	os.WriteFile(in, nil, 0o600)
	toml := func(s string) string {
		p := filepath.Join(t.TempDir(), "edge.toml")
		os.WriteFile(p, []byte(s), 0o600)
		return p
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{append([]string{"identify", "--model", tinyModel, "--threads", "-1", img}, state...), "--threads -1: want 0"},
		{append([]string{"enroll", "--name", "ada", "--model", tinyModel, "--threads", "-1", img}, state...), "--threads -1: want 0"},
		{[]string{"infer", "--model", tinyModel, "--input", in, "--output", in + ".out", "--threads", "-1"}, "--threads -1: want 0"},
		{[]string{"bench", "--model", tinyModel, "--threads", "-1"}, "--threads -1: want 0"},
		{[]string{"infer", "--model", tinyModel, "--input", in, "--output", in + ".out", "--threads", "100000"}, "--threads 100000: want 0"},
		{[]string{"run", "--config", toml("threads = -1\n"), "--simulate-relay"}, "threads -1: want 0"},
		{[]string{"run", "--config", toml("[camera]\nfps = 0\n"), "--simulate-relay"}, "camera.fps 0"},
		{[]string{"run", "--config", toml("[camera]\nfps = -5\n"), "--simulate-relay"}, "camera.fps -5"},
		{[]string{"run", "--config", toml("[decision]\nmax_gap = \"-1s\"\n"), "--simulate-relay"}, "decision.max_gap -1s"},
		{[]string{"identify", "--gallery", "", img}, "empty"},
		{[]string{"enroll", "--name", "ada", "--state-dir", "", img}, "empty"},
		{[]string{"run", "--state-dir", "", "--simulate-relay"}, "--state-dir is empty"},
		{[]string{"relay-off", "--pin", ""}, "--pin is empty"},
	} {
		code, _, stderr := edge(t, c.args...)
		if code != exitError || !strings.Contains(stderr, c.want) {
			t.Errorf("edge %s: exit %d, want 2 and %q: %s", strings.Join(c.args, " "), code, c.want, stderr)
		}
	}

	// run on a state directory that does not exist yet.
	frames := t.TempDir()
	os.WriteFile(filepath.Join(frames, "01.pgm"), []byte("P5 12 16 255\n"+strings.Repeat("x", 12*16)), 0o600)
	newState := filepath.Join(t.TempDir(), "new", "state")
	code, out, stderr := edge(t, "run", "--frames", frames, "--simulate-relay", "--model", tinyModel, "--state-dir", newState)
	if code != exitOK {
		t.Errorf("run on a new state directory: exit %d: %s%s", code, out, stderr)
	}
	if st, err := os.Stat(newState); err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("state directory: %v %v", st, err)
	}
}

// TestQualityConfig: edge.toml's [quality] section documents the gate's
// defaults, refuses limits out of range, and reaches the camera path: a
// face under min_side is skipped as small, never matched.
func TestQualityConfig(t *testing.T) {
	c, err := loadRunConfig("../../deploy/edge.toml")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.gate().Limits(), (locate.Gate{}).Limits(); got != want {
		t.Errorf("deploy/edge.toml's [quality] %+v, the defaults %+v", got, want)
	}
	cfg := filepath.Join(t.TempDir(), "edge.toml")
	for _, bad := range []string{"min_side = -1", "min_mean = 300", "min_bright = -5", "max_tilt = 91", "min_sharpness = nan",
		"max_eye_offset = 2", "min_eye_distance = 0.6", "min_eye_distance = 0.4\nmax_eye_distance = 0.3"} {
		os.WriteFile(cfg, []byte("[quality]\n"+bad+"\n"), 0o644)
		c, err := loadRunConfig(cfg)
		if err == nil {
			err = c.check()
		}
		if err == nil || !strings.Contains(err.Error(), "quality") {
			t.Errorf("%q: %v", bad, err)
		}
	}

	att := edgedata.Dir(t, "att-faces/s1")
	frames := copyPhotos(t, att, 1, 2)
	os.WriteFile(cfg, []byte("[quality]\nmin_side = 4000\n"), 0o644)
	code, out, stderr := edge(t, "run", "--config", cfg, "--frames", frames, "--simulate-relay", "--state-dir", t.TempDir())
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, out, stderr)
	}
	if !strings.Contains(stderr, "reason=small") || !strings.Contains(stderr, "limit of 4000") || strings.Contains(out, "UNLOCKED") {
		t.Errorf("a face under quality.min_side was not skipped as small:\n%s%s", out, stderr)
	}
}

// TestRunPublishesMQTT: edge run with [mqtt] announces the door to Home
// Assistant on a real broker and publishes its events: an enrolled
// person at the camera is "recognised", the camera is ON. Bad broker
// settings are refused before the service starts.
func TestRunPublishesMQTT(t *testing.T) {
	b := mqtttest.Start(t)
	l := mqtttest.Listen(t, b.URL())
	att := edgedata.Dir(t, "att-faces/s1")
	frames := copyPhotos(t, att, 2, 7)
	state := t.TempDir()
	if code, _, stderr := edge(t, "enroll", "--name", "ada", "--model", tinyModel, "--state-dir", state, filepath.Join(att, "1.pgm")); code != exitOK {
		t.Fatal(stderr)
	}
	cfg := filepath.Join(t.TempDir(), "edge.toml")
	os.WriteFile(cfg, []byte(fmt.Sprintf("[mqtt]\nbroker = %q\nnode = \"hall\"\n", b.URL())), 0o644)
	code, out, stderr := edge(t, "run", "--config", cfg, "--frames", frames, "--simulate-relay", "--model", tinyModel, "--state-dir", state)
	if code != exitOK || !strings.Contains(out, "UNLOCKED") {
		t.Fatalf("exit %d (want an unlock)\n%s%s", code, out, stderr)
	}
	l.Wait(t, "homeassistant/event/hall/decision/config", 1)
	if ev := l.Wait(t, "edge/hall/event", 1); !strings.Contains(ev[0], `"event_type":"recognised"`) || !strings.Contains(ev[0], `"identity":"ada"`) {
		t.Errorf("event %s", ev[0])
	}
	if got := l.Wait(t, "edge/hall/camera", 1); got[0] != "ON" {
		t.Errorf("camera %q", got)
	}
	if got := l.Wait(t, "edge/hall/availability", 2); got[len(got)-1] != "offline" {
		t.Errorf("availability at the end %q", got)
	}
	for _, bad := range []string{"broker = \"localhost:1883\"", "broker = \"http://x\"", "broker = \"tcp://x:1\"\nqueue = -1",
		"broker = \"tcp://x:1\"\nnode = \"a/#\"", "broker = \"tcp://x:1\"\npassword_file = \"/nonexistent\""} {
		os.WriteFile(cfg, []byte("[mqtt]\n"+bad+"\n"), 0o644)
		code, _, stderr := edge(t, "run", "--config", cfg, "--frames", frames, "--simulate-relay", "--model", tinyModel, "--state-dir", state)
		if code != exitError || !strings.Contains(stderr, "mqtt") {
			t.Errorf("%q: exit %d, %s", bad, code, stderr)
		}
	}
}

// TestRunMQTTUnlock: with the unlock command on, a command with the
// token opens the door for a stranger at the camera, recorded as
// remote_unlock with who asked and published as an event; a wrong token
// opens nothing and is recorded as remote_refused; without the token
// file, or with the command on and no broker, edge run refuses to start.
func TestRunMQTTUnlock(t *testing.T) {
	b := mqtttest.Start(t)
	l := mqtttest.Listen(t, b.URL())
	att := edgedata.Dir(t, "att-faces/s3")
	frames := copyPhotos(t, att, 1, 3)
	state := t.TempDir()
	tokFile := filepath.Join(t.TempDir(), "token")
	const token = "a long enough unlock token"
	os.WriteFile(tokFile, []byte(token+"\n"), 0o600)
	cfg := filepath.Join(t.TempDir(), "edge.toml")
	os.WriteFile(cfg, []byte(fmt.Sprintf("[camera]\nloop = true\nfps = 10\n[mqtt]\nbroker = %q\nnode = \"porch\"\nunlock_command = true\nunlock_token_file = %q\n", b.URL(), tokFile)), 0o644)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var out, errb bytes.Buffer
	go func() {
		done <- run(ctx, []string{"run", "--config", cfg, "--frames", frames, "--simulate-relay", "--model", tinyModel, "--state-dir", state}, &out, &errb)
	}()
	l.Wait(t, "edge/porch/availability", 1) // connected, and subscribed
	time.Sleep(200 * time.Millisecond)
	if err := l.Publish("edge/porch/unlock/set", false, `{"token": "a wrong token, long enough", "by": "mallory"}`); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	if err := l.Publish("edge/porch/unlock/set", false, `{"token": "`+token+`", "by": "home-assistant"}`); err != nil {
		t.Fatal(err)
	}
	var ev []string
	for n := 1; ; n++ { // the stranger's denied attempts come first
		ev = l.Wait(t, "edge/porch/event", n)
		if strings.Contains(ev[n-1], "remote_unlock") {
			break
		}
	}
	cancel()
	if c := <-done; c != exitOK {
		t.Fatalf("exit %d\n%s%s", c, out.String(), errb.String())
	}
	if !strings.Contains(ev[len(ev)-1], `"event_type":"remote_unlock"`) {
		t.Errorf("events %q\n%s", ev, errb.String())
	}
	if n := strings.Count(out.String(), "UNLOCKED"); n != 1 {
		t.Errorf("%d unlocks for a stranger with one right command, want 1:\n%s", n, out.String())
	}
	a, _ := os.ReadFile(filepath.Join(state, "audit.jsonl"))
	for _, want := range []string{`"decision":"remote_refused"`, `"detail":"mqtt: mallory"`, `"decision":"remote_unlock"`, `"detail":"mqtt: home-assistant"`} {
		if !strings.Contains(string(a), want) {
			t.Errorf("audit lacks %s:\n%s", want, a)
		}
	}
	for _, bad := range []string{fmt.Sprintf("[mqtt]\nbroker = %q\nunlock_command = true\n", b.URL()), "[mqtt]\nunlock_command = true\nunlock_token_file = \"" + tokFile + "\"\n"} {
		os.WriteFile(cfg, []byte(bad), 0o644)
		if code, _, stderr := edge(t, "run", "--config", cfg, "--frames", frames, "--simulate-relay", "--model", tinyModel, "--state-dir", state); code != exitError || !strings.Contains(stderr, "unlock") {
			t.Errorf("%q: exit %d %s", bad, code, stderr)
		}
	}
	short := filepath.Join(t.TempDir(), "short")
	os.WriteFile(short, []byte("short\n"), 0o600)
	os.WriteFile(cfg, []byte(fmt.Sprintf("[mqtt]\nbroker = %q\nunlock_command = true\nunlock_token_file = %q\n", b.URL(), short)), 0o644)
	if code, _, stderr := edge(t, "run", "--config", cfg, "--frames", frames, "--simulate-relay", "--model", tinyModel, "--state-dir", state); code != exitError || !strings.Contains(stderr, "token") {
		t.Errorf("a short token: exit %d %s", code, stderr)
	}
}

// copyPhotos copies photos from to to (inclusive) of a folder of the
// AT&T set into a new folder, as frames 01.pgm, 02.pgm, … in that order.
func copyPhotos(t *testing.T, dir string, from, to int) string {
	t.Helper()
	frames := t.TempDir()
	for i := from; i <= to; i++ {
		b, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("%d.pgm", i)))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(frames, fmt.Sprintf("%02d.pgm", i)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return frames
}
