// Package mqtttest starts a real MQTT broker (Debian's mosquitto) for
// tests, and a client that records what is published.
package mqtttest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
)

// Broker is a real mosquitto (Debian's), on 127.0.0.1 at a free port,
// stopped when the test ends.
type Broker struct {
	t    *testing.T
	port int
	conf string
	cmd  *exec.Cmd
}

// Start starts a broker, or fails the test where mosquitto is missing.
func Start(t *testing.T) *Broker {
	t.Helper()
	if _, err := exec.LookPath("mosquitto"); err != nil {
		t.Fatalf("mosquitto not installed (Debian package mosquitto; make deps installs it): %v", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	conf := filepath.Join(t.TempDir(), "mosquitto.conf")
	os.WriteFile(conf, []byte(fmt.Sprintf("listener %d 127.0.0.1\nallow_anonymous true\npersistence false\n", port)), 0o644)
	b := &Broker{t: t, port: port, conf: conf}
	b.Restart()
	t.Cleanup(b.Stop)
	return b
}

// URL is the broker's address for clients.
func (b *Broker) URL() string { return fmt.Sprintf("tcp://127.0.0.1:%d", b.port) }

// Restart starts the broker again after Stop (Start starts it once).
func (b *Broker) Restart() {
	b.t.Helper()
	b.cmd = exec.Command("mosquitto", "-c", b.conf)
	if err := b.cmd.Start(); err != nil {
		b.t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", b.port)); err == nil {
			c.Close()
			return
		}
	}
	b.t.Fatal("mosquitto did not listen within 5 s")
}

// Stop kills the broker, as a crash would.
func (b *Broker) Stop() {
	if b.cmd != nil && b.cmd.Process != nil {
		b.cmd.Process.Kill()
		b.cmd.Wait()
		b.cmd = nil
	}
}

// Listener subscribes to every topic and keeps the messages by topic.
type Listener struct {
	mu   sync.Mutex
	msgs map[string][]string
	c    paho.Client
}

// Listen connects a Listener to the broker at url.
func Listen(t *testing.T, url string) *Listener {
	t.Helper()
	l := &Listener{msgs: map[string][]string{}}
	o := paho.NewClientOptions().AddBroker(url).SetClientID(fmt.Sprintf("test-%d", time.Now().UnixNano())).SetAutoReconnect(true).
		SetOnConnectHandler(func(c paho.Client) {
			c.Subscribe("#", 1, func(_ paho.Client, m paho.Message) {
				l.mu.Lock()
				l.msgs[m.Topic()] = append(l.msgs[m.Topic()], string(m.Payload()))
				l.mu.Unlock()
			})
		})
	l.c = paho.NewClient(o)
	if tok := l.c.Connect(); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		t.Fatalf("test client: %v", tok.Error())
	}
	t.Cleanup(func() { l.c.Disconnect(100) })
	return l
}

// Wait returns the messages of topic once there are at least n, failing
// after 10 s.
func (l *Listener) Wait(t *testing.T, topic string, n int) []string {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		l.mu.Lock()
		m := append([]string(nil), l.msgs[topic]...)
		l.mu.Unlock()
		if len(m) >= n {
			return m
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	t.Fatalf("%s: %d messages within 10 s, want %d; all: %v", topic, len(l.msgs[topic]), n, l.msgs)
	return nil
}

// Publish publishes payload on topic (QoS 1) and waits for the broker.
func (l *Listener) Publish(topic string, retained bool, payload string) error {
	tok := l.c.Publish(topic, 1, retained, payload)
	if !tok.WaitTimeout(5 * time.Second) {
		return fmt.Errorf("publishing to %s: no answer within 5 s", topic)
	}
	return tok.Error()
}
