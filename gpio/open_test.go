package gpio

import (
	"errors"
	"strings"
	"testing"

	"periph.io/x/conn/v3/driver"
	"periph.io/x/conn/v3/driver/driverreg"
	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpioreg"
	"periph.io/x/conn/v3/gpio/gpiotest"
)

// fakeHost replaces host.Init for one test and counts the calls.
func fakeHost(t *testing.T, state *driverreg.State, err error) *int {
	t.Helper()
	calls := new(int)
	saved := hostInit
	hostInit = func() (*driverreg.State, error) {
		*calls++
		return state, err
	}
	t.Cleanup(func() { hostInit = saved })
	return calls
}

// register puts gpiotest pins in gpioreg for one test.
func register(t *testing.T, pins ...gpio.PinIO) {
	t.Helper()
	for _, p := range pins {
		if err := gpioreg.Register(p); err != nil {
			t.Fatal(err)
		}
		name := p.Name()
		t.Cleanup(func() {
			if err := gpioreg.Unregister(name); err != nil {
				t.Error(err)
			}
		})
	}
}

func alias(t *testing.T, name, dest string) {
	t.Helper()
	if err := gpioreg.RegisterAlias(name, dest); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { gpioreg.Unregister(name) })
}

// failedDriver is a driver that host.Init could not load.
type failedDriver struct{}

func (failedDriver) String() string          { return "bcm2835-gpio" }
func (failedDriver) Prerequisites() []string { return nil }
func (failedDriver) After() []string         { return nil }
func (failedDriver) Init() (bool, error) {
	return false, errors.New("open /dev/gpiomem: permission denied")
}

var _ driver.Impl = failedDriver{}

func TestOpen(t *testing.T) {
	fakeHost(t, &driverreg.State{}, nil)
	relay := newPin("EDGE_T17", gpio.High)
	green, red := newPin("EDGE_T22", gpio.High), newPin("EDGE_T27", gpio.High)
	button := &gpiotest.Pin{N: "EDGE_T5", EdgesChan: make(chan gpio.Level)}
	register(t, relay, green, red, button)
	alias(t, "EDGE_P1_11", "EDGE_T17")

	r, err := Open(Config{Relay: "EDGE_P1_11", Green: "EDGE_T22", Red: "EDGE_T27", Button: "EDGE_T5", Pulse: pulse})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if level(relay) != gpio.Low || level(green) != gpio.Low || level(red) != gpio.High {
		t.Errorf("after Open: relay %s, green %s, red %s; want Low, Low, High", level(relay), level(green), level(red))
	}
	if button.Pull() != gpio.PullUp {
		t.Errorf("button pull %s, want PullUp", button.Pull())
	}
	if err := r.Unlock(t0); err != nil || level(relay) != gpio.High {
		t.Errorf("Unlock: %v, relay %s", err, level(relay))
	}
}

func TestOpenErrors(t *testing.T) {
	state := &driverreg.State{Failed: []driverreg.DriverFailure{{D: failedDriver{}, Err: errors.New("open /dev/gpiomem: permission denied")}}}

	t.Run("no pins at all", func(t *testing.T) {
		fakeHost(t, state, nil)
		_, err := Open(Config{Relay: "GPIO17", Pulse: pulse})
		for _, want := range []string{`relay pin "GPIO17" not found`, "no GPIO pins registered", "gpio group", "bcm2835-gpio: open /dev/gpiomem: permission denied"} {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("Open: %v; want it to say %q", err, want)
			}
		}
	})

	t.Run("pin not found lists the others", func(t *testing.T) {
		fakeHost(t, &driverreg.State{}, nil)
		register(t, newPin("EDGE_T2", gpio.Low), newPin("EDGE_T10", gpio.Low))
		_, err := Open(Config{Relay: "GPIO99", Pulse: pulse})
		if err == nil || !strings.Contains(err.Error(), `relay pin "GPIO99" not found; available: EDGE_T2, EDGE_T10`) {
			t.Errorf("Open: %v", err)
		}
	})

	t.Run("host init fails", func(t *testing.T) {
		fakeHost(t, nil, errors.New("bcm283x: boom"))
		_, err := Open(Config{Relay: "GPIO17", Pulse: pulse})
		if err == nil || !strings.Contains(err.Error(), "host.Init: bcm283x: boom") {
			t.Errorf("Open: %v", err)
		}
	})

	t.Run("bad timing touches no hardware", func(t *testing.T) {
		calls := fakeHost(t, &driverreg.State{}, nil)
		if _, err := Open(Config{Relay: "GPIO17"}); err == nil || !strings.Contains(err.Error(), "pulse") {
			t.Errorf("Open without a pulse: %v", err)
		}
		if *calls != 0 {
			t.Error("host.Init ran for a config that was bound to fail")
		}
	})

	t.Run("LED missing: relay still locked", func(t *testing.T) {
		fakeHost(t, &driverreg.State{}, nil)
		relay := newPin("EDGE_T17", gpio.High)
		register(t, relay)
		_, err := Open(Config{Relay: "EDGE_T17", Red: "EDGE_T99", Pulse: pulse})
		if err == nil || !strings.Contains(err.Error(), `red LED pin "EDGE_T99" not found; available: EDGE_T17`) {
			t.Errorf("Open: %v", err)
		}
		if level(relay) != gpio.Low {
			t.Error("a missing LED left the relay unlocked")
		}
	})

	t.Run("one pin in two roles", func(t *testing.T) {
		fakeHost(t, &driverreg.State{}, nil)
		register(t, newPin("EDGE_T17", gpio.Low), newPin("EDGE_T22", gpio.Low))
		alias(t, "EDGE_P1_11", "EDGE_T17")
		for _, cfg := range []Config{
			{Relay: "EDGE_T17", Green: "EDGE_T17"},
			{Relay: "EDGE_T17", Button: "EDGE_P1_11"},
			{Relay: "EDGE_T17", Green: "EDGE_T22", Red: "EDGE_T22"},
		} {
			cfg.Pulse = pulse
			if _, err := Open(cfg); err == nil || !strings.Contains(err.Error(), "already the") {
				t.Errorf("Open(%+v): %v, want a clash", cfg, err)
			}
		}
	})

	t.Run("no relay configured", func(t *testing.T) {
		fakeHost(t, &driverreg.State{}, nil)
		if _, err := Open(Config{Pulse: pulse}); err == nil || !strings.Contains(err.Error(), "no relay pin configured") {
			t.Errorf("Open: %v", err)
		}
	})
}

func TestForceLocked(t *testing.T) {
	for _, activeLow := range []bool{false, true} {
		t.Run(map[bool]string{false: "active-high", true: "active-low"}[activeLow], func(t *testing.T) {
			fakeHost(t, &driverreg.State{}, nil)
			relay := newPin("EDGE_T17", !gpio.Level(activeLow)) // left unlocked by a crash
			green := newPin("EDGE_T22", !gpio.Level(activeLow)) // left lit
			register(t, relay, green)
			cfg := Config{Relay: "EDGE_T17", Green: "EDGE_T22", ActiveLow: activeLow, LEDActiveLow: activeLow}
			if err := ForceLocked(cfg); err != nil {
				t.Fatal(err)
			}
			if level(relay) != gpio.Level(activeLow) {
				t.Errorf("relay %s after ForceLocked", level(relay))
			}
			if level(green) != gpio.Level(activeLow) {
				t.Errorf("green LED %s after ForceLocked, want off", level(green))
			}
		})
	}
	t.Run("errors", func(t *testing.T) {
		fakeHost(t, &driverreg.State{}, nil)
		if err := ForceLocked(Config{Relay: "EDGE_T17"}); err == nil || !strings.Contains(err.Error(), "not found") {
			t.Errorf("ForceLocked on a missing pin: %v", err)
		}
		fakeHost(t, nil, errors.New("no host"))
		if err := ForceLocked(Config{Relay: "EDGE_T17"}); err == nil || !strings.Contains(err.Error(), "host.Init") {
			t.Errorf("ForceLocked without a host: %v", err)
		}
	})
}
