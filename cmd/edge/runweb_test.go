package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/edge-pi/edge/internal/edgedata"
)

// webDoor runs `edge run` with [web] on a free port over looping frames,
// with a password and an API token made by `edge passwd` and `edge
// token`; it returns the page's URL, an HTTPS client that trusts the
// certificate the service made, the token, and the state directory. The
// service stops when the test ends.
func webDoor(t *testing.T, model string) (base string, client *http.Client, token, state string) {
	t.Helper()
	att := edgedata.Dir(t, "att-faces/s2")
	frames := copyPhotos(t, att, 1, 3)
	state = t.TempDir()
	pwFile := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(pwFile, []byte("a door password\n"), 0o600)
	if code, _, stderr := edge(t, "passwd", "--state-dir", state, "--password-file", pwFile); code != exitOK {
		t.Fatal(stderr)
	}
	code, out, stderr := edge(t, "token", "--state-dir", state, "--name", "test")
	if code != exitOK {
		t.Fatal(stderr)
	}
	token = strings.TrimSpace(out)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cfg := filepath.Join(t.TempDir(), "edge.toml")
	os.WriteFile(cfg, []byte(fmt.Sprintf("[web]\nlisten = %q\nthumbnails = true\n[camera]\nloop = true\nfps = 5\n[audit]\ncrops = true\n", addr)), 0o644)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var runErr bytes.Buffer
	go func() {
		var o bytes.Buffer
		done <- run(ctx, []string{"run", "--config", cfg, "--frames", frames, "--simulate-relay", "--model", model, "--state-dir", state}, &o, &runErr)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case c := <-done:
			if c != exitOK {
				t.Errorf("edge run exit %d\n%s", c, runErr.String())
			}
		case <-time.After(10 * time.Second):
			t.Error("edge run did not stop within 10 s of its context")
		}
	})
	// the certificate appears when the server starts
	var pool *x509.CertPool
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if b, err := os.ReadFile(filepath.Join(state, "web-cert.pem")); err == nil {
			pool = x509.NewCertPool()
			if pool.AppendCertsFromPEM(b) {
				if c, err := net.Dial("tcp", addr); err == nil {
					c.Close()
					break
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the page did not start within 20 s\n%s", runErr.String())
		}
	}
	client = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "localhost"}}}
	_, port, _ := net.SplitHostPort(addr)
	return "https://localhost:" + port, client, token, state
}

// TestRunWebAPI: the REST API of a running door enrols a person from an
// uploaded photo into the door's own gallery, recognises another photo
// of them, refuses a name with bidirectional controls, and removes them.
func TestRunWebAPI(t *testing.T) {
	base, c, tok, state := webDoor(t, tinyModel)
	att := edgedata.Dir(t, "att-faces/s2")
	do := func(method, path string, body []byte) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		r, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Body.Close()
		var m map[string]any
		json.NewDecoder(r.Body).Decode(&m)
		return r.StatusCode, m
	}
	photo := func(i int) []byte {
		b, err := os.ReadFile(filepath.Join(att, fmt.Sprintf("%d.pgm", i)))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	// before anyone is enrolled, the threshold in force is the model's
	if code, m := do("GET", "/api/v1/status", nil); code != http.StatusOK || m["threshold"] != 0.5 {
		t.Errorf("status with no gallery yet: %d %v", code, m)
	}
	if code, m := do("POST", "/api/v1/people/ada/photos", photo(1)); code != http.StatusCreated || m["name"] != "ada" {
		t.Fatalf("enrol: %d %v", code, m)
	}
	if code, m := do("GET", "/api/v1/people", nil); code != http.StatusOK || !strings.Contains(fmt.Sprint(m), "ada") {
		t.Errorf("people: %d %v", code, m)
	}
	if code, m := do("POST", "/api/v1/recognize", photo(1)); code != http.StatusOK || m["name"] != "ada" || m["known"] != true {
		t.Errorf("recognize the enrolled photo: %d %v", code, m)
	}
	if code, m := do("POST", "/api/v1/people/"+"ev%E2%80%AEe"+"/photos", photo(2)); code != http.StatusBadRequest || m["error"] == nil {
		t.Errorf("a name with a bidi override: %d %v", code, m)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		code, m := do("GET", "/api/v1/status", nil)
		fps, _ := m["fps"].(float64)
		if code == http.StatusOK && m["camera"] == "streaming" && fps > 2 && fps < 10 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("status: %d %v (the frames loop at 5 a second)", code, m)
		}
	}
	if code, m := do("POST", "/api/v1/recognize", photo(1)); code != http.StatusOK || !(m["score"].(float64) > 0.5) {
		t.Errorf("the enrolled photo's score: %d %v", code, m)
	}
	thumbs := func() int {
		f, _ := filepath.Glob(filepath.Join(state, "thumbs", "*.jpg"))
		return len(f)
	}
	if n := thumbs(); n != 1 {
		t.Errorf("%d thumbnails after enrolling ada, want 1", n)
	}
	if code, _ := do("DELETE", "/api/v1/people/ada", nil); code != http.StatusNoContent {
		t.Errorf("remove: %d", code)
	}
	if n := thumbs(); n != 0 {
		t.Errorf("%d thumbnails after removing ada, want 0", n)
	}
}

// TestRunWebStream: a running door's decision stream tells a client
// that the door opened for the person it enrolled.
func TestRunWebStream(t *testing.T) {
	base, c, tok, _ := webDoor(t, tinyModel)
	req, _ := http.NewRequest("GET", base+"/api/v1/events/stream", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r, err := c.Do(req.WithContext(ctx))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	enrolAda(t, c, base, tok)
	sc := bufio.NewScanner(r.Body)
	for sc.Scan() {
		if d, ok := strings.CutPrefix(sc.Text(), "data: "); ok && strings.Contains(d, `"event_type":"recognised"`) && strings.Contains(d, `"identity":"ada"`) {
			return
		}
	}
	t.Fatalf("no recognised event for ada on the stream: %v", sc.Err())
}

// TestRunWebWrongMatch: "not this person" on a running door's events
// page is recorded once per unlock and counted on the person's row.
func TestRunWebWrongMatch(t *testing.T) {
	base, c, tok, state := webDoor(t, tinyModel)
	enrolAda(t, c, base, tok)
	c.Jar, _ = cookiejar.New(nil)
	if r, err := c.PostForm(base+"/login", url.Values{"password": {"a door password"}}); err != nil || r.StatusCode != http.StatusOK {
		t.Fatalf("login: %v %v", r, err)
	}
	get := func(path string) string {
		t.Helper()
		r, err := c.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Body.Close()
		b, _ := io.ReadAll(r.Body)
		return string(b)
	}
	var page string
	for deadline := time.Now().Add(20 * time.Second); !strings.Contains(page, "Not this person"); time.Sleep(200 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no unlock with 'Not this person' on the events page:\n%s", page)
		}
		page = get("/events")
	}
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page)[1]
	stamp := regexp.MustCompile(`name="time" value="([^"]+)"`).FindStringSubmatch(page)[1]
	// the audit keeps crops here: the page shows them
	crop := regexp.MustCompile(`src="(/crops/crop-[^"]+)"`).FindStringSubmatch(page)
	if crop == nil {
		t.Fatalf("no face crop on the events page:\n%s", page)
	}
	if r, err := c.Get(base + crop[1]); err != nil || r.StatusCode != http.StatusOK || r.Header.Get("Content-Type") != "image/jpeg" {
		t.Errorf("crop %s: %v %v", crop[1], r, err)
	}
	for i := 0; i < 2; i++ { // twice: recorded once
		r, err := c.PostForm(base+"/events/wrong", url.Values{"time": {stamp}, "identity": {"ada"}, "csrf": {csrf}})
		if err != nil || r.StatusCode != http.StatusOK {
			t.Fatalf("not this person: %v %v", r, err)
		}
	}
	r, _ := c.PostForm(base+"/events/wrong", url.Values{"time": {stamp}, "identity": {"nobody"}, "csrf": {csrf}})
	if r.StatusCode != http.StatusBadRequest {
		t.Errorf("a wrong match of a name nobody enrolled: %d", r.StatusCode)
	}
	p := get("/people")
	if !strings.Contains(p, "1 reported") {
		t.Errorf("people page lacks ada's wrong match:\n%s", p)
	}
	if !strings.Contains(p, `src="/thumbs/ada"`) {
		t.Errorf("people page lacks ada's thumbnail:\n%s", p)
	} else if r, err := c.Get(base + "/thumbs/ada"); err != nil || r.StatusCode != http.StatusOK || r.Header.Get("Content-Type") != "image/jpeg" {
		t.Errorf("thumbnail: %v %v", r, err)
	}
	b, _ := os.ReadFile(filepath.Join(state, wrongFile))
	if n := strings.Count(string(b), "\n"); n != 1 {
		t.Errorf("%s holds %d reports, want 1:\n%s", wrongFile, n, b)
	}
}

// enrolAda enrols photo 1 of s2 as ada through the API.
func enrolAda(t *testing.T, c *http.Client, base, tok string) {
	t.Helper()
	photo, err := os.ReadFile(filepath.Join(edgedata.Dir(t, "att-faces/s2"), "1.pgm"))
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", base+"/api/v1/people/ada/photos", bytes.NewReader(photo))
	req.Header.Set("Authorization", "Bearer "+tok)
	r, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusCreated {
		t.Fatalf("enrol: %d", r.StatusCode)
	}
}
