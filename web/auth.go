package web

// The credentials of the page and the API: one password (argon2id, in
// the state directory), bearer tokens for the API (only their SHA-256
// kept), sessions with a CSRF token each, and a limit on login attempts.

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/edge-pi/edge/internal/safefile"
)

// Files in the state directory.
const (
	PasswordFile = "web-password" // the password's argon2id hash
	TokensFile   = "web-tokens"   // one "name sha256hex" per line
)

// argon2id parameters (RFC 9106's second recommendation, with less
// memory for a Pi 3's 1 GB: 64 MiB, 3 passes, 2 lanes, about 0.3 s on a
// Pi 4).
const (
	argonTime    = 3
	argonMemory  = 64 << 10 // KiB
	argonThreads = 2
	argonKeyLen  = 32
	minPassword  = 10
	maxPassword  = 1024
)

// HashPassword returns the PHC string of pw's argon2id hash with a fresh
// salt.
func HashPassword(pw string) (string, error) {
	if len(pw) < minPassword || len(pw) > maxPassword {
		return "", fmt.Errorf("a password of %d to %d bytes, please", minPassword, maxPassword)
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// checkPassword reports whether pw matches the PHC string h, in time
// independent of where they differ.
func checkPassword(h, pw string) bool {
	f := strings.Split(h, "$")
	if len(f) != 6 || f[1] != "argon2id" || f[2] != fmt.Sprintf("v=%d", argon2.Version) || len(pw) > maxPassword {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(f[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || m > 1<<20 || t == 0 || t > 16 || p == 0 {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(f[4])
	key, err2 := b64.DecodeString(f[5])
	if err1 != nil || err2 != nil || len(key) == 0 || len(key) > 64 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1
}

// SetPassword stores pw's hash in dir (0600, written atomically).
func SetPassword(dir, pw string) error {
	h, err := HashPassword(pw)
	if err != nil {
		return err
	}
	return writeAtomic(filepath.Join(dir, PasswordFile), []byte(h+"\n"))
}

// NewToken creates an API token called name, stores its SHA-256 in dir
// and returns the token (shown once).
func NewToken(dir, name string) (string, error) {
	if name == "" || strings.ContainsAny(name, " \t\r\n") || len(name) > 64 {
		return "", errors.New("a token name of 1 to 64 characters without spaces, please")
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	tok := "edge_" + base64.RawURLEncoding.EncodeToString(raw)
	sum := sha256.Sum256([]byte(tok))
	path := filepath.Join(dir, TokensFile)
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	if len(old) > 1<<20 {
		return "", fmt.Errorf("%s: too many tokens", path)
	}
	line := name + " " + hex.EncodeToString(sum[:]) + "\n"
	return tok, writeAtomic(path, append(old, line...))
}

// writeAtomic writes data to path atomically, mode 0600, and only over a
// regular file (safefile.WriteFile).
func writeAtomic(path string, data []byte) error {
	return safefile.WriteFile(path, 0o600, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// credentials are read from the state directory on each check, so that
// `edge passwd` and `edge token` take effect without a restart.
type credentials struct{ dir string }

// hashing bounds the password checks at once: each takes argon2's 64
// MiB, and a flood of logins must not take a Pi's memory from the door.
var hashing = make(chan struct{}, 2)

func (c credentials) password(pw string) bool {
	b, err := os.ReadFile(filepath.Join(c.dir, PasswordFile))
	if err != nil {
		return false
	}
	hashing <- struct{}{}
	defer func() { <-hashing }()
	return checkPassword(strings.TrimSpace(string(b)), pw)
}

func (c credentials) hasPassword() bool {
	_, err := os.Stat(filepath.Join(c.dir, PasswordFile))
	return err == nil
}

// token returns the name of the token tok, if it is one.
func (c credentials) token(tok string) (string, bool) {
	if !strings.HasPrefix(tok, "edge_") || len(tok) > 128 {
		return "", false
	}
	b, err := os.ReadFile(filepath.Join(c.dir, TokensFile))
	if err != nil {
		return "", false
	}
	sum := sha256.Sum256([]byte(tok))
	want := hex.EncodeToString(sum[:])
	for _, l := range strings.Split(string(b), "\n") {
		name, h, ok := strings.Cut(l, " ")
		if ok && subtle.ConstantTimeCompare([]byte(h), []byte(want)) == 1 {
			return name, true
		}
	}
	return "", false
}

// session is a logged-in browser.
type session struct {
	csrf    string
	expires time.Time
}

// sessions holds the live sessions, in memory: a restart logs everyone
// out.
type sessions struct {
	mu  sync.Mutex
	m   map[string]session
	ttl time.Duration
	now func() time.Time
}

func newSessions(ttl time.Duration, now func() time.Time) *sessions {
	return &sessions{m: map[string]session{}, ttl: ttl, now: now}
}

func randomID() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// start opens a session and returns its ID.
func (s *sessions) start() (id string, sess session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for k, v := range s.m { // drop the expired
		if now.After(v.expires) {
			delete(s.m, k)
		}
	}
	if len(s.m) >= 64 { // a bound: the oldest goes
		var oldest string
		for k, v := range s.m {
			if oldest == "" || v.expires.Before(s.m[oldest].expires) {
				oldest = k
			}
		}
		delete(s.m, oldest)
	}
	id, sess = randomID(), session{csrf: randomID(), expires: now.Add(s.ttl)}
	s.m[id] = sess
	return id, sess
}

func (s *sessions) get(id string) (session, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[id]
	if !ok || s.now().After(v.expires) {
		delete(s.m, id)
		return session{}, false
	}
	return v, true
}

func (s *sessions) end(id string) {
	s.mu.Lock()
	delete(s.m, id)
	s.mu.Unlock()
}

// limiter refuses logins from an address after maxFails failures within
// window.
type limiter struct {
	mu    sync.Mutex
	fails map[string][]time.Time
	now   func() time.Time
}

const (
	maxFails   = 5
	failWindow = time.Minute
)

func (l *limiter) allowed(addr string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	kept := l.fails[addr][:0]
	for _, t := range l.fails[addr] {
		if now.Sub(t) < failWindow {
			kept = append(kept, t)
		}
	}
	l.fails[addr] = kept
	return len(kept) < maxFails
}

func (l *limiter) failed(addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.fails) > 4096 { // a bound on the addresses remembered
		clear(l.fails)
	}
	l.fails[addr] = append(l.fails[addr], l.now())
}
