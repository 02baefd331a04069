package infer

import (
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
)

func TestWidenHalf(t *testing.T) {
	for _, c := range []struct {
		h    uint16
		want float32
	}{
		{0x3c00, 1},
		{0xc000, -2},
		{0x3555, 0.333251953125},
		{0x7bff, 65504},                  // largest finite
		{0xfbff, -65504},                 //
		{0x0400, 6.103515625e-05},        // smallest normal, 2⁻¹⁴
		{0x03ff, 6.097555160522461e-05},  // largest subnormal
		{0x0001, 5.960464477539063e-08},  // smallest subnormal, 2⁻²⁴
		{0x8001, -5.960464477539063e-08}, //
		{0x0200, 3.0517578125e-05},       // 2⁻¹⁵
		{0x7c00, float32(math.Inf(1))},
		{0xfc00, float32(math.Inf(-1))},
	} {
		if got := math.Float32frombits(widenHalf(c.h)); got != c.want {
			t.Errorf("widenHalf(%#04x) = %v, want %v", c.h, got, c.want)
		}
	}
	for _, c := range []struct {
		h    uint16
		want uint32
	}{
		{0x0000, 0x00000000},
		{0x8000, 0x80000000}, // -0
		{0x7e00, 0x7fc00000}, // quiet NaN
		{0xfe00, 0xffc00000}, // negative quiet NaN
		{0x7d01, 0x7fa02000}, // signalling NaN, payload kept
		{0x7fff, 0x7fffe000},
	} {
		if got := widenHalf(c.h); got != c.want {
			t.Errorf("widenHalf(%#04x) = %#08x, want %#08x", c.h, got, c.want)
		}
	}
}

// TestWidenHalfAll checks every bit pattern against the definition of
// binary16 evaluated in float64: (-1)^s × 2^(e-15) × (1 + f/1024) for a
// normal, (-1)^s × 2⁻¹⁴ × f/1024 for a subnormal.
func TestWidenHalfAll(t *testing.T) {
	for i := range 1 << 16 {
		h := uint16(i)
		s, e, f := h>>15, int(h>>10)&0x1f, float64(h&0x3ff)
		got := math.Float32frombits(widenHalf(h))
		var want float64
		switch {
		case e == 0x1f && f == 0:
			want = math.Inf(1)
		case e == 0x1f:
			if !math.IsNaN(float64(got)) || widenHalf(h)&0x1fff != 0 || widenHalf(h)>>13&0x3ff != uint32(h&0x3ff) {
				t.Fatalf("%#04x: %#08x is not the NaN with the same payload", h, widenHalf(h))
			}
		case e == 0:
			want = math.Ldexp(f/1024, -14)
		default:
			want = math.Ldexp(1+f/1024, e-15)
		}
		if s == 1 {
			want = -want
		}
		if e == 0x1f && f != 0 {
			if math.Signbit(float64(got)) != (s == 1) {
				t.Fatalf("%#04x: NaN sign lost", h)
			}
			continue
		}
		if float64(got) != want || math.Signbit(float64(got)) != (s == 1) {
			t.Fatalf("widenHalf(%#04x) = %v, want %v", h, got, want)
		}
	}
}

// tensorH encodes a FLOAT16 TensorProto, in raw_data or (int32 true) in
// packed int32_data.
func tensorH(name string, dims []int64, bits []uint16, int32 bool) []byte {
	var b []byte
	for _, d := range dims {
		b = append(b, fVarint(fTensorDims, d)...)
	}
	b = append(b, fVarint(fTensorDataType, int64(Float16))...)
	var data []byte
	for _, h := range bits {
		if int32 {
			data = protowire.AppendVarint(data, uint64(h))
		} else {
			data = binary.LittleEndian.AppendUint16(data, h)
		}
	}
	if int32 {
		b = append(b, fBytes(fTensorInt32s, data)...)
	} else {
		b = append(b, fBytes(fTensorRaw, data)...)
	}
	return append(b, fString(fTensorName, name)...)
}

// randHalf returns n float16 bit patterns of either sign with magnitudes
// from 2⁻⁶ to 4, plus a few subnormals and zeros.
func randHalf(r *rand.Rand, n int) []uint16 {
	h := make([]uint16, n)
	for i := range h {
		h[i] = uint16(r.IntN(2))<<15 | uint16(9+r.IntN(8))<<10 | uint16(r.IntN(1024))
		switch r.IntN(16) {
		case 0:
			h[i] &= 0x83ff // subnormal or ±0
		case 1:
			h[i] &= 0x8000
		}
	}
	return h
}

func widenAll(h []uint16) []float32 {
	f := make([]float32, len(h))
	for i, v := range h {
		f[i] = math.Float32frombits(widenHalf(v))
	}
	return f
}

const castToFloat = 1 // Cast's "to" for TensorProto.FLOAT

// halfConvModel is x → Conv(W, B) → Relu with W and B stored as FLOAT16
// (half true; in int32_data when int32) and cast to float32, as a
// converter emits it, or stored as the float32 values they widen to.
func halfConvModel(wBits, bBits []uint16, half, int32 bool) []byte {
	g := newGB(13).input("x", -1, 3, 8, 8).output("y")
	ws, bs := "W", "B"
	if half {
		g.inits = append(g.inits, tensorH("W16", []int64{4, 3, 3, 3}, wBits, int32), tensorH("B16", []int64{4}, bBits, int32))
		g.node("cast_w", "Cast", []string{"W16"}, []string{"W"}, attrInt("to", castToFloat))
		g.node("cast_b", "Cast", []string{"B16"}, []string{"B"}, attrInt("to", castToFloat))
	} else {
		g.initF(ws, []int64{4, 3, 3, 3}, widenAll(wBits))
		g.initF(bs, []int64{4}, widenAll(bBits))
	}
	g.node("conv", "Conv", []string{"x", ws, bs}, []string{"c"}, attrInts("kernel_shape", 3, 3), attrInts("pads", 1, 1, 1, 1))
	g.node("relu", "Relu", []string{"c"}, []string{"y"})
	return g.bytes()
}

// runOnce loads a model, plans it at batch n and runs it on x.
func runOnce(t *testing.T, model []byte, n int, x []float32) []float32 {
	t.Helper()
	m, err := Load(model)
	if err != nil {
		t.Fatal(err)
	}
	for name, w := range m.inits {
		if w.DType != Float32 {
			t.Fatalf("initializer %q is %v", name, w.DType)
		}
	}
	p, err := m.Plan(Options{Threads: 2, Batch: n})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.SetInput(0, x); err != nil {
		t.Fatal(err)
	}
	if err := p.Run(); err != nil {
		t.Fatal(err)
	}
	return append([]float32(nil), p.Output(0).F...)
}

func sameBits(t *testing.T, what string, got, want []float32) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf("%s: element %d = %v, want %v", what, i, got[i], want[i])
		}
	}
}

// TestFloat16Initializers runs Conv with FLOAT16 weights cast to float32
// and checks it against the same model with the widened float32 weights:
// the outputs must be identical, for weights in raw_data and in
// int32_data.
func TestFloat16Initializers(t *testing.T) {
	r := rand.New(rand.NewPCG(16, 16))
	w, b := randHalf(r, 108), randHalf(r, 4)
	x := randF(r, 2*3*8*8)
	want := runOnce(t, halfConvModel(w, b, false, false), 2, x)
	sameBits(t, "raw_data", runOnce(t, halfConvModel(w, b, true, false), 2, x), want)
	sameBits(t, "int32_data", runOnce(t, halfConvModel(w, b, true, true), 2, x), want)

	m, err := Load(halfConvModel(w, b, true, false))
	if err != nil {
		t.Fatal(err)
	}
	if m.Params() != 112 {
		t.Errorf("Params() = %d, want 112", m.Params())
	}
	sameBits(t, "W16 as loaded", m.inits["W16"].F, widenAll(w))
	if s := m.inits["W16"].Shape; len(s) != 4 || s[0] != 4 || s[3] != 3 {
		t.Errorf("W16 has shape %v", s)
	}
	// The Casts fold away: one step, as from float32 weights.
	p, err := m.Plan(Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if p.Steps() != 1 || p.Step(0).Op != "Conv+Relu" {
		t.Errorf("%d steps, the first %+v; want Conv+Relu alone", p.Steps(), p.Step(0))
	}
}

// TestFloat16Constant checks a Constant node whose value is a FLOAT16
// tensor, the special values included, cast and multiplied by the input.
func TestFloat16Constant(t *testing.T) {
	bits := []uint16{0x3c00, 0xc000, 0x7bff, 0x0001, 0x8000, 0x0000, 0x7c00, 0xfc00, 0x7e00, 0x3555}
	build := func(half bool) []byte {
		g := newGB(13).input("x", 1, 10).output("y")
		var v []byte
		if half {
			v = tensorH("", []int64{10}, bits, false)
		} else {
			v = tensorF("", []int64{10}, widenAll(bits))
		}
		g.node("k", "Constant", nil, []string{"k"}, msg(fString(fAttrName, "value"), fVarint(fAttrType, 4), fBytes(fAttrT, v)))
		g.node("cast", "Cast", []string{"k"}, []string{"kf"}, attrInt("to", castToFloat))
		return g.node("mul", "Mul", []string{"x", "kf"}, []string{"y"}).bytes()
	}
	x := []float32{1, 1, 1, 1, 1, 1, 1, 1, 1, 3}
	got := runOnce(t, build(true), 1, x)
	sameBits(t, "constant", got, runOnce(t, build(false), 1, x))
	want := []float32{1, -2, 65504, 5.960464477539063e-08, 0, 0, float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), 0.999755859375}
	for i := range want {
		if got[i] != want[i] && !(math.IsNaN(float64(got[i])) && math.IsNaN(float64(want[i]))) {
			t.Errorf("element %d = %v, want %v", i, got[i], want[i])
		}
	}
	if !math.Signbit(float64(got[4])) || math.Signbit(float64(got[5])) {
		t.Errorf("the signs of zero: %v, %v", got[4], got[5])
	}
}

func TestFloat16Errors(t *testing.T) {
	relu := func(init []byte) []byte {
		g := newGB(13).input("x", 1, 4).output("y")
		g.node("r", "Relu", []string{"x"}, []string{"y"})
		if init != nil {
			g.inits = append(g.inits, init)
		}
		return g.bytes()
	}
	odd := msg(fVarint(fTensorDims, 2), fVarint(fTensorDataType, int64(Float16)), fBytes(fTensorRaw, []byte{0, 0x3c, 0}), fString(fTensorName, "w"))
	big := msg(fVarint(fTensorDims, 1), fVarint(fTensorDataType, int64(Float16)), fVarint(fTensorInt32s, 0x10000), fString(fTensorName, "w"))
	for _, c := range []struct {
		name, want string
		model      []byte
	}{
		{"odd raw_data", `initializer "w": raw_data of 3 bytes is not a whole number of float16`, relu(odd)},
		{"short raw_data", `initializer "w": holds 3 values but its shape [4] needs 4`, relu(tensorH("w", []int64{4}, []uint16{1, 2, 3}, false))},
		{"long int32_data", `initializer "w": holds 5 values but its shape [2 2] needs 4`, relu(tensorH("w", []int64{2, 2}, []uint16{1, 2, 3, 4, 5}, true))},
		{"int32_data not 16 bits", `initializer "w": int32_data value 65536 is not a float16 bit pattern`, relu(big)},
		{"bad constant", `node "k" (Constant): attribute "value": holds 1 values but its shape [2] needs 2`,
			newGB(13).input("x", 1, 2).output("y").
				node("k", "Constant", nil, []string{"k"}, msg(fString(fAttrName, "value"), fVarint(fAttrType, 4), fBytes(fAttrT, tensorH("", []int64{2}, []uint16{1}, false)))).
				node("a", "Add", []string{"x", "k"}, []string{"y"}).bytes()},
		{"cast to float16", `node "h" (Cast): cast to float16 is not supported`,
			newGB(13).input("x", 1, 4).output("y").node("h", "Cast", []string{"x"}, []string{"y"}, attrInt("to", int64(Float16))).bytes()},
	} {
		_, err := Load(c.model)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}

	// A float16 graph input is a float16 tensor at run time: refused when
	// the plan is built, as for any input that is not float32.
	g := newGB(13).output("y")
	g.inputs = append(g.inputs, valueInfo("x", Float16, 1, 4))
	g.node("c", "Cast", []string{"x"}, []string{"y"}, attrInt("to", castToFloat))
	m, err := Load(g.bytes())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Plan(Options{}); err == nil || !strings.Contains(err.Error(), `input "x" is float16`) {
		t.Errorf("float16 input: error %v", err)
	}
	// The same value fed a tensor decoded from a file: refused.
	if _, _, err := DecodeTensorProto(tensorH("x", []int64{1}, []uint16{0x3c00}, false)); !errors.Is(err, ErrUnsupported) {
		t.Errorf("DecodeTensorProto of float16: %v", err)
	}
}
