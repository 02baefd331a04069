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
	want := "twin seed_branch_static resnet18_112 resnet18_224 mobilenet_v2_112 mobilenet_v2_224 squeezenet1_1_112 squeezenet1_1_224"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("cases %q, want %q", got, want)
	}
	if cases, _, _ := modelCases(repo, "_112", ""); len(cases) != 3 {
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
