package main

import (
	"encoding/json"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestBenchJSON(t *testing.T) {
	code, out, stderr := edge(t, "bench", "--model", filepath.Join(parity(t), "seed_branch_static.onnx"),
		"--runs", "50", "--warmup", "5", "--threads", "2", "--json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var r map[string]interface{}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, k := range []string{"median_ms", "p99_ms", "allocs_per_run", "gflop", "threads", "runs"} {
		if _, ok := r[k]; !ok {
			t.Errorf("no %q in %s", k, out)
		}
	}
	med, p99 := r["median_ms"].(float64), r["p99_ms"].(float64)
	if !(med > 0 && p99 >= med) {
		t.Errorf("median %g ms, p99 %g ms", med, p99)
	}
	if r["runs"].(float64) != 50 || r["threads"].(float64) != 2 {
		t.Errorf("runs %v, threads %v", r["runs"], r["threads"])
	}
	// runs alone: at most the tries (runs 32 and 96 of the 55) unless one
	// thread was faster; never more than the timed runs
	if a, ok := r["runs_alone"].(float64); !ok || a < 0 || a > 50 {
		t.Errorf("runs_alone %v", r["runs_alone"])
	}
	// The plan allocates nothing per run; the Go runtime may, rarely, when
	// a worker blocks (a sudog), so the bound is loose.
	if a := r["allocs_per_run"].(float64); a >= 0.5 {
		t.Errorf("%g allocations per run", a)
	}
	if _, ok := r["steps"]; ok {
		t.Error("per-step times without --profile")
	}
}

func TestBenchInputAndShape(t *testing.T) {
	for _, args := range [][]string{
		{"--model", filepath.Join(parity(t), "seed_branch_static.onnx"), "--input", filepath.Join(parity(t), "seed_branch_static.in.npy")},
		{"--model", filepath.Join(parity(t), "seed_branch_dynamic.onnx"), "--shape", "3,1,16,16"},
	} {
		code, out, stderr := edge(t, append([]string{"bench", "--runs", "3", "--warmup", "1", "--threads", "1"}, args...)...)
		if code != exitOK {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		for _, want := range []string{"median ", "p99 ", "allocs "} {
			if !strings.Contains(out, want) {
				t.Errorf("%v: no %q in\n%s", args, want, out)
			}
		}
		if args[2] == "--shape" && !strings.Contains(out, "[3 1 16 16] (random)") {
			t.Errorf("--shape 3,1,16,16 not used:\n%s", out)
		}
	}
}

func TestBenchProfile(t *testing.T) {
	code, out, stderr := edge(t, "bench", "--model", filepath.Join(parity(t), "res_prelu_dw.onnx"),
		"--runs", "5", "--warmup", "1", "--threads", "1", "--profile", "--json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var r benchReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Steps) == 0 || len(r.Ops) == 0 {
		t.Fatalf("no profile in %s", out)
	}
	var pct, opPct float64
	steps, convs := 0, 0
	for _, s := range r.Steps {
		pct += s.Percent
		if strings.HasPrefix(s.Op, "Conv") {
			convs++
			if s.GFLOPS <= 0 {
				t.Errorf("step %d %s: no GFLOP/s", s.Index, s.Op)
			}
			if s.Path == "" {
				t.Errorf("step %d %s: no path", s.Index, s.Op)
			}
		}
	}
	for _, o := range r.Ops {
		opPct += o.Percent
		steps += o.Steps
	}
	if convs == 0 || steps != len(r.Steps) {
		t.Errorf("%d conv steps; per-op table counts %d of %d steps", convs, steps, len(r.Steps))
	}
	for _, p := range []float64{pct, opPct} {
		if p < 99.9 || p > 100.1 {
			t.Errorf("percentages add up to %g", p)
		}
	}
	for i := 1; i < len(r.Ops); i++ {
		if r.Ops[i].MedianMS > r.Ops[i-1].MedianMS {
			t.Errorf("per-op table not sorted by time: %v", r.Ops)
		}
	}

	// The text form has both tables, and says when caches were evicted.
	code, out, stderr = edge(t, "bench", "--model", filepath.Join(parity(t), "res_prelu_dw.onnx"),
		"--runs", "2", "--warmup", "0", "--threads", "1", "--profile", "--evict", "1")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"per step", "per op", "GFLOP/s", "Conv", "evict    1 MiB"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
}

func TestBenchErrors(t *testing.T) {
	seed := filepath.Join(parity(t), "seed_branch_static.onnx")
	for _, args := range [][]string{
		{},
		{"--model", filepath.Join(t.TempDir(), "missing.onnx")},
		{"--model", seed, "--runs", "0"},
		{"--model", seed, "--warmup", "-1"},
		{"--model", seed, "--threads", "-2"},
		{"--model", seed, "--evict", "-1"},
		{"--model", seed, "--shape", "1,x,16,16"},
		{"--model", seed, "--shape", "1,0,16,16"},
		{"--model", seed, "--shape", "1,1,16,16", "--input", filepath.Join(parity(t), "seed_branch_static.in.npy")},
		{"--model", seed, "--shape", "1,1,17,16"}, // the model's Gemm wants 16×16
		{"--model", seed, "--input", filepath.Join(parity(t), "resnet18.in.npy")},
		{"--model", seed, "extra"},
	} {
		if code, _, stderr := edge(t, append([]string{"bench"}, args...)...); code != exitError || stderr == "" {
			t.Errorf("%v: exit %d, stderr %q; want %d and a message", args, code, stderr, exitError)
		}
	}
}

// TestBenchEvictBounded: --evict beyond its bound is an error up front,
// not an allocation that runs out of memory.
func TestBenchEvictBounded(t *testing.T) {
	for _, v := range []string{"99999999", strconv.Itoa(evictCapMiB + 1)} {
		code, _, stderr := edge(t, "bench", "--model", tinyModel, "--evict", v, "--runs", "1", "--warmup", "0")
		if code != exitError || !strings.Contains(stderr, "--evict "+v+": at most") {
			t.Errorf("--evict %s: exit %d: %s", v, code, stderr)
		}
	}
	if code, _, stderr := edge(t, "bench", "--model", tinyModel, "--evict", "1", "--runs", "1", "--warmup", "0"); code != exitOK {
		t.Errorf("--evict 1: exit %d: %s", code, stderr)
	}
}
