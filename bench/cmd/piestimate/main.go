// Command piestimate estimates edge's latency on Raspberry Pi boards
// (Pi 3: Cortex-A53, Pi 4: Cortex-A72, Pi 5: Cortex-A76) without one:
// an estimate, not a measurement.
//
// It disassembles the NEON kernels from edge's arm64 binary
// (llvm-objdump), takes each kernel's innermost loop (the one with the
// most floating-point multiply-adds), and asks llvm-mca how many cycles an
// iteration takes on each core. That gives each kernel's rate in GFLOP/s at
// the board's clock. Each model's plan (its steps, their FLOPs and the path
// each convolution takes) then gives the compute time; its weights and its
// activations too large for the L2 cache, read and written at the board's
// memory bandwidth, give the memory time. The estimate is the range
// from max(compute, memory) with the kernels at the core's FMA limit and
// perfect overlap, to the sum of the two with the kernels at llvm-mca's
// rate (llvm-mca 14 models the A53 and A76 pessimistically; see boards).
//
// What it leaves out: everything but the convolution and matrix steps'
// inner loops (their packing, borders and tails, the Winograd transforms,
// the elementwise steps), llvm-mca's idealised caches, and the board's
// thermal throttling. The clocks and bandwidths are public figures, listed
// in the table it prints.
//
// Then, with the shared data at hand (-data), the face detector of the
// camera pipeline, a lower bound from its tree-node tests (detector.go),
// and the pipeline a frame at 4 threads: the detector, its window sizes
// shared out over the cores as the Locator does, then faces with its
// compute split over the cores.
//
// From the repository root (needs llvm for llvm-objdump and llvm-mca):
//
//	make pi-estimate
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/edge-pi/edge/infer"
	"github.com/edge-pi/edge/models"
)

// board is a Raspberry Pi model: its core, clock and the memory bandwidth
// one core reaches.
type board struct {
	name  string
	cpu   string  // llvm-mca -mcpu
	ghz   float64 // clock
	gbs   float64 // practical single-core memory bandwidth, GB/s
	l2    int     // bytes of L2 a core can count on
	gemm  string  // the GEMM micro-kernel edge picks on this core
	fmlas float64 // 128-bit FMLAs the core issues a cycle (its FMA limit)
	model string  // how far llvm-mca 14's model of the core can be trusted
}

// boards: clocks from the Raspberry Pi product briefs; bandwidths are
// typical single-core copy bandwidths reported for each board (LPDDR2 900
// on the Pi 3, LPDDR4-3200 on the Pi 4, LPDDR4X-4267 on the Pi 5), about a
// third of the bus's peak: assumptions, not measurements of ours.
var boards = []board{
	{"Pi 3 B (Cortex-A53 1.2 GHz)", "cortex-a53", 1.2, 2.0, 512 << 10, "gemm8x8A53", 1,
		"in-order model that issues hardly two independent instructions together (its timeline shows each waiting for the one before): pessimistic"},
	{"Pi 4 B (Cortex-A72 1.5 GHz)", "cortex-a72", 1.5, 4.0, 1 << 20, "gemm8x8", 1,
		"Cortex-A57's model, whose pipeline the A72 shares"},
	{"Pi 5 (Cortex-A76 2.4 GHz)", "cortex-a76", 2.4, 10.0, 512 << 10, "gemm8x8", 2,
		"no model of its own in LLVM 14: Cortex-A57's, one FMLA a cycle where the A76 issues two: pessimistic"},
}

// kernel is a NEON kernel's innermost loop as llvm-mca sees it.
type kernel struct {
	symbol string
	flops  int // floating-point operations an iteration (an FMLA on 4 lanes: 8)
	body   string
}

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "piestimate:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, w io.Writer) error {
	fs := flag.NewFlagSet("piestimate", flag.ContinueOnError)
	repo := fs.String("repo", "..", "edge repository root")
	bin := fs.String("bin", "", "edge's arm64 binary (default: built from -repo into a temporary folder)")
	list := fs.String("models", "faces,faces-scratch,omniglot,digits,bench/models/mobilenet_v2_224.onnx,bench/models/mobilefacenet_112.onnx",
		"embedded models and ONNX files (relative to -repo), comma-separated")
	data := fs.String("data", "", "the shared data folder, for the detector's frame (default: REPO/../shared/data; none there: no detector estimate)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *bin == "" {
		dir, err := os.MkdirTemp("", "piestimate")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		*bin = filepath.Join(dir, "edge")
		cmd := exec.CommandContext(ctx, "go", "build", "-o", *bin, "./cmd/edge")
		cmd.Dir = *repo
		cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("building edge for arm64: %v\n%s", err, out)
		}
	}
	kernels := map[string]*kernel{}
	for _, s := range []string{"gemm8x8", "gemm8x8A53", "dwPlane3NEON"} {
		k, err := innerLoop(ctx, *bin, s)
		if err != nil {
			return err
		}
		kernels[s] = k
	}

	fmt.Fprintln(w, "ESTIMATE, not a measurement: NEON inner loops through llvm-mca 14, at the boards' clocks and assumed memory bandwidths.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| kernel | core | FLOP/iteration | llvm-mca cycles/iteration | FLOP/cycle | the core's FMA limit | GFLOP/s: limit – llvm-mca |")
	fmt.Fprintln(w, "|---|---|--:|--:|--:|--:|--:|")
	// board → path → GFLOP/s, at the core's FMA limit and as llvm-mca has it
	best, mca := map[string]map[string]float64{}, map[string]map[string]float64{}
	for _, b := range boards {
		best[b.name], mca[b.name] = map[string]float64{}, map[string]float64{}
		for _, s := range []string{b.gemm, "dwPlane3NEON"} {
			k := kernels[s]
			cyc, err := mcaCycles(ctx, b.cpu, k.body)
			if err != nil {
				return err
			}
			limit := 8 * b.fmlas
			path := "gemm"
			if s == "dwPlane3NEON" {
				path = "depthwise"
			}
			best[b.name][path], mca[b.name][path] = limit*b.ghz, float64(k.flops)/cyc*b.ghz
			fmt.Fprintf(w, "| %s | %s | %d | %.1f | %.2f | %.0f | %.1f – %.1f |\n", s, b.cpu, k.flops, cyc, float64(k.flops)/cyc, limit,
				best[b.name][path], mca[b.name][path])
		}
	}
	fmt.Fprintln(w)
	for _, b := range boards {
		fmt.Fprintf(w, "- %s: %.0f GB/s assumed; llvm-mca: %s.\n", b.name, b.gbs, b.model)
	}
	fmt.Fprintln(w)
	faces := map[string][3]float64{} // board → faces' compute at the limit, at llvm-mca's rate, memory
	fmt.Fprintln(w, "| model | GFLOP | weights MB | board | compute ms (limit – llvm-mca) | memory ms | estimate ms |")
	fmt.Fprintln(w, "|---|--:|--:|---|--:|--:|--:|")
	for _, name := range strings.Split(*list, ",") {
		m, err := loadModel(*repo, name)
		if err != nil {
			return err
		}
		p, err := m.Plan(infer.Options{Threads: 1})
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		steps := make([]infer.StepInfo, p.Steps())
		for i := range steps {
			steps[i] = p.Step(i)
		}
		flops := p.FLOPs()
		p.Close()
		weights := 4 * float64(m.Params())
		for _, b := range boards {
			lo, mem := estimate(steps, weights, b, best[b.name])
			hi, _ := estimate(steps, weights, b, mca[b.name])
			if name == "faces" {
				faces[b.name] = [3]float64{lo, hi, mem}
			}
			fmt.Fprintf(w, "| %s | %.3f | %.1f | %s | %.1f – %.1f | %.1f | %.0f – %.0f |\n", strings.TrimSuffix(filepath.Base(name), ".onnx"),
				float64(flops)/1e9, weights/1e6, b.name, lo, hi, mem, max(lo, mem), hi+mem)
		}
	}
	if *data == "" {
		*data = filepath.Join(*repo, "..", "shared", "data")
	}
	if _, err := os.Stat(filepath.Join(*data, "att-faces")); err != nil {
		fmt.Fprintf(w, "\nNo detector estimate: no att-faces under %s (-data).\n", *data)
		return nil
	}
	det1, det, err := detector(ctx, w, *repo, *data, pipeThreads)
	if err != nil {
		return err
	}
	if len(faces) == 0 {
		return nil
	}
	fmt.Fprintf(w, "\nThe face pipeline a frame, %d threads (ESTIMATE, a lower bound for the detector): the detector's node tests with its window sizes shared out over the threads, then faces with its compute split over the threads and its memory time not (the cores share the bus).\n\n", pipeThreads)
	fmt.Fprintln(w, "| board | detector ms, 1 thread (≥) | detector ms, 4 threads (≥) | faces ms, 1 thread | faces ms, 4 threads | pipeline ms, 4 threads (≥) |")
	fmt.Fprintln(w, "|---|--:|--:|--:|--:|--:|")
	for _, b := range boards {
		e, d := faces[b.name], det[b.name]
		lo4, hi4 := max(e[0]/pipeThreads, e[2]), e[1]/pipeThreads+e[2]
		fmt.Fprintf(w, "| %s | %.0f | %.0f | %.0f – %.0f | %.0f – %.0f | %.0f – %.0f |\n", b.name, det1[b.name], d, max(e[0], e[2]), e[1]+e[2], lo4, hi4, d+lo4, d+hi4)
	}
	return nil
}

// pipeThreads is the threads of the pipeline's embedding: a Pi's cores.
const pipeThreads = 4

// estimate returns the compute and memory times (ms) of a plan's steps on
// board b: FLOPs at the rate of the step's path (Winograd's products are
// 2.25 times fewer multiplications, its transforms left out), and the
// weights plus every activation larger than half the L2, written once and
// read once, at the board's bandwidth.
func estimate(steps []infer.StepInfo, weights float64, b board, rate map[string]float64) (compute, memory float64) {
	bytes := weights
	for _, s := range steps {
		switch {
		case s.Path == "depthwise":
			compute += float64(s.FLOPs) / (rate["depthwise"] * 1e6)
		case s.Path == "winograd":
			compute += float64(s.FLOPs) / 2.25 / (rate["gemm"] * 1e6)
		case s.Path != "":
			compute += float64(s.FLOPs) / (rate["gemm"] * 1e6)
		}
		n := 4
		for _, d := range s.Shape {
			n *= d
		}
		if n > b.l2/2 {
			bytes += 2 * float64(n)
		}
	}
	return compute, bytes / (b.gbs * 1e6)
}

func loadModel(repo, name string) (*infer.Model, error) {
	if !strings.HasSuffix(name, ".onnx") {
		data, err := models.Open(name)
		if err != nil {
			return nil, err
		}
		return infer.Load(data)
	}
	return infer.LoadFile(filepath.Join(repo, name))
}

// insn is one disassembled instruction.
type insn struct {
	addr uint64
	text string // mnemonic and operands
}

var (
	lineRE   = regexp.MustCompile(`^\s*([0-9a-f]+):\s+(.*)$`)
	branchRE = regexp.MustCompile(`^(b(\.\w+)?|cbn?z|tbn?z)\s.*?0x([0-9a-f]+)`)
	targetRE = regexp.MustCompile(`0x[0-9a-f]+( <[^>]*>)?`)
)

// innerLoop disassembles symbol from the binary and returns its innermost
// loop (a backward branch's range that holds no other) with the most
// floating-point multiply-adds, the branch aimed at a label so that
// llvm-mca can read it.
func innerLoop(ctx context.Context, bin, symbol string) (*kernel, error) {
	l, err := loopOf(ctx, bin, "github.com/edge-pi/edge/simd."+symbol+".abi0", func(t string) bool { return strings.HasPrefix(t, "fmla ") })
	if err != nil {
		return nil, fmt.Errorf("%s: %w", symbol, err)
	}
	return &kernel{symbol: symbol, flops: 8 * l.count, body: l.body}, nil
}

// loop is an innermost loop of a function: its first instruction's
// address, its llvm-mca input, its instructions and how many of them count
// (see loopOf).
type loop struct {
	head         uint64
	body         string
	insns, count int
}

// loopOf disassembles the function full from the binary and returns its
// innermost loop (a backward branch's range that holds no other) with the
// most instructions that count, the branch aimed at a label so that
// llvm-mca can read it.
func loopOf(ctx context.Context, bin, full string, count func(text string) bool) (*loop, error) {
	out, err := exec.CommandContext(ctx, "llvm-objdump", "-d", "--no-show-raw-insn", "--disassemble-symbols="+full, bin).Output()
	if err != nil {
		return nil, fmt.Errorf("llvm-objdump: %w (apt-get install llvm)", err)
	}
	var code []insn
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		m := lineRE.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		a, _ := strconv.ParseUint(m[1], 16, 64)
		code = append(code, insn{a, strings.Join(strings.Fields(m[2]), " ")})
	}
	if len(code) == 0 {
		return nil, fmt.Errorf("not in %s", bin)
	}
	type span struct{ lo, hi int } // instruction indices, hi the branch
	var loops []span
	index := map[uint64]int{}
	for i, c := range code {
		index[c.addr] = i
	}
	for i, c := range code {
		m := branchRE.FindStringSubmatch(c.text)
		if m == nil {
			continue
		}
		t, _ := strconv.ParseUint(m[3], 16, 64)
		if j, ok := index[t]; ok && j <= i {
			loops = append(loops, span{j, i})
		}
	}
	best, most := span{-1, -1}, 0
	for _, l := range loops {
		inner := true
		for _, o := range loops {
			if o != l && o.lo >= l.lo && o.hi <= l.hi {
				inner = false
			}
		}
		n := 0
		for _, c := range code[l.lo : l.hi+1] {
			if count(c.text) {
				n++
			}
		}
		if inner && n > most {
			best, most = l, n
		}
	}
	if most == 0 {
		return nil, errors.New("no innermost loop with the instructions sought")
	}
	var body strings.Builder
	body.WriteString("loop:\n")
	for i, c := range code[best.lo : best.hi+1] {
		t := c.text
		if best.lo+i == best.hi {
			t = targetRE.ReplaceAllString(t, "loop")
		}
		body.WriteString(t + "\n")
	}
	return &loop{head: code[best.lo].addr, body: body.String(), insns: best.hi - best.lo + 1, count: most}, nil
}

var totalRE = regexp.MustCompile(`Total Cycles:\s+(\d+)`)

// mcaCycles is llvm-mca's cycles per iteration of body on cpu.
func mcaCycles(ctx context.Context, cpu, body string) (float64, error) {
	const iters = 1000
	cmd := exec.CommandContext(ctx, "llvm-mca", "-mtriple=aarch64", "-mcpu="+cpu, fmt.Sprintf("-iterations=%d", iters))
	cmd.Stdin = strings.NewReader(body)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("llvm-mca -mcpu=%s: %v\n%s", cpu, err, out)
	}
	m := totalRE.FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("llvm-mca -mcpu=%s: no total cycles in\n%s", cpu, out)
	}
	c, _ := strconv.ParseFloat(string(m[1]), 64)
	return c / iters, nil
}
