package main

// The [mqtt] section of edge.toml: edge run's events to a broker, for
// Home Assistant (package mqttpub).

import (
	"fmt"
	"math"
	"os"
	"regexp"
	"strings"

	"github.com/edge-pi/edge/decide"
	"github.com/edge-pi/edge/internal/safefile"
	"github.com/edge-pi/edge/mqttpub"
	"github.com/edge-pi/edge/service"
)

// mqttConfig is edge.toml's [mqtt] section; no broker, no MQTT.
type mqttConfig struct {
	Broker   string `toml:"broker"`
	Username string `toml:"username"`
	// PasswordFile holds the password (its first line), so that edge.toml
	// itself can stay readable.
	PasswordFile string `toml:"password_file"`
	Node         string `toml:"node"`
	Discovery    string `toml:"discovery_prefix"`
	Queue        int    `toml:"queue"`
	// Snapshots publishes the face of each event (a JPEG, retained).
	Snapshots bool `toml:"snapshots"`
}

// maxPasswordBytes bounds the password file.
const maxPasswordBytes = 4096

var notNode = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

// openMQTT starts the publisher of c, or returns nil without a broker.
func openMQTT(c mqttConfig) (*mqttpub.Publisher, error) {
	if c.Broker == "" {
		return nil, nil
	}
	pc := mqttpub.Config{Broker: c.Broker, Username: c.Username, Node: c.Node, Discovery: c.Discovery, Queue: c.Queue, Snapshots: c.Snapshots}
	if c.PasswordFile != "" {
		b, err := safefile.ReadFile(c.PasswordFile, maxPasswordBytes)
		if err != nil {
			return nil, fmt.Errorf("mqtt.password_file: %w", err)
		}
		pc.Password, _, _ = strings.Cut(string(b), "\n")
	}
	if pc.Node == "" { // the host's name, as a topic segment
		h, _ := os.Hostname()
		pc.Node = strings.Trim(notNode.ReplaceAllString(h, "_"), "_")
		if pc.Node == "" {
			pc.Node = "door"
		}
		pc.Node = pc.Node[:min(len(pc.Node), 64)]
	}
	p, err := mqttpub.New(pc)
	if err != nil {
		return nil, fmt.Errorf("mqtt: %w", err)
	}
	return p, nil
}

// mqttOnFrame is the loop's OnFrame for p: the frame's event, if it has
// one, and the camera's state.
func mqttOnFrame(p *mqttpub.Publisher) func(service.Report) {
	return func(r service.Report) {
		if ev, ok := mqttEvent(r); ok {
			p.Offer(ev)
			p.Snapshot(r.Frame, r.Box) // a copy, with snapshots on
		}
		p.Camera(r.Fault != "bad frame")
	}
}

// mqttEvent is what Home Assistant hears of a frame: the door opened for
// someone or by the exit button, an attempt by an unknown face ended, or
// one was refused by the rate limit.
func mqttEvent(r service.Report) (mqttpub.Event, bool) {
	ev := mqttpub.Event{Time: r.Time, Distance: r.Distance}
	switch {
	case r.Button:
		ev.Kind = mqttpub.ExitButton
	case r.Unlocked:
		ev.Kind, ev.Identity = mqttpub.Recognised, r.Decision.Identity
	case r.Decision.AttemptFailed:
		ev.Kind = mqttpub.Unknown
		if r.Decision.Reason == decide.RateLimited {
			ev.Kind = mqttpub.Denied
		}
		if d := r.Decision.Best.Distance; !math.IsNaN(float64(d)) {
			ev.Distance = d
		}
	default:
		return ev, false
	}
	return ev, true
}
