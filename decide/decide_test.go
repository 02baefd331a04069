package decide

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 28, 15, 0, 0, 0, time.UTC)

const step = 100 * time.Millisecond

// frames parses a script of frames, one token each, 100 ms apart:
//
//	.     no face
//	?     a face the recogniser did not name (distance 0.9, over the threshold)
//	a     identity a, distance 0.5 (under the threshold 1)
//	a=    identity a at the threshold exactly (a match)
//	a!    identity a, distance 1.5: over the threshold
//	a~    identity a, distance NaN
//	?0    a face, no name, distance 0 (not a match: no identity)
//
// A prefix "+5s:" or "-1s:" replaces the 100 ms step before that frame.
func frames(t *testing.T, script string) []Frame {
	t.Helper()
	var out []Frame
	at := t0
	for i, tok := range strings.Fields(script) {
		d := step
		if i == 0 {
			d = 0
		}
		if j := strings.IndexByte(tok, ':'); j >= 0 {
			var err error
			if d, err = time.ParseDuration(tok[:j]); err != nil {
				t.Fatalf("token %q: %v", tok, err)
			}
			tok = tok[j+1:]
		}
		at = at.Add(d)
		f := Frame{Time: at, Threshold: 1, Distance: float32(math.NaN())}
		switch {
		case tok == ".":
		case tok == "?":
			f.Face, f.Distance = true, 0.9
		case tok == "?0":
			f.Face, f.Distance = true, 0
		case strings.HasSuffix(tok, "="):
			f.Identity, f.Distance = tok[:len(tok)-1], 1
		case strings.HasSuffix(tok, "!"):
			f.Identity, f.Distance = tok[:len(tok)-1], 1.5
		case strings.HasSuffix(tok, "~"):
			f.Identity = tok[:len(tok)-1]
		default:
			f.Identity, f.Distance = tok, 0.5
		}
		out = append(out, f)
	}
	return out
}

var reasonCode = map[Reason]string{NoFace: "n", Stranger: "s", Matching: "m", Unlock: "U", Cooldown: "c", RateLimited: "r", ClockBack: "b"}

// code writes a decision as the tests expect it: the reason's letter,
// then "*" if it ended a failed attempt.
func code(d Decision) string {
	c := reasonCode[d.Reason]
	if d.AttemptFailed {
		c += "*"
	}
	return c
}

func run(t *testing.T, cfg Config, script string) ([]Decision, string) {
	t.Helper()
	d, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var ds []Decision
	var codes []string
	for _, f := range frames(t, script) {
		dec := d.Observe(f)
		if dec.Unlock != (dec.Reason == Unlock) {
			t.Fatalf("Unlock %v with reason %v", dec.Unlock, dec.Reason)
		}
		ds = append(ds, dec)
		codes = append(codes, code(dec))
	}
	return ds, strings.Join(codes, " ")
}

// base is 3 of 5, a 1 s cooldown and at most 2 failed attempts in 10 s.
var base = Config{K: 3, N: 5, Cooldown: time.Second, MaxAttempts: 2, AttemptPeriod: 10 * time.Second}

func TestSequences(t *testing.T) {
	kn := func(k, n int) Config { c := base; c.K, c.N, c.MaxAttempts = k, n, 0; return c }
	noCap := kn(3, 5)
	tests := []struct {
		name   string
		cfg    Config
		script string
		want   string
	}{
		{"three in a row", base, "a a a", "m m U"},
		{"3 of 5 with gaps", base, "a . a . a", "m n m n U"},
		{"too sparse", noCap, "a . . a . . a . . a", "m n n m n* n m n n m"},
		{"at the threshold matches", base, "a= a= a=", "m m U"},
		{"over the threshold never", noCap, "a! a! a! a! a! a! a! a! a! a!", "s s s s s* s s s s s*"},
		{"NaN never", noCap, "a~ a~ a~ a~ a~", "s s s s s*"},
		{"no name never, even at distance 0", noCap, "?0 ?0 ?0 ?0 ?0", "s s s s s*"},
		{"strangers between matches", base, "a ? a ? a", "m s m s U"},
		{"another identity does not add up", base, "a b a b c", "m m m m m*"},
		{"three rotating identities never reach 3 of 5", noCap, "a b c a b c a b c a b c", "m m m m m* m m m m m* m m"},
		{"two alternating never reach 4 of 5", kn(4, 5), "a b a b a b a b a b", "m m m m m* m m m m m*"},
		{"two alternating: 3 of 5 is a's", base, "a b a b a", "m m m m U"},
		{"1 of 1", kn(1, 1), ". a", "n U"},
		{"K = N needs every frame", kn(5, 5), "a a a a . a a a a a", "m m m m n* m m m m U"},

		// Cooldown [unlock, unlock+1s): frames 100 ms apart.
		{"cooldown boundaries", base, "a a a  a a a a a a a a a  a a a", "m m U  c c c c c c c c c  m m U"},
		{"cooldown: the window starts empty", base, "a a a +1s:a a", "m m U m m"},
		{"cooldown survives the clock going back", base, "a a a -10s:a +500ms:a +400ms:a +100ms:a", "m m U b c c m"},

		// The clock.
		{"clock back drops the window", base, "a a -1s:a a a a", "m m b m m U"},
		{"clock back drops the attempt", noCap, "? ? ? -1s:? ? ? ? ? ?", "s s s b s s s s s*"},
		{"a gap empties the window", base, "a a +3s:a a a", "m m m m U"},
		{"a gap drops the attempt", noCap, "? ? ? +3s:? ? ? ? ?", "s s s s s s s s*"},
		{"a gap under MaxGap keeps it", base, "a a +2s:a", "m m U"},
		{"same time twice is not back", base, "a +0s:a +0s:a", "m m U"},

		// Attempts and the cap (2 in 10 s).
		{"an attempt ends after N frames", base, "? . . . .", "s n n n n*"},
		{"no face, no attempt", base, ". . . . . . . . . .", "n n n n n n n n n n"},
		{"an unlock is no failed attempt", base, "? ? a a a", "s s m m U"},
		{"late unlock after a failed attempt", noCap, "? ? ? a a a", "s s s m m* U"},
		{"stranger flood hits the cap", base, "? ? ? ? ? ? ? ? ? ? ? a a a", "s s s s s* s s s s s* r r r r"},
		// The first failure is at 0.4 s, so the lockout lifts at 10.4 s.
		{"the cap lifts", base, "? ? ? ? ? ? ? ? ? ? +9s:a +499ms:a +1ms:a a a", "s s s s s* s s s s s* r r m m U"},
		{"no cap", noCap, "? ? ? ? ? ? ? ? ? ? ? ? ? ? ?", "s s s s s* s s s s s* s s s s s*"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, got := run(t, tc.cfg, tc.script)
			if want := strings.Join(strings.Fields(tc.want), " "); got != want {
				t.Errorf("%s\n got  %s\n want %s", tc.script, got, want)
			}
		})
	}
}

func TestDecisionFields(t *testing.T) {
	ds, _ := run(t, base, ". . ? ? a a a a")
	type want struct {
		changed  bool
		identity string
		matches  int
	}
	wants := []want{{true, "", 0}, {false, "", 0}, {true, "", 0}, {false, "", 0}, {true, "a", 1}, {false, "a", 2}, {true, "a", 3}, {true, "a", 0}}
	for i, w := range wants {
		d := ds[i]
		if d.Changed != w.changed || d.Identity != w.identity || d.Matches != w.matches {
			t.Errorf("frame %d (%v): Changed %v, Identity %q, Matches %d; want %v, %q, %d", i, d.Reason, d.Changed, d.Identity, d.Matches, w.changed, w.identity, w.matches)
		}
	}
	if !ds[6].Unlock || ds[6].Distance != 0.5 {
		t.Errorf("unlock frame: %+v", ds[6])
	}
	if ds[7].Reason != Cooldown || ds[7].Identity != "a" {
		t.Errorf("cooldown frame: %+v, want the unlocking identity", ds[7])
	}
}

func TestFailedAttemptBest(t *testing.T) {
	ds, codes := run(t, base, "b! . ? b~ c!  ? ? ? ? ?  ? ? ? ? ?")
	if codes != "s n s s s* s s s s s* r r r r r" {
		t.Fatal(codes)
	}
	if d := ds[4]; d.Best != (Candidate{Identity: "", Distance: 0.9}) {
		t.Errorf("best of the first attempt: %+v, want the unnamed face at 0.9", d.Best)
	}
	if d := ds[4]; d.Attempts != 1 {
		t.Errorf("Attempts %d after the first failure", d.Attempts)
	}
	if d := ds[9]; d.Attempts != 2 || d.Best.Identity != "" {
		t.Errorf("second failure: %+v", d)
	}
	if d := ds[10]; d.Attempts != 2 || !d.Changed {
		t.Errorf("rate limited: %+v", d)
	}
	// A named identity is the best when it came closest.
	ds, _ = run(t, base, "b! c! . . .")
	if d := ds[4]; d.Best != (Candidate{Identity: "b", Distance: 1.5}) {
		t.Errorf("best: %+v", d.Best)
	}
	ds, _ = run(t, base, "? . . . .")
	if d := ds[4]; d.Best.Identity != "" || d.Best.Distance != 0.9 {
		t.Errorf("best: %+v", d.Best)
	}
	ds, _ = run(t, base, "a~ . . . .")
	if d := ds[4]; !isNaN(d.Best.Distance) {
		t.Errorf("best without a distance: %+v", d.Best)
	}
}

// TestRateLimitedFramesDoNotExtend: frames refused by the cap do not
// count as attempts, so the lockout ends AttemptPeriod after the
// failures, however long the stranger stays.
func TestRateLimitedFramesDoNotExtend(t *testing.T) {
	d, err := New(base)
	if err != nil {
		t.Fatal(err)
	}
	var failures []time.Duration
	at := t0
	for i := 0; i < 400; i++ { // 40 s of a stranger
		dec := d.Observe(Frame{Time: at, Face: true, Distance: 2, Threshold: 1})
		if dec.Unlock {
			t.Fatal("a stranger unlocked")
		}
		if dec.AttemptFailed {
			failures = append(failures, at.Sub(t0))
		}
		at = at.Add(step)
	}
	// Two failures, locked out until 10 s after the first, again.
	ms := time.Millisecond
	want := []time.Duration{400 * ms, 900 * ms, 10800 * ms, 11300 * ms, 21200 * ms, 21700 * ms, 31600 * ms, 32100 * ms}
	if len(failures) != len(want) {
		t.Fatalf("failures at %v, want %v", failures, want)
	}
	for i := range want {
		if failures[i] != want[i] {
			t.Fatalf("failures at %v, want %v", failures, want)
		}
	}
}

func TestReset(t *testing.T) {
	d, _ := New(base)
	fs := frames(t, "a a a")
	d.Observe(fs[0])
	d.Observe(fs[1])
	d.Reset()
	if dec := d.Observe(fs[2]); dec.Reason != Matching || dec.Matches != 1 {
		t.Errorf("after Reset: %+v", dec)
	}
}

func TestConfig(t *testing.T) {
	d, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	got := d.Config()
	if got.K != 3 || got.N != 5 || got.AttemptPeriod != time.Minute || got.MaxGap != 2*time.Second || got.Cooldown != 0 || got.MaxAttempts != 0 {
		t.Errorf("defaults: %+v", got)
	}
	if _, err := New(DefaultConfig); err != nil {
		t.Errorf("DefaultConfig: %v", err)
	}
	for _, bad := range []Config{
		{K: 0, N: 5}, {K: 6, N: 5}, {K: -1, N: 5}, {K: 1, N: MaxN + 1},
		{K: 3, N: 5, Cooldown: -1}, {K: 3, N: 5, MaxAttempts: -1}, {K: 3, N: 5, MaxAttempts: MaxMaxAttempts + 1},
		{K: 3, N: 5, AttemptPeriod: -1},
	} {
		if _, err := New(bad); err == nil {
			t.Errorf("New(%+v) accepted", bad)
		}
	}
	if _, err := New(Config{K: 3, N: 5, MaxGap: -1}); err != nil {
		t.Errorf("MaxGap < 0 (never): %v", err)
	}
}

func TestReasonString(t *testing.T) {
	for r, want := range map[Reason]string{NoFace: "no_face", Stranger: "stranger", Matching: "matching", Unlock: "unlock", Cooldown: "cooldown", RateLimited: "rate_limited", ClockBack: "clock_back", 99: "Reason(99)"} {
		if got := r.String(); got != want {
			t.Errorf("%d: %q, want %q", r, got, want)
		}
	}
}

// TestRandomAgainstReference runs long random streams against a
// straightforward model of the rules (no cap, so that it stays short):
// every decision must agree, and in particular no unlock without K
// real matches of one identity in the last N frames.
func TestRandomAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	ids := []string{"", "a", "b", "c"}
	for round := 0; round < 50; round++ {
		k := 1 + rng.IntN(4)
		n := k + rng.IntN(4)
		cfg := Config{K: k, N: n, Cooldown: time.Duration(rng.IntN(20)) * step, MaxGap: -1}
		d, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		var hist []string // the reference window, emptied like the rules say
		coolUntil := time.Time{}
		at := t0
		for i := 0; i < 500; i++ {
			id := ids[rng.IntN(len(ids))]
			dist := float32(rng.IntN(4)) * 0.4 // 0, 0.4, 0.8 match; 1.2 does not
			f := Frame{Time: at, Identity: id, Face: id != "" || rng.IntN(2) == 0, Distance: dist, Threshold: 1}
			got := d.Observe(f)

			var want Reason
			switch {
			case at.Before(coolUntil):
				want = Cooldown
			default:
				m := ""
				if id != "" && dist <= 1 {
					m = id
				}
				hist = append(hist, m)
				if len(hist) > n {
					hist = hist[1:]
				}
				cnt := 0
				for _, h := range hist {
					if m != "" && h == m {
						cnt++
					}
				}
				switch {
				case m != "" && cnt >= k:
					want = Unlock
					hist, coolUntil = nil, at.Add(cfg.Cooldown)
				case m != "":
					want = Matching
				case f.Face:
					want = Stranger
				default:
					want = NoFace
				}
			}
			if got.Reason != want {
				t.Fatalf("round %d (%d of %d), frame %d %+v: %v, want %v", round, k, n, i, f, got.Reason, want)
			}
			at = at.Add(step)
		}
	}
}

func TestZeroAllocs(t *testing.T) {
	d, _ := New(DefaultConfig)
	fs := frames(t, ". ? a b a a a . ? a! a~ -1s:a a +3s:a ? ? ? ? ? ? ? ? ? ? ? ? ? ? ? ? ? ? ? ? ? ?")
	var lim LogLimiter
	lim.Every, lim.Burst = time.Second, 3
	i := 0
	allocs := testing.AllocsPerRun(1000, func() {
		f := fs[i%len(fs)]
		f.Time = f.Time.Add(time.Duration(i/len(fs)) * time.Hour) // keep time moving forward
		dec := d.Observe(f)
		if dec.Changed {
			lim.Allow(f.Time)
		}
		i++
	})
	if allocs != 0 {
		t.Errorf("%v allocations per frame, want 0", allocs)
	}
}

func BenchmarkObserve(b *testing.B) {
	d, _ := New(DefaultConfig)
	f := Frame{Time: t0, Identity: "ada", Distance: 0.5, Threshold: 1}
	b.ReportAllocs()
	for b.Loop() {
		f.Time = f.Time.Add(step)
		d.Observe(f)
	}
}

// A face that matches but fails the liveness check is never a match: no
// number of such frames unlocks, each attempt of them fails naming the
// identity, and the cap on attempts applies to them as to strangers.
func TestNotLiveNeverUnlocks(t *testing.T) {
	d, err := New(Config{K: 3, N: 5, MaxAttempts: 2, AttemptPeriod: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Unix(1000, 0)
	failed := 0
	for i := 0; i < 20; i++ {
		dec := d.Observe(Frame{Time: t0.Add(time.Duration(i) * 100 * time.Millisecond), Face: true, Identity: "ann", Distance: 0.1, Threshold: 0.5, NotLive: true})
		if dec.Unlock {
			t.Fatalf("frame %d: a face that failed liveness unlocked", i)
		}
		if dec.Reason != NotLive && dec.Reason != RateLimited {
			t.Fatalf("frame %d: reason %v, want not_live or rate_limited", i, dec.Reason)
		}
		if dec.AttemptFailed {
			failed++
			if dec.Best.Identity != "ann" {
				t.Errorf("failed attempt's best %q, want ann", dec.Best.Identity)
			}
		}
	}
	if failed != 2 {
		t.Errorf("%d failed attempts before the cap, want 2", failed)
	}
	// The same face, live, unlocks once the attempts have aged out.
	var dec Decision
	for i := 0; i < 3; i++ {
		dec = d.Observe(Frame{Time: t0.Add(2*time.Minute + time.Duration(i)*100*time.Millisecond), Face: true, Identity: "ann", Distance: 0.1, Threshold: 0.5})
	}
	if !dec.Unlock {
		t.Errorf("a live face after the lockout: %v, want unlock", dec.Reason)
	}
}

// Unproven matches count once a later live frame of the same identity
// vouches for them, and never on their own or for another identity.
func TestUnprovenNeedsALiveFrame(t *testing.T) {
	d, err := New(Config{K: 3, N: 5})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Unix(1000, 0)
	i := 0
	obs := func(id string, unproven bool) Decision {
		i++
		return d.Observe(Frame{Time: t0.Add(time.Duration(i) * 100 * time.Millisecond), Face: true, Identity: id, Distance: 0.1, Threshold: 0.5, Unproven: unproven})
	}
	for k := 0; k < 4; k++ {
		if dec := obs("ann", true); dec.Unlock || dec.Reason != NotLive {
			t.Fatalf("unproven frame %d: %v", k, dec.Reason)
		}
	}
	if dec := obs("bob", false); dec.Unlock {
		t.Fatal("bob's live frame unlocked on ann's unproven ones")
	}
	// A new attempt: two unproven frames of ann, then one live one: the
	// live frame vouches for both, three of five.
	d.Reset()
	obs("ann", true)
	obs("ann", true)
	if dec := obs("ann", false); !dec.Unlock || dec.Matches != 3 {
		t.Fatalf("ann's live frame after two unproven ones: %v with %d matches, want unlock with 3", dec.Reason, dec.Matches)
	}
}
