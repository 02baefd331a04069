// Package web is edge run's page and REST API, off unless configured:
// HTTPS (a self-signed certificate made into the state directory unless
// one is given), a password set with `edge passwd` (argon2id), sessions
// in HttpOnly, Secure, SameSite=Strict cookies with a CSRF token on every
// form, login attempts limited per address, bearer tokens (`edge token`)
// for the API, security headers, and bounded uploads. Nothing is served
// without a login but the login page itself.
//
// The page and the API only read the door's state and change the
// gallery; the door's loop never waits on them (Backend's methods run on
// the server's goroutines).
package web

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"image"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

// Backend is what the page shows and changes (cmd/edge wires the door's
// gallery, audit log and a network of its own).
type Backend interface {
	Status() Status
	People() ([]Person, error)
	Enroll(name string, img image.Image) (Person, error)
	Remove(name string) error
	Rename(old, new string) error
	Recognize(img image.Image) (Face, error)
	Events(n int) ([]Event, error)
	// EnrollFrames enrols name from the camera: it takes frames from
	// next until enough of them pass the quality gate, and says how many
	// it used and why it refused the others.
	EnrollFrames(ctx context.Context, name string, next func(*LiveFrame) error) (LiveEnrolment, error)
	// ReportWrong records that the door's match of identity at time t
	// was someone else ("not this person").
	ReportWrong(t time.Time, identity string) error
	// Crop returns the JPEG of an audit record's face crop.
	Crop(name string) ([]byte, error)
	// Thumb returns the JPEG thumbnail of an enrolled person, where the
	// owner has thumbnails kept.
	Thumb(name string) ([]byte, error)
}

// LiveEnrolment is what enrolment from the camera did.
type LiveEnrolment struct {
	Person  Person         `json:"person"`
	Used    int            `json:"used"`
	Refused map[string]int `json:"refused"` // by reason: small, dark, blurred, turned, no face
}

// Status is the door's state.
type Status struct {
	Model     string    `json:"model"`
	Threshold float32   `json:"threshold"`
	Camera    string    `json:"camera"`
	FPS       float64   `json:"fps"` // frames the door looked at a second, lately
	Started   time.Time `json:"started"`
	LastError string    `json:"last_error,omitempty"`
}

// Person is an enrolled identity.
type Person struct {
	Name   string `json:"name"`
	Photos int    `json:"photos"`
	// WrongMatches counts the matches of this person reported wrong
	// with "not this person".
	WrongMatches int  `json:"wrong_matches"`
	Thumb        bool `json:"thumbnail"` // a thumbnail is kept
}

// Face is what recognition made of an image's face.
type Face struct {
	Name     string  `json:"name,omitempty"` // "" when nobody enrolled is within the threshold
	Distance float32 `json:"distance"`
	Score    float32 `json:"score"` // the model's similarity score for the distance, 0–1
	Known    bool    `json:"known"`
}

// Event is one record of the audit log.
type Event struct {
	Time     time.Time `json:"time"`
	Decision string    `json:"decision"`
	Identity string    `json:"identity,omitempty"`
	Distance *float32  `json:"distance,omitempty"`
	Crop     string    `json:"crop,omitempty"` // the face crop's file name, where the audit keeps crops
}

// Config says where to listen and where the state is.
type Config struct {
	Listen   string // host:port
	StateDir string // the password, tokens and the generated certificate
	// CertFile and KeyFile: a certificate of one's own; "" makes (once)
	// a self-signed one in StateDir.
	CertFile, KeyFile string
	// Now is the clock of sessions and the login limit; nil is time.Now.
	Now func() time.Time
	// Live is the door's latest frame, for the live view and enrolment
	// from the camera; nil for none.
	Live *Live
	// Feed is the door's decisions, for the API's stream; nil for none.
	Feed *Feed
}

// MaxUpload bounds a request's body (an image to enrol or recognise).
const MaxUpload = 12 << 20

// sessionTTL is how long a login lasts.
const sessionTTL = 12 * time.Hour

// Server serves the page and the API.
type Server struct {
	c     Config
	b     Backend
	creds credentials
	sess  *sessions
	lim   *limiter
	mux   *http.ServeMux
}

// New checks c and builds the server.
func New(c Config, b Backend) (*Server, error) {
	if c.StateDir == "" {
		return nil, errors.New("web: no state directory")
	}
	if (c.CertFile == "") != (c.KeyFile == "") {
		return nil, errors.New("web: give both cert_file and key_file, or neither")
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	s := &Server{c: c, b: b, creds: credentials{c.StateDir}, sess: newSessions(sessionTTL, c.Now),
		lim: &limiter{fails: map[string][]time.Time{}, now: c.Now}, mux: http.NewServeMux()}
	s.routes()
	return s, nil
}

// Handler is the server's handler, security headers and body limit
// included (for tests through httptest).
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; form-action 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Strict-Transport-Security", "max-age=31536000")
		h.Set("Cache-Control", "no-store")
		r.Body = http.MaxBytesReader(w, r.Body, MaxUpload)
		s.mux.ServeHTTP(w, r)
	})
}

// Serve listens on Config.Listen over TLS until ctx ends.
func (s *Server) Serve(ctx context.Context) error {
	cert, key := s.c.CertFile, s.c.KeyFile
	if cert == "" {
		var err error
		if cert, key, err = selfSigned(s.c.StateDir, s.c.Now()); err != nil {
			return fmt.Errorf("web: certificate: %w", err)
		}
	}
	pair, err := tls.LoadX509KeyPair(cert, key)
	if err != nil {
		return fmt.Errorf("web: %w", err)
	}
	l, err := net.Listen("tcp", s.c.Listen)
	if err != nil {
		return fmt.Errorf("web: %w", err)
	}
	hs := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute,
		WriteTimeout: time.Minute, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10,
		TLSConfig: &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{pair}}}
	done := make(chan error, 1)
	go func() { done <- hs.ServeTLS(l, "", "") }()
	select {
	case err := <-done:
		return fmt.Errorf("web: %w", err)
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		hs.Shutdown(sctx)
		return nil
	}
}

// selfSigned returns the certificate and key files in dir, made on first
// use: ECDSA P-256, ten years, for the names the page is reached by.
func selfSigned(dir string, now time.Time) (cert, key string, err error) {
	cert, key = filepath.Join(dir, "web-cert.pem"), filepath.Join(dir, "web-key.pem")
	if _, err := os.Stat(cert); err == nil {
		return cert, key, nil
	}
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", "", err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return "", "", err
	}
	host, _ := os.Hostname()
	tmpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: "edge " + host},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(10, 0, 0),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames: []string{host, host + ".local", "localhost"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		return "", "", err
	}
	kb, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		return "", "", err
	}
	if err := writeAtomic(key, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb})); err != nil {
		return "", "", err
	}
	return cert, key, writeAtomic(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}
