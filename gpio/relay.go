package gpio

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"periph.io/x/conn/v3"
	"periph.io/x/conn/v3/gpio"
)

// A Relay is a periph.io resource: String, and Halt to the safe state.
var _ conn.Resource = (*Relay)(nil)

// MaxPulse bounds Config.Pulse: a longer unlock is taken for a unit
// mistake (ms for s), and most strikes are not rated for continuous duty.
const MaxPulse = time.Minute

// Defaults for the Config fields left zero.
const (
	DefaultDebounce   = 50 * time.Millisecond
	DefaultGrace      = 500 * time.Millisecond
	DefaultButtonPoll = 100 * time.Millisecond
)

// ErrBusy is returned by Unlock while a pulse runs or the relay cools
// down. It is not a fault: the relay is left as it was.
var ErrBusy = errors.New("gpio: relay busy")

// Config describes the door's pins and timing. The pin names are used by
// Open and ForceLocked only; New takes the pins themselves.
type Config struct {
	// Relay names the pin that drives the relay: "GPIO17", "17", "P1_11".
	Relay string
	// ActiveLow: the relay unlocks when its pin is Low. The default,
	// unlocking on High, is the fail-secure choice (see the package
	// documentation).
	ActiveLow bool
	// Pulse is how long the door stays unlocked: > 0 and ≤ MaxPulse.
	Pulse time.Duration
	// Cooldown is the least time from a pulse's scheduled end to the
	// next pulse's start. Zero allows a new pulse as soon as one ends.
	Cooldown time.Duration
	// Grace is how long past the pulse's end the safety-net timer waits
	// for Tick before relocking on its own (DefaultGrace if zero).
	Grace time.Duration

	// Green and Red name optional LED pins ("" for none).
	Green, Red string
	// LEDActiveLow: an LED is lit when its pin is Low (LED to 3.3 V).
	LEDActiveLow bool

	// Button names an optional request-to-exit button pin ("" for none).
	Button string
	// ButtonActiveHigh: the button connects its pin to 3.3 V and the pin
	// has a pull-down; pressed reads High. The default is a button to GND
	// with the internal pull-up, pressed reading Low.
	ButtonActiveHigh bool
	// Debounce is how long the button line must stay quiet after an edge
	// before it is read (DefaultDebounce if zero).
	Debounce time.Duration
	// ButtonPoll bounds how long Close waits for the button watcher on
	// drivers whose Halt does not interrupt WaitForEdge
	// (DefaultButtonPoll if zero).
	ButtonPoll time.Duration
}

// withDefaults fills the zero durations.
func (c Config) withDefaults() Config {
	if c.Grace == 0 {
		c.Grace = DefaultGrace
	}
	if c.Debounce == 0 {
		c.Debounce = DefaultDebounce
	}
	if c.ButtonPoll == 0 {
		c.ButtonPoll = DefaultButtonPoll
	}
	return c
}

// check validates the timing (not the pin names).
func (c Config) check() error {
	switch {
	case c.Pulse <= 0 || c.Pulse > MaxPulse:
		return fmt.Errorf("gpio: pulse %v: want > 0 and ≤ %v", c.Pulse, MaxPulse)
	case c.Cooldown < 0:
		return fmt.Errorf("gpio: cooldown %v: want ≥ 0", c.Cooldown)
	case c.Grace < 0, c.Debounce < 0, c.ButtonPoll < 0:
		return fmt.Errorf("gpio: grace %v, debounce %v, button poll %v: want ≥ 0", c.Grace, c.Debounce, c.ButtonPoll)
	}
	return nil
}

// levels returns the relay's locked and unlocked levels.
func (c Config) levels() (locked, unlocked gpio.Level) {
	if c.ActiveLow {
		return gpio.High, gpio.Low
	}
	return gpio.Low, gpio.High
}

// Pins are the door's pins, already resolved. Only Relay is required.
type Pins struct {
	Relay      gpio.PinOut
	Green, Red gpio.PinOut
	Button     gpio.PinIn
}

// Event is what a Tick did.
type Event struct {
	Relocked bool // a pulse ended (by this Tick or by the safety net)
	Late     bool // the safety-net timer ended it: Tick came too late
	Button   bool // a debounced exit-button press was taken
	Unlocked bool // the press started a pulse (false: ErrBusy)
}

// timer is the part of *time.Timer the relay uses; tests fake it.
type timer interface{ Stop() bool }

// Relay holds the door: one relay pin and the optional LEDs and exit
// button. Its methods are safe for concurrent use.
type Relay struct {
	cfg              Config
	pins             Pins
	locked, unlocked gpio.Level
	pressed          gpio.Level // the button's level when pressed

	afterFunc func(time.Duration, func()) timer

	mu     sync.Mutex
	open   bool      // unlocked: a pulse runs
	pulsed bool      // a pulse has ever started (start is valid)
	start  time.Time // the last pulse's start
	gen    uint64    // counts pulses; the safety net ends only its own
	net    timer     // the running pulse's safety net
	late   bool      // the safety net relocked; reported by the next Tick
	netErr error     // the safety net's error; reported by the next Tick
	faulty bool      // the last attempt to drive the relay to locked failed
	closed bool      // Close was called: nothing unlocks any more

	press     atomic.Bool // the watcher saw a press; Tick takes it
	onSettle  func(gpio.Level)
	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

// New takes over already-resolved pins: it drives the relay to locked,
// the red LED on and the green off, and starts watching the button. Use
// Open on a device; New serves tests (gpiotest.Pin) and callers that
// resolve pins themselves. On error the relay has been driven to locked
// as far as it could be.
func New(p Pins, cfg Config) (*Relay, error) {
	return newRelay(p, cfg, nil)
}

// newRelay is New with a hook that sees the level the button watcher
// read after each settled edge (for tests; nil otherwise).
func newRelay(p Pins, cfg Config, onSettle func(gpio.Level)) (*Relay, error) {
	if p.Relay == nil {
		return nil, errors.New("gpio: no relay pin")
	}
	cfg = cfg.withDefaults()
	r := &Relay{
		cfg:      cfg,
		pins:     p,
		onSettle: onSettle,
		afterFunc: func(d time.Duration, f func()) timer {
			return time.AfterFunc(d, f)
		},
	}
	r.locked, r.unlocked = cfg.levels()
	if err := cfg.check(); err != nil {
		return nil, errors.Join(err, r.pins.Relay.Out(r.locked))
	}
	if err := r.lockLocked(); err != nil {
		return nil, fmt.Errorf("gpio: driving %s to the locked state: %w", r.name(), err)
	}
	if p.Button != nil {
		pull, edge := gpio.PullUp, gpio.FallingEdge
		r.pressed = gpio.Low
		if cfg.ButtonActiveHigh {
			pull, edge = gpio.PullDown, gpio.RisingEdge
			r.pressed = gpio.High
		}
		if err := p.Button.In(pull, edge); err != nil {
			return nil, fmt.Errorf("gpio: exit button %s: In(%s, %s): %w", p.Button.Name(), pull, edge, err)
		}
		r.stop = make(chan struct{})
		r.done = make(chan struct{})
		go r.watch()
	}
	return r, nil
}

// String describes the relay: "relay GPIO17 (active-high, pulse 3s)".
func (r *Relay) String() string {
	act := "active-high"
	if r.cfg.ActiveLow {
		act = "active-low"
	}
	return fmt.Sprintf("relay %s (%s, pulse %v)", r.name(), act, r.cfg.Pulse)
}

func (r *Relay) name() string { return r.pins.Relay.Name() }

// Unlocked reports whether a pulse runs.
func (r *Relay) Unlocked() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.open
}

// Unlock starts a pulse at now: the relay unlocks until now+Pulse. It
// returns an error wrapping ErrBusy, and changes nothing, while a pulse
// runs or before the last pulse's end plus Cooldown. Any other error
// means a pin failed; the relay has then been driven back to locked.
func (r *Relay) Unlock(now time.Time) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.unlockLocked(now)
}

func (r *Relay) unlockLocked(now time.Time) error {
	if r.closed {
		return fmt.Errorf("gpio: %s is closed", r.name())
	}
	if r.faulty {
		if err := r.lockLocked(); err != nil {
			return fmt.Errorf("gpio: %s does not lock, so it does not unlock: %w", r.name(), err)
		}
	}
	if r.open {
		return fmt.Errorf("%w: unlocked until %s", ErrBusy, r.start.Add(r.cfg.Pulse).Format(time.RFC3339Nano))
	}
	if r.pulsed {
		if now.Before(r.start) {
			// The clock went backwards: restart the cooldown from now.
			r.start = now.Add(-r.cfg.Pulse)
		}
		if ready := r.start.Add(r.cfg.Pulse + r.cfg.Cooldown); now.Before(ready) {
			return fmt.Errorf("%w: cooling down until %s", ErrBusy, ready.Format(time.RFC3339Nano))
		}
	}
	if err := r.pins.Relay.Out(r.unlocked); err != nil {
		return fmt.Errorf("gpio: unlocking %s: %w", r.name(), errors.Join(err, r.lockLocked()))
	}
	if err := errors.Join(r.led(r.pins.Green, true), r.led(r.pins.Red, false)); err != nil {
		return fmt.Errorf("gpio: LEDs while unlocking %s: %w", r.name(), errors.Join(err, r.lockLocked()))
	}
	r.open, r.pulsed, r.start = true, true, now
	r.gen++
	gen := r.gen
	r.net = r.afterFunc(r.cfg.Pulse+r.cfg.Grace, func() { r.safetyNet(gen) })
	return nil
}

// Tick is called by the service loop every frame. It ends a pulse whose
// time is up (or whose start lies after now: a clock gone backwards),
// reports a relock done by the safety net since the last Tick, and turns
// a pending exit-button press into Unlock(now). On error the relay has
// been driven to locked, or could not be: then every Tick tries again
// and Unlock refuses until one succeeds.
func (r *Relay) Tick(now time.Time) (Event, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var ev Event
	var err error
	if r.late || r.netErr != nil {
		ev.Relocked, ev.Late = true, true
		err = r.netErr
		r.late, r.netErr = false, nil
	}
	if r.faulty || (r.open && (!now.Before(r.start.Add(r.cfg.Pulse)) || now.Before(r.start))) {
		ev.Relocked = true
		if lerr := r.lockLocked(); lerr != nil {
			err = errors.Join(err, fmt.Errorf("gpio: relocking %s: %w", r.name(), lerr))
		}
	}
	if r.press.Swap(false) {
		ev.Button = true
		if err == nil {
			uerr := r.unlockLocked(now)
			ev.Unlocked = uerr == nil
			if uerr != nil && !errors.Is(uerr, ErrBusy) {
				err = uerr
			}
		}
	}
	return ev, err
}

// safetyNet relocks pulse gen if Tick has not ended it in time.
func (r *Relay) safetyNet(gen uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.open || r.gen != gen {
		return
	}
	r.late = true
	if err := r.lockLocked(); err != nil {
		r.netErr = fmt.Errorf("gpio: safety net relocking %s: %w", r.name(), err)
	}
}

// lockLocked drives the relay to locked, the red LED on and the green
// off, and cancels the pulse and its safety net. The relay is driven
// first and always; r.mu is held.
func (r *Relay) lockLocked() error {
	err := r.pins.Relay.Out(r.locked)
	r.faulty = err != nil
	r.endPulse()
	return errors.Join(err, r.led(r.pins.Green, false), r.led(r.pins.Red, true))
}

func (r *Relay) endPulse() {
	r.open = false
	r.gen++
	if r.net != nil {
		r.net.Stop()
		r.net = nil
	}
}

// Halt drives the relay to locked and both LEDs off, ending any pulse.
// It is the safe state (conn.Resource); the relay may be unlocked again
// afterwards. Call it on SIGTERM, on a panic and on any error.
func (r *Relay) Halt() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	err := r.pins.Relay.Out(r.locked)
	r.faulty = err != nil
	r.endPulse()
	r.press.Store(false)
	if err != nil {
		err = fmt.Errorf("gpio: halting %s: %w", r.name(), err)
	}
	return errors.Join(err, r.led(r.pins.Green, false), r.led(r.pins.Red, false))
}

// Close halts the relay and stops the button watcher, waiting for it to
// exit; Unlock fails from then on. The pins stay claimed until the
// process exits.
func (r *Relay) Close() error {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	err := r.Halt()
	r.closeOnce.Do(func() {
		if r.stop == nil {
			return
		}
		close(r.stop)
		_ = r.pins.Button.Halt() // interrupts a pending WaitForEdge where the driver can
		<-r.done
	})
	return err
}

// led sets an optional LED.
func (r *Relay) led(p gpio.PinOut, on bool) error {
	if p == nil {
		return nil
	}
	l := gpio.Level(on)
	if r.cfg.LEDActiveLow {
		l = !l
	}
	if err := p.Out(l); err != nil {
		return fmt.Errorf("gpio: LED %s: %w", p.Name(), err)
	}
	return nil
}

// watch waits for button edges until Close. After an edge it waits until
// the line has been quiet for Debounce, then reads it: pressed records a
// press for the next Tick. Its only clock is WaitForEdge's timeout.
func (r *Relay) watch() {
	defer close(r.done)
	b := r.pins.Button
	for {
		if r.stopped() {
			return
		}
		if !b.WaitForEdge(r.cfg.ButtonPoll) {
			continue
		}
		for b.WaitForEdge(r.cfg.Debounce) {
			if r.stopped() {
				return
			}
		}
		l := b.Read()
		if l == r.pressed {
			r.press.Store(true)
		}
		if r.onSettle != nil {
			r.onSettle(l)
		}
	}
}

func (r *Relay) stopped() bool {
	select {
	case <-r.stop:
		return true
	default:
		return false
	}
}
