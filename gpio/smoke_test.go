package gpio

import (
	"os"
	"testing"
	"time"
)

// TestSmoke runs on a real device only: EDGE_GPIO_SMOKE names the relay
// pin ("GPIO17"), EDGE_GPIO_SMOKE_ACTIVE_LOW=1 flips it. It opens the
// pin through host.Init, pulses it for 200 ms, checks that Tick relocks
// and leaves the pin locked. Run it with the strike disconnected, or on
// a door you may open:
//
//	EDGE_GPIO_SMOKE=GPIO17 go test -run TestSmoke -v ./gpio/
func TestSmoke(t *testing.T) {
	name := os.Getenv("EDGE_GPIO_SMOKE")
	if name == "" {
		t.Skip("EDGE_GPIO_SMOKE not set: no device to test")
	}
	cfg := Config{Relay: name, ActiveLow: os.Getenv("EDGE_GPIO_SMOKE_ACTIVE_LOW") == "1", Pulse: 200 * time.Millisecond}
	r, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := r.Close(); err != nil {
			t.Error(err)
		}
	}()
	start := time.Now()
	if err := r.Unlock(start); err != nil {
		t.Fatal(err)
	}
	for r.Unlocked() {
		if _, err := r.Tick(time.Now()); err != nil {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if d := time.Since(start); d < cfg.Pulse || d > cfg.Pulse+time.Second {
		t.Errorf("pulse lasted %v, want about %v", d, cfg.Pulse)
	}
	if err := ForceLocked(cfg); err != nil {
		t.Errorf("ForceLocked: %v", err)
	}
}
