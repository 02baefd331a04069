// Command compare times edge's engine against ONNX Runtime and onnx-go's
// gorgonnx backend on the same models and the same input, alternating the
// engines run by run so that drift of the machine (frequency, other load)
// hits all of them, and prints a Markdown table. It then measures SGEMM at
// 512×512×512 against the peak of one core.
//
// From the repository root:
//
//	make bench-compare
//
// which installs ONNX Runtime from npm into bench/.ort/, exports the
// torchvision models into bench/models/ and runs
//
//	go -C bench run ./cmd/compare -repo ..
//
// -profile N then times every node of both engines (edge's steps, ONNX
// Runtime's own profiler) over N runs and prints them side by side, and
// -files adds ONNX files of one's own, such as a layer cut out of a model
// (onnx.utils.extract_model), to find where the time goes.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/edge-pi/edge/infer"
	"github.com/edge-pi/edge/simd"
)

type config struct {
	repo     string        // the edge repository root
	ortLib   string        // libonnxruntime.so.1
	budget   time.Duration // per model and thread count
	minRuns  int
	maxRuns  int
	gorgRuns int // timed gorgonnx runs per model and thread count
	threads  []int
	filter   string
	ortSpin  bool
	sgemm    bool
	profile  int    // runs profiled per engine after the timing; 0: none
	files    string // further ONNX files, comma-separated
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "compare:", err)
		os.Exit(2)
	}
}

func run(ctx context.Context, args []string, w io.Writer) error {
	var c config
	var threads string
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	fs.StringVar(&c.repo, "repo", "..", "edge repository root")
	fs.StringVar(&c.ortLib, "ort", "", "libonnxruntime.so.1 (default: the npm package under REPO/bench/.ort)")
	fs.DurationVar(&c.budget, "budget", 3*time.Second, "time spent per model and thread count, at least -min-runs rounds")
	fs.IntVar(&c.minRuns, "min-runs", 7, "fewest timed runs of edge and ONNX Runtime")
	fs.IntVar(&c.maxRuns, "max-runs", 200, "most timed runs of edge and ONNX Runtime")
	fs.IntVar(&c.gorgRuns, "gorgonnx-runs", 3, "timed gorgonnx runs (it is slow); 0 skips it")
	fs.StringVar(&threads, "threads", "", "comma-separated thread counts (default: 1 and the number of cores)")
	fs.StringVar(&c.filter, "models", "", "only models whose name contains this")
	fs.BoolVar(&c.ortSpin, "ort-spin", false, "let ONNX Runtime's idle worker threads spin (its default); off, they do not steal a core from the engine timed next")
	fs.StringVar(&c.files, "files", "", "comma-separated ONNX files to time too (a layer cut out of a model, say)")
	fs.IntVar(&c.profile, "profile", 0, "after each row, time every node of edge and of ONNX Runtime (its profiler) over this many runs and print them side by side")
	fs.BoolVar(&c.sgemm, "sgemm", true, "also measure SGEMM 512³ against the FMA peak of one core")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if c.minRuns < 1 || c.maxRuns < c.minRuns {
		return errors.New("want 1 ≤ -min-runs ≤ -max-runs")
	}
	var err error
	if c.threads, err = parseThreads(threads); err != nil {
		return err
	}
	if c.ortLib == "" {
		c.ortLib = defaultORTLib(c.repo)
	}
	ortVersion, err := initORT(c.ortLib)
	if err != nil {
		return err
	}
	defer destroyORT()

	cases, notes, err := modelCases(c.repo, c.filter, c.files)
	if err != nil {
		return err
	}
	header(w, c.repo, ortVersion)
	for _, n := range notes {
		fmt.Fprintln(w, n)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| model | input | threads | edge ms | ORT ms | edge/ORT | gorgonnx ms | gorgonnx/ORT | runs | edge vs ORT max diff |")
	fmt.Fprintln(w, "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|")
	start := time.Now()
	procs := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(procs)
	for _, mc := range cases {
		if err := compareModel(ctx, w, &c, mc); err != nil {
			return fmt.Errorf("%s: %w", mc.name, err)
		}
	}
	fmt.Fprintf(w, "\nMedians over the runs counted (gorgonnx: %d at most); %s in all; load average at the end: %s.\n",
		c.gorgRuns, time.Since(start).Round(time.Second), loadAvg())
	if c.sgemm {
		runtime.GOMAXPROCS(procs)
		fmt.Fprintln(w)
		sgemmReport(w)
	}
	return nil
}

// header describes the machine and the software versions.
func header(w io.Writer, repo, ortVersion string) {
	fmt.Fprintf(w, "date: %s\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(w, "cpu: %s, %d logical cores (GOARCH %s)\n", cpuModel(), runtime.NumCPU(), runtime.GOARCH)
	fmt.Fprintf(w, "load average at the start: %s\n", loadAvg())
	fmt.Fprintf(w, "edge: %s, %q kernels\n", gitDescribe(repo), simd.Implementation())
	fmt.Fprintf(w, "go: %s; ONNX Runtime %s (intra-op threads as in the table, inter-op 1, sequential, graph optimisation ALL)\n", runtime.Version(), ortVersion)
}

// gitDescribe names the commit of the edge tree being measured.
func gitDescribe(repo string) string {
	out, err := exec.Command("git", "-C", repo, "describe", "--always", "--dirty").Output()
	if err != nil {
		return "unknown commit"
	}
	return strings.TrimSpace(string(out))
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

// loadAvg is the 1, 5 and 15-minute load averages: other work on the
// machine makes every engine slower.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func parseThreads(s string) ([]int, error) {
	if s == "" {
		if runtime.NumCPU() == 1 {
			return []int{1}, nil
		}
		return []int{1, runtime.NumCPU()}, nil
	}
	var ts []int
	for _, f := range strings.Split(s, ",") {
		t, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || t < 1 {
			return nil, fmt.Errorf("bad -threads %q", s)
		}
		ts = append(ts, t)
	}
	return ts, nil
}

// modelCase is one model file of the table.
type modelCase struct {
	name string
	path string
}

// modelCases lists, in table order: the models we ship (REPO/models), the
// seed tutorial's network from the parity exports, the torchvision
// architectures and the twin-style networks (MobileFaceNet, Koch's branch)
// exported by bench/export.py, then the further files.
func modelCases(repo, filter, files string) ([]modelCase, []string, error) {
	var cases []modelCase
	var notes []string
	shipped, err := filepath.Glob(filepath.Join(repo, "models", "*.onnx"))
	if err != nil {
		return nil, nil, err
	}
	if len(shipped) == 0 {
		notes = append(notes, "models we ship: none yet (models/ holds no .onnx file), so no twin model is in the table.")
	}
	for _, p := range shipped {
		cases = append(cases, modelCase{strings.TrimSuffix(filepath.Base(p), ".onnx"), p})
	}
	cases = append(cases, modelCase{"seed_branch_static", filepath.Join(repo, "infer/testdata/parity/out/seed_branch_static.onnx")})
	for _, arch := range []string{"resnet18", "mobilenet_v2", "squeezenet1_1"} {
		for _, side := range []int{112, 224} {
			name := fmt.Sprintf("%s_%d", arch, side)
			cases = append(cases, modelCase{name, filepath.Join(repo, "bench/models", name+".onnx")})
		}
	}
	for _, name := range []string{"mobilefacenet_112", "koch_narrow_105", "convnext_tiny_112", "vit_b_16_224"} { // twin-style and newer, also from bench/export.py
		cases = append(cases, modelCase{name, filepath.Join(repo, "bench/models", name+".onnx")})
	}
	for _, p := range strings.Split(files, ",") {
		if p != "" {
			cases = append(cases, modelCase{strings.TrimSuffix(filepath.Base(p), ".onnx"), p})
		}
	}
	var keep []modelCase
	for _, mc := range cases {
		if !strings.Contains(mc.name, filter) {
			continue
		}
		if _, err := os.Stat(mc.path); err != nil {
			return nil, nil, fmt.Errorf("%w (make parity-data, and /usr/bin/python3 bench/export.py, write the models)", err)
		}
		keep = append(keep, mc)
	}
	return keep, notes, nil
}

// engine is one inference engine set up for one model, input and thread
// count.
type engine interface {
	run() error
	output() []float32
	close()
}

// compareModel prints the table rows of one model, one per thread count.
func compareModel(ctx context.Context, w io.Writer, c *config, mc modelCase) error {
	m, err := infer.LoadFile(mc.path)
	if err != nil {
		return err
	}
	if len(m.Inputs) != 1 || len(m.Outputs) != 1 {
		return fmt.Errorf("want one input and one output, have %d and %d", len(m.Inputs), len(m.Outputs))
	}
	// The input: the declared shape (symbolic dims 1), seeded normal values.
	probe, err := m.Plan(infer.Options{Threads: 1})
	if err != nil {
		return err
	}
	inShape := slices.Clone(probe.Input(0).Shape)
	outShape := slices.Clone(probe.Output(0).Shape)
	probe.Close()
	in := make([]float32, numel(inShape))
	rng := rand.New(rand.NewPCG(1, 0))
	for i := range in {
		in[i] = float32(rng.NormFloat64())
	}

	// gorgonnx has no thread setting: GOMAXPROCS bounds it. It is set up
	// afresh for each thread count, because a Run corrupts its model (see
	// measure); a failure is a table entry, not an error.
	gorgNote := ""
	if c.gorgRuns == 0 {
		gorgNote = "not run"
	}
	for _, t := range c.threads {
		if err := ctx.Err(); err != nil {
			return err
		}
		runtime.GOMAXPROCS(t)
		var gorg engine
		if gorgNote == "" {
			g, err := newGorgonnx(mc.path, inShape, in)
			if err != nil {
				gorgNote = "n/a (" + short(err) + ")" // at every thread count
			} else {
				gorg = g
			}
			runtime.GC()
		}
		ours, err := newOurs(m, t, inShape, in)
		if err != nil {
			return err
		}
		ortE, err := newORT(mc.path, m.Inputs[0].Name, m.Outputs[0].Name, inShape, outShape, in, t, c.ortSpin)
		if err != nil {
			ours.close()
			return fmt.Errorf("ONNX Runtime: %w", err)
		}
		r, err := measure(ctx, c, ours, ortE, gorg, gorgNote)
		ours.close()
		ortE.close()
		runtime.GC()
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "| %s | %s | %d | %s | %s | %.2f× | %s | %s | %d | %.1e |\n", mc.name, dims(inShape), t,
			msString(r.ours), msString(r.ort), median(r.ours)/median(r.ort), r.gorgCell(), r.gorgRatio(), len(r.ours), r.diff)
		if c.profile > 0 {
			mine, err := profileOurs(m, t, inShape, in, c.profile)
			if err != nil {
				return err
			}
			theirs, err := profileORT(mc.path, m.Inputs[0].Name, m.Outputs[0].Name, inShape, outShape, in, t, c.profile)
			if err != nil {
				return fmt.Errorf("ONNX Runtime's profile: %w", err)
			}
			printProfiles(w, mc.name, t, mine, theirs)
		}
	}
	return nil
}

// result holds the timed runs of one model at one thread count.
type result struct {
	ours, ort, gorg []time.Duration
	diff            float64 // max |edge − ORT| / max |ORT|
	gorgNote        string
}

func (r *result) gorgCell() string {
	if r.gorgNote != "" {
		return r.gorgNote
	}
	return msString(r.gorg)
}

func (r *result) gorgRatio() string {
	if r.gorgNote != "" {
		return ""
	}
	return fmt.Sprintf("%.1f×", median(r.gorg)/median(r.ort))
}

// measure warms each engine up, checks that edge and gorgonnx agree with
// ONNX Runtime (gorgonnx on its first run: each later Run of onnx-go
// v0.5.0's gorgonnx adds its result to a constant of the model, so its
// output drifts while the work stays the same), then runs rounds: edge and ORT once each per round, their
// order swapped every round, and gorgonnx after them in the first
// c.gorgRuns rounds. It stops after c.minRuns rounds once c.budget is
// spent, or after c.maxRuns rounds.
func measure(ctx context.Context, c *config, ours, ortE, gorg engine, gorgNote string) (*result, error) {
	r := &result{gorgNote: gorgNote}
	for range 2 {
		if err := ours.run(); err != nil {
			return nil, fmt.Errorf("edge: %w", err)
		}
		if err := ortE.run(); err != nil {
			return nil, fmt.Errorf("ONNX Runtime: %w", err)
		}
	}
	r.diff = relDiff(ours.output(), ortE.output())
	if gorg != nil {
		if err := gorg.run(); err != nil {
			r.gorgNote, gorg = "n/a ("+short(err)+")", nil
		} else if d := relDiff(gorg.output(), ortE.output()); !(d <= 1e-3) {
			r.gorgNote, gorg = fmt.Sprintf("n/a (output differs from ORT by %.1e)", d), nil
		}
		runtime.GC()
	}
	start := time.Now()
	for round := 0; round < c.maxRuns; round++ {
		if round >= c.minRuns && time.Since(start) >= c.budget {
			break
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		first, second := &r.ours, &r.ort
		e1, e2 := ours, ortE
		if round%2 == 1 {
			first, second, e1, e2 = second, first, e2, e1
		}
		for _, x := range []struct {
			e engine
			d *[]time.Duration
		}{{e1, first}, {e2, second}} {
			d, err := timed(x.e)
			if err != nil {
				return nil, err
			}
			*x.d = append(*x.d, d)
		}
		if gorg != nil && len(r.gorg) < c.gorgRuns {
			d, err := timed(gorg)
			if err != nil {
				return nil, fmt.Errorf("gorgonnx: %w", err)
			}
			r.gorg = append(r.gorg, d)
			// Collect gorgonnx's garbage now, untimed, rather than during
			// the next engine's run.
			runtime.GC()
		}
	}
	return r, nil
}

func timed(e engine) (time.Duration, error) {
	t0 := time.Now()
	err := e.run()
	return time.Since(t0), err
}

// relDiff is max |a−b| / max |b|; +Inf when the lengths differ, NaN when
// a value is NaN.
func relDiff(a, b []float32) float64 {
	if len(a) != len(b) {
		return math.Inf(1)
	}
	var worst, scale float64
	for i := range b {
		d := math.Abs(float64(a[i]) - float64(b[i]))
		if math.IsNaN(d) {
			return math.NaN()
		}
		worst = max(worst, d)
		scale = max(scale, math.Abs(float64(b[i])))
	}
	if scale == 0 {
		return worst
	}
	return worst / scale
}

// median in milliseconds.
func median(d []time.Duration) float64 {
	if len(d) == 0 {
		return math.NaN()
	}
	s := slices.Clone(d)
	slices.Sort(s)
	n := len(s)
	m := s[n/2]
	if n%2 == 0 {
		m = (s[n/2-1] + s[n/2]) / 2
	}
	return float64(m) / 1e6
}

func msString(d []time.Duration) string {
	m := median(d)
	switch {
	case m < 1:
		return strconv.FormatFloat(m, 'f', 3, 64)
	case m < 100:
		return strconv.FormatFloat(m, 'f', 2, 64)
	}
	return strconv.FormatFloat(m, 'f', 0, 64)
}

func dims(s []int) string {
	p := make([]string, len(s))
	for i, d := range s {
		p[i] = strconv.Itoa(d)
	}
	return strings.Join(p, "×")
}

func numel(s []int) int {
	n := 1
	for _, d := range s {
		n *= d
	}
	return n
}

// short is the first line of an error, cut to fit a table cell; pipes
// would break the Markdown table.
func short(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	s = strings.ReplaceAll(s, "|", "/")
	if r := []rune(s); len(r) > 70 {
		s = string(r[:70]) + "…"
	}
	return s
}
