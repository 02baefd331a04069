package simd

import "unsafe"

// DepthwisePlane3 convolves one channel with a 3×3 filter w (row-major)
// over the zero-padded plane p, whose rows are wp floats apart and which
// holds every tap (the padding already in it; (oh-1)·s+3 rows), at stride s (1 or 2) in
// both directions, and clamps:
//
//	out[y·ow+x] = min(max(bias + Σ_{dy,dx<3} w[3dy+dx]·p[(s·y+dy)·wp + s·x+dx], lo), hi)
//
// summed from the bias in tap order. A NaN sum stays NaN (as in
// BiasClamp); lo = -Inf and hi = +Inf clamp nothing.
func DepthwisePlane3(out []float32, oh, ow int, p []float32, wp, s int, w []float32, bias, lo, hi float32) {
	if oh <= 0 || ow <= 0 {
		return
	}
	if s < 1 || s > 2 || wp < (ow-1)*s+3 || len(w) < 9 || len(out) < oh*ow || len(p) < ((oh-1)*s+3)*wp {
		panic("simd: DepthwisePlane3 arguments out of range")
	}
	if lo != lo || hi != hi {
		dwPlaneGeneric(out, oh, ow, p, wp, s, w, bias, lo, hi)
		return
	}
	active.dwPlane(out, oh, ow, p, wp, s, w, bias, lo, hi)
}

// DepthwisePlaneNative reports whether DepthwisePlane3 has a kernel of its
// own here, fast on any map size (so that padding a plane first pays even
// on large maps), rather than going through DepthwiseChannel.
func DepthwisePlaneNative() bool { return active.dwPlaneNative }

// CopyRows copies rows × cols floats from src (rows lds apart) to dst (rows
// ldd apart): an image's rows into the interior of a padded plane. Where
// dst and src overlap, it copies as copy does, a row at a time in order.
func CopyRows(dst []float32, ldd int, src []float32, lds, rows, cols int) {
	if rows <= 0 || cols <= 0 {
		return
	}
	if ldd < cols || lds < cols || len(dst) < (rows-1)*ldd+cols || len(src) < (rows-1)*lds+cols {
		panic("simd: CopyRows arguments out of range")
	}
	if overlap(dst[:(rows-1)*ldd+cols], src[:(rows-1)*lds+cols]) {
		// as copy would, row by row (the kernels' vectors would read
		// floats they have written)
		copyRowsGeneric(dst, ldd, src, lds, rows, cols)
		return
	}
	active.copyRows(dst, ldd, src, lds, rows, cols)
}

// overlap says whether a and b share memory.
func overlap(a, b []float32) bool {
	if len(a) == 0 || len(b) == 0 {
		return false
	}
	a0, b0 := uintptr(unsafe.Pointer(&a[0])), uintptr(unsafe.Pointer(&b[0]))
	return a0 < b0+4*uintptr(len(b)) && b0 < a0+4*uintptr(len(a))
}

func copyRowsGeneric(dst []float32, ldd int, src []float32, lds, rows, cols int) {
	for r := 0; r < rows; r++ {
		copy(dst[r*ldd:r*ldd+cols], src[r*lds:])
	}
}

func dwPlaneGeneric(out []float32, oh, ow int, p []float32, wp, s int, w []float32, bias, lo, hi float32) {
	for y := 0; y < oh; y++ {
		for x := 0; x < ow; x++ {
			v := bias
			at := s*y*wp + s*x
			for dy := 0; dy < 3; dy++ {
				for dx := 0; dx < 3; dx++ {
					v += w[3*dy+dx] * p[at+dy*wp+dx]
				}
			}
			out[y*ow+x] = clampKeepNaN(v, lo, hi)
		}
	}
}

// clampKeepNaN is min(max(v, lo), hi) with a NaN v kept, as the vector
// MAXPS/MINPS with v as the second source give.
func clampKeepNaN(v, lo, hi float32) float32 {
	if v < lo {
		v = lo
	}
	if v > hi {
		v = hi
	}
	return v
}

// StridedRows copies every s-th float of rows of src: dst[i·ldd+j] =
// src[i·lds+s·j] for i < rows, j < n: the phase planes of a strided
// convolution, one row of one phase at a time.
func StridedRows(dst []float32, ldd int, src []float32, lds, rows, n, s int) {
	if rows <= 0 || n <= 0 {
		return
	}
	if s < 1 || ldd < n || lds < 0 || len(dst) < (rows-1)*ldd+n || len(src) < (rows-1)*lds+s*(n-1)+1 {
		panic("simd: StridedRows arguments out of range")
	}
	active.stridedRows(dst, ldd, src, lds, rows, n, s)
}

func stridedRowsGeneric(dst []float32, ldd int, src []float32, lds, rows, n, s int) {
	for i := 0; i < rows; i++ {
		d, r := dst[i*ldd:i*ldd+n], src[i*lds:]
		for j := range d {
			d[j] = r[s*j]
		}
	}
}

// SplitRows copies the even and odd floats of rows of src apart:
// a[i·ldd+k] = src[i·lds+2k] for 2k < cols and b[i·ldd+k] = src[i·lds+2k+1]
// for 2k+1 < cols, i < rows: the two column phases of a stride-2
// convolution's input, a row at a time.
func SplitRows(a, b []float32, ldd int, src []float32, lds, rows, cols int) {
	if rows <= 0 || cols <= 0 {
		return
	}
	ne, no := (cols+1)/2, cols/2
	if ldd < ne || lds < cols || len(a) < (rows-1)*ldd+ne || len(b) < (rows-1)*ldd+no || len(src) < (rows-1)*lds+cols {
		panic("simd: SplitRows arguments out of range")
	}
	active.splitRows(a, b, ldd, src, lds, rows, cols)
}

func splitRowsGeneric(a, b []float32, ldd int, src []float32, lds, rows, cols int) {
	for i := 0; i < rows; i++ {
		r := src[i*lds : i*lds+cols]
		ea, ob := a[i*ldd:], b[i*ldd:]
		for k := 0; 2*k < cols; k++ {
			ea[k] = r[2*k]
			if 2*k+1 < cols {
				ob[k] = r[2*k+1]
			}
		}
	}
}

// splitRowsWith is SplitRows through an implementation's StridedRows.
func splitRowsWith(strided func(dst []float32, ldd int, src []float32, lds, rows, n, s int)) func(a, b []float32, ldd int, src []float32, lds, rows, cols int) {
	return func(a, b []float32, ldd int, src []float32, lds, rows, cols int) {
		strided(a, ldd, src, lds, rows, (cols+1)/2, 2)
		if cols > 1 {
			strided(b, ldd, src[1:], lds, rows, cols/2, 2)
		}
	}
}

// DepthwisePlane3Pool is DepthwisePlane3 at stride 1 followed by a 2×2,
// stride-2 max pool over whole windows: out[y·pw+x] is the maximum (NaN
// if any is NaN) of the four clamped outputs (2y+dy, 2x+dx), dy, dx < 2,
// of the 2ph × 2pw convolution over p (2ph+2 rows of wp ≥ 2pw+2 floats):
// a 3×3 layer of one input channel and its MaxPool in one pass.
func DepthwisePlane3Pool(out []float32, ph, pw int, p []float32, wp int, w []float32, bias, lo, hi float32) {
	if ph <= 0 || pw <= 0 {
		return
	}
	if wp < 2*pw+2 || len(w) < 9 || len(out) < ph*pw || len(p) < (2*ph+2)*wp {
		panic("simd: DepthwisePlane3Pool arguments out of range")
	}
	if lo != lo || hi != hi {
		dwPlanePoolGeneric(out, ph, pw, p, wp, w, bias, lo, hi)
		return
	}
	active.dwPlanePool(out, ph, pw, p, wp, w, bias, lo, hi)
}

// DepthwisePlanePoolNative reports whether DepthwisePlane3Pool has a
// kernel of its own here.
func DepthwisePlanePoolNative() bool { return active.dwPoolNative }

func dwPlanePoolGeneric(out []float32, ph, pw int, p []float32, wp int, w []float32, bias, lo, hi float32) {
	for y := 0; y < ph; y++ {
		for x := 0; x < pw; x++ {
			var m float32
			for q := 0; q < 4; q++ {
				v := bias
				at := (2*y+q/2)*wp + 2*x + q%2
				for dy := 0; dy < 3; dy++ {
					for dx := 0; dx < 3; dx++ {
						v += w[3*dy+dx] * p[at+dy*wp+dx]
					}
				}
				switch {
				case q == 0 || m != m:
					if q == 0 {
						m = v
					}
				case v != v || v > m:
					m = v
				}
			}
			out[y*pw+x] = clampKeepNaN(m, lo, hi)
		}
	}
}

// DepthwiseChannels3 is CopyRows and DepthwisePlane3 for a run of
// channels through one padded plane, its arguments checked once:
// channel c's input, rows × cols floats ldIn apart at in[c·inCh:] (inCh
// 0: one input plane for all channels, copied once), is copied into
// plane[at:] (rows wp apart; the rest of the plane, which the caller
// cleared, is never written), then convolved with w[9c:9c+9] and bias[c]
// into out[c·outCh:], oh × ow at stride s, clamped to [lo, hi]. There are
// len(bias) channels. The plane is the implementation's scratch: it may
// hold the rows in another order (AVX-512 splits a row's even and odd
// columns at stride 2), so that a caller clears it whole and reads
// nothing from it.
func DepthwiseChannels3(out []float32, outCh int, in []float32, inCh, ldIn, rows, cols int, plane []float32, at, wp, oh, ow, s int, w, bias []float32, lo, hi float32) {
	ch := len(bias)
	if ch == 0 || oh <= 0 || ow <= 0 {
		return
	}
	if s < 1 || s > 2 || wp < (ow-1)*s+3 || len(w) < 9*ch || outCh < 0 || inCh < 0 || rows < 0 || cols < 0 || cols > wp || ldIn < cols ||
		len(out) < (ch-1)*outCh+oh*ow || len(plane) < ((oh-1)*s+3)*wp || at < 0 ||
		(rows > 0 && cols > 0 && (at+(rows-1)*wp+cols > len(plane) || len(in) < (ch-1)*inCh+(rows-1)*ldIn+cols)) {
		panic("simd: DepthwiseChannels3 arguments out of range")
	}
	im := active
	if lo != lo || hi != hi {
		im = &generic
	}
	im.dwChannels(out, outCh, in, inCh, ldIn, rows, cols, plane, at, wp, oh, ow, s, w, bias, lo, hi)
}
