package gpio

import (
	"errors"
	"fmt"
	"strings"

	"periph.io/x/conn/v3/driver/driverreg"
	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpioreg"
	"periph.io/x/host/v3"
)

// hostInit is host.Init; tests replace it.
var hostInit = host.Init

// Open initialises the host's drivers (host.Init), resolves cfg's pins by
// name, claims them and drives the safe state: relay locked, red LED on,
// green off; the button becomes an edge-triggered input with its pull.
// A pin that does not exist is reported with the names that do, and
// with the drivers that failed to load. On error the relay has been
// driven to locked if it was found.
func Open(cfg Config) (*Relay, error) {
	if err := cfg.withDefaults().check(); err != nil {
		return nil, err // before touching any hardware
	}
	state, err := hostInit()
	if err != nil {
		return nil, fmt.Errorf("gpio: host.Init: %w", err)
	}
	p, err := resolve(cfg, state)
	if err != nil {
		if p.Relay != nil {
			err = errors.Join(err, p.Relay.Out(lockedLevel(cfg)))
		}
		return nil, err
	}
	return New(p, cfg)
}

// ForceLocked drives cfg's relay pin to locked and its LEDs off, and
// nothing else: no timing is checked and the button is left alone. It
// is for a separate command run while the service is not, such as
// systemd's ExecStopPost after a crash (see the package documentation).
func ForceLocked(cfg Config) error {
	state, err := hostInit()
	if err != nil {
		return fmt.Errorf("gpio: host.Init: %w", err)
	}
	relay, err := lookup("relay", cfg.Relay, state)
	if err != nil {
		return err
	}
	if err := relay.Out(lockedLevel(cfg)); err != nil {
		return fmt.Errorf("gpio: driving relay %s to locked: %w", relay.Name(), err)
	}
	var errs []error
	for _, led := range [...]struct{ role, name string }{{"green LED", cfg.Green}, {"red LED", cfg.Red}} {
		if led.name == "" {
			continue
		}
		p, err := lookup(led.role, led.name, state)
		if err == nil {
			err = p.Out(gpio.Level(cfg.LEDActiveLow))
		}
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func lockedLevel(cfg Config) gpio.Level {
	l, _ := cfg.levels()
	return l
}

// resolve looks up cfg's pins in gpioreg and checks that no pin serves
// two roles. It returns what it found even on error.
func resolve(cfg Config, state *driverreg.State) (Pins, error) {
	var p Pins
	relay, err := lookup("relay", cfg.Relay, state)
	if err != nil {
		return p, err
	}
	p.Relay = relay
	seen := map[string]string{realName(relay): "relay"}
	for _, opt := range [...]struct {
		role, name string
		set        func(gpio.PinIO)
	}{
		{"green LED", cfg.Green, func(q gpio.PinIO) { p.Green = q }},
		{"red LED", cfg.Red, func(q gpio.PinIO) { p.Red = q }},
		{"exit button", cfg.Button, func(q gpio.PinIO) { p.Button = q }},
	} {
		if opt.name == "" {
			continue
		}
		q, err := lookup(opt.role, opt.name, state)
		if err != nil {
			return p, err
		}
		if other, dup := seen[realName(q)]; dup {
			return p, fmt.Errorf("gpio: %s pin %q is %s, already the %s pin", opt.role, opt.name, realName(q), other)
		}
		seen[realName(q)] = opt.role
		opt.set(q)
	}
	return p, nil
}

// lookup resolves one pin by name, or says what exists.
func lookup(role, name string, state *driverreg.State) (gpio.PinIO, error) {
	if name == "" {
		return nil, fmt.Errorf("gpio: no %s pin configured", role)
	}
	if p := gpioreg.ByName(name); p != nil {
		return p, nil
	}
	all := gpioreg.All()
	if len(all) == 0 {
		return nil, fmt.Errorf("gpio: %s pin %q not found: no GPIO pins registered (not a Raspberry Pi, no GPIO driver loaded, or no access to /dev/gpiochip* and /dev/gpiomem: is the user in the gpio group?)%s", role, name, failures(state))
	}
	names := make([]string, len(all))
	for i, q := range all {
		names[i] = q.Name()
	}
	return nil, fmt.Errorf("gpio: %s pin %q not found; available: %s (or their aliases such as P1_11)%s", role, name, strings.Join(names, ", "), failures(state))
}

// failures lists the drivers host.Init could not load.
func failures(state *driverreg.State) string {
	if state == nil || len(state.Failed) == 0 {
		return ""
	}
	s := make([]string, len(state.Failed))
	for i, f := range state.Failed {
		s[i] = f.String()
	}
	return "; drivers that failed: " + strings.Join(s, "; ")
}

// realName names the pin behind an alias, so that "GPIO17" and "P1_11"
// are seen to be one pin.
func realName(p gpio.PinIO) string {
	for {
		r, ok := p.(gpio.RealPin)
		if !ok {
			return p.Name()
		}
		p = r.Real()
	}
}
