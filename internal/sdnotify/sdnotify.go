// Package sdnotify speaks systemd's service notification protocol: a
// datagram such as "READY=1" or "WATCHDOG=1" sent to the unix socket named
// by $NOTIFY_SOCKET. Outside systemd (no $NOTIFY_SOCKET) every call is a
// no-op.
package sdnotify

import (
	"errors"
	"net"
	"os"
	"strconv"
	"time"
)

// Notifier sends notifications; the zero value (no socket) does nothing.
type Notifier struct {
	conn *net.UnixConn
}

// New connects to $NOTIFY_SOCKET if it is set. Abstract sockets ("@…")
// are supported.
func New() (*Notifier, error) {
	path := os.Getenv("NOTIFY_SOCKET")
	if path == "" {
		return &Notifier{}, nil
	}
	if path[0] == '@' {
		path = "\x00" + path[1:]
	}
	c, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		return nil, err
	}
	return &Notifier{conn: c}, nil
}

// Enabled reports whether notifications go anywhere.
func (n *Notifier) Enabled() bool { return n != nil && n.conn != nil }

func (n *Notifier) send(msg string) error {
	if !n.Enabled() {
		return nil
	}
	_, err := n.conn.Write([]byte(msg))
	return err
}

// Ready tells systemd the service has started (Type=notify).
func (n *Notifier) Ready() error { return n.send("READY=1") }

// Stopping tells systemd the service is shutting down.
func (n *Notifier) Stopping() error { return n.send("STOPPING=1") }

// Watchdog pings the watchdog (WatchdogSec=).
func (n *Notifier) Watchdog() error { return n.send("WATCHDOG=1") }

// Status sets the one-line status systemctl shows.
func (n *Notifier) Status(s string) error { return n.send("STATUS=" + s) }

// WatchdogInterval returns half the watchdog timeout systemd asked for
// ($WATCHDOG_USEC, for this process per $WATCHDOG_PID), or 0 when there is
// no watchdog.
func WatchdogInterval() (time.Duration, error) {
	us := os.Getenv("WATCHDOG_USEC")
	if us == "" {
		return 0, nil
	}
	if pid := os.Getenv("WATCHDOG_PID"); pid != "" && pid != strconv.Itoa(os.Getpid()) {
		return 0, nil
	}
	v, err := strconv.ParseInt(us, 10, 64)
	if err != nil || v <= 0 {
		return 0, errors.New("sdnotify: bad WATCHDOG_USEC")
	}
	return time.Duration(v) * time.Microsecond / 2, nil
}

// Close closes the socket.
func (n *Notifier) Close() error {
	if !n.Enabled() {
		return nil
	}
	return n.conn.Close()
}
