package infer

import "github.com/edge-pi/edge/simd"

// The depthwise path of convKernel (depthwise, single): the direct
// depthwise kernels over zero-padded planes.

// dwPadMax is the largest output map (OH·OW) a depthwise convolution runs
// through padded planes.
const dwPadMax = 1024

// singleMaxPlane bounds the padded plane (floats, one per thread) of a
// convolution of one input channel run by the depthwise kernels.
const singleMaxPlane = 1 << 16

// dwChannels computes depthwise channels [lo, hi) over batch × channels.
func (k *convKernel) dwChannels(lo, hi int) {
	x, y := k.n.in[0].t.F, k.n.out[0].t.F
	hw, ohw := k.h*k.w, k.oh*k.ow
	for i := lo; i < hi; i++ {
		c := i % k.cout
		out := y[i*ohw : (i+1)*ohw]
		simd.DepthwiseChannel(&k.dwp, x[i*hw:(i+1)*hw], k.weights[c*k.kh*k.kw:(c+1)*k.kh*k.kw], k.bias[c], out)
		k.act.apply(out, c)
	}
}

// dwPadded computes depthwise channels [lo, hi) over batch × channels
// through the zero-padded plane of thread slot c (see convKernel.dwPad);
// with one input channel (single), output channels [lo, hi) of the
// images' one plane.
// The padding is cleared once; each channel overwrites the interior.
func (k *convKernel) dwPadded(c, lo, hi int) {
	x, y := k.n.in[0].t.F, k.n.out[0].t.F
	hw, ohw, plane := k.h*k.w, k.oh*k.ow, k.dwHp*k.dwWp
	buf := k.scratch[c*slotStride(plane):][:plane]
	clear(buf)
	rows := min(k.h, k.dwHp-k.pt) // input rows and columns inside the plane
	cols := min(k.w, k.dwWp-k.pl)
	actLo, actHi, _ := k.act.clampBounds()
	if k.dwPlane3 && !k.pool { // runs of channels of one image, in one call each
		at, ks := k.pt*k.dwWp+k.pl, k.kh*k.kw
		for i := lo; i < hi; {
			b, c0 := i/k.cout, i%k.cout
			c1 := min(k.cout, c0+hi-i)
			var in []float32 // channel i's plane, or with one input channel the image's
			inCh := hw
			if k.single {
				in, inCh = x[b*hw:(b+1)*hw], 0
			} else {
				in = x[i*hw:]
			}
			simd.DepthwiseChannels3(y[i*ohw:], ohw, in, inCh, k.w, rows, cols, buf, at, k.dwWp, k.oh, k.ow, k.sh,
				k.weights[c0*ks:c1*ks], k.bias[c0:c1], actLo, actHi)
			i += c1 - c0
		}
		return // the activation was the clamp
	}
	last := -1
	for i := lo; i < hi; i++ {
		ch := i % k.cout
		in := i // the input plane: channel i, or with one input channel, image i/cout
		if k.single {
			in = i / k.cout
		}
		if in != last {
			simd.CopyRows(buf[k.pt*k.dwWp+k.pl:], k.dwWp, x[in*hw:(in+1)*hw], k.w, rows, cols)
			last = in
		}
		wc := k.weights[ch*k.kh*k.kw : (ch+1)*k.kh*k.kw]
		if k.dwPlaneK && !k.pool { // the activation, a clamp, fused
			simd.DepthwisePlaneK(y[i*ohw:(i+1)*ohw], k.oh, k.ow, buf, k.dwWp, k.kh, k.kw, wc, k.bias[ch], actLo, actHi)
			continue
		}
		if k.pool { // fused MaxPool: one value per 2×2 window
			ph, pw := k.oh/2, k.ow/2
			simd.DepthwisePlane3Pool(y[i*ph*pw:(i+1)*ph*pw], ph, pw, buf, k.dwWp, wc, k.bias[ch], actLo, actHi)
			continue
		}
		simd.DepthwiseChannel(&k.dwpp, buf, wc, k.bias[ch], y[i*ohw:(i+1)*ohw])
	}
	if k.pool || k.dwPlaneK {
		return // the activation was the clamp
	}
	if k.act.channels() == 0 {
		k.act.apply(y[lo*ohw:hi*ohw], 0)
		return
	}
	for i := lo; i < hi; i++ {
		k.act.apply(y[i*ohw:(i+1)*ohw], i%k.cout)
	}
}

// setDWPlane sizes the zero-padded plane of the dwPad path (exactly the
// rows and columns the output's taps read) and its convolution.
func (k *convKernel) setDWPlane() {
	k.dwHp = (k.oh-1)*k.sh + (k.kh-1)*k.dh + 1
	k.dwWp = (k.ow-1)*k.sw + (k.kw-1)*k.dw + 1
	k.dwpp = simd.DWConv{H: k.dwHp, W: k.dwWp, OH: k.oh, OW: k.ow, KH: k.kh, KW: k.kw,
		StrideH: k.sh, StrideW: k.sw, DilH: k.dh, DilW: k.dw}
	k.dwPaddedBody = k.dwPadded
	// 3×3 at stride 1 or 2 with a clamp (or no activation): the plane
	// kernel, the activation fused
	_, _, clamp := k.act.clampBounds()
	k.dwPlane3 = k.kh == 3 && k.kw == 3 && k.dh == 1 && k.dw == 1 && k.sh == k.sw && k.sh <= 2 && clamp
	// other filters at stride 1 (ConvNeXt's 7×7: 3.9 ms a layer of 96
	// channels of 28² through DepthwiseChannel's loop in Go, 1.9 GFLOP/s)
	k.dwPlaneK = !k.dwPlane3 && k.dh == 1 && k.dw == 1 && k.sh == 1 && k.sw == 1 && clamp && simd.DepthwisePlaneKNative()
}

// setDWInPlace takes the dwPad path's 3×3 convolutions at stride 1 padded
// by one on every side, and at stride 2 by at most one on the top and
// left, through a kernel that reads the maps in place, where simd has
// one, so that there is no padded plane to copy into and read back:
//
//   - at stride 1 padded by one on every side (the output the input's
//     size), small maps through simd.DepthwiseFlat3: each map one run of
//     vectors, each tap a masked load (a 7×7 map is four vectors, not
//     seven). Its taps cost more (a mask each), so it takes only maps of
//     at least 1.5 times fewer vectors than rows: on MobileNet's 1024
//     channels of 7×7, 25 µs against 55; on 512 of 14×14 (13 vectors
//     against 14 rows) it lost, 42 µs against 35 (AMD Zen 5);
//   - the other maps at stride 1 through simd.DepthwiseSame3, row by row,
//     the rows past the map's top and bottom a zero row and its columns
//     past the ends masked lanes (faces' layers, in the network, one
//     thread: 32 channels of 112² 0.14–0.19 → 0.09–0.11 ms, 512 of 14²
//     40–42 → 30–32 µs; AMD Zen 5);
//   - at stride 2 through simd.DepthwiseStride2, each row's even and odd
//     columns split in registers where they were copied into a split
//     plane.
func (k *convKernel) setDWInPlace() {
	in := !dwInPlaceOff && k.dwPad && k.dwPlane3 && !k.pool && !k.single
	same := in && k.sh == 1 && k.pt == 1 && k.pl == 1 &&
		k.oh == k.h && k.ow == k.w && k.dwHp == k.h+2 && k.dwWp == k.w+2
	vecs, rowVecs := (k.h*k.w+15)/16, k.h*((k.w+15)/16)
	k.dwFlat = same && k.h*k.w <= simd.FlatMaxMap && 3*vecs <= 2*rowVecs && simd.DepthwiseFlatNative()
	k.dwSame = same && !k.dwFlat && k.w <= simd.SameMaxWidth && simd.DepthwiseSameNative()
	k.dwStride2 = in && k.sh == 2 && k.pt <= 1 && k.pl <= 1 && 2*(k.oh-1)-k.pt < k.h && 2*(k.ow-1)-k.pl < k.w &&
		k.ow <= simd.Stride2MaxWidth && simd.DepthwiseStride2Native()
	if k.dwFlat || k.dwSame || k.dwStride2 {
		k.dwPaddedBody = k.dwInPlaceChannels
	}
}

// dwInPlaceOff turns the in-place kernels (simd.DepthwiseFlat3,
// DepthwiseSame3, DepthwiseStride2) off (tests compare).
var dwInPlaceOff = false

// dwInPlaceChannels computes depthwise channels [lo, hi) over batch ×
// channels with simd.DepthwiseFlat3, DepthwiseSame3 or DepthwiseStride2
// (see setDWInPlace), a call per run of one image's channels; the clamp
// is fused (dwPlane3).
func (k *convKernel) dwInPlaceChannels(_, lo, hi int) {
	x, y := k.n.in[0].t.F, k.n.out[0].t.F
	hw, ohw := k.h*k.w, k.oh*k.ow
	actLo, actHi, _ := k.act.clampBounds()
	for i := lo; i < hi; {
		c0 := i % k.cout
		c1 := min(k.cout, c0+hi-i)
		out, in := y[i*ohw:(i+c1-c0)*ohw], x[i*hw:(i+c1-c0)*hw]
		wt, bias := k.weights[c0*9:c1*9], k.bias[c0:c1]
		switch {
		case k.dwStride2:
			simd.DepthwiseStride2(out, in, c1-c0, k.h, k.w, k.oh, k.ow, k.pt, k.pl, wt, bias, actLo, actHi)
		case k.dwSame:
			simd.DepthwiseSame3(out, in, c1-c0, k.h, k.w, wt, bias, actLo, actHi)
		default:
			simd.DepthwiseFlat3(out, in, c1-c0, k.h, k.w, wt, bias, actLo, actHi)
		}
		i += c1 - c0
	}
}
