package npy

import (
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"
)

// findNumpy returns a Python interpreter that can import numpy, or skips.
// $NPY_PYTHON overrides the search.
func findNumpy(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("runs python in -short mode")
	}
	candidates := []string{"/usr/bin/python3", "python3"}
	if p := os.Getenv("NPY_PYTHON"); p != "" {
		candidates = []string{p}
	}
	for _, p := range candidates {
		if exec.Command(p, "-c", "import numpy").Run() == nil {
			return p
		}
	}
	t.Skip("no python3 with numpy; set NPY_PYTHON to run this test")
	return ""
}

// TestNumpyInterop checks, against the numpy that is installed, that numpy
// loads what Write produces and that Read decodes what np.save produces.
func TestNumpyInterop(t *testing.T) {
	python := findNumpy(t)
	dir := t.TempDir()

	data := make([]float32, 2*3*5)
	for i := range data {
		data[i] = float32(i)*0.5 - 3
	}
	data[7] = float32(math.Inf(-1))
	data[8] = float32(math.NaN())
	if err := WriteFile(filepath.Join(dir, "go.npy"), &Array{Shape: []int{2, 3, 5}, Data: data}); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(filepath.Join(dir, "go_scalar.npy"), &Array{Data: []float32{2.5}}); err != nil {
		t.Fatal(err)
	}

	script := `
import sys, numpy as np
d = sys.argv[1]
a = np.load(d + '/go.npy')
want = (np.arange(30, dtype=np.float32) * 0.5 - 3).reshape(2, 3, 5)
want.flat[7] = -np.inf
want.flat[8] = np.nan
assert a.dtype == np.float32 and a.shape == (2, 3, 5), (a.dtype, a.shape)
assert np.array_equal(a, want, equal_nan=True), a
s = np.load(d + '/go_scalar.npy')
assert s.shape == () and s == 2.5, s
np.save(d + '/f4.npy', np.linspace(-1, 1, 24, dtype=np.float32).reshape(2, 3, 4))
np.save(d + '/f8.npy', np.array([[0.1, -1e40], [3.0, 1e-50]]))
np.save(d + '/i8.npy', np.array([-5, 0, 16777217], dtype=np.int64))
np.save(d + '/i4.npy', np.array([[-2147483648, 7]], dtype=np.int32))
np.save(d + '/u1.npy', np.arange(0, 256, 51, dtype=np.uint8))
np.save(d + '/b1.npy', np.array([[True], [False]]))
np.save(d + '/scalar.npy', np.float32(-0.75))
np.save(d + '/big.npy', np.arange(100000, dtype=np.float32).reshape(10, 10000))
np.lib.format.write_array(open(d + '/v2.npy', 'wb'), np.ones((3,), np.float32), version=(2, 0))
`
	out, err := exec.Command(python, "-c", script, dir).CombinedOutput()
	if err != nil {
		t.Fatalf("numpy side failed: %v\n%s", err, out)
	}

	linspace := make([]float32, 24)
	for i := range linspace {
		// np.linspace computes in float64 and casts.
		linspace[i] = float32(-1 + float64(i)*(2.0/23))
	}
	linspace[23] = 1
	big := make([]float32, 100000)
	for i := range big {
		big[i] = float32(i)
	}
	tests := []struct {
		file  string
		shape []int
		data  []float32
	}{
		{"f4.npy", []int{2, 3, 4}, linspace},
		{"f8.npy", []int{2, 2}, []float32{0.1, float32(math.Inf(-1)), 3, 0}},
		{"i8.npy", []int{3}, []float32{-5, 0, 16777216}},
		{"i4.npy", []int{1, 2}, []float32{-2147483648, 7}},
		{"u1.npy", []int{6}, []float32{0, 51, 102, 153, 204, 255}},
		{"b1.npy", []int{2, 1}, []float32{1, 0}},
		{"scalar.npy", []int{}, []float32{-0.75}},
		{"big.npy", []int{10, 10000}, big},
		{"v2.npy", []int{3}, []float32{1, 1, 1}},
	}
	for _, tt := range tests {
		a, err := ReadFile(filepath.Join(dir, tt.file))
		if err != nil {
			t.Errorf("%s: %v", tt.file, err)
			continue
		}
		if !reflect.DeepEqual(a.Shape, tt.shape) || !sameFloats(a.Data, tt.data) {
			t.Errorf("%s: got shape %v data %v, want %v %v", tt.file, a.Shape, head(a.Data), tt.shape, head(tt.data))
		}
	}
}

func head(d []float32) []float32 { return d[:min(len(d), 8)] }
