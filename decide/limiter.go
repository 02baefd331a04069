package decide

import "time"

// LogLimiter rate-limits log lines: a token bucket holding Burst
// tokens, one token back every Every. The service asks it before
// logging a Changed decision (an Unlock or a failed attempt is audited
// whatever it says). The zero value allows nothing; like a Decider it is
// pure, takes its time from the caller and allocates nothing.
type LogLimiter struct {
	Every time.Duration // one more line allowed per Every
	Burst int           // lines allowed at once

	started bool
	tokens  int
	last    time.Time // when the bucket last gained a token (or started)
	dropped int
}

// Allow reports whether a line may be logged at now, and counts it as
// dropped if not. A now before the last one (a clock stepped back)
// restarts the refill from now without adding tokens.
func (l *LogLimiter) Allow(now time.Time) bool {
	if !l.started {
		l.started, l.tokens, l.last = true, l.Burst, now
	}
	if now.Before(l.last) {
		l.last = now
	}
	if l.Every > 0 && l.tokens < l.Burst {
		if n := now.Sub(l.last) / l.Every; n > 0 {
			l.tokens = int(min(int64(l.Burst), int64(l.tokens)+int64(n)))
			l.last = l.last.Add(n * l.Every)
		}
	}
	if l.tokens <= 0 {
		l.dropped++
		return false
	}
	l.tokens--
	if l.tokens == l.Burst-1 {
		l.last = now // the refill starts when the bucket stops being full
	}
	return true
}

// Dropped returns how many lines Allow refused since the last call, and
// resets the count: log it with the next line that is allowed.
func (l *LogLimiter) Dropped() int {
	n := l.dropped
	l.dropped = 0
	return n
}
