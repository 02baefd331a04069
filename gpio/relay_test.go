package gpio

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"
)

var t0 = time.Date(2026, 11, 28, 15, 0, 0, 0, time.UTC)

const (
	pulse    = 3 * time.Second
	cooldown = 2 * time.Second
)

func newPin(name string, l gpio.Level) *gpiotest.Pin {
	return &gpiotest.Pin{N: name, L: l}
}

func level(p *gpiotest.Pin) gpio.Level {
	p.Lock()
	defer p.Unlock()
	return p.L
}

// failPin is a gpiotest.Pin whose Out fails for the levels in fail.
type failPin struct {
	*gpiotest.Pin
	mu   sync.Mutex
	fail map[gpio.Level]bool
}

var errPin = errors.New("pin broke")

func (p *failPin) Out(l gpio.Level) error {
	p.mu.Lock()
	f := p.fail[l]
	p.mu.Unlock()
	if f {
		return errPin
	}
	return p.Pin.Out(l)
}

func (p *failPin) failOn(l gpio.Level, on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fail == nil {
		p.fail = map[gpio.Level]bool{}
	}
	p.fail[l] = on
}

// fakeTimers stands in for time.AfterFunc: the test fires the functions.
type fakeTimers struct {
	mu  sync.Mutex
	all []*fakeTimer
}

type fakeTimer struct {
	d       time.Duration
	f       func()
	stopped bool
}

func (t *fakeTimer) Stop() bool {
	was := !t.stopped
	t.stopped = true
	return was
}

func (ft *fakeTimers) after(d time.Duration, f func()) timer {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	t := &fakeTimer{d: d, f: f}
	ft.all = append(ft.all, t)
	return t
}

func (ft *fakeTimers) last(t *testing.T) *fakeTimer {
	t.Helper()
	ft.mu.Lock()
	defer ft.mu.Unlock()
	if len(ft.all) == 0 {
		t.Fatal("no safety-net timer was set")
	}
	return ft.all[len(ft.all)-1]
}

// door is a relay on fake pins with fake timers.
type door struct {
	r                 *Relay
	relay, green, red *gpiotest.Pin
	timers            *fakeTimers
	locked, unlocked  gpio.Level
}

func newDoor(t *testing.T, cfg Config) *door {
	t.Helper()
	if cfg.Pulse == 0 {
		cfg.Pulse = pulse
	}
	d := &door{
		relay:  newPin("RELAY", gpio.High),
		green:  newPin("GREEN", gpio.High),
		red:    newPin("RED", gpio.Low),
		timers: &fakeTimers{},
	}
	if cfg.ActiveLow {
		d.relay.L = gpio.Low
	}
	r, err := New(Pins{Relay: d.relay, Green: d.green, Red: d.red}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	r.afterFunc = d.timers.after
	d.r = r
	d.locked, d.unlocked = cfg.levels()
	t.Cleanup(func() { r.Close() })
	return d
}

func (d *door) wantRelay(t *testing.T, what string, unlocked bool) {
	t.Helper()
	want, state := d.locked, "locked"
	if unlocked {
		want, state = d.unlocked, "unlocked"
	}
	if got := level(d.relay); got != want {
		t.Errorf("%s: relay pin %s, want %s (%s)", what, got, want, state)
	}
	if d.r.Unlocked() != unlocked {
		t.Errorf("%s: Unlocked() = %v, want %v", what, d.r.Unlocked(), unlocked)
	}
}

func (d *door) tick(t *testing.T, at time.Time, want Event) {
	t.Helper()
	ev, err := d.r.Tick(at)
	if err != nil {
		t.Fatalf("Tick(%v): %v", at.Sub(t0), err)
	}
	if ev != want {
		t.Errorf("Tick(t0%+v) = %+v, want %+v", at.Sub(t0), ev, want)
	}
}

// TestPulse checks both active levels: locked at start, unlocked for
// exactly Pulse, locked again by the first Tick at or after the end.
func TestPulse(t *testing.T) {
	for _, activeLow := range []bool{false, true} {
		name := "active-high"
		if activeLow {
			name = "active-low"
		}
		t.Run(name, func(t *testing.T) {
			d := newDoor(t, Config{ActiveLow: activeLow, Cooldown: cooldown})
			if d.locked == d.unlocked || d.locked != gpio.Level(activeLow) {
				t.Fatalf("levels locked %s, unlocked %s", d.locked, d.unlocked)
			}
			d.wantRelay(t, "after New", false)
			d.tick(t, t0, Event{})
			if err := d.r.Unlock(t0); err != nil {
				t.Fatal(err)
			}
			d.wantRelay(t, "after Unlock", true)
			d.tick(t, t0.Add(pulse/2), Event{})
			d.tick(t, t0.Add(pulse-time.Nanosecond), Event{})
			d.wantRelay(t, "1ns before the end", true)
			d.tick(t, t0.Add(pulse), Event{Relocked: true})
			d.wantRelay(t, "at the end", false)
			d.tick(t, t0.Add(pulse+time.Second), Event{})
			if tm := d.timers.last(t); tm.d != pulse+DefaultGrace || !tm.stopped {
				t.Errorf("safety net: %v, stopped %v; want %v, stopped", tm.d, tm.stopped, pulse+DefaultGrace)
			}
		})
	}
}

// TestLateTick: a Tick long after the end relocks once.
func TestLateTick(t *testing.T) {
	d := newDoor(t, Config{})
	if err := d.r.Unlock(t0); err != nil {
		t.Fatal(err)
	}
	d.tick(t, t0.Add(time.Hour), Event{Relocked: true})
	d.wantRelay(t, "late tick", false)
}

func TestCooldown(t *testing.T) {
	d := newDoor(t, Config{Cooldown: cooldown})
	if err := d.r.Unlock(t0); err != nil {
		t.Fatal(err)
	}
	// During the pulse: busy, and the pulse is not extended.
	if err := d.r.Unlock(t0.Add(time.Second)); !errors.Is(err, ErrBusy) {
		t.Errorf("Unlock during the pulse: %v, want ErrBusy", err)
	}
	d.wantRelay(t, "busy during the pulse", true)
	d.tick(t, t0.Add(pulse), Event{Relocked: true})
	ready := t0.Add(pulse + cooldown)
	for _, at := range []time.Time{t0.Add(pulse), ready.Add(-time.Nanosecond)} {
		if err := d.r.Unlock(at); !errors.Is(err, ErrBusy) || !strings.Contains(err.Error(), "cooling down") {
			t.Errorf("Unlock at t0%+v: %v, want ErrBusy (cooling down)", at.Sub(t0), err)
		}
		d.wantRelay(t, "busy while cooling down", false)
	}
	if err := d.r.Unlock(ready); err != nil {
		t.Errorf("Unlock at the end of the cooldown: %v", err)
	}
	d.wantRelay(t, "after the cooldown", true)
	d.tick(t, ready.Add(pulse), Event{Relocked: true})
}

// TestCooldownFromScheduledEnd: a late Tick does not stretch the
// cooldown, which runs from the pulse's scheduled end.
func TestCooldownFromScheduledEnd(t *testing.T) {
	d := newDoor(t, Config{Cooldown: cooldown})
	if err := d.r.Unlock(t0); err != nil {
		t.Fatal(err)
	}
	at := t0.Add(pulse + cooldown)
	d.tick(t, at, Event{Relocked: true})
	if err := d.r.Unlock(at); err != nil {
		t.Errorf("Unlock right after a late relock: %v", err)
	}
}

// TestClockBackwards: a Tick before the pulse's start relocks, and the
// cooldown restarts from the new time.
func TestClockBackwards(t *testing.T) {
	d := newDoor(t, Config{Cooldown: cooldown})
	if err := d.r.Unlock(t0); err != nil {
		t.Fatal(err)
	}
	back := t0.Add(-time.Hour)
	d.tick(t, back, Event{Relocked: true})
	d.wantRelay(t, "clock went back", false)
	if err := d.r.Unlock(back); !errors.Is(err, ErrBusy) {
		t.Errorf("Unlock after the clock went back: %v, want ErrBusy", err)
	}
	if err := d.r.Unlock(back.Add(cooldown)); err != nil {
		t.Errorf("Unlock a cooldown after the clock went back: %v", err)
	}
}

func TestHalt(t *testing.T) {
	d := newDoor(t, Config{})
	if err := d.r.Unlock(t0); err != nil {
		t.Fatal(err)
	}
	if err := d.r.Halt(); err != nil {
		t.Fatal(err)
	}
	d.wantRelay(t, "after Halt", false)
	if level(d.green) != gpio.Low || level(d.red) != gpio.Low {
		t.Errorf("LEDs after Halt: green %s, red %s; want both off", level(d.green), level(d.red))
	}
	tm := d.timers.last(t)
	if !tm.stopped {
		t.Error("Halt left the safety net running")
	}
	tm.f() // a stopped timer that fires anyway must not matter
	d.tick(t, t0.Add(pulse), Event{})
	// Halt is a state, not the end: the door works afterwards.
	if err := d.r.Unlock(t0.Add(pulse)); err != nil {
		t.Errorf("Unlock after Halt: %v", err)
	}
	d.wantRelay(t, "Unlock after Halt", true)
	if err := d.r.Close(); err != nil {
		t.Fatal(err)
	}
	d.wantRelay(t, "after Close", false)
	if err := d.r.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := d.r.Unlock(t0.Add(time.Hour)); err == nil || errors.Is(err, ErrBusy) {
		t.Errorf("Unlock after Close: %v, want an error", err)
	}
	d.wantRelay(t, "Unlock after Close", false)
}

// TestSafetyNet: when Tick does not come, the timer relocks, and the
// next Tick says so. A stale timer does not end a later pulse.
func TestSafetyNet(t *testing.T) {
	d := newDoor(t, Config{Grace: time.Second})
	if err := d.r.Unlock(t0); err != nil {
		t.Fatal(err)
	}
	first := d.timers.last(t)
	if first.d != pulse+time.Second {
		t.Errorf("safety net after %v, want Pulse+Grace = %v", first.d, pulse+time.Second)
	}
	first.f()
	d.wantRelay(t, "after the safety net", false)
	d.tick(t, t0.Add(pulse+time.Second), Event{Relocked: true, Late: true})
	d.tick(t, t0.Add(pulse+2*time.Second), Event{})

	if err := d.r.Unlock(t0.Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	first.f() // stale
	d.wantRelay(t, "stale safety net", true)
}

// TestSafetyNetRealTimer runs the real time.AfterFunc once, briefly.
func TestSafetyNetRealTimer(t *testing.T) {
	relay := newPin("RELAY", gpio.Low)
	r, err := New(Pins{Relay: relay}, Config{Pulse: time.Millisecond, Grace: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := r.Unlock(time.Now()); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for r.Unlocked() && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if r.Unlocked() || level(relay) != gpio.Low {
		t.Fatal("the safety net did not relock")
	}
}

func TestLEDs(t *testing.T) {
	for _, activeLow := range []bool{false, true} {
		d := newDoor(t, Config{LEDActiveLow: activeLow})
		on, off := gpio.Level(!activeLow), gpio.Level(activeLow)
		check := func(what string, green, red gpio.Level) {
			t.Helper()
			if g, r := level(d.green), level(d.red); g != green || r != red {
				t.Errorf("LEDActiveLow %v, %s: green %s, red %s; want %s, %s", activeLow, what, g, r, green, red)
			}
		}
		check("locked", off, on)
		if err := d.r.Unlock(t0); err != nil {
			t.Fatal(err)
		}
		check("unlocked", on, off)
		d.tick(t, t0.Add(pulse), Event{Relocked: true})
		check("relocked", off, on)
		if err := d.r.Halt(); err != nil {
			t.Fatal(err)
		}
		check("halted", off, off)
	}
}

// TestErrorPathsLock: whatever fails, the relay ends locked and the
// error says what.
func TestErrorPathsLock(t *testing.T) {
	t.Run("relay fails to unlock", func(t *testing.T) {
		relay := &failPin{Pin: newPin("RELAY", gpio.Low)}
		r, err := New(Pins{Relay: relay}, Config{Pulse: pulse})
		if err != nil {
			t.Fatal(err)
		}
		relay.failOn(gpio.High, true)
		err = r.Unlock(t0)
		if !errors.Is(err, errPin) || !strings.Contains(err.Error(), "unlocking RELAY") {
			t.Errorf("Unlock: %v", err)
		}
		if r.Unlocked() || level(relay.Pin) != gpio.Low {
			t.Error("relay not locked after a failed unlock")
		}
	})
	t.Run("LED fails while unlocking", func(t *testing.T) {
		relay := newPin("RELAY", gpio.Low)
		green := &failPin{Pin: newPin("GREEN", gpio.Low)}
		r, err := New(Pins{Relay: relay, Green: green}, Config{Pulse: pulse})
		if err != nil {
			t.Fatal(err)
		}
		green.failOn(gpio.High, true)
		if err := r.Unlock(t0); !errors.Is(err, errPin) || !strings.Contains(err.Error(), "LED GREEN") {
			t.Errorf("Unlock: %v", err)
		}
		if r.Unlocked() || level(relay) != gpio.Low {
			t.Error("relay not locked after an LED failed")
		}
	})
	t.Run("relay fails to relock", func(t *testing.T) {
		relay := &failPin{Pin: newPin("RELAY", gpio.Low)}
		r, err := New(Pins{Relay: relay}, Config{Pulse: pulse})
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Unlock(t0); err != nil {
			t.Fatal(err)
		}
		relay.failOn(gpio.Low, true)
		if _, err := r.Tick(t0.Add(pulse)); !errors.Is(err, errPin) || !strings.Contains(err.Error(), "relocking") {
			t.Errorf("Tick: %v", err)
		}
		// Until the relay locks again, Tick retries and Unlock refuses.
		if ev, err := r.Tick(t0.Add(pulse + 1)); !errors.Is(err, errPin) || !ev.Relocked {
			t.Errorf("Tick on a broken pin: %+v, %v", ev, err)
		}
		if err := r.Unlock(t0.Add(time.Hour)); err == nil || errors.Is(err, ErrBusy) || level(relay.Pin) != gpio.High {
			t.Errorf("Unlock on a pin that does not lock: %v", err)
		}
		if err := r.Halt(); !errors.Is(err, errPin) {
			t.Errorf("Halt on a broken pin: %v", err)
		}
		relay.failOn(gpio.Low, false)
		if ev, err := r.Tick(t0.Add(pulse + 2)); err != nil || !ev.Relocked || level(relay.Pin) != gpio.Low {
			t.Errorf("Tick once the pin works: %+v, %v, pin %s", ev, err, level(relay.Pin))
		}
		if ev, err := r.Tick(t0.Add(pulse + 3)); err != nil || ev != (Event{}) {
			t.Errorf("Tick after the repair: %+v, %v", ev, err)
		}
		if err := r.Halt(); err != nil || level(relay.Pin) != gpio.Low {
			t.Errorf("Halt once the pin works: %v, pin %s", err, level(relay.Pin))
		}
	})
	t.Run("safety net fails", func(t *testing.T) {
		relay := &failPin{Pin: newPin("RELAY", gpio.Low)}
		timers := &fakeTimers{}
		r, err := New(Pins{Relay: relay}, Config{Pulse: pulse})
		if err != nil {
			t.Fatal(err)
		}
		r.afterFunc = timers.after
		if err := r.Unlock(t0); err != nil {
			t.Fatal(err)
		}
		relay.failOn(gpio.Low, true)
		timers.last(t).f()
		relay.failOn(gpio.Low, false)
		ev, err := r.Tick(t0.Add(pulse))
		if !errors.Is(err, errPin) || !strings.Contains(err.Error(), "safety net") || !ev.Late {
			t.Errorf("Tick after a failed safety net: %+v, %v", ev, err)
		}
	})
	t.Run("bad config", func(t *testing.T) {
		for _, cfg := range []Config{{}, {Pulse: -1}, {Pulse: MaxPulse + 1}, {Pulse: pulse, Cooldown: -1}, {Pulse: pulse, Debounce: -1}} {
			relay := newPin("RELAY", gpio.High)
			if _, err := New(Pins{Relay: relay}, cfg); err == nil {
				t.Errorf("New(%+v) accepted", cfg)
			}
			if level(relay) != gpio.Low {
				t.Errorf("New(%+v) failed and left the relay unlocked", cfg)
			}
		}
		if _, err := New(Pins{}, Config{Pulse: pulse}); err == nil {
			t.Error("New without a relay pin accepted")
		}
	})
	t.Run("button cannot do edges", func(t *testing.T) {
		relay := newPin("RELAY", gpio.High)
		button := newPin("BUTTON", gpio.High) // no EdgesChan: gpiotest refuses edges
		if _, err := New(Pins{Relay: relay, Button: button}, Config{Pulse: pulse}); err == nil || !strings.Contains(err.Error(), "exit button BUTTON") {
			t.Errorf("New: %v, want the button's error", err)
		}
		if level(relay) != gpio.Low {
			t.Error("a failed button left the relay unlocked")
		}
	})
}

func TestString(t *testing.T) {
	d := newDoor(t, Config{ActiveLow: true})
	if got, want := d.r.String(), "relay RELAY (active-low, pulse 3s)"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}
