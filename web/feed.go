package web

// The stream of the door's decisions for the API (server-sent events):
// the door's loop publishes without waiting; each subscriber has a
// bounded buffer, and a subscriber too slow to keep up loses events
// rather than holding anyone up.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// Decision is one event of the stream.
type Decision struct {
	Time     time.Time `json:"time"`
	Kind     string    `json:"event_type"` // recognised, unknown, denied, exit_button
	Identity string    `json:"identity,omitempty"`
	Distance *float32  `json:"distance,omitempty"` // nil where there is none (nobody enrolled)
}

// Feed fans decisions out to the stream's subscribers.
type Feed struct {
	mu   sync.Mutex
	subs map[chan Decision]struct{}
}

// NewFeed returns a Feed without subscribers.
func NewFeed() *Feed { return &Feed{subs: map[chan Decision]struct{}{}} }

// maxStreams bounds the subscribers at once.
const maxStreams = 16

// Publish hands d to every subscriber with room for it.
func (f *Feed) Publish(d Decision) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for c := range f.subs {
		select {
		case c <- d:
		default: // a slow reader loses it
		}
	}
}

func (f *Feed) subscribe() (chan Decision, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.subs) >= maxStreams {
		return nil, false
	}
	c := make(chan Decision, 32)
	f.subs[c] = struct{}{}
	return c, true
}

func (f *Feed) unsubscribe(c chan Decision) {
	f.mu.Lock()
	delete(f.subs, c)
	f.mu.Unlock()
}

// heartbeat keeps idle streams (and proxies) alive.
const heartbeat = 15 * time.Second

// apiStream serves the decisions as text/event-stream until the client
// goes away.
func (s *Server) apiStream(w http.ResponseWriter, r *http.Request) {
	if s.c.Feed == nil {
		apiError(w, http.StatusNotFound, "no_stream", "this door publishes no decisions")
		return
	}
	c, ok := s.c.Feed.subscribe()
	if !ok {
		apiError(w, http.StatusServiceUnavailable, "too_many_streams", fmt.Sprintf("at most %d streams at once", maxStreams))
		return
	}
	defer s.c.Feed.unsubscribe(c)
	rc := http.NewResponseController(w)
	rc.SetWriteDeadline(time.Time{})
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, ": edge decisions\n\n")
	rc.Flush()
	tick := time.NewTicker(heartbeat)
	defer tick.Stop()
	for {
		select {
		case d := <-c:
			b, _ := json.Marshal(d)
			if _, err := fmt.Fprintf(w, "event: decision\ndata: %s\n\n", b); err != nil {
				return
			}
		case <-tick.C:
			if _, err := fmt.Fprint(w, ": heartbeat\n\n"); err != nil {
				return
			}
		case <-r.Context().Done():
			return
		}
		if rc.Flush() != nil {
			return
		}
	}
}
