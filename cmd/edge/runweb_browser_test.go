package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/edge-pi/edge/internal/edgedata"
)

// TestRunWebBrowser drives a running door's page in a real browser
// (Debian's chromium, headless): log in, watch the live view, enrol the
// person at the camera from its frames (and another by uploading a
// photo), see them listed, see the door open for them on the events
// page, and press "not this person" on it. Each page's screenshot goes to $EDGE_SCREENSHOTS
// (else the test's temporary folder).
func TestRunWebBrowser(t *testing.T) {
	chrome, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatalf("chromium not installed (Debian package chromium; make deps installs it): %v", err)
	}
	base, _, _, _ := webDoor(t, tinyModel)
	shots := os.Getenv("EDGE_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	}
	photo := filepath.Join(edgedata.Dir(t, "att-faces/s3"), "1.pgm")

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chrome), chromedp.IgnoreCertErrors,
		chromedp.NoSandbox, chromedp.WindowSize(900, 700))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	bctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	if err := chromedp.Do(bctx); err != nil { // the browser starts (no timeout on this first call)
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(bctx, 90*time.Second)
	defer cancel()

	shot := func(name string) {
		t.Helper()
		b, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(shots, name+".png"), b, 0o644)
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	do := func(steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatal(err)
		}
	}
	do(chromedp.Navigate(base+"/people"), chromedp.WaitVisible(chromedp.ID("password"))) // redirected to the login page
	if s := text("main"); !strings.Contains(s, "Password") {
		t.Errorf("login page: %q", s)
	}
	shot("login")
	do(chromedp.SendKeys(chromedp.ID("password"), "a door password"), chromedp.Click(chromedp.ID("login")),
		chromedp.WaitVisible(chromedp.ID("status")))
	shot("status")
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(300 * time.Millisecond) {
		do(chromedp.Navigate(base+"/live"), chromedp.WaitVisible(chromedp.ID("live")))
		s := text("#caption")
		if strings.Contains(s, "unknown face") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("live caption before enrolment: %q", s)
		}
	}
	time.Sleep(time.Second) // a frame or two of the stream in the screenshot
	shot("live")
	// enrol the person at the camera from the replayed frames
	do(chromedp.Navigate(base+"/people"), chromedp.WaitVisible(chromedp.ID("enroll-live")),
		chromedp.SendKeys(chromedp.ID("live-name"), "ada"), chromedp.Click(chromedp.ID("enrol-live")))
	waitText(t, ctx, "#flash", "enrolled ada from 3 camera frames")
	if s := text("#people"); !strings.Contains(s, "ada") {
		t.Errorf("people after enrolling ada: %q", s)
	}
	shot("people")
	// and another by uploading a photo
	do(chromedp.SendKeys(chromedp.ID("name"), "grace"), chromedp.SetUploadFiles(chromedp.ID("photo"), []string{photo}),
		chromedp.Click(chromedp.ID("enrol")))
	waitText(t, ctx, "#flash", "enrolled grace") // the page after the upload, not the one before
	if s := text("#people"); !strings.Contains(s, "grace") {
		t.Errorf("people after uploading grace: %q", s)
	}
	var events string
	// the looping frames show ada: the door opens, and the events page
	// says so
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(500 * time.Millisecond) {
		do(chromedp.Navigate(base+"/events"), chromedp.WaitVisible(chromedp.ID("events")))
		events = text("#events")
		if strings.Contains(events, "unlock") && strings.Contains(events, "ada") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no unlock for ada on the events page within 30 s:\n%s", events)
		}
	}
	// the owner says the match was someone else
	do(chromedp.Click(chromedp.CSS("button.wrong")))
	waitText(t, ctx, "#flash", "recorded that the match of ada was someone else")
	shot("events")
	do(chromedp.Navigate(base+"/people"), chromedp.WaitVisible(chromedp.ID("people")))
	if s := text("#people"); !strings.Contains(s, "1 reported") {
		t.Errorf("people after 'not this person': %q", s)
	}
}

// waitText waits (10 s at most) until the element sel exists and its
// text holds want: the page a form's submission led to.
func waitText(t *testing.T, ctx context.Context, sel, want string) {
	t.Helper()
	var last string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		sctx, cancel := context.WithTimeout(ctx, time.Second)
		s, err := chromedp.Run(sctx, chromedp.Text(chromedp.CSS(sel)))
		cancel()
		if err == nil && strings.Contains(s, want) {
			return
		}
		last = s
	}
	t.Fatalf("%s never said %q (last: %q)", sel, want, last)
}
