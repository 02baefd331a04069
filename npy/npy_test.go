package npy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// Files below were written by numpy 1.24 (np.save, or
// np.lib.format.write_array for the version 2.0 and 3.0 ones) and pasted
// byte for byte, so the tests check compatibility with numpy itself rather
// than with this package's own idea of the format.
const (
	numpyF4 = "\x93NUMPY\x01\x00v\x00{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }                                                          \n" +
		"\x00\x00\xc0?\x00\x00\x00\xc0\x00\x00\x80\x7f\x00\x00\x00\x80"
	numpyF8 = "\x93NUMPY\x01\x00v\x00{'descr': '<f8', 'fortran_order': False, 'shape': (6,), }                                                            \n" +
		"\x00\x00\x00\x00\x00\x00\xf8?\x00\x00\x00\x00\x00\x00\x00\xc0\x9cu\x00\x88<\xe47~\x9cu\x00\x88<\xe47\xfe\x9a\x99\x99\x99\x99\x99\xb9?\x00\x00\x00\x00\x00\x00\xf8\x7f"
	numpyI8 = "\x93NUMPY\x01\x00v\x00{'descr': '<i8', 'fortran_order': False, 'shape': (5,), }                                                            \n" +
		"\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\xff\xff\xff\xff\xff\xff\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\xff\x07\x00\x00\x00\x00\x00\x00\x00"
	numpyI4 = "\x93NUMPY\x01\x00v\x00{'descr': '<i4', 'fortran_order': False, 'shape': (2, 2), }                                                          \n" +
		"\x00\x00\x00\x00\xff\xff\xff\xff\xff\xff\xff\x7f\x00\x00\x00\x80"
	numpyU1 = "\x93NUMPY\x01\x00v\x00{'descr': '|u1', 'fortran_order': False, 'shape': (4,), }                                                            \n" +
		"\x00\x01\x80\xff"
	numpyB1 = "\x93NUMPY\x01\x00v\x00{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }                                                            \n" +
		"\x01\x00\x01"
	numpyScalar = "\x93NUMPY\x01\x00v\x00{'descr': '<f4', 'fortran_order': False, 'shape': (), }                                                              \n" +
		"\x00\x00P@"
	numpyEmpty = "\x93NUMPY\x01\x00v\x00{'descr': '<f4', 'fortran_order': False, 'shape': (2, 0, 3), }                                                       \n"
	numpyV2    = "\x93NUMPY\x02\x00t\x00\x00\x00{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }                                                          \n" +
		"\x00\x00\x80?\x00\x00\x00@\x00\x00@@"
	numpyV3 = "\x93NUMPY\x03\x00t\x00\x00\x00{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }                                                          \n" +
		"\x00\x00\x80?\x00\x00\x00@\x00\x00@@"
	numpyFortran = "\x93NUMPY\x01\x00v\x00{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }                                                           \n" +
		"\x00\x00\x00\x00\x00\x00@@\x00\x00\x80?\x00\x00\x80@\x00\x00\x00@\x00\x00\xa0@"
	numpyBigEndian = "\x93NUMPY\x01\x00v\x00{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }                                                            \n" +
		"?\x80\x00\x00"
	numpyF2 = "\x93NUMPY\x01\x00v\x00{'descr': '<f2', 'fortran_order': False, 'shape': (1,), }                                                            \n" +
		"\x00<"
	numpyStructured = "\x93NUMPY\x01\x00v\x00{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }                                                   \n" +
		"\x00\x00\x00\x00"
	// Header of np.save(np.zeros((1, 3, 224, 224), np.float32)).
	numpyHeaderImage = "\x93NUMPY\x01\x00v\x00{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3, 224, 224), }                                                \n"
)

func inf(sign int) float32 { return float32(math.Inf(sign)) }

// sameFloats compares bit patterns, so NaN equals NaN and -0 differs from 0.
func sameFloats(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}

func TestReadNumpyFiles(t *testing.T) {
	nan := float32(math.NaN())
	tests := []struct {
		name  string
		file  string
		shape []int
		data  []float32
	}{
		{"f4", numpyF4, []int{2, 2}, []float32{1.5, -2, inf(1), float32(math.Copysign(0, -1))}},
		// 1e300 is beyond float32: it becomes ±Inf; 0.1 rounds to nearest.
		{"f8", numpyF8, []int{6}, []float32{1.5, -2, inf(1), inf(-1), 0.1, nan}},
		// 2^24+1 is not a float32; it rounds to 2^24.
		{"i8", numpyI8, []int{5}, []float32{0, -1, 1 << 24, -(1 << 40), 7}},
		{"i4", numpyI4, []int{2, 2}, []float32{0, -1, 1 << 31, -(1 << 31)}},
		{"u1", numpyU1, []int{4}, []float32{0, 1, 128, 255}},
		{"b1", numpyB1, []int{3}, []float32{1, 0, 1}},
		{"scalar", numpyScalar, []int{}, []float32{3.25}},
		{"empty", numpyEmpty, []int{2, 0, 3}, []float32{}},
		{"version 2.0", numpyV2, []int{3}, []float32{1, 2, 3}},
		{"version 3.0", numpyV3, []int{3}, []float32{1, 2, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := strings.NewReader(tt.file)
			a, err := Read(r)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(a.Shape, tt.shape) {
				t.Errorf("shape %v, want %v", a.Shape, tt.shape)
			}
			// NaN from '<f8' keeps being NaN; compare it separately
			// since conversion need not keep the payload bits.
			for i := range tt.data {
				if i >= len(a.Data) {
					break
				}
				w, g := tt.data[i], a.Data[i]
				if w != w {
					if g == g {
						t.Errorf("Data[%d] = %v, want NaN", i, g)
					}
					continue
				}
				if math.Float32bits(w) != math.Float32bits(g) {
					t.Errorf("Data[%d] = %v, want %v", i, g, w)
				}
			}
			if len(a.Data) != len(tt.data) {
				t.Errorf("%d elements, want %d", len(a.Data), len(tt.data))
			}
			if r.Len() != 0 {
				t.Errorf("%d bytes left unread", r.Len())
			}
		})
	}
}

func TestWriteMatchesNumpy(t *testing.T) {
	tests := []struct {
		name string
		a    *Array
		want string
	}{
		{"2x2", &Array{Shape: []int{2, 2}, Data: []float32{1.5, -2, inf(1), float32(math.Copysign(0, -1))}}, numpyF4},
		{"scalar", &Array{Shape: []int{}, Data: []float32{3.25}}, numpyScalar},
		{"scalar nil shape", &Array{Data: []float32{3.25}}, numpyScalar},
		{"empty", &Array{Shape: []int{2, 0, 3}}, numpyEmpty},
		{"image", &Array{Shape: []int{1, 3, 224, 224}, Data: make([]float32, 3*224*224)}, numpyHeaderImage + string(make([]byte, 4*3*224*224))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := Write(&b, tt.a); err != nil {
				t.Fatal(err)
			}
			if got := b.String(); got != tt.want {
				n := min(len(got), len(tt.want), 200)
				t.Errorf("got  %q (%d bytes)\nwant %q (%d bytes)", got[:n], len(got), tt.want[:n], len(tt.want))
			}
		})
	}
}

func TestHeaderAlignment(t *testing.T) {
	// numpy aligns the data to 64 bytes; check it for shapes whose
	// headers cross alignment boundaries.
	for ndim := 0; ndim <= MaxDims; ndim++ {
		shape := make([]int, ndim)
		for i := range shape {
			shape[i] = 1
		}
		if ndim > 0 {
			shape[0] = 1000000007 // a first dim longer than usual
		}
		n := 1
		for _, d := range shape {
			n *= d
		}
		if n > 1<<20 {
			shape[0] = 1 << 20 / (n / shape[0])
			n = shape[0]
		}
		var b bytes.Buffer
		if err := Write(&b, &Array{Shape: shape, Data: make([]float32, n)}); err != nil {
			t.Fatal(err)
		}
		hdrLen := b.Len() - 4*n
		if hdrLen%64 != 0 {
			t.Errorf("%d dims: data starts at %d, not a multiple of 64", ndim, hdrLen)
		}
		if b.Bytes()[hdrLen-1] != '\n' {
			t.Errorf("%d dims: header does not end in a newline", ndim)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	big := make([]float32, 3*chunkBytes/4+5) // crosses chunk boundaries
	for i := range big {
		big[i] = float32(i) * 0.37
	}
	special := []float32{
		float32(math.NaN()),
		math.Float32frombits(0x7fc12345), // NaN with a payload
		math.Float32frombits(0xffa00001), // signalling NaN, sign set
		inf(1), inf(-1),
		float32(math.Copysign(0, -1)), 0,
		math.SmallestNonzeroFloat32, -math.MaxFloat32,
	}
	tests := []*Array{
		{Shape: []int{}, Data: []float32{-1.25}},
		{Shape: []int{5}, Data: []float32{1, 2, 3, 4, 5}},
		{Shape: []int{0}, Data: []float32{}},
		{Shape: []int{3, 0}, Data: []float32{}},
		{Shape: []int{3, 3}, Data: special},
		{Shape: []int{1, 3, len(big) / 3}, Data: big[:len(big)/3*3]},
		{Shape: []int{len(big)}, Data: big},
	}
	dir := t.TempDir()
	for i, a := range tests {
		t.Run(fmt.Sprint(a.Shape), func(t *testing.T) {
			check := func(got *Array) {
				t.Helper()
				if !reflect.DeepEqual(got.Shape, a.Shape) {
					t.Errorf("shape %v, want %v", got.Shape, a.Shape)
				}
				if !sameFloats(got.Data, a.Data) {
					t.Errorf("data differs")
				}
			}
			var b bytes.Buffer
			if err := Write(&b, a); err != nil {
				t.Fatal(err)
			}
			got, err := Read(&b)
			if err != nil {
				t.Fatal(err)
			}
			check(got)

			path := filepath.Join(dir, fmt.Sprintf("a%d.npy", i))
			if err := WriteFile(path, a); err != nil {
				t.Fatal(err)
			}
			got, err = ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			check(got)
		})
	}
}

func TestReadStream(t *testing.T) {
	// np.save called twice on one file object: Read must consume exactly
	// one array each time.
	var b bytes.Buffer
	arrays := []*Array{
		{Shape: []int{2}, Data: []float32{1, 2}},
		{Shape: []int{}, Data: []float32{3}},
		{Shape: []int{1, 1}, Data: []float32{4}},
	}
	for _, a := range arrays {
		if err := Write(&b, a); err != nil {
			t.Fatal(err)
		}
	}
	for _, want := range arrays {
		got, err := Read(&b)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got %+v, want %+v", got, want)
		}
	}
	if _, err := Read(&b); !errors.Is(err, ErrFormat) {
		t.Errorf("Read past the last array: %v, want ErrFormat", err)
	}
}

// npyWithHeader builds a version 1.0 file around a hand-written dict.
func npyWithHeader(dict string, data ...byte) []byte {
	b := append([]byte("\x93NUMPY\x01\x00"), byte(len(dict)), byte(len(dict)>>8))
	b = append(b, dict...)
	return append(b, data...)
}

func TestReadHeaderVariants(t *testing.T) {
	one := []byte{0, 0, 0x80, 0x3f} // float32 1
	tests := []struct {
		dict  string
		shape []int
	}{
		{"{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }\n", []int{1}},
		{"{'descr':'<f4','fortran_order':False,'shape':(1,)}", []int{1}},
		{`{"descr": "<f4", "fortran_order": False, "shape": (1,)}`, []int{1}},
		{"{'shape': (1,), 'fortran_order': False, 'descr': '<f4'}", []int{1}},
		{"\t{ 'descr' : '<f4' ,\n 'fortran_order' : False ,\r\n 'shape' : ( 1 , ) , }  \n", []int{1}},
		{"{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 1), }", []int{1, 1, 1}},
		{"{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 1,), }", []int{1, 1, 1}},
		{"{'descr': '<f4', 'fortran_order': False, 'shape': (), }", []int{}},
		{"{'descr': '<f4', 'fortran_order': False, 'shape': ( ), }", []int{}},
		{"{'descr': '<f4', 'fortran_order': False, 'shape': (1L, 1L), }", []int{1, 1}}, // Python 2 numpy
		{"{'descr': '<f4', 'fortran_order': False, 'shape': (+1,), }", []int{1}},
	}
	for _, tt := range tests {
		t.Run(tt.dict, func(t *testing.T) {
			a, err := Read(bytes.NewReader(npyWithHeader(tt.dict, one...)))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(a.Shape, tt.shape) || !reflect.DeepEqual(a.Data, []float32{1}) {
				t.Errorf("got %+v, want shape %v data [1]", a, tt.shape)
			}
		})
	}
}

func TestReadErrors(t *testing.T) {
	dict := func(shape string) string {
		return "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }"
	}
	v2 := func(hlen uint32) []byte {
		return []byte{0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0, byte(hlen), byte(hlen >> 8), byte(hlen >> 16), byte(hlen >> 24)}
	}
	tests := []struct {
		name string
		file []byte
		is   error  // ErrFormat or ErrUnsupported
		msg  string // substring of the error
	}{
		{"empty", nil, ErrFormat, "truncated magic"},
		{"bad magic", []byte("\x93NUMPZ\x01\x00v\x00"), ErrFormat, "bad magic"},
		{"pickle", []byte("\x80\x04\x95\x00\x00\x00\x00"), ErrFormat, "truncated magic"},
		{"zip (npz)", []byte("PK\x03\x04\x14\x00\x00\x00\x00\x00"), ErrFormat, "bad magic"},
		{"short magic", []byte("\x93NUM"), ErrFormat, "truncated magic"},
		{"version 4.0", []byte("\x93NUMPY\x04\x00v\x00"), ErrUnsupported, "version 4.0"},
		{"version 1.1", []byte("\x93NUMPY\x01\x01v\x00"), ErrUnsupported, "version 1.1"},
		{"no header length", []byte("\x93NUMPY\x01\x00v"), ErrFormat, "truncated header length"},
		{"v2 no header length", []byte("\x93NUMPY\x02\x00v\x00"), ErrFormat, "truncated header length"},
		{"truncated header", []byte(numpyF4[:40]), ErrFormat, "truncated header"},
		{"header too long", v2(MaxHeaderLen + 1), ErrFormat, "exceeds limit"},
		{"header length 4 GiB", v2(math.MaxUint32), ErrFormat, "exceeds limit"},
		{"truncated data", []byte(numpyF4[:len(numpyF4)-1]), ErrFormat, "data truncated"},
		{"no data", []byte(numpyF4[:128]), ErrFormat, "data truncated"},
		{"huge shape, no data", npyWithHeader(dict("(536870911, 1)")), ErrFormat, "data truncated"},
		{"fortran order", []byte(numpyFortran), ErrUnsupported, "fortran_order"},
		{"big endian", []byte(numpyBigEndian), ErrUnsupported, `dtype ">f4"`},
		{"float16", []byte(numpyF2), ErrUnsupported, `dtype "<f2"`},
		{"structured", []byte(numpyStructured), ErrUnsupported, "structured"},
		{"negative dim", npyWithHeader(dict("(2, -3)")), ErrFormat, "negative dimension -3"},
		{"dim too big", npyWithHeader(dict("(2147483649,)")), ErrFormat, "exceeds"},
		{"dim overflows int64", npyWithHeader(dict("(99999999999999999999999,)")), ErrFormat, "exceeds"},
		{"product overflow", npyWithHeader(dict("(4294967296, 4294967296)")), ErrFormat, "exceeds"},
		{"product over limit", npyWithHeader(dict("(65536, 32769)")), ErrFormat, fmt.Sprintf("more than %d elements", MaxElements)},
		{"product wraps int64", npyWithHeader(dict(fmt.Sprintf("(%d, %d, %d, 0)", MaxElements, MaxElements, MaxElements))), ErrFormat, "more than"},
		{"too many dims", npyWithHeader(dict("(" + strings.Repeat("1, ", MaxDims+1) + ")")), ErrFormat, "dimensions"},
		{"shape int not tuple", npyWithHeader(dict("(5)")), ErrFormat, "not a tuple"},
		{"shape list", npyWithHeader(dict("[5]")), ErrFormat, "want '('"},
		{"shape float", npyWithHeader(dict("(5.0,)")), ErrFormat, "want ','"},
		{"shape leading zero", npyWithHeader(dict("(05,)")), ErrFormat, "leading zero"},
		{"shape name", npyWithHeader(dict("(n,)")), ErrFormat, "want a dimension"},
		{"shape unterminated", npyWithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (1, "), ErrFormat, "end of header"},
		{"empty dict", npyWithHeader("{}"), ErrFormat, "missing key 'descr'"},
		{"missing shape", npyWithHeader("{'descr': '<f4', 'fortran_order': False}"), ErrFormat, "missing key 'shape'"},
		{"missing fortran_order", npyWithHeader("{'descr': '<f4', 'shape': (1,)}"), ErrFormat, "missing key 'fortran_order'"},
		{"extra key", npyWithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}"), ErrFormat, `unexpected key "x"`},
		{"duplicate key", npyWithHeader("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,)}"), ErrFormat, "duplicate"},
		{"fortran_order not bool", npyWithHeader("{'descr': '<f4', 'fortran_order': 0, 'shape': (1,)}"), ErrFormat, "True or False"},
		{"fortran_order Falsey", npyWithHeader("{'descr': '<f4', 'fortran_order': Falsey, 'shape': (1,)}"), ErrFormat, "unexpected character"},
		{"descr not string", npyWithHeader("{'descr': 4, 'fortran_order': False, 'shape': (1,)}"), ErrFormat, "quoted string"},
		{"unterminated string", npyWithHeader("{'descr: '<f4'}"), ErrFormat, "want ':'"},
		{"unterminated string at end", npyWithHeader("{'descr"), ErrFormat, "unterminated string"},
		{"escape in string", npyWithHeader(`{'descr': '<f\4', 'fortran_order': False, 'shape': (1,)}`), ErrFormat, "escape"},
		{"missing comma", npyWithHeader("{'descr': '<f4' 'fortran_order': False, 'shape': (1,)}"), ErrFormat, "want ','"},
		{"no closing brace", npyWithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), "), ErrFormat, "end of header"},
		{"trailing junk", npyWithHeader(dict("(1,)") + " x"), ErrFormat, "trailing characters"},
		{"not a dict", npyWithHeader("['descr']"), ErrFormat, "want '{'"},
		{"empty header", npyWithHeader(""), ErrFormat, "end of header"},
		{"NUL in header", npyWithHeader(dict("(1,)") + "\x00"), ErrFormat, "trailing characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Read(bytes.NewReader(tt.file))
			if err == nil {
				t.Fatalf("no error; got %+v", a)
			}
			if !errors.Is(err, tt.is) {
				t.Errorf("error %q does not wrap %v", err, tt.is)
			}
			other := ErrUnsupported
			if tt.is == ErrUnsupported {
				other = ErrFormat
			}
			if errors.Is(err, other) {
				t.Errorf("error %q wraps %v too", err, other)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not mention %q", err, tt.msg)
			}
		})
	}
}

func TestTruncationIsUnexpectedEOF(t *testing.T) {
	for n := 0; n < len(numpyF4); n++ {
		_, err := Read(strings.NewReader(numpyF4[:n]))
		if !errors.Is(err, io.ErrUnexpectedEOF) || !errors.Is(err, ErrFormat) {
			t.Errorf("file cut at %d bytes: error %v, want ErrFormat and io.ErrUnexpectedEOF", n, err)
		}
	}
}

type failingReader struct{ err error }

func (r failingReader) Read([]byte) (int, error) { return 0, r.err }

func TestReadPassesReaderErrors(t *testing.T) {
	boom := errors.New("boom")
	r := io.MultiReader(strings.NewReader(numpyF4[:130]), failingReader{boom})
	_, err := Read(r)
	if !errors.Is(err, boom) {
		t.Errorf("error %v does not wrap the reader's error", err)
	}
	if errors.Is(err, ErrFormat) {
		t.Errorf("a reader failure is reported as a malformed file: %v", err)
	}
}

func TestReadFileErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		file string
		is   error
		msg  string
	}{
		{"trailing bytes", numpyF4 + "xyz", ErrFormat, "3 trailing bytes"},
		{"truncated data", numpyF4[:len(numpyF4)-3], ErrFormat, "needs 16 bytes, file has 13"},
		{"huge shape", string(npyWithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (536870911,)}")), ErrFormat, "needs 2147483644 bytes"},
		{"bad magic", "hello", ErrFormat, "truncated magic"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.name+".npy")
			if err := os.WriteFile(path, []byte(tt.file), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := ReadFile(path)
			if !errors.Is(err, tt.is) {
				t.Fatalf("error %v, want %v", err, tt.is)
			}
			if !strings.Contains(err.Error(), tt.msg) || !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not mention %q and the path", err, tt.msg)
			}
		})
	}
	t.Run("missing", func(t *testing.T) {
		path := filepath.Join(dir, "missing.npy")
		_, err := ReadFile(path)
		if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), path) {
			t.Errorf("error %v, want ErrNotExist naming the path", err)
		}
	})
}

func TestWriteErrors(t *testing.T) {
	tests := []struct {
		name string
		a    *Array
		msg  string
	}{
		{"nil", nil, "nil array"},
		{"negative dim", &Array{Shape: []int{2, -1}, Data: []float32{}}, "negative dimension"},
		{"too few", &Array{Shape: []int{2, 3}, Data: make([]float32, 5)}, "holds 6 elements but Data has 5"},
		{"too many", &Array{Shape: []int{0}, Data: make([]float32, 1)}, "holds 0 elements but Data has 1"},
		{"scalar empty", &Array{Shape: []int{}, Data: nil}, "holds 1 elements but Data has 0"},
		{"overflow", &Array{Shape: []int{math.MaxInt / 2, 4}}, "more than"},
		{"too many dims", &Array{Shape: make([]int, MaxDims+1)}, "dimensions"},
	}
	dir := t.TempDir()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			err := Write(&b, tt.a)
			if err == nil || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("Write: error %v, want one mentioning %q", err, tt.msg)
			}
			if b.Len() != 0 {
				t.Errorf("Write wrote %d bytes before failing", b.Len())
			}
			path := filepath.Join(dir, "x.npy")
			err = WriteFile(path, tt.a)
			if err == nil || !strings.Contains(err.Error(), tt.msg) || !strings.Contains(err.Error(), path) {
				t.Errorf("WriteFile: error %v, want one mentioning %q and the path", err, tt.msg)
			}
			assertDirEntries(t, dir)
		})
	}
}

type failingWriter struct{ n int }

func (w *failingWriter) Write(b []byte) (int, error) {
	if w.n < len(b) {
		n := w.n
		w.n = 0
		return n, errors.New("disk full")
	}
	w.n -= len(b)
	return len(b), nil
}

func TestWritePassesWriterErrors(t *testing.T) {
	a := &Array{Shape: []int{chunkBytes}, Data: make([]float32, chunkBytes)}
	for _, n := range []int{0, 127, 128, 128 + chunkBytes + 1} {
		err := Write(&failingWriter{n: n}, a)
		if err == nil || !strings.Contains(err.Error(), "disk full") {
			t.Errorf("writer failing after %d bytes: error %v", n, err)
		}
	}
}

// assertDirEntries fails unless dir holds exactly the named files: no
// temporary files left behind.
func assertDirEntries(t *testing.T, dir string, names ...string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	if !slices.Equal(got, names) {
		t.Errorf("directory holds %q, want %q", got, names)
	}
}

func TestWriteFileReplaces(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.npy")
	if err := os.WriteFile(path, []byte("old contents"), 0o600); err != nil {
		t.Fatal(err)
	}
	want := &Array{Shape: []int{2}, Data: []float32{7, 8}}
	if err := WriteFile(path, want); err != nil {
		t.Fatal(err)
	}
	assertDirEntries(t, dir, "a.npy")
	got, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", fi.Mode().Perm())
	}

	// A failing write leaves the old file alone.
	err = WriteFile(path, &Array{Shape: []int{3}, Data: []float32{1}})
	if err == nil {
		t.Fatal("no error for a bad array")
	}
	got, err = ReadFile(path)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("after a failed write: %+v, %v; want the old contents", got, err)
	}
	assertDirEntries(t, dir, "a.npy")
}

func TestWriteFileRelativePath(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	a := &Array{Shape: []int{1}, Data: []float32{1}}
	if err := WriteFile("rel.npy", a); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(filepath.Join(dir, "rel.npy")); err != nil {
		t.Fatal(err)
	}
	assertDirEntries(t, dir, "rel.npy")
}

func TestWriteFileMissingDir(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no", "such", "dir", "a.npy")
	err := WriteFile(path, &Array{Shape: []int{1}, Data: []float32{1}})
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), path) {
		t.Errorf("error %v, want ErrNotExist naming %s", err, path)
	}
}

func TestWriteFileOverDirectory(t *testing.T) {
	// Rename onto a non-empty directory fails; the temp file must go.
	dir := t.TempDir()
	target := filepath.Join(dir, "d")
	if err := os.MkdirAll(filepath.Join(target, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	err := WriteFile(target, &Array{Shape: []int{1}, Data: []float32{1}})
	if err == nil || !strings.Contains(err.Error(), target) {
		t.Fatalf("error %v, want one naming %s", err, target)
	}
	assertDirEntries(t, dir, "d")
}
