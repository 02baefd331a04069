package main

// The [mqtt] section of edge.toml: edge run's events to a broker, for
// Home Assistant (package mqttpub).

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode"

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
	// UnlockCommand lets a message on edge/<node>/unlock/set carrying
	// the token of UnlockTokenFile open the door (audited); off by
	// default.
	UnlockCommand   bool   `toml:"unlock_command"`
	UnlockTokenFile string `toml:"unlock_token_file"`
}

// maxPasswordBytes bounds the password file.
const maxPasswordBytes = 4096

var notNode = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

// minUnlockToken is the shortest unlock token accepted.
const minUnlockToken = 16

// openMQTT starts the publisher of c, or returns nil without a broker.
// With the unlock command on, remote receives the authenticated requests
// and the refused ones (to be audited).
func openMQTT(c mqttConfig, remote chan<- service.RemoteUnlock) (*mqttpub.Publisher, error) {
	if c.Broker == "" {
		return nil, nil
	}
	pc := mqttpub.Config{Broker: c.Broker, Username: c.Username, Node: c.Node, Discovery: c.Discovery, Queue: c.Queue, Snapshots: c.Snapshots}
	if c.UnlockCommand {
		b, err := safefile.ReadFile(c.UnlockTokenFile, maxPasswordBytes)
		if err != nil {
			return nil, fmt.Errorf("mqtt.unlock_token_file: %w", err)
		}
		tok, _, _ := strings.Cut(string(b), "\n")
		if len(tok) < minUnlockToken {
			return nil, fmt.Errorf("mqtt.unlock_token_file: a token of %d bytes or more, please", minUnlockToken)
		}
		pc.Unlock = unlockHandler(tok, remote, time.Now)
	}
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

// unlockCommand is the payload of an unlock command: the token, and who
// sends it (for the audit). A bare token is taken too.
type unlockCommand struct {
	Token string `json:"token"`
	By    string `json:"by"`
}

// unlockHandler checks each command's token (in constant time) and hands
// the loop a request, refused or not, without waiting: the loop audits
// both and opens only for the right token. After maxBadCommands wrong
// tokens within a minute the rest of that minute's are dropped unheard.
func unlockHandler(token string, remote chan<- service.RemoteUnlock, now func() time.Time) func([]byte) {
	var mu sync.Mutex
	var bad []time.Time
	return func(payload []byte) {
		var c unlockCommand
		if len(payload) > 4096 {
			payload = nil
		}
		if json.Unmarshal(payload, &c) != nil {
			c = unlockCommand{Token: strings.TrimSpace(string(payload))}
		}
		by := "mqtt"
		if c.By != "" {
			by = "mqtt: " + strings.Map(printable, c.By[:min(len(c.By), 64)])
		}
		ok := subtle.ConstantTimeCompare([]byte(c.Token), []byte(token)) == 1
		if !ok {
			mu.Lock()
			t := now()
			kept := bad[:0]
			for _, b := range bad {
				if t.Sub(b) < time.Minute {
					kept = append(kept, b)
				}
			}
			bad = append(kept, t)
			n := len(bad)
			mu.Unlock()
			if n > maxBadCommands {
				return
			}
		}
		select {
		case remote <- service.RemoteUnlock{By: by, Refused: !ok}:
		default: // one is waiting already
		}
	}
}

// maxBadCommands bounds the wrong tokens a minute that are audited.
const maxBadCommands = 5

// printable keeps a rune of a name for the audit, or drops a control.
func printable(r rune) rune {
	if unicode.IsPrint(r) {
		return r
	}
	return -1
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
	case r.Remote:
		ev.Kind = mqttpub.Remote
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
