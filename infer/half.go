package infer

import (
	"encoding/binary"
	"fmt"

	"google.golang.org/protobuf/encoding/protowire"
)

// FLOAT16 initializers (and Constant values) are widened to float32 when
// the file is read: parseGraph and checkAttr hand onnx-go a FLOAT tensor
// with the same name, dims and values, so onnx-go and the plan never see
// float16. A converter stores a network's weights at half the size this
// way, followed by Cast(to=FLOAT), which the plan then folds away; every
// float16 value is exactly a float32, so the plan computes what it would
// from the float32 weights.

// widenHalf returns the float32 bit pattern of the IEEE 754 binary16 value
// with bits h. The conversion is exact: the sign is kept, a normal value
// is rebiased (exponent bias 15 to 127) with its 10-bit fraction in the
// top of float32's 23, a subnormal (fraction × 2⁻²⁴) is normalised, ±0
// stays ±0, and infinities and NaNs keep their sign and payload (a quiet
// NaN stays quiet).
func widenHalf(h uint16) uint32 {
	sign := uint32(h&0x8000) << 16
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // Inf, NaN
		return sign | 0xff<<23 | frac<<13
	case exp != 0: // normal
		return sign | (exp+127-15)<<23 | frac<<13
	case frac == 0: // ±0
		return sign
	}
	// Subnormal: frac × 2⁻²⁴. Shift the leading 1 up to the implicit bit,
	// 2⁻¹⁴ once there, lowering the exponent by one per shift.
	e := uint32(127 - 14)
	for frac&0x400 == 0 {
		frac <<= 1
		e--
	}
	return sign | e<<23 | (frac&0x3ff)<<13
}

// widenFloat16 re-encodes a FLOAT16 TensorProto, which checkTensor found
// to hold n values, as a FLOAT TensorProto: the same name and dims, the
// widened values in raw_data. The values come from raw_data (2 bytes each,
// little-endian) or, without it, from int32_data, where each element holds
// one bit pattern in its low 16 bits. The result is 4n bytes of data plus
// the name and dims, so the initializer limits, which count elements,
// bound it as they bound a float32 file.
func widenFloat16(b []byte, n int) ([]byte, error) {
	var out, raw []byte
	var int32s []field
	hasRaw := false
	err := fields(b, func(f field) error {
		switch f.num {
		case fTensorDims, fTensorName:
			out = append(out, f.raw...)
		case fTensorRaw:
			raw, hasRaw = f.b, true
		case fTensorInt32s:
			int32s = append(int32s, f)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	wide := make([]byte, 0, 4*n)
	if hasRaw {
		if len(raw) != 2*n {
			return nil, fmt.Errorf("raw_data of %d bytes for %d float16 values", len(raw), n)
		}
		for i := range n {
			wide = binary.LittleEndian.AppendUint32(wide, widenHalf(binary.LittleEndian.Uint16(raw[2*i:])))
		}
	} else {
		put := func(v uint64) error {
			if v > 0xffff {
				return fmt.Errorf("int32_data value %d is not a float16 bit pattern", int64(v))
			}
			if len(wide) == 4*n {
				return fmt.Errorf("int32_data holds more than %d values", n)
			}
			wide = binary.LittleEndian.AppendUint32(wide, widenHalf(uint16(v)))
			return nil
		}
		for _, f := range int32s {
			if f.typ != protowire.BytesType {
				if f.typ != protowire.VarintType {
					return nil, errTruncated
				}
				if err := put(f.v); err != nil {
					return nil, err
				}
				continue
			}
			for p := f.b; len(p) > 0; {
				v, m := protowire.ConsumeVarint(p)
				if m < 0 {
					return nil, errTruncated
				}
				if err := put(v); err != nil {
					return nil, err
				}
				p = p[m:]
			}
		}
		if len(wide) != 4*n {
			return nil, fmt.Errorf("int32_data holds %d values, not %d", len(wide)/4, n)
		}
	}
	out = protowire.AppendTag(out, fTensorDataType, protowire.VarintType)
	out = protowire.AppendVarint(out, uint64(Float32))
	out = protowire.AppendTag(out, fTensorRaw, protowire.BytesType)
	return protowire.AppendBytes(out, wide), nil
}
