// Package gpio drives the door: a relay that holds a lock, optional
// green and red LEDs and an optional request-to-exit button, through
// periph.io (periph.io/x/conn/v3 and periph.io/x/host/v3).
//
// The package does no hardware work until Open is called: Open runs
// host.Init, resolves the pins by their gpioreg names ("GPIO17", "17" or
// the header position "P1_11"), claims them and drives the safe state.
// New does the same with pins the caller already holds, such as
// gpiotest.Pin fakes. The package returns errors and never logs.
//
// # States
//
// The relay is either locked (the safe state) or unlocked for one pulse:
//
//   - Unlock(now) drives the relay to unlocked and schedules the pulse's
//     end at now+Pulse. It refuses (ErrBusy, the relay unchanged) while
//     a pulse runs or within Cooldown of the last pulse's scheduled end.
//   - Tick(now), called by the service loop every frame, ends the pulse
//     once now reaches its end, and turns a debounced exit-button press
//     into an Unlock. Time is only ever passed in, so tests never sleep.
//   - A timer set by Unlock relocks at Pulse+Grace of wall time after the
//     Unlock even if Tick is never called again (a stalled or deadlocked
//     frame loop). It is stopped when the pulse ends, so no goroutine or
//     timer outlives the pulse; the next Tick reports that it fired.
//   - Halt() drives the relay to locked and the LEDs off at once; it is
//     the periph.io safe state and what the service calls on SIGTERM, on
//     a panic and on any error in the loop. Close also stops the button
//     watcher.
//
// Every error path leaves the relay locked: when Unlock, Tick or an LED
// fails, the relay is driven to locked before the error is returned.
// If even that fails, both errors are returned, every Tick tries to lock
// again, and Unlock refuses until one of them succeeds. After Close,
// Unlock always fails.
//
// # What the pin does when the process dies
//
// A GPIO line keeps its last level after the process that set it exits:
// the kernel's GPIO character device leaves a released line's state
// undefined, and on a Raspberry Pi it stays an output at its last level
// (periph's memory-mapped bcm283x driver never releases anything).
// Killed mid-pulse (SIGKILL, an unrecovered panic, the OOM killer,
// systemd's watchdog), the pin stays driven at the unlocked level, and
// the relay stays UNLOCKED, until something drives the pin again; no
// pull resistor can help while the pin is still an output. Three layers
// cover the faults, each one a different set:
//
//  1. Wiring (below): a fail-secure strike, an active-high driver and a
//     pull-down, so that a Pi that is unpowered, resetting or booting
//     leaves the door locked. A hardware watchdog (RuntimeWatchdogSec= in
//     /etc/systemd/system.conf) turns a hung kernel into a reset, which
//     returns every pin to an input with its default pull.
//
//  2. systemd, for a process that died mid-pulse: ExecStopPost= runs
//     after the main process has exited for any reason, SIGKILL and a
//     watchdog kill included, when the line is free again. Point it at a
//     command that calls ForceLocked:
//
//     ExecStopPost=/usr/local/bin/edge relay-off --config /etc/edge/edge.toml
//
//     Restart=on-failure then starts the service again, and Open drives
//     the safe state before anything else. The door stays unlocked
//     until systemd has seen the exit and run the command: well under a
//     second, longer only if systemd itself is starved.
//
//  3. A time limit in hardware: a delay-off timer relay or a strike
//     controller with a maximum on-time bounds the pulse whatever the
//     software does. It is the only protection against a process that
//     is alive but wrong, or a systemd that is not running.
//
// # Wiring a fail-secure strike
//
// A fail-secure electric strike is locked when it has no power and
// opens while powered. (A magnetic lock is fail-safe, the opposite: it
// opens when power is lost, so every fault below would open the door.
// Use one only where a fire code asks for it, and then with the relay's
// normally-closed contact.) Wire it so that every fault removes power:
//
//	strike PSU + ──── relay COM   relay NO ──── strike +
//	strike PSU − ─────────────────────────────── strike −
//	(a flyback diode across a DC strike, cathode to +)
//
//	Pi GPIO17 (header pin 11) ── 1 kΩ ──┬── NPN base / MOSFET gate ── relay coil driver
//	                                    └── 10 kΩ ── GND (pull-down)
//
// Use the relay's normally-open (NO) contact: coil off means strike off
// means locked. Drive the coil active-high (ActiveLow: false): the pin
// High energises the relay and unlocks. Then every state in which the
// Pi does not actively drive the pin High is locked:
//
//   - Pi unpowered: the pin carries no voltage; the external 10 kΩ
//     pull-down holds the driver off.
//   - Reset and boot: on a Pi 1–4 (BCM2835–BCM2711) the GPIOs come up as
//     inputs, GPIO 0–8 with a pull-up and GPIO 9–27 with a pull-down; on
//     a Pi 5 check with "pinctrl get 17". Choose a pin from 9–27 (GPIO17
//     is the usual one) and add "gpio=17=op,dl" to
//     /boot/firmware/config.txt so that the firmware drives it Low as an
//     output from early in boot, before Linux starts.
//   - Service stopped or crashed: Halt, ExecStopPost and Open all drive
//     Low.
//
// Avoid active-low relay boards (the common opto-isolated modules whose
// input is pulled up to VCC on the board and that switch on when the
// input is pulled Low). With one, an input-mode or unpowered pin can
// sink enough current through the optocoupler's LED to energise the
// relay, so a Pi that is booting, crashed or switched off can open the
// door. Most such boards have a jumper to trigger on High: use it. If an
// active-low board is all there is, set ActiveLow: true, power the board
// from the Pi's own 5 V pin so that both lose power together, choose a
// pin from GPIO 0–8 other than 2 and 3 (GPIO5, header pin 29; its
// default pull-up keeps the input High through a reset) and add
// "gpio=5=op,dh" to config.txt. When a line is claimed as an output it
// may be driven Low for the microseconds before its first value is
// written; a mechanical relay does not respond that fast, but a
// solid-state one can.
//
// Whatever the wiring, the inside of the door needs free mechanical
// egress (a lever handle): the exit button is a convenience, and it is
// not the way out when the Pi is off.
//
// # LEDs and the exit button
//
// LEDs (optional, pin names may be empty) are lit by default when their
// pin is High (LED and resistor to GND): red while locked, green while
// unlocked, both off after Halt. The exit button (optional) is wired
// between its pin and GND with the internal pull-up by default; a press
// is a falling edge. A goroutine waits for edges, lets the line settle
// for Debounce, and records a press if the line then reads pressed; the
// next Tick unlocks as for a match (the same Cooldown applies) and
// reports Event.Button so the service can audit it. The goroutine exits
// on Close, at most ButtonPoll later on drivers that cannot interrupt a
// pending WaitForEdge.
//
// # Clock
//
// Pass time.Now() to Unlock and Tick: its monotonic reading keeps the
// pulse and cooldown right when the wall clock is stepped. A time before
// the pulse's start (a clock that went backwards) ends the pulse at
// once and restarts the cooldown: the safe direction.
package gpio
