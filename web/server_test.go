package web

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// fake is a Backend that records what it was asked.
type fake struct {
	mu     sync.Mutex
	people []Person
	calls  []string
}

func (f *fake) call(s string) {
	f.mu.Lock()
	f.calls = append(f.calls, s)
	f.mu.Unlock()
}

func (f *fake) Status() Status {
	return Status{Model: "faces", Threshold: 0.85, Camera: "streaming", Started: time.Now().Add(-time.Minute)}
}
func (f *fake) People() ([]Person, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.people), nil
}
func (f *fake) Enroll(name string, img image.Image) (Person, error) {
	f.call("enroll " + name)
	if name == "" {
		return Person{}, errors.New("an empty name")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.people = append(f.people, Person{Name: name, Photos: 1})
	return Person{Name: name, Photos: 1}, nil
}
func (f *fake) Remove(name string) error {
	f.call("remove " + name)
	f.mu.Lock()
	defer f.mu.Unlock()
	i := slices.IndexFunc(f.people, func(p Person) bool { return p.Name == name })
	if i < 0 {
		return errors.New("nobody called " + name)
	}
	f.people = slices.Delete(f.people, i, i+1)
	return nil
}
func (f *fake) Rename(old, new string) error { f.call("rename " + old + " " + new); return nil }
func (f *fake) Recognize(img image.Image) (Face, error) {
	f.call("recognize")
	return Face{Name: "ada", Distance: 0.4, Known: true}, nil
}
func (f *fake) EnrollFrames(ctx context.Context, name string, next func(*LiveFrame) error) (LiveEnrolment, error) {
	f.call("enroll-live " + name)
	var fr LiveFrame
	res := LiveEnrolment{Refused: map[string]int{}}
	for res.Used < 2 {
		if err := next(&fr); err != nil {
			return res, err
		}
		if fr.Mark == Skipped {
			res.Refused[fr.Caption]++
			continue
		}
		res.Used++
	}
	res.Person = Person{Name: name, Photos: res.Used}
	return res, nil
}
func (f *fake) ReportWrong(t time.Time, identity string) error {
	f.call("wrong " + identity + " " + t.UTC().Format(time.RFC3339))
	return nil
}
func (f *fake) Events(n int) ([]Event, error) {
	d := float32(0.4)
	return []Event{{Time: time.Unix(1e9, 0), Decision: "unlock", Identity: "ada", Distance: &d, Crop: testCrop},
		{Time: time.Unix(1e9-5, 0), Decision: "denied"}}, nil
}

const testCrop = "crop-20010909T014640Z-unlock.jpg"

func (f *fake) Thumb(name string) ([]byte, error) {
	if name != "ada" {
		return nil, errors.New("no thumbnail")
	}
	return f.Crop(testCrop)
}

func (f *fake) Crop(name string) ([]byte, error) {
	if name != testCrop {
		return nil, errors.New("no such crop")
	}
	var b bytes.Buffer
	jpeg.Encode(&b, image.NewGray(image.Rect(0, 0, 4, 4)), nil)
	return b.Bytes(), nil
}

// clock is a settable Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

const testPassword = "correct horse battery"

// testLive is the servers' live view (tests offer it frames), testFeed
// their decisions.
var (
	testLive = NewLive()
	testFeed = NewFeed()
)

func setup(t *testing.T, withPassword bool) (*httptest.Server, *fake, *clock, string) {
	t.Helper()
	dir := t.TempDir()
	if withPassword {
		if err := SetPassword(dir, testPassword); err != nil {
			t.Fatal(err)
		}
	}
	f := &fake{people: []Person{{Name: "ada", Photos: 2}}}
	clk := &clock{t: time.Now()}
	s, err := New(Config{Listen: "127.0.0.1:0", StateDir: dir, Now: clk.now, Live: testLive, Feed: testFeed}, f)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewTLSServer(s.Handler())
	t.Cleanup(ts.Close)
	return ts, f, clk, dir
}

// browser is a client with a cookie jar that does not follow redirects.
func browser(ts *httptest.Server) *http.Client {
	c := ts.Client()
	c.Jar, _ = cookiejar.New(nil)
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return c
}

func body(t *testing.T, r *http.Response) string {
	t.Helper()
	b, _ := io.ReadAll(r.Body)
	r.Body.Close()
	return string(b)
}

func login(t *testing.T, c *http.Client, ts *httptest.Server, pw string) *http.Response {
	t.Helper()
	r, err := c.PostForm(ts.URL+"/login", url.Values{"password": {pw}})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// TestLogin: nothing but the login page without a session; a wrong
// password is refused and, five times over, the address is locked out
// for a minute; the right one gives a cookie that scripts cannot read,
// sent only over HTTPS and never from another site; the session
// expires; logging out ends it.
func TestLogin(t *testing.T) {
	ts, _, clk, _ := setup(t, true)
	c := browser(ts)
	for _, p := range []string{"/", "/people", "/events"} {
		r, err := c.Get(ts.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/login" {
			t.Errorf("GET %s without a session: %d → %q", p, r.StatusCode, r.Header.Get("Location"))
		}
		r.Body.Close()
	}
	if r := login(t, c, ts, "wrong password!"); r.StatusCode != http.StatusUnauthorized || !strings.Contains(body(t, r), "Wrong password") {
		t.Errorf("wrong password: %d", r.StatusCode)
	}
	r := login(t, c, ts, testPassword)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("right password: %d %s", r.StatusCode, body(t, r))
	}
	sc := r.Header.Get("Set-Cookie")
	for _, want := range []string{"HttpOnly", "Secure", "SameSite=Strict"} {
		if !strings.Contains(sc, want) {
			t.Errorf("session cookie %q lacks %s", sc, want)
		}
	}
	r, _ = c.Get(ts.URL + "/")
	if b := body(t, r); r.StatusCode != http.StatusOK || !strings.Contains(b, "faces") {
		t.Errorf("status page after login: %d\n%s", r.StatusCode, b)
	}
	for _, h := range []string{"Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Strict-Transport-Security"} {
		if r.Header.Get(h) == "" {
			t.Errorf("no %s header", h)
		}
	}

	clk.add(sessionTTL + time.Minute)
	if r, _ := c.Get(ts.URL + "/people"); r.StatusCode != http.StatusSeeOther {
		t.Errorf("an expired session still reads the people page: %d", r.StatusCode)
	}

	other := browser(ts)
	for i := 0; i < maxFails; i++ {
		login(t, other, ts, "guess number "+string(rune('a'+i))).Body.Close()
	}
	if r := login(t, other, ts, testPassword); r.StatusCode != http.StatusTooManyRequests {
		t.Errorf("after %d failures the right password gave %d, want 429", maxFails, r.StatusCode)
	}
	clk.add(failWindow)
	if r := login(t, other, ts, testPassword); r.StatusCode != http.StatusSeeOther {
		t.Errorf("a minute later: %d", r.StatusCode)
	}
	r, _ = other.Get(ts.URL + "/")
	tok := csrfRE.FindStringSubmatch(body(t, r))
	if tok == nil {
		t.Fatal("no CSRF token on the status page")
	}
	r, _ = other.PostForm(ts.URL+"/logout", url.Values{"csrf": {tok[1]}})
	r.Body.Close()
	if r, _ := other.Get(ts.URL + "/"); r.StatusCode != http.StatusSeeOther {
		t.Errorf("after logging out: %d", r.StatusCode)
	}
}

// TestNoPasswordSet: without `edge passwd` no password opens the page,
// and the login page says what to run.
func TestNoPasswordSet(t *testing.T) {
	ts, _, _, _ := setup(t, false)
	c := browser(ts)
	r, _ := c.Get(ts.URL + "/login")
	if !strings.Contains(body(t, r), "edge passwd") {
		t.Error("the login page does not say how to set a password")
	}
	if r := login(t, c, ts, ""); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("empty password without one set: %d", r.StatusCode)
	}
}

func pngBytes(t *testing.T) []byte {
	img := image.NewGray(image.Rect(0, 0, 8, 8))
	img.Set(3, 3, color.Gray{200})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func multipartForm(t *testing.T, fields map[string]string, file []byte) (string, *bytes.Buffer) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	if file != nil {
		fw, _ := w.CreateFormFile("photo", "face.png")
		fw.Write(file)
	}
	w.Close()
	return w.FormDataContentType(), &b
}

// TestFormsNeedCSRF: a form posted without the session's CSRF token
// changes nothing; with it, enrolment by upload, renaming and removal
// reach the backend; a file that is not an image is refused with a
// message; an upload past MaxUpload is cut off.
func TestFormsNeedCSRF(t *testing.T) {
	ts, f, _, _ := setup(t, true)
	c := browser(ts)
	login(t, c, ts, testPassword).Body.Close()
	r, _ := c.Get(ts.URL + "/people")
	page := body(t, r)
	if !strings.Contains(page, "ada") {
		t.Errorf("people page lacks ada:\n%s", page)
	}
	csrf := csrfRE.FindStringSubmatch(page)[1]

	r, _ = c.PostForm(ts.URL+"/people/remove", url.Values{"name": {"ada"}})
	if r.StatusCode != http.StatusForbidden {
		t.Errorf("remove without CSRF: %d", r.StatusCode)
	}
	r, _ = c.PostForm(ts.URL+"/people/remove", url.Values{"name": {"ada"}, "csrf": {"forged"}})
	if r.StatusCode != http.StatusForbidden {
		t.Errorf("remove with a forged CSRF token: %d", r.StatusCode)
	}
	if len(f.calls) != 0 {
		t.Fatalf("the backend was called: %v", f.calls)
	}

	ct, b := multipartForm(t, map[string]string{"csrf": csrf, "name": "grace"}, pngBytes(t))
	r, _ = c.Post(ts.URL+"/people/enroll", ct, b)
	if r.StatusCode != http.StatusSeeOther {
		t.Errorf("enrol by upload: %d %s", r.StatusCode, body(t, r))
	}
	ct, b = multipartForm(t, map[string]string{"csrf": csrf, "name": "eve"}, []byte("not an image at all"))
	r, _ = c.Post(ts.URL+"/people/enroll", ct, b)
	if page := body(t, r); r.StatusCode != http.StatusBadRequest || !strings.Contains(page, "Not enrolled") {
		t.Errorf("a non-image: %d\n%s", r.StatusCode, page)
	}
	big := make([]byte, MaxUpload+1<<20)
	ct, b = multipartForm(t, map[string]string{"csrf": csrf, "name": "mallory"}, big)
	r, err := c.Post(ts.URL+"/people/enroll", ct, b)
	if err == nil && r.StatusCode < 400 {
		t.Errorf("an upload over the limit: %d", r.StatusCode)
	}
	r, _ = c.PostForm(ts.URL+"/people/rename", url.Values{"name": {"ada"}, "new": {"ada l"}, "csrf": {csrf}})
	r.Body.Close()
	r, _ = c.PostForm(ts.URL+"/people/remove", url.Values{"name": {"grace"}, "csrf": {csrf}})
	r.Body.Close()
	want := []string{"enroll grace", "rename ada ada l", "remove grace"}
	if !slices.Equal(f.calls, want) {
		t.Errorf("backend calls %q, want %q", f.calls, want)
	}
}

// TestAPI: the REST API answers only to a token made by NewToken, with
// JSON errors that say what is wrong.
func TestAPI(t *testing.T) {
	ts, f, _, dir := setup(t, true)
	tok, err := NewToken(dir, "home-assistant")
	if err != nil {
		t.Fatal(err)
	}
	do := func(method, path, token string, body []byte) (*http.Response, map[string]any) {
		req, _ := http.NewRequest(method, ts.URL+path, bytes.NewReader(body))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		r, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		json.NewDecoder(r.Body).Decode(&m)
		r.Body.Close()
		return r, m
	}
	for _, bad := range []string{"", "edge_forged", tok + "x"} {
		if r, m := do("GET", "/api/v1/people", bad, nil); r.StatusCode != http.StatusUnauthorized || m["error"] == nil {
			t.Errorf("token %q: %d %v", bad, r.StatusCode, m)
		}
	}
	if r, m := do("GET", "/api/v1/people", tok, nil); r.StatusCode != http.StatusOK || len(m["people"].([]any)) != 1 {
		t.Errorf("people: %d %v", r.StatusCode, m)
	}
	if r, m := do("POST", "/api/v1/recognize", tok, pngBytes(t)); r.StatusCode != http.StatusOK || m["name"] != "ada" || m["known"] != true {
		t.Errorf("recognize: %d %v", r.StatusCode, m)
	}
	if r, m := do("POST", "/api/v1/recognize", tok, []byte("GIF89a-not-really")); r.StatusCode != http.StatusBadRequest {
		t.Errorf("recognize a non-image: %d %v", r.StatusCode, m)
	}
	if r, _ := do("POST", "/api/v1/people/grace/photos", tok, pngBytes(t)); r.StatusCode != http.StatusCreated {
		t.Errorf("enrol: %d", r.StatusCode)
	}
	if r, m := do("PATCH", "/api/v1/people/ada", tok, []byte(`{"name": "ada l"}`)); r.StatusCode != http.StatusOK || m["name"] != "ada l" {
		t.Errorf("rename: %d %v", r.StatusCode, m)
	}
	if r, _ := do("PATCH", "/api/v1/people/ada", tok, []byte(`not json`)); r.StatusCode != http.StatusBadRequest {
		t.Errorf("rename with a bad body: %d", r.StatusCode)
	}
	if r, _ := do("DELETE", "/api/v1/people/grace", tok, nil); r.StatusCode != http.StatusNoContent {
		t.Errorf("remove: %d", r.StatusCode)
	}
	if r, m := do("DELETE", "/api/v1/people/nobody", tok, nil); r.StatusCode != http.StatusNotFound || m["error"] == nil {
		t.Errorf("remove nobody: %d %v", r.StatusCode, m)
	}
	if r, _ := do("GET", "/api/v1/events?n=abc", tok, nil); r.StatusCode != http.StatusBadRequest {
		t.Errorf("events n=abc: %d", r.StatusCode)
	}
	if r, m := do("GET", "/api/v1/events?n=5", tok, nil); r.StatusCode != http.StatusOK || len(m["events"].([]any)) != 2 {
		t.Errorf("events: %d %v", r.StatusCode, m)
	}
	if !slices.Contains(f.calls, "enroll grace") || !slices.Contains(f.calls, "remove grace") || !slices.Contains(f.calls, "rename ada ada l") {
		t.Errorf("backend calls %v", f.calls)
	}
}

// TestPasswordHash: argon2id round trip; wrong passwords, short ones
// and malformed or hostile hash strings are refused.
func TestPasswordHash(t *testing.T) {
	h, err := HashPassword(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=3,p=2$") || !checkPassword(h, testPassword) || checkPassword(h, testPassword+" ") {
		t.Errorf("hash %q", h)
	}
	if h2, _ := HashPassword(testPassword); h2 == h {
		t.Error("two hashes of one password are equal: no salt")
	}
	if _, err := HashPassword("short"); err == nil {
		t.Error("a 5-byte password was accepted")
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=65536,t=3,p=2$c2FsdA$a2V5", "$argon2id$v=19$m=4294967295,t=3,p=2$c2FsdA$a2V5",
		"$argon2id$v=19$m=65536,t=1000,p=2$c2FsdA$a2V5", "$argon2id$v=19$m=65536,t=3,p=2$!!$a2V5", "plain text"} {
		if checkPassword(bad, testPassword) {
			t.Errorf("hash %q accepted", bad)
		}
	}
}

// grey is a w×h frame of one grey level.
func grey(w, h int, v uint8) *image.Gray {
	g := image.NewGray(image.Rect(0, 0, w, h))
	for i := range g.Pix {
		g.Pix[i] = v
	}
	return g
}

// TestLiveView: the live view streams the door's frames as MJPEG, at
// most LiveFPS a second, the face's box drawn in its mark's colour; and
// enrolment from the camera takes frames from it, saying why it refused
// the others.
func TestLiveView(t *testing.T) {
	ts, f, _, _ := setup(t, true)
	c := browser(ts)
	login(t, c, ts, testPassword).Body.Close()
	now := time.Now()
	testLive.Offer(now, grey(64, 48, 100), image.Rect(10, 10, 40, 40), Matched, "ada 0.41")
	testLive.Offer(now.Add(time.Millisecond), grey(64, 48, 0), image.Rect(0, 0, 1, 1), Stranger, "too soon") // dropped: under 1/LiveFPS
	r, err := c.Get(ts.URL + "/live.mjpeg")
	if err != nil {
		t.Fatal(err)
	}
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/x-mixed-replace" {
		t.Fatalf("content type %q", r.Header.Get("Content-Type"))
	}
	part, err := multipart.NewReader(bufio.NewReader(r.Body), params["boundary"]).NextPart()
	if err != nil {
		t.Fatal(err)
	}
	img, err := jpeg.Decode(part)
	r.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if img.Bounds() != image.Rect(0, 0, 64, 48) {
		t.Errorf("frame %v", img.Bounds())
	}
	if cr, cg, _, _ := img.At(25, 11).RGBA(); cg>>8 < 150 || cr>>8 > 80 {
		t.Errorf("the box's edge at (25, 11) is not green: %v", img.At(25, 11))
	}
	if y, _, _, _ := img.At(25, 25).RGBA(); y>>8 < 90 || y>>8 > 110 {
		t.Errorf("inside the box the frame's grey 100 became %v (the later frame was not dropped?)", img.At(25, 25))
	}
	r, _ = c.Get(ts.URL + "/live")
	if page := body(t, r); !strings.Contains(page, "ada 0.41") || !strings.Contains(page, "/live.mjpeg") {
		t.Errorf("live page:\n%s", page)
	}

	r, _ = c.Get(ts.URL + "/people")
	csrf := csrfRE.FindStringSubmatch(body(t, r))[1]
	go func() { // the camera goes on: a refused frame, then two good ones
		for i, m := range []Mark{Skipped, Matched, Matched, Matched} {
			time.Sleep(300 * time.Millisecond)
			testLive.Offer(time.Now().Add(time.Duration(i+1)*time.Second), grey(64, 48, 50), image.Rect(5, 5, 20, 20), m, "blurred")
		}
	}()
	r, _ = c.PostForm(ts.URL+"/people/enroll-live", url.Values{"name": {"grace"}, "csrf": {csrf}})
	loc, _ := url.QueryUnescape(r.Header.Get("Location"))
	if r.StatusCode != http.StatusSeeOther || !strings.Contains(loc, "enrolled grace from 2 camera frames; refused: 1 blurred") {
		t.Errorf("enrol from the camera: %d %q", r.StatusCode, loc)
	}
	if !slices.Contains(f.calls, "enroll-live grace") {
		t.Errorf("backend calls %v", f.calls)
	}
}

// TestDecisionStream: the API's stream delivers the door's decisions as
// server-sent events, only to a token's holder.
func TestDecisionStream(t *testing.T) {
	ts, _, _, dir := setup(t, true)
	tok, _ := NewToken(dir, "stream")
	if r, _ := ts.Client().Get(ts.URL + "/api/v1/events/stream"); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("stream without a token: %d", r.StatusCode)
	}
	req, _ := http.NewRequest("GET", ts.URL+"/api/v1/events/stream", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	r, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	if r.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("content type %q", r.Header.Get("Content-Type"))
	}
	br := bufio.NewReader(r.Body)
	br.ReadString('\n') // the opening comment
	go func() {
		for i := 0; i < 20; i++ { // until the subscriber is there
			d := float32(0.4)
			testFeed.Publish(Decision{Time: time.Unix(1e9, 0), Kind: "recognised", Identity: "ada", Distance: &d})
			time.Sleep(50 * time.Millisecond)
		}
	}()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if d, ok := strings.CutPrefix(line, "data: "); ok {
			var got Decision
			if err := json.Unmarshal([]byte(d), &got); err != nil || got.Kind != "recognised" || got.Identity != "ada" {
				t.Errorf("event %q (%v)", d, err)
			}
			return
		}
	}
	t.Fatal("no event within 5 s")
}

// TestNotThisPerson: an unlock on the events page has a "not this
// person" form (with the CSRF token) that reports it to the backend.
func TestNotThisPerson(t *testing.T) {
	ts, f, _, _ := setup(t, true)
	c := browser(ts)
	login(t, c, ts, testPassword).Body.Close()
	r, _ := c.Get(ts.URL + "/events")
	page := body(t, r)
	if !strings.Contains(page, "Not this person") {
		t.Fatalf("no 'not this person' on the unlock:\n%s", page)
	}
	csrf := csrfRE.FindStringSubmatch(page)[1]
	stamp := regexp.MustCompile(`name="time" value="([^"]+)"`).FindStringSubmatch(page)[1]
	r, _ = c.PostForm(ts.URL+"/events/wrong", url.Values{"time": {stamp}, "identity": {"ada"}})
	if r.StatusCode != http.StatusForbidden {
		t.Errorf("without CSRF: %d", r.StatusCode)
	}
	r, _ = c.PostForm(ts.URL+"/events/wrong", url.Values{"time": {stamp}, "identity": {"ada"}, "csrf": {csrf}})
	if r.StatusCode != http.StatusSeeOther {
		t.Errorf("report: %d %s", r.StatusCode, body(t, r))
	}
	if !slices.Contains(f.calls, "wrong ada 2001-09-09T01:46:40Z") {
		t.Errorf("backend calls %v", f.calls)
	}
}

// TestEventsCropsAndFilters: the events page shows the audit's face
// crops, serves them only by a crop's name and to a session, and
// filters by decision and person.
func TestEventsCropsAndFilters(t *testing.T) {
	ts, _, _, _ := setup(t, true)
	c := browser(ts)
	if r, _ := c.Get(ts.URL + "/crops/" + testCrop); r.StatusCode != http.StatusSeeOther {
		t.Errorf("a crop without a session: %d", r.StatusCode)
	}
	login(t, c, ts, testPassword).Body.Close()
	r, _ := c.Get(ts.URL + "/events")
	if page := body(t, r); !strings.Contains(page, `src="/crops/`+testCrop+`"`) || !strings.Contains(page, "denied") {
		t.Errorf("events page:\n%s", page)
	}
	r, _ = c.Get(ts.URL + "/crops/" + testCrop)
	if b := body(t, r); r.StatusCode != http.StatusOK || r.Header.Get("Content-Type") != "image/jpeg" || len(b) == 0 {
		t.Errorf("crop: %d %q", r.StatusCode, r.Header.Get("Content-Type"))
	}
	for _, bad := range []string{"..%2F..%2Fweb-password", "web-password", "crop-x-unlock.jpg%00.png", "crop-20010909T014640Z-unlock.jpg.bak"} {
		if r, _ := c.Get(ts.URL + "/crops/" + bad); r.StatusCode != http.StatusBadRequest && r.StatusCode != http.StatusNotFound {
			t.Errorf("crop %q: %d", bad, r.StatusCode)
		}
	}
	r, _ = c.Get(ts.URL + "/events?decision=denied")
	if page := body(t, r); strings.Contains(page, "Not this person") || !strings.Contains(page, `<td class="decision">denied</td>`) {
		t.Errorf("filtered to denied:\n%s", page)
	}
	r, _ = c.Get(ts.URL + "/events?who=ADA")
	if page := body(t, r); !strings.Contains(page, "Not this person") || strings.Contains(page, `<td class="decision">denied</td>`) {
		t.Errorf("filtered to ada:\n%s", page)
	}
}
