// Package mqttpub publishes what the door decides to an MQTT broker, in
// the shape Home Assistant discovers by itself: an event entity (a face
// recognised, an unknown face, an attempt denied, the exit button), a
// sensor with the last person recognised, a binary sensor for the camera,
// and the door's availability through the broker's last will.
//
// The door never waits on the broker: Offer only puts an event in a
// bounded queue, and a goroutine of the Publisher sends it. While the
// broker is away the queue keeps the newest events and drops the oldest
// (counted: Dropped), and the client reconnects with a growing backoff;
// on every connection the discovery configuration and the states are
// published again (retained).
//
// Topics, for node N (Config.Node):
//
//	edge/N/availability  "online" / "offline" (retained; the last will)
//	edge/N/event         {"event_type": "recognised", "identity": …, "distance": …, "time": …}
//	edge/N/last_person   the name (retained)
//	edge/N/camera        "ON" / "OFF" (retained)
//	edge/N/snapshot      the face of the last event, JPEG (retained; with Config.Snapshots)
//	homeassistant/{event,sensor,binary_sensor}/N/…/config  (retained)
package mqttpub

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"math"
	"regexp"
	"sync"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
)

// Config says where and as whom to publish.
type Config struct {
	// Broker is the broker's URL: tcp://host:1883, ssl://host:8883.
	Broker   string
	Username string
	Password string
	// Node names the door in topics and to Home Assistant: letters,
	// digits, '_' and '-', at most 64.
	Node string
	// ClientID defaults to "edge-" + Node.
	ClientID string
	// Discovery is Home Assistant's discovery prefix (default
	// "homeassistant").
	Discovery string
	// Queue is how many events are kept while the broker cannot be
	// reached (default 64); beyond it the oldest are dropped.
	Queue int
	// Timeout bounds a connection attempt and a publication (default 5 s).
	Timeout time.Duration
	// MaxBackoff bounds the wait between reconnection attempts (default
	// 30 s); the first wait is 1 s.
	MaxBackoff time.Duration
	// Snapshots publishes the face of each event as a JPEG (retained),
	// with a camera entity for Home Assistant.
	Snapshots bool
	// Unlock, if set, is called with the payload of each message on
	// edge/N/unlock/set (not retained ones: an old command must not open
	// the door when the connection comes back). It runs on the client's
	// goroutine and must not block; authenticating the payload is the
	// caller's. Nothing about it goes into the discovery configuration.
	Unlock func(payload []byte)
}

// Kind is an event's type, as Home Assistant's event entity lists it.
type Kind string

// The kinds of event.
const (
	Recognised Kind = "recognised"    // an enrolled person: the door opened
	Unknown    Kind = "unknown"       // an attempt by a face nobody enrolled
	Denied     Kind = "denied"        // attempts refused by the rate limit
	ExitButton Kind = "exit_button"   // the exit button opened the door
	Remote     Kind = "remote_unlock" // a remote command opened the door
)

var kinds = []Kind{Recognised, Unknown, Denied, ExitButton, Remote}

// Event is one thing the door did.
type Event struct {
	Time     time.Time
	Kind     Kind
	Identity string  // with Recognised
	Distance float32 // the face's distance to the nearest enrolled one
}

var nodeRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// Publisher sends events to the broker; see the package comment.
type Publisher struct {
	c      Config
	base   string // edge/<node>
	client paho.Client

	mu      sync.Mutex
	queue   []Event // oldest first
	dropped uint64
	camera  string // "ON", "OFF" or "" (not known yet)
	last    string // the last person recognised
	dirty   bool   // camera or last changed since published
	closed  bool
	snap    *image.Gray // the latest snapshot not yet sent (Snapshot's copy)

	wake chan struct{} // capacity 1
	done chan struct{} // closed when the sender stops
}

// New checks c and starts connecting in the background; it does not wait
// for the broker.
func New(c Config) (*Publisher, error) {
	if c.Broker == "" {
		return nil, errors.New("mqtt: no broker")
	}
	if !nodeRE.MatchString(c.Node) {
		return nil, fmt.Errorf("mqtt: node %q: want 1 to 64 letters, digits, '_' or '-'", c.Node)
	}
	if c.ClientID == "" {
		c.ClientID = "edge-" + c.Node
	}
	if c.Discovery == "" {
		c.Discovery = "homeassistant"
	}
	if c.Queue <= 0 {
		c.Queue = 64
	}
	if c.Timeout <= 0 {
		c.Timeout = 5 * time.Second
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = 30 * time.Second
	}
	p := &Publisher{c: c, base: "edge/" + c.Node, wake: make(chan struct{}, 1), done: make(chan struct{})}
	o := paho.NewClientOptions().AddBroker(c.Broker).SetClientID(c.ClientID).
		SetUsername(c.Username).SetPassword(c.Password).
		SetWill(p.base+"/availability", "offline", 1, true).
		SetCleanSession(true).SetAutoReconnect(true).SetConnectRetry(true).
		SetConnectRetryInterval(time.Second).SetMaxReconnectInterval(c.MaxBackoff).
		SetConnectTimeout(c.Timeout).SetWriteTimeout(c.Timeout).SetOrderMatters(false).
		SetOnConnectHandler(func(paho.Client) { p.connected() })
	p.client = paho.NewClient(o)
	p.client.Connect() // retries in the background until Close
	go p.send()
	return p, nil
}

// Offer queues ev for the broker and returns at once: with the queue full
// the oldest event is dropped.
func (p *Publisher) Offer(ev Event) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	if len(p.queue) == p.c.Queue {
		copy(p.queue, p.queue[1:])
		p.queue = p.queue[:len(p.queue)-1]
		p.dropped++
	}
	p.queue = append(p.queue, ev)
	if ev.Kind == Recognised && ev.Identity != "" && ev.Identity != p.last {
		p.last, p.dirty = ev.Identity, true
	}
	p.mu.Unlock()
	p.poke()
}

// Camera sets the camera's state (published retained when it changes).
func (p *Publisher) Camera(ok bool) {
	s := "OFF"
	if ok {
		s = "ON"
	}
	p.mu.Lock()
	changed := s != p.camera
	if changed {
		p.camera, p.dirty = s, true
	}
	p.mu.Unlock()
	if changed {
		p.poke()
	}
}

// Snapshot keeps a copy of the face (box of frame, or the whole frame
// when box is empty) to publish as the latest snapshot, with Snapshots
// on; a newer one replaces one not yet sent. It only copies: the JPEG is
// made by the publisher's goroutine.
func (p *Publisher) Snapshot(frame *image.Gray, box image.Rectangle) {
	if !p.c.Snapshots || frame == nil {
		return
	}
	r := box.Intersect(frame.Rect)
	if r.Empty() {
		r = frame.Rect
	}
	g := image.NewGray(image.Rect(0, 0, r.Dx(), r.Dy()))
	for y := 0; y < r.Dy(); y++ {
		copy(g.Pix[y*g.Stride:][:r.Dx()], frame.Pix[frame.PixOffset(r.Min.X, r.Min.Y+y):][:r.Dx()])
	}
	p.mu.Lock()
	p.snap = g
	p.mu.Unlock()
	p.poke()
}

// Dropped is the number of events dropped from the full queue so far.
func (p *Publisher) Dropped() uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.dropped
}

// Connected reports whether the broker is reachable now.
func (p *Publisher) Connected() bool { return p.client.IsConnectionOpen() }

// Close sends what is queued if the broker is there (within the timeout),
// says "offline", and disconnects.
func (p *Publisher) Close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	p.mu.Unlock()
	p.poke()
	<-p.done
	if p.client.IsConnectionOpen() {
		p.publish(p.base+"/availability", true, "offline")
	}
	p.client.Disconnect(250)
}

func (p *Publisher) poke() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// connected is paho's connect handler: the discovery configuration and
// the states, again on every connection, then the queue.
func (p *Publisher) connected() {
	if p.c.Unlock != nil {
		p.client.Subscribe(p.base+"/unlock/set", 1, func(_ paho.Client, m paho.Message) {
			if !m.Retained() {
				p.c.Unlock(m.Payload())
			}
		})
	}
	for _, d := range p.discovery() {
		p.publish(d.topic, true, d.payload)
	}
	p.publish(p.base+"/availability", true, "online")
	p.mu.Lock()
	p.dirty = true
	p.mu.Unlock()
	p.poke()
}

// send is the Publisher's goroutine: it publishes the states and the
// queued events while the broker is connected, and stops after Close
// (once the queue is sent, or at once without a broker).
func (p *Publisher) send() {
	defer close(p.done)
	for {
		p.mu.Lock()
		closed := p.closed
		p.mu.Unlock()
		if p.client.IsConnectionOpen() {
			p.flush()
		}
		if closed {
			return
		}
		select {
		case <-p.wake:
		case <-time.After(time.Second): // the connection may have come back
		}
	}
}

// flush publishes the changed states, then the queue, oldest first; an
// event whose publication fails goes back to the front.
func (p *Publisher) flush() {
	p.mu.Lock()
	dirty, camera, last := p.dirty, p.camera, p.last
	p.dirty = false
	p.mu.Unlock()
	p.mu.Lock()
	snap := p.snap
	p.snap = nil
	p.mu.Unlock()
	if snap != nil {
		var b bytes.Buffer
		if jpeg.Encode(&b, snap, &jpeg.Options{Quality: 80}) == nil {
			if p.publish(p.base+"/snapshot", true, b.String()) != nil {
				p.mu.Lock()
				if p.snap == nil { // keep it for after the reconnection
					p.snap = snap
				}
				p.mu.Unlock()
			}
		}
	}
	if dirty {
		if camera != "" {
			p.publish(p.base+"/camera", true, camera)
		}
		if last != "" {
			p.publish(p.base+"/last_person", true, last)
		}
	}
	for {
		p.mu.Lock()
		if len(p.queue) == 0 {
			p.mu.Unlock()
			return
		}
		ev := p.queue[0]
		p.mu.Unlock()
		if err := p.publish(p.base+"/event", false, eventPayload(ev)); err != nil {
			return // kept at the front: sent after the reconnection
		}
		p.mu.Lock()
		if len(p.queue) > 0 && p.queue[0] == ev {
			p.queue = p.queue[1:]
		}
		p.mu.Unlock()
	}
}

func (p *Publisher) publish(topic string, retained bool, payload string) error {
	t := p.client.Publish(topic, 1, retained, payload)
	if !t.WaitTimeout(p.c.Timeout) {
		return fmt.Errorf("mqtt: publishing to %s: no answer within %v", topic, p.c.Timeout)
	}
	return t.Error()
}

// eventPayload is ev as JSON; a distance that is not a number JSON can
// carry (+Inf: nobody enrolled; NaN: none) is left out.
func eventPayload(ev Event) string {
	var d *float32
	if f := float64(ev.Distance); !math.IsNaN(f) && !math.IsInf(f, 0) {
		d = &ev.Distance
	}
	b, _ := json.Marshal(struct {
		Type     Kind     `json:"event_type"`
		Identity string   `json:"identity,omitempty"`
		Distance *float32 `json:"distance,omitempty"`
		Time     string   `json:"time"`
	}{ev.Kind, ev.Identity, d, ev.Time.UTC().Format(time.RFC3339Nano)})
	return string(b)
}

type config struct{ topic, payload string }

// discovery is Home Assistant's configuration of the door's entities.
func (p *Publisher) discovery() []config {
	n := p.c.Node
	device := map[string]any{"identifiers": []string{"edge_" + n}, "name": "edge " + n, "manufacturer": "edge",
		"model": "one-shot recognition at a door"}
	common := func(kind, object, name string, extra map[string]any) config {
		m := map[string]any{"name": name, "unique_id": "edge_" + n + "_" + object, "device": device,
			"availability_topic": p.base + "/availability"}
		for k, v := range extra {
			m[k] = v
		}
		b, _ := json.Marshal(m)
		return config{fmt.Sprintf("%s/%s/%s/%s/config", p.c.Discovery, kind, n, object), string(b)}
	}
	c := []config{
		common("event", "decision", "Door decision", map[string]any{"state_topic": p.base + "/event", "event_types": kinds}),
		common("sensor", "last_person", "Last person", map[string]any{"state_topic": p.base + "/last_person", "icon": "mdi:account"}),
		common("binary_sensor", "camera", "Camera", map[string]any{"state_topic": p.base + "/camera", "device_class": "connectivity",
			"entity_category": "diagnostic"}),
	}
	if p.c.Snapshots {
		c = append(c, common("camera", "snapshot", "Last face", map[string]any{"topic": p.base + "/snapshot"}))
	}
	return c
}
