package main

// The [web] section of edge.toml: edge run's page and REST API (package
// web), backed by the door's gallery and audit log and a network of its
// own, so that the door's loop never waits on a browser.

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io/fs"
	"log/slog"
	"math"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/edge-pi/edge/audit"
	"github.com/edge-pi/edge/gallery"
	"github.com/edge-pi/edge/internal/safefile"
	"github.com/edge-pi/edge/locate"
	"github.com/edge-pi/edge/service"
	"github.com/edge-pi/edge/twin"
	"github.com/edge-pi/edge/web"
)

// webConfig is edge.toml's [web] section; no listen address, no page.
type webConfig struct {
	Listen   string `toml:"listen"`
	CertFile string `toml:"cert_file"`
	KeyFile  string `toml:"key_file"`
	// Thumbnails keeps a small picture of each face enrolled from the
	// page (off: the gallery holds embeddings only).
	Thumbnails bool `toml:"thumbnails"`
}

// webBackend is web.Backend over the door's state.
type webBackend struct {
	mu        sync.Mutex // net and store: not for concurrent use
	net       *twin.Net
	store     *gallery.Store // the page's own (a Store is one goroutine's)
	gpath     string
	override  float32 // edge.toml's threshold, 0 for none
	auditPath string
	model     string
	started   time.Time
	camera    atomic.Value // string
	lastErr   atomic.Value // string
	fps       atomic.Value // float64: frames a second, an average of the last few
	lastFrame time.Time    // onFrame's (the loop's goroutine only)
	live      *web.Live
	feed      *web.Feed
	stateDir  string
	cropDir   string // the audit's crops; "" when it keeps none
	thumbs    bool   // keep thumbnails (thumbs.go)
	wrong     *wrongMatches
}

// onFrame records the camera's state from the loop's reports and gives
// the live view its frame (a copy, a few times a second).
func (b *webBackend) onFrame(r service.Report) {
	state := "streaming"
	if r.Fault == "bad frame" {
		state = "unreadable frames"
	}
	b.camera.Store(state)
	if now := time.Now(); !b.lastFrame.IsZero() {
		if dt := now.Sub(b.lastFrame).Seconds(); dt > 0 {
			f, _ := b.fps.Load().(float64)
			if f == 0 {
				f = 1 / dt
			}
			b.fps.Store(0.9*f + 0.1/dt)
		}
		b.lastFrame = now
	} else {
		b.lastFrame = now
	}
	if r.Fault != "" {
		b.lastErr.Store(r.Time.Format(time.RFC3339) + ": " + r.Fault)
	}
	mark, caption := web.NoFace, ""
	switch {
	case r.Skip != "":
		mark, caption = web.Skipped, "face refused: "+r.Skip
	case r.Identity != "":
		mark, caption = web.Matched, fmt.Sprintf("%s %.3f", r.Identity, r.Distance)
	case r.Face && math.IsInf(float64(r.Distance), 1):
		mark, caption = web.Stranger, "unknown face (nobody enrolled)"
	case r.Face:
		mark, caption = web.Stranger, fmt.Sprintf("unknown face %.3f", r.Distance)
	}
	b.live.Offer(time.Now(), r.Frame, r.Box, mark, caption)
	if ev, ok := mqttEvent(r); ok {
		d := web.Decision{Time: ev.Time, Kind: string(ev.Kind), Identity: ev.Identity}
		if f := float64(ev.Distance); !math.IsNaN(f) && !math.IsInf(f, 0) {
			d.Distance = &ev.Distance
		}
		b.feed.Publish(d)
	}
}

// liveEnrolFrames is how many frames that pass the quality gate
// enrolment from the camera takes.
const liveEnrolFrames = 3

// EnrollFrames enrols name from the next frames that pass the quality
// gate, counting why the others were refused.
func (b *webBackend) EnrollFrames(ctx context.Context, name string, next func(*web.LiveFrame) error) (web.LiveEnrolment, error) {
	res := web.LiveEnrolment{Refused: map[string]int{}}
	if err := gallery.CheckName(name); err != nil {
		if g, lerr := b.load(); lerr != nil || !hasName(g, name) {
			return res, err
		}
	}
	var embs [][]float32
	var f web.LiveFrame
	var first *image.Gray // the first frame that passed, and its face
	var firstBox image.Rectangle
	for len(embs) < liveEnrolFrames {
		if err := next(&f); err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				err = fmt.Errorf("only %d of %d frames passed the quality gate in time", len(embs), liveEnrolFrames)
			}
			return res, err
		}
		e, box, err := b.embedBox(f.Gray)
		switch {
		case errors.Is(err, twin.ErrQuality):
			res.Refused[twin.SkipReason(err)]++
		case err != nil:
			res.Refused["no face"]++
		default:
			embs = append(embs, e)
			if first == nil {
				first, firstBox = image.NewGray(f.Gray.Rect), box
				copy(first.Pix, f.Gray.Pix)
			}
		}
	}
	err := b.update(func(g *gallery.Gallery) error {
		if err := g.Enroll(name, embs...); err != nil {
			return err
		}
		id, _ := g.Lookup(name)
		res.Person = web.Person{Name: id.Name, Photos: len(id.Embeddings)}
		return nil
	})
	res.Used = len(embs)
	if err == nil {
		b.saveThumb(name, first, firstBox)
	}
	return res, err
}

func hasName(g *gallery.Gallery, name string) bool {
	_, ok := g.Lookup(name)
	return ok
}

func (b *webBackend) Status() web.Status {
	s := web.Status{Model: b.model, Started: b.started, Camera: "no frame yet"}
	if v, ok := b.camera.Load().(string); ok {
		s.Camera = v
	}
	if v, ok := b.lastErr.Load().(string); ok {
		s.LastError = v
	}
	s.FPS, _ = b.fps.Load().(float64)
	if g, err := b.load(); err == nil || errors.Is(err, fs.ErrNotExist) { // none yet: the model's
		s.Threshold, _ = settleThreshold(b.override, "threshold", g, b.gpath, b.net.Meta)
	}
	return s
}

func (b *webBackend) load() (*gallery.Gallery, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.store.Load()
}

func (b *webBackend) update(fn func(g *gallery.Gallery) error) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	_, err := b.store.Update(fn)
	return err
}

func (b *webBackend) People() ([]web.Person, error) {
	g, err := b.load()
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	wrong := b.wrong.counts()
	var p []web.Person
	for _, id := range g.List() {
		p = append(p, web.Person{Name: id.Name, Photos: len(id.Embeddings), WrongMatches: wrong[id.Name], Thumb: b.hasThumb(id.Name)})
	}
	return p, nil
}

// embed is the image's embedding through the locator and quality gate.
func (b *webBackend) embed(img image.Image) ([]float32, error) {
	e, _, err := b.embedBox(img)
	return e, err
}

// embedBox is embed with the face's box (empty where none was located).
func (b *webBackend) embedBox(img image.Image) ([]float32, image.Rectangle, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	e, err := b.net.Embed(img)
	if err != nil {
		return nil, image.Rectangle{}, err
	}
	var box image.Rectangle
	if f, ok := b.net.Face(); ok {
		box = f.Box
	}
	return append([]float32(nil), e...), box, nil
}

func (b *webBackend) Enroll(name string, img image.Image) (web.Person, error) {
	e, box, err := b.embedBox(img)
	if err != nil {
		return web.Person{}, err
	}
	defer func() {
		if err == nil {
			b.saveThumb(name, img, box) // a thumbnail that cannot be kept costs only the picture
		}
	}()
	var p web.Person
	err = b.update(func(g *gallery.Gallery) error {
		if _, found := g.Lookup(name); !found {
			if err := gallery.CheckName(name); err != nil {
				return err
			}
		}
		if err := g.Enroll(name, e); err != nil {
			return err
		}
		id, _ := g.Lookup(name)
		p = web.Person{Name: id.Name, Photos: len(id.Embeddings)}
		return nil
	})
	return p, err
}

func (b *webBackend) Remove(name string) error {
	if err := b.update(func(g *gallery.Gallery) error { return g.Remove(name) }); err != nil {
		return err
	}
	return errors.Join(b.moveThumb(name, ""), b.wrong.rename(name, ""))
}

func (b *webBackend) Rename(old, new string) error {
	if err := b.update(func(g *gallery.Gallery) error { return g.Rename(old, new) }); err != nil {
		return err
	}
	return errors.Join(b.moveThumb(old, new), b.wrong.rename(old, new))
}

func (b *webBackend) Recognize(img image.Image) (web.Face, error) {
	e, err := b.embed(img)
	if err != nil {
		return web.Face{}, err
	}
	g, err := b.load()
	if errors.Is(err, fs.ErrNotExist) {
		return web.Face{}, errors.New("nobody is enrolled")
	}
	if err != nil {
		return web.Face{}, err
	}
	t, err := settleThreshold(b.override, "threshold", g, b.gpath, b.net.Meta)
	if err != nil {
		return web.Face{}, err
	}
	if g.Len() == 0 {
		return web.Face{}, errors.New("nobody is enrolled")
	}
	name, d, ok := g.Identify(e, t)
	f := web.Face{Distance: d, Known: ok, Score: b.net.Score(d)}
	if ok {
		f.Name = name
	}
	return f, nil
}

// maxEvents bounds the records Events keeps while reading the log.
const maxEvents = 10000

func (b *webBackend) Events(n int) ([]web.Event, error) {
	n = min(n, maxEvents)
	var ev []web.Event
	_, err := audit.Read(b.auditPath, func(r audit.Record) error {
		e := web.Event{Time: r.Time, Decision: r.Decision, Identity: r.Identity, Crop: r.Crop}
		if d := r.Distance; d == d {
			e.Distance = &d
		}
		if len(ev) == n {
			copy(ev, ev[1:])
			ev = ev[:n-1]
		}
		ev = append(ev, e)
		return nil
	})
	for i, j := 0, len(ev)-1; i < j; i, j = i+1, j-1 { // newest first
		ev[i], ev[j] = ev[j], ev[i]
	}
	if errors.Is(err, fs.ErrNotExist) { // nothing recorded yet
		err = nil
	}
	return ev, err
}

// maxCropBytes bounds a crop the page serves.
const maxCropBytes = 4 << 20

// Crop returns the JPEG of an audit record's face crop, where the audit
// keeps crops.
func (b *webBackend) Crop(name string) ([]byte, error) {
	if b.cropDir == "" || name != filepath.Base(name) {
		return nil, fs.ErrNotExist
	}
	return safefile.ReadFile(filepath.Join(b.cropDir, name), maxCropBytes)
}

// startWeb opens the page's own network (the door's model, locator and
// quality gate) and serves the page until ctx ends; an error of the
// server is logged, and the door goes on without its page.
func startWeb(ctx context.Context, cfg runConfig, dir, gpath, apath string, wrong *wrongMatches, log *slog.Logger) (*webBackend, error) {
	net, err := openNet(cfg.Model, 1)
	if err != nil {
		return nil, err
	}
	if net.Meta.Crop == twin.CropFace {
		b, err := cascade(cfg.Cascade)
		if err != nil {
			net.Close()
			return nil, fmt.Errorf("cascade: %w", err)
		}
		loc, err := locate.New(b, cfg.locateOptions())
		if err != nil {
			net.Close()
			return nil, err
		}
		net.SetLocator(loc)
	}
	b := &webBackend{net: net, store: gallery.NewStore(gpath, modelID(net)), gpath: gpath, override: cfg.Threshold, auditPath: apath,
		model: describe(net, cfg.Model), started: time.Now(), live: web.NewLive(), feed: web.NewFeed(), stateDir: dir, thumbs: cfg.Web.Thumbnails, wrong: wrong}
	if cfg.Audit.Crops {
		b.cropDir = filepath.Join(filepath.Dir(apath), "crops")
	}
	srv, err := web.New(web.Config{Listen: cfg.Web.Listen, StateDir: dir, CertFile: cfg.Web.CertFile, KeyFile: cfg.Web.KeyFile, Live: b.live, Feed: b.feed}, b)
	if err != nil {
		net.Close()
		return nil, err
	}
	go func() {
		defer net.Close()
		if err := srv.Serve(ctx); err != nil {
			log.Error("web page stopped", "err", err)
		}
	}()
	return b, nil
}
