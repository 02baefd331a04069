package main

import (
	"strings"
	"testing"
	"time"

	"github.com/edge-pi/edge/service"
)

// TestUnlockHandler: the right token (JSON or bare) asks the loop to
// open; a wrong one asks it to record a refusal, five a minute at most;
// a long payload is no token; who asked reaches the audit without
// control characters.
func TestUnlockHandler(t *testing.T) {
	const token = "0123456789abcdefXYZ"
	now := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
	remote := make(chan service.RemoteUnlock, 1)
	h := unlockHandler(token, remote, func() time.Time { return now })
	take := func() (service.RemoteUnlock, bool) {
		select {
		case r := <-remote:
			return r, true
		default:
			return service.RemoteUnlock{}, false
		}
	}
	h([]byte(`{"token": "` + token + `", "by": "ha\u202e\n"}`))
	if r, ok := take(); !ok || r.Refused || r.By != "mqtt: ha" {
		t.Errorf("right token in JSON: %+v %v", r, ok)
	}
	h([]byte(token))
	if r, ok := take(); !ok || r.Refused || r.By != "mqtt" {
		t.Errorf("bare right token: %+v %v", r, ok)
	}
	h([]byte(strings.Repeat("x", 5000)))
	if r, ok := take(); !ok || !r.Refused {
		t.Errorf("a 5000-byte payload: %+v %v", r, ok)
	}
	heard := 1 // the long payload was the first wrong one
	for i := 0; i < 6; i++ {
		h([]byte(`{"token": "guess"}`))
		if r, ok := take(); ok {
			if !r.Refused {
				t.Fatal("a wrong token was taken for the right one")
			}
			heard++
		}
	}
	if heard != maxBadCommands {
		t.Errorf("%d wrong tokens heard within a minute, want %d", heard, maxBadCommands)
	}
	now = now.Add(time.Minute)
	h([]byte(`{"token": "guess"}`))
	if r, ok := take(); !ok || !r.Refused {
		t.Errorf("a minute later a wrong token is heard again: %+v %v", r, ok)
	}
	h([]byte(token)) // the right token is never limited
	if r, ok := take(); !ok || r.Refused {
		t.Errorf("the right token after wrong ones: %+v %v", r, ok)
	}
}
