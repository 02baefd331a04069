// Command ab times edge at two revisions against each other: it builds
// cmd/edge at both (a git revision each, or "." for the working tree),
// then runs `edge bench --json` of each on the same models in turn, A B B
// A …, so that drift of the machine hits both, and prints per model and
// thread count each side's median of its rounds' medians and B/A, the
// median of the rounds' ratios with their least and most. It is how a
// change's figures in BENCHMARKS.md are rerun:
//
//	go -C bench run ./cmd/ab -repo $PWD -a HEAD~1 -b HEAD -models bench/models/resnet18_112.onnx
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "ab:", err)
		os.Exit(1)
	}
}

type config struct {
	repo, a, b string
	models     []string
	threads    []int
	rounds     int
	runs       int
}

func parse(args []string) (config, error) {
	var c config
	var models, threads string
	fs := flag.NewFlagSet("ab", flag.ContinueOnError)
	fs.StringVar(&c.repo, "repo", "..", "the edge repository")
	fs.StringVar(&c.a, "a", "HEAD", `revision A: a git revision, or "." for the working tree`)
	fs.StringVar(&c.b, "b", ".", `revision B: a git revision, or "." for the working tree`)
	fs.StringVar(&models, "models", "bench/models/resnet18_112.onnx", "comma-separated models: ONNX files (relative to -repo) or edge's embedded names")
	fs.StringVar(&threads, "threads", "1,2", "comma-separated thread counts")
	fs.IntVar(&c.rounds, "rounds", 6, "rounds: each runs A and B once (A B, then B A, …)")
	fs.IntVar(&c.runs, "runs", 200, "timed runs of each edge bench")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	for _, m := range strings.Split(models, ",") {
		if m = strings.TrimSpace(m); m != "" {
			c.models = append(c.models, m)
		}
	}
	for _, t := range strings.Split(threads, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(t))
		if err != nil || n < 1 {
			return c, fmt.Errorf("bad thread count %q", t)
		}
		c.threads = append(c.threads, n)
	}
	if len(c.models) == 0 || c.rounds < 1 || c.runs < 1 {
		return c, errors.New("need a model, a round and a run")
	}
	return c, nil
}

func run(args []string, out io.Writer) error {
	c, err := parse(args)
	if err != nil {
		return err
	}
	repo, err := filepath.Abs(c.repo)
	if err != nil {
		return err
	}
	exec.Command("git", "-C", repo, "worktree", "prune").Run() // an interrupted run's worktrees
	tmp, err := os.MkdirTemp("", "edge-ab-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	var bins [2]string
	var names [2]string
	for i, rev := range []string{c.a, c.b} {
		bins[i] = filepath.Join(tmp, fmt.Sprintf("edge-%c", 'a'+i))
		if names[i], err = build(repo, rev, filepath.Join(tmp, fmt.Sprintf("tree-%c", 'a'+i)), bins[i]); err != nil {
			return fmt.Errorf("building %s: %w", rev, err)
		}
	}
	fmt.Fprintf(out, "date: %s\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(out, "cpu: %s\n", cpuLine())
	fmt.Fprintf(out, "A: %s\nB: %s\n", names[0], names[1])
	fmt.Fprintf(out, "edge bench --runs %d, %d rounds (A B, B A, …); medians of the rounds' medians\n\n", c.runs, c.rounds)
	fmt.Fprintln(out, "| model | threads | A ms | B ms | B/A (median of rounds) | least–most |")
	fmt.Fprintln(out, "|---|--:|--:|--:|--:|--:|")
	for _, m := range c.models {
		model := m
		if strings.HasSuffix(m, ".onnx") && !filepath.IsAbs(m) {
			model = filepath.Join(repo, m)
		}
		for _, t := range c.threads {
			var ms [2][]float64
			var ratios []float64
			for r := 0; r < c.rounds; r++ {
				var got [2]float64
				order := []int{0, 1}
				if r%2 == 1 {
					order = []int{1, 0}
				}
				for _, i := range order {
					v, err := benchOnce(bins[i], model, t, c.runs)
					if err != nil {
						return fmt.Errorf("%s, %d threads, %s: %w", m, t, names[i], err)
					}
					got[i] = v
					ms[i] = append(ms[i], v)
				}
				ratios = append(ratios, got[1]/got[0])
			}
			fmt.Fprintf(out, "| %s | %d | %.3f | %.3f | %.3f | %.3f–%.3f |\n", filepath.Base(m), t,
				median(ms[0]), median(ms[1]), median(ratios), slices.Min(ratios), slices.Max(ratios))
		}
	}
	return nil
}

// build builds cmd/edge at rev into bin: the working tree for ".", else a
// detached worktree of rev at dir. It returns rev's description.
func build(repo, rev, dir, bin string) (string, error) {
	src := repo
	name := "working tree"
	if rev != "." {
		if out, err := exec.Command("git", "-C", repo, "worktree", "add", "--detach", dir, rev).CombinedOutput(); err != nil {
			return "", fmt.Errorf("git worktree add: %v: %s", err, out)
		}
		defer exec.Command("git", "-C", repo, "worktree", "remove", "--force", dir).Run()
		src = dir
		out, err := exec.Command("git", "-C", repo, "log", "-1", "--format=%h %s", rev).Output()
		if err != nil {
			return "", err
		}
		name = strings.TrimSpace(string(out))
	} else if out, err := exec.Command("git", "-C", repo, "log", "-1", "--format=%h").Output(); err == nil {
		name = "working tree on " + strings.TrimSpace(string(out))
	}
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/edge")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v: %s", err, out)
	}
	return name, nil
}

// benchOnce runs one edge bench and returns its median in ms.
func benchOnce(bin, model string, threads, runs int) (float64, error) {
	out, err := exec.Command(bin, "bench", "--model", model, "--threads", strconv.Itoa(threads),
		"--runs", strconv.Itoa(runs), "--json").Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return 0, fmt.Errorf("%v: %s", err, ee.Stderr)
		}
		return 0, err
	}
	var r struct {
		Median float64 `json:"median_ms"`
	}
	if err := json.Unmarshal(out, &r); err != nil {
		return 0, fmt.Errorf("edge bench --json: %v", err)
	}
	if r.Median <= 0 {
		return 0, errors.New("edge bench gave no median")
	}
	return r.Median, nil
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// cpuLine is lscpu's model name, family and model, and the core count.
func cpuLine() string {
	out, err := exec.Command("lscpu").Output()
	if err != nil {
		return "unknown (no lscpu)"
	}
	var name, family, model, cpus string
	for _, l := range strings.Split(string(out), "\n") {
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch strings.TrimSpace(k) {
		case "Model name":
			name = v
		case "CPU family":
			family = v
		case "Model":
			model = v
		case "CPU(s)":
			cpus = v
		}
	}
	return fmt.Sprintf("%s, family %s model %s, %s CPUs", name, family, model, cpus)
}
