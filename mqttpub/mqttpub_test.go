package mqttpub

import (
	"encoding/json"
	"image"
	"image/jpeg"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/edge-pi/edge/internal/mqtttest"
)

// TestDiscoveryAndEvents: against a real broker, the door announces its
// three entities to Home Assistant (retained, with availability), goes
// online, and publishes events and states as JSON a listener reads back.
func TestDiscoveryAndEvents(t *testing.T) {
	b := mqtttest.Start(t)
	l := mqtttest.Listen(t, b.URL())
	p, err := New(Config{Broker: b.URL(), Node: "front_door"})
	if err != nil {
		t.Fatal(err)
	}
	p.Camera(true)
	at := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	p.Offer(Event{Time: at, Kind: Recognised, Identity: "ada", Distance: 0.41})
	p.Offer(Event{Time: at.Add(time.Second), Kind: Unknown, Distance: 1.2})
	p.Offer(Event{Time: at.Add(2 * time.Second), Kind: Unknown, Distance: float32(math.Inf(1))}) // nobody enrolled

	cfg := l.Wait(t, "homeassistant/event/front_door/decision/config", 1)
	var d struct {
		StateTopic   string   `json:"state_topic"`
		EventTypes   []string `json:"event_types"`
		Availability string   `json:"availability_topic"`
		UniqueID     string   `json:"unique_id"`
		Device       struct{ Identifiers []string }
	}
	if err := json.Unmarshal([]byte(cfg[0]), &d); err != nil {
		t.Fatal(err)
	}
	if d.StateTopic != "edge/front_door/event" || strings.Join(d.EventTypes, ",") != "recognised,unknown,denied,exit_button,remote_unlock" ||
		d.Availability != "edge/front_door/availability" || d.UniqueID != "edge_front_door_decision" || d.Device.Identifiers[0] != "edge_front_door" {
		t.Errorf("event entity config %s", cfg[0])
	}
	l.Wait(t, "homeassistant/sensor/front_door/last_person/config", 1)
	l.Wait(t, "homeassistant/binary_sensor/front_door/camera/config", 1)
	if got := l.Wait(t, "edge/front_door/availability", 1); got[len(got)-1] != "online" {
		t.Errorf("availability %q", got)
	}
	ev := l.Wait(t, "edge/front_door/event", 3)
	var e struct {
		Type     string  `json:"event_type"`
		Identity string  `json:"identity"`
		Distance float32 `json:"distance"`
		Time     string  `json:"time"`
	}
	if err := json.Unmarshal([]byte(ev[0]), &e); err != nil || e.Type != "recognised" || e.Identity != "ada" || e.Distance != 0.41 || e.Time != "2026-12-07T08:00:00Z" {
		t.Errorf("first event %s (%v)", ev[0], err)
	}
	if !strings.Contains(ev[1], `"event_type":"unknown"`) {
		t.Errorf("second event %s", ev[1])
	}
	if !strings.Contains(ev[2], `"event_type":"unknown"`) || strings.Contains(ev[2], "distance") {
		t.Errorf("an event at an infinite distance: %q", ev[2])
	}
	if got := l.Wait(t, "edge/front_door/last_person", 1); got[len(got)-1] != "ada" {
		t.Errorf("last person %q", got)
	}
	if got := l.Wait(t, "edge/front_door/camera", 1); got[len(got)-1] != "ON" {
		t.Errorf("camera %q", got)
	}
	p.Close()
	if got := l.Wait(t, "edge/front_door/availability", 2); got[len(got)-1] != "offline" {
		t.Errorf("availability after Close %q", got)
	}
}

// TestBrokerAway: with the broker killed mid-run, Offer still returns at
// once, the queue keeps the newest events and counts the dropped ones,
// and once the broker is back the publisher reconnects and sends them.
func TestBrokerAway(t *testing.T) {
	b := mqtttest.Start(t)
	p, err := New(Config{Broker: b.URL(), Node: "door", Queue: 3, MaxBackoff: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for deadline := time.Now().Add(5 * time.Second); !p.Connected(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("not connected within 5 s")
		}
	}
	b.Stop()
	for deadline := time.Now().Add(5 * time.Second); p.Connected(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("still connected 5 s after the broker died")
		}
	}
	start := time.Now()
	for i := 0; i < 5; i++ {
		p.Offer(Event{Time: time.Unix(int64(i), 0), Kind: Unknown, Distance: float32(i)})
	}
	if d := time.Since(start); d > 50*time.Millisecond {
		t.Errorf("five offers without a broker took %v", d)
	}
	if p.Dropped() != 2 {
		t.Errorf("dropped %d, want 2 (queue of 3, 5 events)", p.Dropped())
	}
	b.Restart()
	l := mqtttest.Listen(t, b.URL())
	ev := l.Wait(t, "edge/door/event", 3)
	for i, want := range []string{`"distance":2`, `"distance":3`, `"distance":4`} {
		if !strings.Contains(ev[i], want) {
			t.Errorf("event %d after the reconnection: %s, want %s", i, ev[i], want)
		}
	}
}

// TestConfigChecked: no broker and hostile node names are refused.
func TestConfigChecked(t *testing.T) {
	for _, c := range []Config{{Node: "door"}, {Broker: "tcp://x:1", Node: ""}, {Broker: "tcp://x:1", Node: "door/+/#"},
		{Broker: "tcp://x:1", Node: "door\u202e"}, {Broker: "tcp://x:1", Node: strings.Repeat("a", 65)}} {
		if _, err := New(c); err == nil {
			t.Errorf("%+v accepted", c)
		}
	}
}

// TestNoBrokerAtStart: with no broker listening, New and Offer return at
// once and Close does not hang: the door does not wait for Home
// Assistant.
func TestNoBrokerAtStart(t *testing.T) {
	start := time.Now()
	p, err := New(Config{Broker: "tcp://127.0.0.1:1", Node: "door", Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	p.Offer(Event{Time: time.Now(), Kind: ExitButton})
	p.Camera(false)
	if p.Connected() {
		t.Error("connected to nothing")
	}
	p.Close()
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("New, Offer and Close without a broker took %v", d)
	}
}

// TestSnapshots: with Snapshots on, the door announces a camera entity
// and publishes the face of an event as a retained JPEG of the box.
func TestSnapshots(t *testing.T) {
	b := mqtttest.Start(t)
	l := mqtttest.Listen(t, b.URL())
	p, err := New(Config{Broker: b.URL(), Node: "gate", Snapshots: true})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	frame := image.NewGray(image.Rect(0, 0, 64, 48))
	for i := range frame.Pix {
		frame.Pix[i] = 200
	}
	p.Snapshot(frame, image.Rect(10, 5, 42, 37))
	if cfg := l.Wait(t, "homeassistant/camera/gate/snapshot/config", 1); !strings.Contains(cfg[0], `"topic":"edge/gate/snapshot"`) {
		t.Errorf("camera config %s", cfg[0])
	}
	snap := l.Wait(t, "edge/gate/snapshot", 1)
	img, err := jpeg.Decode(strings.NewReader(snap[0]))
	if err != nil {
		t.Fatal(err)
	}
	if img.Bounds().Dx() != 32 || img.Bounds().Dy() != 32 {
		t.Errorf("snapshot %v, want the 32×32 box", img.Bounds())
	}
}

// TestUnlockCommand: with Unlock set, a command on edge/N/unlock/set
// reaches it, a retained one never does, and the discovery configuration
// says nothing of it.
func TestUnlockCommand(t *testing.T) {
	b := mqtttest.Start(t)
	l := mqtttest.Listen(t, b.URL())
	// a retained command left on the broker before the door connects
	if tok := l.Publish("edge/door/unlock/set", true, "old"); tok != nil {
		t.Fatal(tok)
	}
	got := make(chan string, 4)
	p, err := New(Config{Broker: b.URL(), Node: "door", Unlock: func(payload []byte) { got <- string(payload) }})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	l.Wait(t, "edge/door/availability", 1)
	if err := l.Publish("edge/door/unlock/set", false, "now"); err != nil {
		t.Fatal(err)
	}
	select {
	case s := <-got:
		if s != "now" {
			t.Errorf("first command %q, want now (the retained one must be ignored)", s)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no command within 5 s")
	}
	for _, topic := range []string{"homeassistant/event/door/decision/config", "homeassistant/sensor/door/last_person/config"} {
		if c := l.Wait(t, topic, 1); strings.Contains(c[0], "unlock/set") {
			t.Errorf("%s names the unlock topic: %s", topic, c[0])
		}
	}
}
