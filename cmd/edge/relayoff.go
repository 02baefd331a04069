package main

import (
	"context"
	"errors"
	"io"

	egpio "github.com/edge-pi/edge/gpio"
)

// cmdRelayOff drives the relay to locked and exits: systemd's
// ExecStopPost runs it after any exit of the service, a crash or a
// watchdog kill included.
func cmdRelayOff(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flags("relay-off", stderr)
	cfgPath := fs.String("config", "", "edge.toml")
	pin := fs.String("pin", "", "relay pin name (overrides the config)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if err := nonEmpty(fs, "config", "pin"); err != nil {
		return err
	}
	cfg, err := loadRunConfig(*cfgPath)
	if err != nil {
		return err
	}
	if *pin != "" {
		cfg.Relay.Pin = *pin
	}
	if cfg.Relay.Simulate {
		return errors.New("relay.simulate is set: there is no relay to lock")
	}
	return egpio.ForceLocked(relayConfig(cfg))
}
