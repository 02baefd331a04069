package sdnotify

import (
	"net"
	"path/filepath"
	"testing"
	"time"
)

func TestNotifications(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "notify")
	l, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	t.Setenv("NOTIFY_SOCKET", sock)
	n, err := New()
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	for _, step := range []struct {
		send func() error
		want string
	}{{n.Ready, "READY=1"}, {n.Watchdog, "WATCHDOG=1"}, {func() error { return n.Status("ok") }, "STATUS=ok"}, {n.Stopping, "STOPPING=1"}} {
		if err := step.send(); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 64)
		l.SetReadDeadline(time.Now().Add(time.Second))
		k, err := l.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		if got := string(buf[:k]); got != step.want {
			t.Errorf("got %q, want %q", got, step.want)
		}
	}
}

func TestNoSocketIsNoOp(t *testing.T) {
	t.Setenv("NOTIFY_SOCKET", "")
	n, err := New()
	if err != nil || n.Enabled() || n.Ready() != nil {
		t.Fatalf("without NOTIFY_SOCKET: %v %v", err, n.Enabled())
	}
}

func TestWatchdogInterval(t *testing.T) {
	t.Setenv("WATCHDOG_PID", "")
	t.Setenv("WATCHDOG_USEC", "10000000")
	if d, err := WatchdogInterval(); err != nil || d != 5*time.Second {
		t.Errorf("got %v %v, want 5s", d, err)
	}
	t.Setenv("WATCHDOG_USEC", "")
	if d, _ := WatchdogInterval(); d != 0 {
		t.Errorf("no watchdog: %v", d)
	}
	t.Setenv("WATCHDOG_USEC", "junk")
	if _, err := WatchdogInterval(); err == nil {
		t.Error("bad WATCHDOG_USEC accepted")
	}
}
