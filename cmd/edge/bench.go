package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/edge-pi/edge/infer"
	"github.com/edge-pi/edge/models"
	"github.com/edge-pi/edge/npy"
)

// benchSeed seeds the random input, so runs of edge bench without
// --input time the same values.
const benchSeed = 1

type benchReport struct {
	Model        string      `json:"model"`
	Input        string      `json:"input"` // the .npy file, or "random"
	Shape        []int       `json:"shape"` // of input 0
	Threads      int         `json:"threads"`
	ThreadsUsed  int         `json:"threads_used"` // fewer where one thread timed faster (infer.Options.TuneThreads)
	OwnedShares  bool        `json:"owned_shares"` // each thread its own share of a layer first (false: the next piece free, faster when the plan was made)
	RunsAlone    int         `json:"runs_alone"`   // timed runs on one thread of a plan of several: faster lately (infer.Plan.RunsAlone)
	Warmup       int         `json:"warmup"`
	Runs         int         `json:"runs"`
	EvictMiB     int         `json:"evict_mib,omitempty"` // memory written between runs (cold caches)
	MedianMS     float64     `json:"median_ms"`
	P99MS        float64     `json:"p99_ms"`
	MinMS        float64     `json:"min_ms"`
	MaxMS        float64     `json:"max_ms"`
	AllocsPerRun float64     `json:"allocs_per_run"`
	GFLOP        float64     `json:"gflop"`   // per run, convolution and matrix kernels
	GFLOPS       float64     `json:"gflop_s"` // GFLOP at the median latency
	Steps        []stepTime  `json:"steps,omitempty"`
	Ops          []opSummary `json:"ops,omitempty"`
}

// stepTime is one plan step in the --profile table.
type stepTime struct {
	Index    int     `json:"index"`
	Name     string  `json:"name"`
	Op       string  `json:"op"`
	Shape    []int   `json:"shape"`
	MedianMS float64 `json:"median_ms"`
	Percent  float64 `json:"percent"`
	GFLOPS   float64 `json:"gflop_s,omitempty"`
	Path     string  `json:"path,omitempty"` // how a convolution or product is computed
}

// opSummary adds up the steps of one (fused) operator type.
type opSummary struct {
	Op       string  `json:"op"`
	Steps    int     `json:"steps"`
	MedianMS float64 `json:"median_ms"` // sum of the steps' medians
	Percent  float64 `json:"percent"`
	GFLOPS   float64 `json:"gflop_s,omitempty"`
}

func cmdBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flags("bench", stderr)
	model := fs.String("model", "", "an embedded model ("+strings.Join(models.Names(), ", ")+") or an ONNX file")
	input := fs.String("input", "", "input 0 (.npy, float32); default: seeded random values")
	shape := fs.String("shape", "", "shape of input 0, such as 1,3,224,224 (default: declared, symbolic dims 1)")
	threads := fs.Int("threads", 0, "threads (0: one per core)")
	runs := fs.Int("runs", 100, "timed runs")
	warmup := fs.Int("warmup", 10, "untimed runs first")
	asJSON := fs.Bool("json", false, "print JSON")
	profile := fs.Bool("profile", false, "also time each step (in separate runs) and print a per-step and per-op table")
	evictMiB := fs.Int("evict", 0, "before each timed run, write this many MiB of other memory (untimed), so that every run starts with cold caches as on a device that also captures and decodes frames")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) > 0:
		return fmt.Errorf("unexpected argument %q", pos[0])
	case *model == "":
		return errors.New("want --model")
	case *runs < 1:
		return errors.New("--runs must be at least 1")
	case *warmup < 0:
		return errors.New("--warmup must not be negative")
	case checkThreads(*threads) != nil:
		return fmt.Errorf("--%w", checkThreads(*threads))
	case *evictMiB < 0:
		return errors.New("--evict must not be negative")
	case *evictMiB > maxEvictMiB():
		return fmt.Errorf("--evict %d: at most %d MiB (%d MiB, or half of this machine's memory if less): a larger sweep only exhausts memory", *evictMiB, maxEvictMiB(), evictCapMiB)
	case *input != "" && *shape != "":
		return errors.New("--input and --shape exclude each other: the input's shape is the file's")
	}
	m, err := loadModelFile(*model)
	if err != nil {
		return err
	}
	if len(m.Inputs) == 0 {
		return fmt.Errorf("%s has no runtime inputs", *model)
	}
	r := benchReport{Model: *model, Input: "random", Threads: cpuThreads(*threads), Warmup: *warmup, Runs: *runs, EvictMiB: *evictMiB}
	var sweep evictor
	sweep.buf = make([]byte, *evictMiB<<20)
	opts := infer.Options{Threads: r.Threads, TuneThreads: true}
	var data []float32
	if *input != "" {
		a, err := npy.ReadFile(*input)
		if err != nil {
			return err
		}
		r.Input, data = *input, a.Data
		opts.Shapes = map[string][]int{m.Inputs[0].Name: a.Shape}
	} else if *shape != "" {
		s, err := parseShape(*shape)
		if err != nil {
			return err
		}
		opts.Shapes = map[string][]int{m.Inputs[0].Name: s}
	}
	p, err := m.Plan(opts)
	if err != nil {
		return err
	}
	defer p.Close()
	r.ThreadsUsed = p.Threads()
	r.OwnedShares = p.OwnedShares()
	rng := rand.New(rand.NewPCG(benchSeed, 0))
	for i := 0; i < p.NumInputs(); i++ {
		if i == 0 && data != nil {
			if err := p.SetInput(0, data); err != nil {
				return err
			}
			continue
		}
		in := p.Input(i).F
		for j := range in {
			in[j] = float32(rng.NormFloat64())
		}
	}
	r.Shape = p.Input(0).Shape
	for i := 0; i < r.Warmup; i++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := p.Run(); err != nil {
			return err
		}
	}

	// The timed loop allocates nothing itself, so the heap's malloc count
	// over it is the plan's (and its worker goroutines').
	d := make([]time.Duration, r.Runs)
	alone := p.RunsAlone()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := range d {
		if err := ctx.Err(); err != nil {
			return err
		}
		sweep.run()
		t0 := time.Now()
		err := p.Run()
		d[i] = time.Since(t0)
		if err != nil {
			return err
		}
	}
	runtime.ReadMemStats(&after)
	r.RunsAlone = p.RunsAlone() - alone
	r.AllocsPerRun = float64(after.Mallocs-before.Mallocs) / float64(r.Runs)
	slices.Sort(d)
	r.MedianMS, r.P99MS = ms(median(d)), ms(percentile(d, 99))
	r.MinMS, r.MaxMS = ms(d[0]), ms(d[len(d)-1])
	r.GFLOP = float64(p.FLOPs()) / 1e9
	if r.MedianMS > 0 {
		r.GFLOPS = r.GFLOP / (r.MedianMS / 1e3)
	}
	if *profile {
		if err := profileSteps(ctx, p, &r, &sweep); err != nil {
			return err
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	printBench(stdout, &r)
	return nil
}

// evictCapMiB bounds --evict: far larger than any cache it is meant to
// flush.
const evictCapMiB = 4096

// maxEvictMiB is the largest --evict: evictCapMiB, or half of physical
// memory where that is less (the sweep buffer is allocated whole).
func maxEvictMiB() int {
	n := evictCapMiB
	if mem := physicalMemory(); mem > 0 {
		n = min(n, int(mem/2>>20))
	}
	return n
}

// evictor pushes the plan's weights and buffers out of the caches by
// writing a buffer larger than them (one byte per 64-byte line is enough).
type evictor struct {
	buf  []byte
	turn byte
}

func (e *evictor) run() {
	e.turn++
	for i := 0; i < len(e.buf); i += 64 {
		e.buf[i] = e.turn
	}
}

// profileSteps times each step over r.Runs further runs (the clock read
// around every step costs a little, so these are not the timed runs) and
// fills r.Steps and r.Ops with per-step medians.
func profileSteps(ctx context.Context, p *infer.Plan, r *benchReport, sweep *evictor) error {
	n := p.Steps()
	per := make([][]time.Duration, n) // per[step][run]
	for i := range per {
		per[i] = make([]time.Duration, r.Runs)
	}
	d := make([]time.Duration, n)
	for run := 0; run < r.Runs; run++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		clear(d)
		sweep.run()
		if err := p.RunProfiled(d); err != nil {
			return err
		}
		for i, t := range d {
			per[i][run] = t
		}
	}
	var total float64
	for i := range n {
		slices.Sort(per[i])
		s := p.Step(i)
		st := stepTime{Index: i, Name: s.Name, Op: s.Op, Shape: s.Shape, MedianMS: ms(median(per[i])), Path: s.Path}
		if s.FLOPs > 0 && st.MedianMS > 0 {
			st.GFLOPS = float64(s.FLOPs) / 1e9 / (st.MedianMS / 1e3)
		}
		total += st.MedianMS
		r.Steps = append(r.Steps, st)
	}
	byOp := map[string]*opSummary{}
	flops := map[string]int64{}
	for i, st := range r.Steps {
		o := byOp[st.Op]
		if o == nil {
			o = &opSummary{Op: st.Op}
			byOp[st.Op] = o
		}
		o.Steps++
		o.MedianMS += st.MedianMS
		flops[st.Op] += p.Step(i).FLOPs
	}
	for _, o := range byOp {
		if f := flops[o.Op]; f > 0 && o.MedianMS > 0 {
			o.GFLOPS = float64(f) / 1e9 / (o.MedianMS / 1e3)
		}
		r.Ops = append(r.Ops, *o)
	}
	slices.SortFunc(r.Ops, func(a, b opSummary) int {
		if c := cmp.Compare(b.MedianMS, a.MedianMS); c != 0 {
			return c
		}
		return strings.Compare(a.Op, b.Op)
	})
	if total > 0 {
		for i := range r.Steps {
			r.Steps[i].Percent = 100 * r.Steps[i].MedianMS / total
		}
		for i := range r.Ops {
			r.Ops[i].Percent = 100 * r.Ops[i].MedianMS / total
		}
	}
	return nil
}

func printBench(w io.Writer, r *benchReport) {
	fmt.Fprintf(w, "model    %s\n", r.Model)
	fmt.Fprintf(w, "input    %v (%s)\n", r.Shape, r.Input)
	fmt.Fprintf(w, "threads  %d", r.Threads)
	if r.ThreadsUsed != r.Threads {
		fmt.Fprintf(w, " (runs on %d: faster when the plan was made)", r.ThreadsUsed)
	}
	if r.ThreadsUsed > 1 && !r.OwnedShares {
		fmt.Fprint(w, " (each takes the next piece of a layer free: faster when the plan was made)")
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "runs     %d timed, after %d warm-up", r.Runs, r.Warmup)
	if r.RunsAlone > 0 {
		fmt.Fprintf(w, "; %d on one thread (faster lately, or a try of it)", r.RunsAlone)
	}
	fmt.Fprintln(w)
	if r.EvictMiB > 0 {
		fmt.Fprintf(w, "evict    %d MiB written before each run (cold caches)\n", r.EvictMiB)
	}
	fmt.Fprintf(w, "median   %.3f ms\n", r.MedianMS)
	fmt.Fprintf(w, "p99      %.3f ms (min %.3f, max %.3f)\n", r.P99MS, r.MinMS, r.MaxMS)
	fmt.Fprintf(w, "allocs   %g per run\n", r.AllocsPerRun)
	fmt.Fprintf(w, "compute  %.3f GFLOP per run, %.1f GFLOP/s at the median\n", r.GFLOP, r.GFLOPS)
	if len(r.Steps) == 0 {
		return
	}
	fmt.Fprintf(w, "\nper step (medians of %d profiled runs; %% of their sum)\n", r.Runs)
	fmt.Fprintf(w, "%4s  %-36s %-20s %10s %6s %8s  %-15s %s\n", "step", "op", "shape", "ms", "%", "GFLOP/s", "path", "node")
	for _, s := range r.Steps {
		fmt.Fprintf(w, "%4d  %-36s %-20s %10.4f %6.2f %8s  %-15s %s\n", s.Index, s.Op, shapeString(s.Shape), s.MedianMS, s.Percent, gflops(s.GFLOPS), s.Path, s.Name)
	}
	fmt.Fprintf(w, "\nper op\n")
	fmt.Fprintf(w, "%-36s %5s %10s %6s %8s\n", "op", "steps", "ms", "%", "GFLOP/s")
	for _, o := range r.Ops {
		fmt.Fprintf(w, "%-36s %5d %10.4f %6.2f %8s\n", o.Op, o.Steps, o.MedianMS, o.Percent, gflops(o.GFLOPS))
	}
}

func gflops(g float64) string {
	if g == 0 {
		return ""
	}
	return strconv.FormatFloat(g, 'f', 1, 64)
}

func shapeString(s []int) string {
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = strconv.Itoa(d)
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// parseShape reads "1,3,224,224".
func parseShape(s string) ([]int, error) {
	var shape []int
	for _, f := range strings.Split(s, ",") {
		d, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || d < 1 {
			return nil, fmt.Errorf("bad --shape %q: want positive integers separated by commas", s)
		}
		shape = append(shape, d)
	}
	return shape, nil
}
