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
	frames := t.TempDir()
	for i := 1; i <= 3; i++ {
		b, err := os.ReadFile(filepath.Join("../../../shared/data/att-faces/s1", fmt.Sprintf("%d.pgm", i)))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(frames, fmt.Sprintf("%02d.pgm", i)), b, 0o644)
	}
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
