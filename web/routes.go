package web

// The routes: the login, the pages behind it (status, people, events)
// and the REST API under /api/v1/ (bearer tokens).

import (
	"context"
	"crypto/subtle"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"image"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/edge-pi/edge/imageio"
)

//go:embed templates/*.html static/*
var assets embed.FS

var pages = template.Must(template.New("").Funcs(template.FuncMap{
	"since": func(t time.Time) string { return time.Since(t).Round(time.Second).String() },
	"when":  func(t time.Time) string { return t.Local().Format("2006-01-02 15:04:05") },
	"stamp": func(t time.Time) string { return t.Format(time.RFC3339Nano) },
	"decisions": func() []string {
		return []string{"unlock", "denied", "button"}
	},
	"dist": func(d *float32) string {
		if d == nil {
			return ""
		}
		return strconv.FormatFloat(float64(*d), 'f', 3, 32)
	},
}).ParseFS(assets, "templates/*.html"))

const cookieName = "edge_session"

func (s *Server) routes() {
	static := http.FileServerFS(assets)
	s.mux.Handle("GET /static/", static)
	s.mux.HandleFunc("GET /login", s.loginPage)
	s.mux.HandleFunc("POST /login", s.login)
	s.mux.HandleFunc("POST /logout", s.page(s.logout))
	s.mux.HandleFunc("GET /{$}", s.page(s.statusPage))
	s.mux.HandleFunc("GET /people", s.page(s.peoplePage))
	s.mux.HandleFunc("POST /people/enroll", s.page(s.enrollForm))
	s.mux.HandleFunc("POST /people/remove", s.page(s.removeForm))
	s.mux.HandleFunc("POST /people/rename", s.page(s.renameForm))
	s.mux.HandleFunc("GET /events", s.page(s.eventsPage))
	s.mux.HandleFunc("POST /events/wrong", s.page(s.wrongForm))
	s.mux.HandleFunc("GET /crops/{name}", s.page(s.crop))
	s.mux.HandleFunc("GET /thumbs/{name}", s.page(s.thumb))
	s.mux.HandleFunc("GET /live", s.page(s.livePage))
	s.mux.HandleFunc("GET /live.mjpeg", s.page(s.liveStream))
	s.mux.HandleFunc("POST /people/enroll-live", s.page(s.enrollLiveForm))

	s.mux.HandleFunc("GET /api/v1/status", s.api(func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, s.b.Status()) }))
	s.mux.HandleFunc("GET /api/v1/people", s.api(s.apiPeople))
	s.mux.HandleFunc("POST /api/v1/people/{name}/photos", s.api(s.apiEnroll))
	s.mux.HandleFunc("DELETE /api/v1/people/{name}", s.api(s.apiRemove))
	s.mux.HandleFunc("PATCH /api/v1/people/{name}", s.api(s.apiRename))
	s.mux.HandleFunc("POST /api/v1/recognize", s.api(s.apiRecognize))
	s.mux.HandleFunc("GET /api/v1/events", s.api(s.apiEvents))
	s.mux.HandleFunc("GET /api/v1/events/stream", s.api(s.apiStream))
}

// view is what every page template gets.
type view struct {
	CSRF    string
	Flash   string
	Error   string
	Status  Status
	People  []Person
	Events  []Event
	NoLogin bool   // no password set yet
	Caption string // the live view's latest caption
	HasLive bool
	Refresh int // seconds, for the live page's caption
	// the events page's filters
	Decision, Who string
}

func (s *Server) render(w http.ResponseWriter, code int, name string, v view) {
	v.HasLive = s.c.Live != nil
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	pages.ExecuteTemplate(w, name, v)
}

// page wraps a page handler: a live session, and on POST its CSRF token.
func (s *Server) page(h func(http.ResponseWriter, *http.Request, session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(cookieName)
		var sess session
		ok := err == nil
		if ok {
			sess, ok = s.sess.get(c.Value)
		}
		if !ok {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/login", http.StatusSeeOther)
				return
			}
			http.Error(w, "not logged in (or the session expired)", http.StatusUnauthorized)
			return
		}
		if r.Method == http.MethodPost {
			if subtle.ConstantTimeCompare([]byte(r.FormValue("csrf")), []byte(sess.csrf)) != 1 {
				http.Error(w, "the form's CSRF token is missing or wrong: reload the page", http.StatusForbidden)
				return
			}
		}
		h(w, r, sess)
	}
}

func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, http.StatusOK, "login.html", view{NoLogin: !s.creds.hasPassword()})
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	addr := clientAddr(r)
	if !s.lim.allowed(addr) {
		s.render(w, http.StatusTooManyRequests, "login.html", view{Error: "Too many failed logins: wait a minute."})
		return
	}
	if !s.creds.password(r.FormValue("password")) {
		s.lim.failed(addr)
		s.render(w, http.StatusUnauthorized, "login.html", view{Error: "Wrong password.", NoLogin: !s.creds.hasPassword()})
		return
	}
	id, _ := s.sess.start()
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: id, Path: "/", HttpOnly: true, Secure: true,
		SameSite: http.SameSiteStrictMode, MaxAge: int(sessionTTL / time.Second)})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, _ session) {
	if c, err := r.Cookie(cookieName); err == nil {
		s.sess.end(c.Value)
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/", HttpOnly: true, Secure: true,
		SameSite: http.SameSiteStrictMode, MaxAge: -1})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

func (s *Server) statusPage(w http.ResponseWriter, r *http.Request, sess session) {
	s.render(w, http.StatusOK, "status.html", view{CSRF: sess.csrf, Status: s.b.Status()})
}

func (s *Server) peoplePage(w http.ResponseWriter, r *http.Request, sess session) {
	s.peopleWith(w, http.StatusOK, sess, r.URL.Query().Get("done"), "")
}

func (s *Server) peopleWith(w http.ResponseWriter, code int, sess session, flash, errMsg string) {
	people, err := s.b.People()
	if err != nil && errMsg == "" {
		errMsg, code = err.Error(), http.StatusInternalServerError
	}
	s.render(w, code, "people.html", view{CSRF: sess.csrf, People: people, Flash: flash, Error: errMsg})
}

// formImage decodes the uploaded file of field.
func formImage(r *http.Request, field string) (image.Image, error) {
	f, _, err := r.FormFile(field)
	if err != nil {
		return nil, errors.New("no photo in the form")
	}
	defer f.Close()
	img, _, err := imageio.Decode(f)
	return img, err
}

func (s *Server) enrollForm(w http.ResponseWriter, r *http.Request, sess session) {
	name := r.FormValue("name")
	img, err := formImage(r, "photo")
	if err == nil {
		_, err = s.b.Enroll(name, img)
	}
	if err != nil {
		s.peopleWith(w, http.StatusBadRequest, sess, "", "Not enrolled: "+err.Error())
		return
	}
	http.Redirect(w, r, "/people?done="+url.QueryEscape("enrolled "+name), http.StatusSeeOther)
}

// liveEnrolTime bounds enrolment from the camera.
const liveEnrolTime = 20 * time.Second

func (s *Server) enrollLiveForm(w http.ResponseWriter, r *http.Request, sess session) {
	if s.c.Live == nil {
		s.peopleWith(w, http.StatusNotFound, sess, "", "This door has no camera to enrol from.")
		return
	}
	name := r.FormValue("name")
	ctx, cancel := context.WithTimeout(r.Context(), liveEnrolTime)
	defer cancel()
	last := LiveFrame{Seq: s.c.Live.Seq()} // frames from now on, not the one on screen
	res, err := s.b.EnrollFrames(ctx, name, func(f *LiveFrame) error {
		if err := s.c.Live.Next(ctx, &last); err != nil {
			return err
		}
		*f = last
		return nil
	})
	why := refusals(res.Refused)
	if err != nil {
		s.peopleWith(w, http.StatusBadRequest, sess, "", "Not enrolled: "+err.Error()+why)
		return
	}
	http.Redirect(w, r, "/people?done="+url.QueryEscape(fmt.Sprintf("enrolled %s from %d camera frames%s", name, res.Used, why)), http.StatusSeeOther)
}

// refusals says why frames were refused: "; refused: 3 blurred, 1 small".
func refusals(m map[string]int) string {
	if len(m) == 0 {
		return ""
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%d %s", m[k], k)
	}
	return "; refused: " + strings.Join(parts, ", ")
}

func (s *Server) removeForm(w http.ResponseWriter, r *http.Request, sess session) {
	name := r.FormValue("name")
	if err := s.b.Remove(name); err != nil {
		s.peopleWith(w, http.StatusBadRequest, sess, "", "Not removed: "+err.Error())
		return
	}
	http.Redirect(w, r, "/people?done="+url.QueryEscape("removed "+name), http.StatusSeeOther)
}

func (s *Server) renameForm(w http.ResponseWriter, r *http.Request, sess session) {
	old, name := r.FormValue("name"), r.FormValue("new")
	if err := s.b.Rename(old, name); err != nil {
		s.peopleWith(w, http.StatusBadRequest, sess, "", "Not renamed: "+err.Error())
		return
	}
	http.Redirect(w, r, "/people?done="+url.QueryEscape("renamed "+old+" to "+name), http.StatusSeeOther)
}

// wrongForm records "not this person" for an unlock of the events page.
func (s *Server) wrongForm(w http.ResponseWriter, r *http.Request, sess session) {
	t, err := time.Parse(time.RFC3339Nano, r.FormValue("time"))
	if err == nil {
		err = s.b.ReportWrong(t, r.FormValue("identity"))
	}
	if err != nil {
		http.Error(w, "not recorded: "+err.Error(), http.StatusBadRequest)
		return
	}
	http.Redirect(w, r, "/events?done="+url.QueryEscape("recorded that the match of "+r.FormValue("identity")+" was someone else"), http.StatusSeeOther)
}

// maxEventRows bounds the events page (before its filters).
const maxEventRows = 500

// cropName is what the audit names a crop: crop-<UTC time>-<decision>.jpg.
var cropName = regexp.MustCompile(`^crop-[0-9TZ:.\-]+-[a-z_]+\.jpg$`)

// crop serves an audit record's face crop to a logged-in browser.
func (s *Server) crop(w http.ResponseWriter, r *http.Request, _ session) {
	name := r.PathValue("name")
	if !cropName.MatchString(name) {
		http.Error(w, "not a crop's name", http.StatusBadRequest)
		return
	}
	b, err := s.b.Crop(name)
	if err != nil {
		http.Error(w, "no such crop", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "image/jpeg")
	w.Write(b)
}

// thumb serves a person's thumbnail to a logged-in browser.
func (s *Server) thumb(w http.ResponseWriter, r *http.Request, _ session) {
	b, err := s.b.Thumb(r.PathValue("name"))
	if err != nil {
		http.Error(w, "no thumbnail", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "image/jpeg")
	w.Write(b)
}

func (s *Server) eventsPage(w http.ResponseWriter, r *http.Request, sess session) {
	ev, err := s.b.Events(maxEventRows)
	q := r.URL.Query()
	decision, who := q.Get("decision"), q.Get("who")
	kept := ev[:0]
	for _, e := range ev {
		if (decision == "" || e.Decision == decision) && (who == "" || strings.EqualFold(e.Identity, who)) {
			kept = append(kept, e)
		}
	}
	v := view{CSRF: sess.csrf, Events: kept, Flash: q.Get("done"), Decision: decision, Who: who}
	code := http.StatusOK
	if err != nil {
		v.Error, code = err.Error(), http.StatusInternalServerError
	}
	s.render(w, code, "events.html", v)
}

// api wraps an API handler: a bearer token from `edge token`.
func (s *Server) api(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			apiError(w, http.StatusUnauthorized, "unauthorized", "an Authorization: Bearer token from `edge token` is needed")
			return
		}
		if _, ok := s.creds.token(tok); !ok {
			apiError(w, http.StatusUnauthorized, "unauthorized", "unknown token")
			return
		}
		h(w, r)
	}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

// apiError writes {"error": {"code": …, "message": …}}.
func apiError(w http.ResponseWriter, code int, short, msg string) {
	type body struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	writeJSON(w, code, map[string]body{"error": {short, msg}})
}

// bodyImage decodes the request's body as an image.
func bodyImage(w http.ResponseWriter, r *http.Request) (image.Image, bool) {
	img, _, err := imageio.Decode(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			apiError(w, http.StatusRequestEntityTooLarge, "too_large", "the image is over the upload limit")
			return nil, false
		}
		apiError(w, http.StatusBadRequest, "bad_image", err.Error())
		return nil, false
	}
	return img, true
}

func (s *Server) apiPeople(w http.ResponseWriter, r *http.Request) {
	p, err := s.b.People()
	if err != nil {
		apiError(w, http.StatusInternalServerError, "gallery", err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string][]Person{"people": p})
}

func (s *Server) apiEnroll(w http.ResponseWriter, r *http.Request) {
	img, ok := bodyImage(w, r)
	if !ok {
		return
	}
	p, err := s.b.Enroll(r.PathValue("name"), img)
	if err != nil {
		apiError(w, http.StatusBadRequest, "not_enrolled", err.Error())
		return
	}
	writeJSON(w, http.StatusCreated, p)
}

func (s *Server) apiRemove(w http.ResponseWriter, r *http.Request) {
	if err := s.b.Remove(r.PathValue("name")); err != nil {
		apiError(w, http.StatusNotFound, "not_removed", err.Error())
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// apiRename renames a person: {"name": "the new name"}.
func (s *Server) apiRename(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Name string `json:"name"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Name == "" {
		apiError(w, http.StatusBadRequest, "bad_body", `want {"name": "the new name"}`)
		return
	}
	if err := s.b.Rename(r.PathValue("name"), body.Name); err != nil {
		apiError(w, http.StatusBadRequest, "not_renamed", err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"name": body.Name})
}

func (s *Server) apiRecognize(w http.ResponseWriter, r *http.Request) {
	img, ok := bodyImage(w, r)
	if !ok {
		return
	}
	f, err := s.b.Recognize(img)
	if err != nil {
		apiError(w, http.StatusUnprocessableEntity, "no_face", err.Error())
		return
	}
	writeJSON(w, http.StatusOK, f)
}

func (s *Server) apiEvents(w http.ResponseWriter, r *http.Request) {
	n := 100
	if q := r.URL.Query().Get("n"); q != "" {
		v, err := strconv.Atoi(q)
		if err != nil || v < 1 || v > 10000 {
			apiError(w, http.StatusBadRequest, "bad_n", "n: a count of 1 to 10000")
			return
		}
		n = v
	}
	ev, err := s.b.Events(n)
	if err != nil {
		apiError(w, http.StatusInternalServerError, "audit", err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string][]Event{"events": ev})
}
