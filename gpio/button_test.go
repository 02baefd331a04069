package gpio

import (
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"
)

// buttonDoor is a relay with an exit button on gpiotest pins. settled
// receives the level the watcher read after each settled edge. The
// watcher runs on gpiotest's real clock, with a 1 ms debounce.
type buttonDoor struct {
	r       *Relay
	relay   *gpiotest.Pin
	button  *gpiotest.Pin
	settled chan gpio.Level
}

func newButtonDoor(t *testing.T, cfg Config) *buttonDoor {
	t.Helper()
	cfg.Pulse, cfg.Cooldown = pulse, cooldown
	if cfg.Debounce == 0 {
		cfg.Debounce = time.Millisecond
	}
	cfg.ButtonPoll = 5 * time.Millisecond
	b := &buttonDoor{
		relay:   newPin("RELAY", gpio.Low),
		button:  &gpiotest.Pin{N: "BUTTON", EdgesChan: make(chan gpio.Level, 16)},
		settled: make(chan gpio.Level, 16),
	}
	r, err := newRelay(Pins{Relay: b.relay, Button: b.button}, cfg, func(l gpio.Level) { b.settled <- l })
	if err != nil {
		t.Fatal(err)
	}
	b.r = r
	t.Cleanup(func() { r.Close() })
	return b
}

// edges feeds edges (each the level the line ends at) and waits for the
// watcher to settle on the last one.
func (b *buttonDoor) edges(t *testing.T, levels ...gpio.Level) {
	t.Helper()
	for _, l := range levels {
		b.button.EdgesChan <- l
	}
	select {
	case got := <-b.settled:
		if want := levels[len(levels)-1]; got != want {
			t.Fatalf("watcher settled on %s, want %s", got, want)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the button watcher did not settle")
	}
}

func TestButtonPressUnlocks(t *testing.T) {
	b := newButtonDoor(t, Config{})
	if b.button.Pull() != gpio.PullUp {
		t.Errorf("button pull %s, want PullUp", b.button.Pull())
	}
	b.edges(t, gpio.Low) // pressed
	ev, err := b.r.Tick(t0)
	if err != nil || ev != (Event{Button: true, Unlocked: true}) {
		t.Fatalf("Tick after a press: %+v, %v", ev, err)
	}
	if level(b.relay) != gpio.High {
		t.Error("a press did not unlock the relay")
	}
	// The press is taken once.
	if ev, _ := b.r.Tick(t0.Add(time.Millisecond)); ev != (Event{}) {
		t.Errorf("second Tick: %+v, want nothing", ev)
	}
	b.edges(t, gpio.High) // released: a rising edge is no press
	if ev, _ := b.r.Tick(t0.Add(pulse)); ev != (Event{Relocked: true}) {
		t.Errorf("Tick at the end: %+v", ev)
	}
	// Pressed again during the cooldown: reported, refused, no error.
	b.edges(t, gpio.Low)
	ev, err = b.r.Tick(t0.Add(pulse + time.Second))
	if err != nil || ev != (Event{Button: true}) {
		t.Errorf("press while cooling down: %+v, %v; want Button only", ev, err)
	}
	if level(b.relay) != gpio.Low {
		t.Error("a press during the cooldown unlocked")
	}
}

// TestButtonBounce: a press that bounces is one press; a release that
// bounces (ending High) is none. The edges of a bounce come within
// microseconds; the 100 ms debounce leaves room for a loaded machine.
func TestButtonBounce(t *testing.T) {
	b := newButtonDoor(t, Config{Debounce: 100 * time.Millisecond})
	b.edges(t, gpio.Low, gpio.High, gpio.Low, gpio.High, gpio.Low)
	if ev, _ := b.r.Tick(t0); ev != (Event{Button: true, Unlocked: true}) {
		t.Errorf("bouncing press: %+v, want one press", ev)
	}
	b.edges(t, gpio.High, gpio.Low, gpio.High)
	if ev, _ := b.r.Tick(t0.Add(time.Second)); ev != (Event{}) {
		t.Errorf("bouncing release: %+v, want nothing", ev)
	}
}

func TestButtonActiveHigh(t *testing.T) {
	b := newButtonDoor(t, Config{ButtonActiveHigh: true})
	if b.button.Pull() != gpio.PullDown {
		t.Errorf("button pull %s, want PullDown", b.button.Pull())
	}
	b.edges(t, gpio.Low) // not a press for an active-high button
	if ev, _ := b.r.Tick(t0); ev.Button {
		t.Error("Low taken as a press on an active-high button")
	}
	b.edges(t, gpio.High)
	if ev, _ := b.r.Tick(t0); ev != (Event{Button: true, Unlocked: true}) {
		t.Errorf("active-high press: %+v", ev)
	}
}

// TestButtonHaltDropsPress: a press pending at Halt is dropped, and Close
// stops the watcher.
func TestButtonHaltDropsPress(t *testing.T) {
	b := newButtonDoor(t, Config{})
	b.edges(t, gpio.Low)
	if err := b.r.Halt(); err != nil {
		t.Fatal(err)
	}
	if ev, _ := b.r.Tick(t0); ev.Button {
		t.Error("a press survived Halt")
	}
	done := make(chan error)
	go func() { done <- b.r.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not stop the button watcher")
	}
	select {
	case <-b.r.done:
	default:
		t.Error("watcher still running after Close")
	}
}
