package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"periph.io/x/conn/v3/gpio/gpiotest"

	"github.com/edge-pi/edge/audit"
	"github.com/edge-pi/edge/capture"
	"github.com/edge-pi/edge/decide"
	"github.com/edge-pi/edge/gallery"
	egpio "github.com/edge-pi/edge/gpio"
	"github.com/edge-pi/edge/internal/sdnotify"
	"github.com/edge-pi/edge/liveness"
	"github.com/edge-pi/edge/locate"
	"github.com/edge-pi/edge/service"
	"github.com/edge-pi/edge/twin"
)

// cmdRun is the service: camera → face → twin → decision → relay.
func cmdRun(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flags("run", stderr)
	cfgPath := fs.String("config", "", "edge.toml (flags below override it)")
	model := fs.String("model", "", "model name or ONNX file")
	frames := fs.String("frames", "", "replay a folder of images or a recording instead of the camera")
	device := fs.String("camera", "", "V4L2 device")
	pin := fs.String("pin", "", "relay pin name (GPIO17)")
	simulate := fs.Bool("simulate-relay", false, "no GPIO: print what the relay would do")
	stateDir := fs.String("state-dir", "", "state directory (gallery, audit log)")
	threads := fs.Int("threads", -1, "inference threads (0: all cores)")
	level := fs.String("log-level", "", "debug, info, warn or error")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("unexpected argument %q", pos[0])
	}
	if err := nonEmpty(fs, "config", "model", "frames", "camera", "pin", "state-dir", "log-level"); err != nil {
		return err
	}
	cfg, err := loadRunConfig(*cfgPath)
	if err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	override := func(name string, dst *string, v string) {
		if set[name] {
			*dst = v
		}
	}
	override("model", &cfg.Model, *model)
	override("frames", &cfg.Camera.Frames, *frames)
	override("camera", &cfg.Camera.Device, *device)
	override("pin", &cfg.Relay.Pin, *pin)
	override("state-dir", &cfg.StateDir, *stateDir)
	override("log-level", &cfg.Log.Level, *level)
	if set["simulate-relay"] {
		cfg.Relay.Simulate = *simulate
	}
	if set["threads"] {
		cfg.Threads = *threads
	}
	if err := cfg.check(); err != nil {
		return err
	}
	log, err := newLogger(stderr, cfg.Log.Level, cfg.Log.Format)
	if err != nil {
		return err
	}
	return runService(ctx, cfg, log, stdout)
}

func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("log level %q: %w", level, err)
	}
	o := &slog.HandlerOptions{Level: l}
	switch format {
	case "", "text":
		return slog.New(slog.NewTextHandler(w, o)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, o)), nil
	}
	return nil, fmt.Errorf("log format %q: want text or json", format)
}

// runService wires the stages and runs the loop. Every failure after the
// relay is claimed leaves it locked: the loop halts it, and so does Close.
func runService(ctx context.Context, cfg runConfig, log *slog.Logger, stdout io.Writer) error {
	net, err := openNet(cfg.Model, cfg.Threads)
	if err != nil {
		return err
	}
	defer net.Close()
	if net.Meta.Crop == "face" {
		b, err := cascade(cfg.Cascade)
		if err != nil {
			return fmt.Errorf("cascade: %w", err)
		}
		loc, err := locate.New(b, cfg.locateOptions())
		if err != nil {
			return err
		}
		net.SetLocator(loc)
	}
	dir := cfg.StateDir
	if dir == "" {
		if dir, err = gallery.DefaultDir(); err != nil {
			return err
		}
	}
	gpath := cfg.Gallery
	if gpath == "" {
		gpath = filepath.Join(dir, gallery.FileName)
	}
	id := modelID(net)
	if cfg.Threshold != 0 {
		if err := checkThreshold(cfg.Threshold, net.Meta, "threshold"); err != nil {
			return err
		}
	}
	store := &thresholdGallery{Store: gallery.NewStore(gpath, id), override: cfg.Threshold, meta: net.Meta}

	dec, err := decide.New(decide.Config{K: cfg.Decision.K, N: cfg.Decision.N, Cooldown: cfg.Decision.Cooldown.Duration,
		MaxAttempts: cfg.Decision.MaxAttempts, MaxGap: cfg.Decision.MaxGap.Duration})
	if err != nil {
		return err
	}

	apath := cfg.Audit.Path
	if apath == "" {
		apath = filepath.Join(dir, "audit.jsonl")
	}
	ao := audit.Options{Sync: cfg.Audit.Sync, Mode: os.FileMode(cfg.Audit.Mode)}
	if cfg.Audit.Crops {
		ao.CropDir = filepath.Join(filepath.Dir(apath), "crops")
		ao.CropMaxBytes = int64(cfg.Audit.CropMaxMB) << 20
		ao.CropMaxAge = cfg.Audit.CropMaxAge.Duration
	}
	// The state directory as enroll creates it (Store.Update): private.
	if err := os.MkdirAll(filepath.Dir(apath), 0o700); err != nil {
		return err
	}
	alog, err := audit.Open(apath, ao)
	if err != nil {
		return err
	}
	defer alog.Close()

	relay, err := openRelay(cfg, log, stdout)
	if err != nil {
		return err
	}
	defer relay.Close()

	src, err := openSource(cfg, log)
	if err != nil {
		return err
	}
	defer src.Close()

	notify, err := sdnotify.New()
	if err != nil {
		return err
	}
	defer notify.Close()
	every := time.Duration(0)
	if cfg.Watchdog {
		if every, err = sdnotify.WatchdogInterval(); err != nil {
			return err
		}
	}
	remote := make(chan service.RemoteUnlock, 1)
	pub, err := openMQTT(cfg.MQTT, remote)
	if err != nil {
		return err
	}
	log.Info("edge running", "version", version, "model", describe(net, cfg.Model), "gallery", gpath, "audit", apath, "relay", relay)
	loop := &service.Loop{Source: src, Net: net, Gallery: store, Decider: dec, Relay: relay, Audit: alog, Notify: notify,
		Log: log, Threshold: cfg.Threshold, Model: id.String(), WatchdogEvery: every}
	if loop.Liveness, err = openLiveness(cfg, net, log); err != nil {
		return err
	}
	var hooks []func(service.Report)
	if pub != nil && cfg.MQTT.UnlockCommand {
		loop.Remote = remote
		log.Warn("the door opens on an MQTT command with its token", "topic", "edge/…/unlock/set")
	}
	if pub != nil {
		defer pub.Close()
		hooks = append(hooks, mqttOnFrame(pub))
		log.Info("publishing to MQTT", "broker", cfg.MQTT.Broker)
	}
	// matches reported wrong on the page tighten those people's thresholds
	wrong, err := loadWrongMatches(dir)
	if err != nil {
		return err
	}
	loop.PersonThreshold = wrong.threshold
	if cfg.Web.Listen != "" {
		wctx, stopWeb := context.WithCancel(ctx)
		defer stopWeb()
		wb, err := startWeb(wctx, cfg, dir, gpath, apath, wrong, log)
		if err != nil {
			return fmt.Errorf("web: %w", err)
		}
		hooks = append(hooks, wb.onFrame)
		log.Info("web page", "listen", "https://"+cfg.Web.Listen)
	}
	if len(hooks) > 0 {
		loop.OnFrame = func(r service.Report) {
			for _, h := range hooks {
				h(r)
			}
		}
	}
	err = loop.Run(ctx)
	_ = notify.Stopping()
	if err != nil {
		return err
	}
	log.Info("edge stopped; relay locked")
	return nil
}

// thresholdGallery is the service's gallery with the threshold in force
// settled on each (re)load: the config's threshold if set, else the
// gallery's calibrated one, else the model's (settleThreshold). It pins
// that threshold in the gallery the loop gets, so that the loop's own
// choice (the gallery's over its default) cannot put another in force, and
// refuses a gallery whose threshold could accept anyone: the loop then
// stops with the relay locked.
type thresholdGallery struct {
	*gallery.Store
	override float32 // the config's threshold; 0: none
	meta     twin.Meta
}

func (s *thresholdGallery) ReloadIfChanged() (*gallery.Gallery, bool, error) {
	g, changed, err := s.Store.ReloadIfChanged()
	if err != nil || !changed {
		return g, changed, err
	}
	t, err := settleThreshold(s.override, "threshold", g, s.Path, s.meta)
	if errors.Is(err, errNoThreshold) {
		// No threshold anywhere (raw pixels, uncalibrated): Identify then
		// matches only an identical embedding, which accepts no one else.
		t, err = 0, nil
	}
	if err != nil {
		return nil, false, err
	}
	g.Threshold = t
	return g, true, nil
}

func relayConfig(cfg runConfig) egpio.Config {
	r := cfg.Relay
	return egpio.Config{Relay: r.Pin, ActiveLow: r.ActiveLow, Pulse: r.Pulse.Duration, Cooldown: r.Cooldown.Duration,
		Green: r.Green, Red: r.Red, LEDActiveLow: r.LEDActiveLow, Button: r.Button, ButtonActiveHigh: r.ButtonActiveHigh}
}

// relay is what runService needs of the lock besides the loop's Relay.
type relay interface {
	service.Relay
	Close() error
	String() string
}

func openRelay(cfg runConfig, log *slog.Logger, stdout io.Writer) (relay, error) {
	rc := relayConfig(cfg)
	if !cfg.Relay.Simulate {
		return egpio.Open(rc)
	}
	rc.Relay, rc.Green, rc.Red, rc.Button = "SIMULATED", "", "", ""
	pin := &gpiotest.Pin{N: "SIMULATED"}
	r, err := egpio.New(egpio.Pins{Relay: pin}, rc)
	if err != nil {
		return nil, err
	}
	return &simRelay{Relay: r, w: stdout}, nil
}

// simRelay prints what a real relay would do.
type simRelay struct {
	*egpio.Relay
	w io.Writer
}

func (s *simRelay) Unlock(now time.Time) error {
	err := s.Relay.Unlock(now)
	if err == nil {
		fmt.Fprintf(s.w, "%s relay: UNLOCKED\n", now.Format("15:04:05.000"))
	}
	return err
}

func (s *simRelay) Tick(now time.Time) (egpio.Event, error) {
	ev, err := s.Relay.Tick(now)
	if ev.Relocked {
		fmt.Fprintf(s.w, "%s relay: locked\n", now.Format("15:04:05.000"))
	}
	return ev, err
}

func openSource(cfg runConfig, log *slog.Logger) (capture.Source, error) {
	c := cfg.Camera
	pace := capture.Pace{FPS: float64(c.FPS), Loop: c.Loop}
	if c.Frames != "" {
		if strings.HasSuffix(c.Frames, ".rec") || strings.HasSuffix(c.Frames, ".frames") {
			return capture.Replay(c.Frames, pace)
		}
		return capture.OpenFolder(c.Frames, pace)
	}
	var formats []capture.PixelFormat
	for _, f := range c.Formats {
		formats = append(formats, capture.PixelFormat(strings.ToUpper(f)))
	}
	cam, err := capture.OpenCamera(c.Device, capture.CameraOptions{Width: c.Width, Height: c.Height, FPS: c.FPS, Formats: formats,
		OnState: func(s capture.Status) { log.Warn("camera", "state", s.State.String(), "status", fmt.Sprint(s)) }})
	if err != nil {
		return nil, err
	}
	return cam, nil
}

// openLiveness is the [liveness] stage, nil when off. The motion check
// keeps its evidence for the decision's window.
func openLiveness(cfg runConfig, net *twin.Net, log *slog.Logger) (service.LivenessChecker, error) {
	mode, err := liveness.ParseMode(cfg.Liveness.Mode)
	if err != nil || mode == liveness.Off {
		return nil, err
	}
	if net.Meta.Crop != twin.CropFace {
		return nil, fmt.Errorf("liveness.mode %s: model %s does not crop faces (edge.crop %s)", mode, cfg.Model, net.Meta.Crop)
	}
	var passive liveness.Scorer
	if mode == liveness.PassiveOnly || mode == liveness.Both {
		p, err := liveness.NewPassive(1)
		if err != nil {
			return nil, err
		}
		passive = p // lives as long as the process
	}
	c, err := liveness.NewChecker(liveness.Config{Mode: mode, Motion: cfg.Liveness.Motion, Passive: float32(cfg.Liveness.Passive), Window: cfg.Decision.N}, passive)
	if err != nil {
		return nil, err
	}
	log.Info("liveness check", "mode", string(mode))
	return c, nil
}
