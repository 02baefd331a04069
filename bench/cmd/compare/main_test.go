package main

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestRelDiff(t *testing.T) {
	for _, c := range []struct {
		a, b []float32
		want float64
	}{
		{[]float32{1, 2}, []float32{1, 2}, 0},
		{[]float32{1, 2.5}, []float32{1, 2}, 0.25},
		{[]float32{0.5, 0}, []float32{0, 0}, 0.5},
		{[]float32{1}, []float32{1, 2}, math.Inf(1)},
	} {
		if got := relDiff(c.a, c.b); got != c.want {
			t.Errorf("relDiff(%v, %v) = %g, want %g", c.a, c.b, got, c.want)
		}
	}
	if got := relDiff([]float32{float32(math.NaN())}, []float32{1}); !math.IsNaN(got) {
		t.Errorf("NaN output gave %g", got)
	}
}

func TestMedianAndFormat(t *testing.T) {
	ms := time.Millisecond
	if m := median([]time.Duration{3 * ms, 1 * ms, 2 * ms}); m != 2 {
		t.Errorf("median %g", m)
	}
	if m := median([]time.Duration{4 * ms, 1 * ms}); m != 2.5 {
		t.Errorf("median %g", m)
	}
	if !math.IsNaN(median(nil)) {
		t.Error("median of nothing is a number")
	}
	for d, want := range map[time.Duration]string{500 * time.Microsecond: "0.500", 12345 * time.Microsecond: "12.35", 1500 * ms: "1500"} {
		if got := msString([]time.Duration{d}); got != want {
			t.Errorf("msString(%v) = %q, want %q", d, got, want)
		}
	}
	if s := short(errors.New("a | b\nsecond line")); s != "a / b" {
		t.Errorf("short: %q", s)
	}
	if s := short(errors.New(strings.Repeat("x", 100))); len([]rune(s)) != 71 {
		t.Errorf("short kept %d runes", len([]rune(s)))
	}
}

func TestParseThreads(t *testing.T) {
	if ts, err := parseThreads("1,4"); err != nil || len(ts) != 2 || ts[1] != 4 {
		t.Errorf("parseThreads(1,4) = %v, %v", ts, err)
	}
	for _, bad := range []string{"0", "1,x", ","} {
		if _, err := parseThreads(bad); err == nil {
			t.Errorf("parseThreads(%q) accepted", bad)
		}
	}
	if ts, err := parseThreads(""); err != nil || ts[0] != 1 {
		t.Errorf("default threads %v, %v", ts, err)
	}
}

func TestModelCases(t *testing.T) {
	repo := t.TempDir()
	files := []string{"infer/testdata/parity/out/seed_branch_static.onnx", "models/twin.onnx"}
	for _, a := range []string{"resnet18", "mobilenet_v2", "squeezenet1_1"} {
		for _, s := range []string{"112", "224"} {
			files = append(files, "bench/models/"+a+"_"+s+".onnx")
		}
	}
	files = append(files, "bench/models/mobilefacenet_112.onnx", "bench/models/koch_narrow_105.onnx",
		"bench/models/convnext_tiny_112.onnx", "bench/models/vit_b_16_224.onnx")
	for _, f := range files {
		p := filepath.Join(repo, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cases, notes, err := modelCases(repo, "", "")
	if err != nil || len(notes) != 0 {
		t.Fatalf("%v, notes %q", err, notes)
	}
	var names []string
	for _, c := range cases {
		names = append(names, c.name)
	}
	want := "twin seed_branch_static resnet18_112 resnet18_224 mobilenet_v2_112 mobilenet_v2_224 squeezenet1_1_112 squeezenet1_1_224 mobilefacenet_112 koch_narrow_105 convnext_tiny_112 vit_b_16_224"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("cases %q, want %q", got, want)
	}
	if cases, _, _ := modelCases(repo, "_112", ""); len(cases) != 5 {
		t.Errorf("filter _112 kept %d", len(cases))
	}
	os.Remove(filepath.Join(repo, "models/twin.onnx"))
	os.Remove(filepath.Join(repo, "bench/models/resnet18_112.onnx"))
	if _, notes, err := modelCases(repo, "squeeze", ""); err != nil || len(notes) != 1 {
		t.Errorf("without shipped models: %v, notes %q", err, notes)
	}
	if _, _, err := modelCases(repo, "", ""); err == nil {
		t.Error("a missing export is not an error")
	}
}

// TestPair: steps match ORT's nodes by name first, then in order where
// the operators agree, skipping ORT's layout nodes.
func TestPair(t *testing.T) {
	ours := &stepTimes{names: []string{"conv1", "dw1", "pool", "norm"},
		ops: map[string]string{"conv1": "Conv+Clip", "dw1": "Conv+Clip", "pool": "GlobalAveragePool", "norm": "LpNormalization"}}
	theirs := &stepTimes{names: []string{"ReorderInput", "c1_nchwc", "d1_nchwc", "pool_nchwc", "norm"},
		ops: map[string]string{"ReorderInput": "ReorderInput", "c1_nchwc": "Conv", "d1_nchwc": "FusedConv", "pool_nchwc": "GlobalAveragePool", "norm": "LpNormalization"},
		ms:  map[string]float64{"ReorderInput": 1, "c1_nchwc": 1, "d1_nchwc": 1, "pool_nchwc": 1, "norm": 1}}
	got := pair(ours, theirs)
	want := map[string]string{"conv1": "c1_nchwc", "dw1": "d1_nchwc", "pool": "pool_nchwc", "norm": "norm"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s paired with %q, want %q", k, got[k], v)
		}
	}
}

// TestORTSteps: node events of ONNX Runtime's profile become per-node
// medians of the last runs, the warm-up and other events left out.
func TestORTSteps(t *testing.T) {
	var ev []ortEvent
	add := func(cat, name, op string, dur float64) {
		e := ortEvent{Cat: cat, Name: name, Dur: dur}
		e.Args.OpName = op
		ev = append(ev, e)
	}
	add("Session", "model_run", "", 999)
	for run, d := range []float64{100, 10, 30, 20} { // a warm-up, then three runs
		add("Node", "c1_fence_before", "Conv", 1)
		add("Node", "c1_kernel_time", "Conv", d)
		add("Node", "p_kernel_time", "GlobalAveragePool", float64(run))
	}
	st := ortSteps(ev, 3)
	if len(st.names) != 2 || st.names[0] != "c1" || st.names[1] != "p" || st.ops["c1"] != "Conv" {
		t.Fatalf("nodes %v ops %v", st.names, st.ops)
	}
	if st.ms["c1"] != 0.02 || st.ms["p"] != 0.002 {
		t.Fatalf("medians %v, want c1 0.02 ms and p 0.002 ms", st.ms)
	}
}
