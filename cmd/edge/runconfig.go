package main

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"slices"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/edge-pi/edge/internal/safefile"
	"github.com/edge-pi/edge/liveness"
	"github.com/edge-pi/edge/locate"
)

// duration reads "3s", "500ms" from TOML.
type duration struct{ time.Duration }

func (d *duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return err
	}
	d.Duration = v
	return nil
}

func (d duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// runConfig is edge.toml (deploy/edge.toml documents every key).
type runConfig struct {
	Model     string  `toml:"model"`
	Threads   int     `toml:"threads"`
	Threshold float32 `toml:"threshold"`
	Cascade   string  `toml:"cascade"`
	StateDir  string  `toml:"state_dir"`
	Gallery   string  `toml:"gallery"`
	Watchdog  bool    `toml:"watchdog"`

	Camera struct {
		Device  string   `toml:"device"`
		Width   int      `toml:"width"`
		Height  int      `toml:"height"`
		FPS     int      `toml:"fps"`
		Formats []string `toml:"formats"`
		Frames  string   `toml:"frames"` // a folder of images or a recording, instead of the camera
		Loop    bool     `toml:"loop"`
	} `toml:"camera"`

	Decision struct {
		K           int      `toml:"k"`
		N           int      `toml:"n"`
		Cooldown    duration `toml:"cooldown"`
		MaxAttempts int      `toml:"max_attempts_per_minute"`
		MaxGap      duration `toml:"max_gap"`
	} `toml:"decision"`

	Relay struct {
		Pin              string   `toml:"pin"`
		ActiveLow        bool     `toml:"active_low"`
		Pulse            duration `toml:"pulse"`
		Cooldown         duration `toml:"cooldown"`
		Green            string   `toml:"green_led"`
		Red              string   `toml:"red_led"`
		LEDActiveLow     bool     `toml:"led_active_low"`
		Button           string   `toml:"exit_button"`
		ButtonActiveHigh bool     `toml:"exit_button_active_high"`
		Simulate         bool     `toml:"simulate"`
	} `toml:"relay"`

	Audit struct {
		Path       string   `toml:"path"`
		Crops      bool     `toml:"crops"`
		CropMaxMB  int      `toml:"crop_max_mb"`
		CropMaxAge duration `toml:"crop_max_age"`
		Sync       bool     `toml:"sync"`
		Mode       int      `toml:"mode"` // of the log and crops; 0: 0o600
	} `toml:"audit"`

	// Quality is the gate a face passes before it is matched (see
	// locate.Gate); 0 keeps a limit's default.
	Quality struct {
		Off            bool    `toml:"off"`
		MinSide        int     `toml:"min_side"`
		MinMean        float64 `toml:"min_mean"`
		MinBright      float64 `toml:"min_bright"`
		MinSharpness   float64 `toml:"min_sharpness"`
		MaxTilt        float64 `toml:"max_tilt"`
		MaxEyeOffset   float64 `toml:"max_eye_offset"`
		MinEyeDistance float64 `toml:"min_eye_distance"`
		MaxEyeDistance float64 `toml:"max_eye_distance"`
	} `toml:"quality"`

	// Liveness is the presentation-attack check (package liveness,
	// liveness/LIVENESS.md): off (the default), passive, motion or both,
	// and the thresholds (0: the package's defaults).
	Liveness struct {
		Mode    string  `toml:"mode"`
		Motion  float64 `toml:"motion"`
		Passive float64 `toml:"passive"`
	} `toml:"liveness"`

	MQTT mqttConfig `toml:"mqtt"`
	Web  webConfig  `toml:"web"`

	Log struct {
		Level  string `toml:"level"`
		Format string `toml:"format"`
	} `toml:"log"`
}

// locateOptions are the face detector's options: the quality gate, and
// the window sizes searched on as many goroutines as the network has
// threads (0: one per CPU core, as twin does).
func (c *runConfig) locateOptions() locate.Options {
	return locate.Options{Gate: c.gate(), Threads: cpuThreads(c.Threads)}
}

// gate is the [quality] section as the locator takes it.
func (c *runConfig) gate() locate.Gate {
	q := c.Quality
	return locate.Gate{Off: q.Off, MinSide: q.MinSide, MinMean: q.MinMean, MinBright: q.MinBright, MinSharpness: q.MinSharpness,
		MaxTilt: q.MaxTilt, MaxEyeOffset: q.MaxEyeOffset, MinEyeDistance: q.MinEyeDistance, MaxEyeDistance: q.MaxEyeDistance}
}

// checkQuality checks the [quality] limits: none negative or not a
// number, grey levels within 0–255, the tilt within 0–90°, and the eye
// distances in order.
func (c *runConfig) checkQuality() []error {
	q := c.Quality
	var errs []error
	for _, l := range []struct {
		key    string
		v, max float64
	}{{"min_side", float64(q.MinSide), math.Inf(1)}, {"min_mean", q.MinMean, 255}, {"min_bright", q.MinBright, 255},
		{"min_sharpness", q.MinSharpness, math.Inf(1)}, {"max_tilt", q.MaxTilt, 90}, {"max_eye_offset", q.MaxEyeOffset, 1},
		{"min_eye_distance", q.MinEyeDistance, 1}, {"max_eye_distance", q.MaxEyeDistance, 1}} {
		if !(l.v >= 0 && l.v <= l.max) {
			errs = append(errs, fmt.Errorf("quality.%s %v: want 0 (the default) to %v", l.key, l.v, l.max))
		}
	}
	if g := c.gate().Limits(); g.MinEyeDistance >= g.MaxEyeDistance {
		errs = append(errs, fmt.Errorf("quality: min_eye_distance %v is not below max_eye_distance %v", g.MinEyeDistance, g.MaxEyeDistance))
	}
	return errs
}

func defaultRunConfig() runConfig {
	var c runConfig
	c.Model = "faces"
	c.Watchdog = true
	c.Camera.Device = "/dev/video0"
	c.Camera.Width, c.Camera.Height, c.Camera.FPS = 640, 480, 15
	c.Decision.K, c.Decision.N = 3, 5
	c.Decision.Cooldown = duration{5 * time.Second}
	c.Decision.MaxAttempts = 10
	c.Decision.MaxGap = duration{2 * time.Second}
	c.Relay.Pin = "GPIO17"
	c.Relay.Pulse = duration{3 * time.Second}
	c.Relay.Cooldown = duration{2 * time.Second}
	c.Audit.CropMaxMB = 200
	c.Audit.CropMaxAge = duration{30 * 24 * time.Hour}
	c.Log.Level = "info"
	c.Log.Format = "text"
	return c
}

// loadRunConfig reads path over the defaults; unknown keys are errors (a
// typo must not silently leave a default in force on a door).
func loadRunConfig(path string) (runConfig, error) {
	c := defaultRunConfig()
	if path == "" {
		return c, nil
	}
	b, err := safefile.ReadFile(path, maxConfigBytes)
	if err != nil {
		return c, err
	}
	md, err := toml.Decode(string(b), &c)
	if err != nil {
		return c, fmt.Errorf("%s: %w", path, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		return c, fmt.Errorf("%s: unknown key %q", path, und[0].String())
	}
	return c, nil
}

func (c *runConfig) check() error {
	var errs []error
	if c.Model == "" {
		errs = append(errs, errors.New("model is empty"))
	}
	if c.Camera.Frames == "" && c.Camera.Device == "" {
		errs = append(errs, errors.New("camera.device and camera.frames are both empty"))
	}
	if !c.Relay.Simulate && c.Relay.Pin == "" {
		errs = append(errs, errors.New("relay.pin is empty (set relay.simulate = true to run without GPIO)"))
	}
	if !(c.Threshold >= 0) || math.IsInf(float64(c.Threshold), 0) {
		errs = append(errs, fmt.Errorf("threshold %v: want 0 (the gallery's or the model's) or a distance > 0", c.Threshold))
	}
	if c.Decision.K < 1 || c.Decision.N < c.Decision.K {
		errs = append(errs, fmt.Errorf("decision: want 1 ≤ k ≤ n, have k=%d n=%d", c.Decision.K, c.Decision.N))
	}
	if err := checkThreads(c.Threads); err != nil {
		errs = append(errs, err)
	}
	if c.Camera.FPS <= 0 || c.Camera.FPS > 1000 {
		errs = append(errs, fmt.Errorf("camera.fps %d: want 1 to 1000", c.Camera.FPS))
	}
	if c.Camera.Width <= 0 || c.Camera.Height <= 0 {
		errs = append(errs, fmt.Errorf("camera: want width and height > 0, have %d×%d", c.Camera.Width, c.Camera.Height))
	}
	if c.Decision.MaxAttempts < 0 {
		errs = append(errs, fmt.Errorf("decision.max_attempts_per_minute %d: must not be negative", c.Decision.MaxAttempts))
	}
	if c.Audit.CropMaxMB < 0 {
		errs = append(errs, fmt.Errorf("audit.crop_max_mb %d: must not be negative", c.Audit.CropMaxMB))
	}
	errs = append(errs, c.checkQuality()...)
	if _, err := liveness.ParseMode(c.Liveness.Mode); err != nil {
		errs = append(errs, fmt.Errorf("liveness.mode: %w", err))
	}
	if v := c.Liveness.Motion; !(v >= 0 && v < 10) {
		errs = append(errs, fmt.Errorf("liveness.motion %v: want 0 (the default, %v) to 10", v, liveness.DefaultMotion))
	}
	if v := c.Liveness.Passive; !(v >= 0 && v < 1) {
		errs = append(errs, fmt.Errorf("liveness.passive %v: want 0 (the default, %v) to 1", v, liveness.DefaultPassive))
	}
	if m := c.MQTT; m.Broker != "" {
		if u, err := url.Parse(m.Broker); err != nil || u.Host == "" || !slices.Contains([]string{"tcp", "ssl", "tls", "ws", "wss", "mqtt", "mqtts"}, u.Scheme) {
			errs = append(errs, fmt.Errorf("mqtt.broker %q: want tcp://host:port (or ssl://, ws://, wss://)", m.Broker))
		}
		if m.Queue < 0 {
			errs = append(errs, fmt.Errorf("mqtt.queue %d: must not be negative", m.Queue))
		}
		if m.UnlockCommand && m.UnlockTokenFile == "" {
			errs = append(errs, errors.New("mqtt.unlock_command needs mqtt.unlock_token_file"))
		}
	} else if c.MQTT.UnlockCommand {
		errs = append(errs, errors.New("mqtt.unlock_command needs mqtt.broker"))
	}
	for _, d := range []struct {
		key string
		v   duration
	}{{"decision.cooldown", c.Decision.Cooldown}, {"decision.max_gap", c.Decision.MaxGap}, {"relay.pulse", c.Relay.Pulse},
		{"relay.cooldown", c.Relay.Cooldown}, {"audit.crop_max_age", c.Audit.CropMaxAge}} {
		if d.v.Duration < 0 {
			errs = append(errs, fmt.Errorf("%s %v: must not be negative", d.key, d.v.Duration))
		}
	}
	return errors.Join(errs...)
}
