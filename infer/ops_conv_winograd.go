package infer

import (
	"math"

	"github.com/edge-pi/edge/simd"
)

// The Winograd F(2×2, 3×3) path of convKernel (wino): filters transformed
// and packed at load, input tiles transformed per unit, 16 GEMMs, and the
// output transform with the bias, residual, clamp and a fused 2×2 pool.

// winograd enables the Winograd path; by default where simd has vector
// transforms (the tests also turn it on elsewhere).
var winograd = simd.WinogradNative

// winoMinChannels is the fewest input and output channels a Winograd
// convolution has: with fewer, the transforms cost more than the
// multiplications saved.
const winoMinChannels = 8

// winoMinTiles is the fewest 2×2 tiles a Winograd convolution covers, and
// winoWaste the most outputs they cover per output of the map.
const (
	winoMinTiles = 8
	winoWaste    = 2.0
)

// winoBudget bounds a Winograd unit's V and M, in floats: they are written
// once and read once, so L2 (1 MiB on the A72 and Zen 4, 512 KiB shared
// on the A53) rather than L1 is the level to fit.
const winoBudget = 1 << 17

// winoSharedU is the most bytes of transformed filters (16·cin·cout
// floats) for which the threads split an image by rows of tiles, each
// multiplying its rows by all the filters: past it (twice a 1 MiB L2)
// the phased schedule splits the products by output channels, so that
// each thread streams its share of the filters only. resnet18's 256 →
// 256 layers at 224² (14² maps, 4 MiB of filters) on 2 threads: whole
// runs 12.10–14.53 → 11.57–13.54 ms, alternated (AMD Zen 5); its 128 →
// 128 layers (1 MiB) were slower phased.
const winoSharedU = 2 << 20

// winoOneU and winoOneV: on one thread, a layer whose transformed filters
// take more than winoOneU bytes and whose map's V (16·cin floats a tile,
// all tiles) fits in winoOneV takes the phased schedule rather than
// several units: each unit multiplied its tiles by all the filters, which
// came back from L3 once a unit; phased, the image's V is transformed
// once and the products go by blocks of output channels, each streaming
// its rows of the filters once. SqueezeNet's 64 → 256 layers on 13² maps
// (1 MiB of filters, three units), resnet18_112's 128 → 128 on 14² (two
// units). One thread (AMD Zen 5), make bench-ab: squeezenet1_1_224 4.37 →
// 3.90 ms (B/A 0.88–0.93), resnet18_112 5.50 → 5.26 (0.95–0.98),
// resnet18_224 and squeezenet1_1_112 unchanged (1.00).
const (
	winoOneU = 512 << 10
	winoOneV = 512 << 10
)

// winoBandMin is the fewest bytes of padded planes (all images) for which a plan of
// several threads has each Winograd unit pad its own rows into its
// thread's slot (wBand) instead of all threads padding the planes first,
// by channels, and each unit then reading its rows of every channel, half
// of them padded by another core (and the planes' lines last written by
// other layers' kernels, on other cores). Measured (AMD Zen 5, 2 threads,
// both plans in one process, runs alternated): resnet18_224 (the first
// layers' planes 861 KB and 460 KB) 3.6–3.9% faster a run, resnet18_112
// (230 KB, 131 KB) 1.1–2.9%, squeezenet1_1_224 0.7–1.7%; on one thread,
// and on smaller planes (squeezenet1_1_112's, omniglot's, 14–58 KB), it
// was 1–3% slower. The results are the same bit for bit.
const winoBandMin = 128 << 10

// winoBandOff turns the bands off (the tests compare both ways).
var winoBandOff = false

// prepareWino sizes the tiles and work units and transforms the filters.
func (k *convKernel) prepareWino() {
	k.winoBody = k.winoUnits
	k.winoPadBody = k.winoPad
	k.wth, k.wtw = (k.oh+1)/2, (k.ow+1)/2
	k.whp, k.wwp = 2*k.wth+2, 2*k.wtw+2
	tiles := k.wth * k.wtw
	// A unit is wrows whole tile rows (the transforms take a run of rows
	// in one call). V and M of a unit, 16·(cin + cout)·(wtb + 8) floats,
	// within about winoBudget floats; the units of an image of equal size.
	rowsMax := max(1, max(16, winoBudget/(16*(k.cin+k.cout)))/k.wtw)
	k.wblocks = (k.wth + rowsMax - 1) / rowsMax
	if k.threads > 1 {
		// at least two units per thread, of 24 tiles or more, so that
		// the threads share the work evenly; where the map is too small
		// for that, the phased schedule
		k.wblocks = max(k.wblocks, min(2*k.threads, k.wth, tiles/24))
		if 16*k.cin*k.cout*4 > winoSharedU {
			k.wblocks = 1
		}
		k.wphased = k.batch*k.wblocks < 2*k.threads && k.wblocks == 1
	} else if k.wblocks > 1 && 16*k.cin*k.cout*4 > winoOneU && 16*k.cin*tiles*4 <= winoOneV {
		k.wblocks, k.wphased = 1, true
	}
	k.wrows = (k.wth + k.wblocks - 1) / k.wblocks
	k.wblocks = (k.wth + k.wrows - 1) / k.wrows
	k.wBand = !winoBandOff && !k.wphased && k.threads > 1 && 4*k.winoPadLen() >= winoBandMin
	k.wtb = (k.wrows*k.wtw + 7) &^ 7
	k.winoInBody, k.winoProdBody = k.winoInPhase, k.winoProdPhase
	blocks := 2 * k.threads          // the phased products' blocks of output channels
	if k.threads == 1 && k.wphased { // blocks of M, and of the filters' rows, that stay in L2 with V
		blocks = 4
	}
	k.wmblocks = max(1, min((k.cout+3)/4, blocks))
	k.wmrows = ((k.cout+k.wmblocks-1)/k.wmblocks + 3) &^ 3
	k.wmblocks = (k.cout + k.wmrows - 1) / k.wmrows
	mk := k.cout * k.cin
	u := make([]float32, 16*mk)
	for co := 0; co < k.cout; co++ {
		for ci := 0; ci < k.cin; ci++ {
			simd.WinogradFilter(u[co*k.cin+ci:], mk, k.weights[(co*k.cin+ci)*9:])
		}
	}
	per := simd.PackedLen(k.cout, k.cin)
	k.wUBuf = make([]float32, 16*per)
	k.wU = make([]simd.PackedA, 16)
	for xi := range k.wU {
		k.wU[xi] = simd.PackA(k.wUBuf[xi*per:(xi+1)*per], k.cout, k.cin, u[xi*mk:], k.cin)
	}
}

// The transforms work on blocks of 8 tiles (see simd.WinogradIn): the rows
// of V and M have 8 tiles of slack after a unit's wtb, and each padded
// plane 16 floats after its last row, so that the last block of a run of
// tiles is read and written whole.
const winoSlack = 8

// winoPlane is the scratch of one padded plane, slack included.
func (k *convKernel) winoPlane() int { return k.whp*k.wwp + 2*winoSlack }

// winoStride is the distance between the 16 matrices of V (ch = cin) or
// M (ch = cout): ch rows of wtb + winoSlack, plus one cache line, so that
// the 16 rows a transform writes or reads at once do not all fall on one
// L1 set (the rows alone are often a multiple of 4 KiB apart).
func (k *convKernel) winoStride(ch int) int { return ch*(k.wtb+winoSlack) + 16 }

// winoPadLen is the scratch of the padded planes, all images.
func (k *convKernel) winoPadLen() int { return k.batch * k.cin * k.winoPlane() }

// winoSlot is a thread's share of the scratch: V and M of one unit.
func (k *convKernel) winoSlot() int { return 16 * (k.winoStride(k.cin) + k.winoStride(k.cout)) }

// winoPad copies input planes [lo, hi) (over batch × cin) into the
// padded planes of whp × wwp at the start of the scratch, which other
// kernels share: each plane is cleared each run, then its inside copied
// (two calls a plane, not two a row). The slack after the last row is
// only ever read for tiles whose results are dropped.
func (k *convKernel) winoPad(lo, hi int) {
	x := k.n.in[0].t.F
	plane, hw := k.winoPlane(), k.h*k.w
	at := func(i int) []float32 { return k.wPadded[i*plane : (i+1)*plane] }
	for i := lo; i < hi; i++ {
		if k.threads > 1 { // see padAhead
			storeAhead(i, lo, hi, at)
		}
		k.winoPadRows(at(i), x[i*hw:(i+1)*hw], 0, k.whp)
	}
}

// winoPadRows writes padded rows [r, r+n) of input plane src into dst,
// row 0 of dst padded row r, rows of wwp floats: zeros, then the input
// rows and columns that fall inside (two calls a plane, not two a row).
func (k *convKernel) winoPadRows(dst, src []float32, r, n int) {
	clear(dst[:n*k.wwp]) // the padding, then the inside over it
	y0, y1 := max(0, r-k.pt), min(k.h, r+n-k.pt)
	if y1 > y0 {
		simd.CopyRows(dst[(y0+k.pt-r)*k.wwp+k.pl:], k.wwp, src[y0*k.w:], k.w, y1-y0, min(k.w, k.wwp-k.pl))
	}
}

// winoUnits computes units [lo, hi): a unit is wrows tile rows of one
// image (wtb tiles or fewer), all output channels. The input tiles are
// transformed into V (16 × cin × wtb), multiplied by the 16 filter
// matrices into M (16 × cout × wtb), and transformed back into the
// output, bias, residual and clamp included. With bands (wBand) the unit
// first pads the rows it reads into its thread's band.
func (k *convKernel) winoUnits(c, lo, hi int) {
	v, m := k.winoVM(c)
	for u := lo; u < hi; u++ {
		b, blk := u/k.wblocks, u%k.wblocks
		r0 := blk * k.wrows
		r1 := min(k.wth, r0+k.wrows)
		var src []float32
		plane := k.winoPlane()
		if k.wBand {
			src, plane = k.winoBand(c), k.winoBandPlane()
			k.winoPadBand(src, b, r0, r1)
		} else {
			src = k.winoPlanes(b, r0)
		}
		k.winoIn(v, src, plane, 0, k.cin, r1-r0)
		k.winoProducts(v, m, 0, k.cout, (r1-r0)*k.wtw)
		k.winoOut(m, b, 0, k.cout, r0, r1)
	}
}

// winoBandPlane is a band plane: the padded rows of a unit's tile rows
// and the two below them, and the slack after them.
func (k *convKernel) winoBandPlane() int { return (2*k.wrows+2)*k.wwp + 2*winoSlack }

// winoBandSlot is a thread's slot with bands: V, M and the band.
func (k *convKernel) winoBandSlot() int { return k.winoSlot() + k.cin*k.winoBandPlane() }

// winoBand is thread c's band, after its V and M.
func (k *convKernel) winoBand(c int) []float32 {
	at := c*slotStride(k.winoBandSlot()) + k.winoSlot()
	return k.scratch[at : at+k.cin*k.winoBandPlane()]
}

// winoPadBand pads the rows that tile rows [r0, r1) of image b read, of
// every input channel, into band: row j of a band plane is padded row
// 2·r0 + j.
func (k *convKernel) winoPadBand(band []float32, b, r0, r1 int) {
	x := k.n.in[0].t.F
	bp, hw := k.winoBandPlane(), k.h*k.w
	n := 2*(r1-r0) + 2 // the band's rows
	for ci := 0; ci < k.cin; ci++ {
		pl := band[ci*bp : ci*bp+n*k.wwp+2*winoSlack]
		k.winoPadRows(pl, x[(b*k.cin+ci)*hw:(b*k.cin+ci+1)*hw], 2*r0, n)
		clear(pl[n*k.wwp:]) // the slack
	}
}

// winoInPhase pads and transforms the input planes [lo, hi) (over batch ×
// cin) of the phased schedule, all tiles, into their image's V.
func (k *convKernel) winoInPhase(lo, hi int) {
	k.winoPad(lo, hi)
	for i := lo; i < hi; i++ {
		b, ci := i/k.cin, i%k.cin
		v, _ := k.winoVM(b)
		k.winoIn(v, k.winoPlanes(b, 0), k.winoPlane(), ci, ci+1, k.wth)
	}
}

// winoProdPhase computes blocks [lo, hi) (over batch × wmblocks) of
// output channels of the phased schedule: their rows of the 16 products
// and their output transform.
func (k *convKernel) winoProdPhase(lo, hi int) {
	for i := lo; i < hi; i++ {
		b, blk := i/k.wmblocks, i%k.wmblocks
		m0 := blk * k.wmrows
		m1 := min(k.cout, m0+k.wmrows)
		v, m := k.winoVM(b)
		k.winoProducts(v, m, m0, m1, k.wth*k.wtw)
		k.winoOut(m, b, m0, m1, 0, k.wth)
	}
}

// winoVM returns V and M of slot i of the scratch: a thread's (units) or
// an image's (the phased schedule), after the padded planes; with bands
// (wBand) a thread's, each followed by its band (winoBand).
func (k *convKernel) winoVM(i int) (v, m []float32) {
	vs, ms := k.winoStride(k.cin), k.winoStride(k.cout)
	at := slotsAt(len(k.wPadded)) + i*slotStride(k.winoSlot())
	if k.wBand {
		at = i * slotStride(k.winoBandSlot())
	}
	slot := k.scratch[at : at+16*(vs+ms)]
	return slot[:16*vs], slot[16*vs:]
}

// winoPlanes is image b's padded planes (winoPad) from the first padded
// row that tile row r0 reads.
func (k *convKernel) winoPlanes(b, r0 int) []float32 {
	plane := k.winoPlane()
	return k.wPadded[b*k.cin*plane+2*r0*k.wwp : (b+1)*k.cin*plane]
}

// winoIn transforms input channels [ci0, ci1) of rows tile rows into V
// (the tiles one after another from column 0), from src: padded planes of
// plane floats each (the shared ones or a band), from the first padded
// row the first tile row reads.
func (k *convKernel) winoIn(v, src []float32, plane, ci0, ci1, rows int) {
	st, vs := k.wtb+winoSlack, k.winoStride(k.cin)
	simd.WinogradInChannels(ci1-ci0, v[ci0*st:], st, vs, src[ci0*plane:], plane, k.wwp, k.wtw, rows, k.wtw, 2*k.wwp)
}

// winoProducts computes rows [m0, m1) of M[ξ] = U[ξ]·V[ξ] over n tiles.
func (k *convKernel) winoProducts(v, m []float32, m0, m1, n int) {
	st, vs, ms := k.wtb+winoSlack, k.winoStride(k.cin), k.winoStride(k.cout)
	for xi := 0; xi < 16; xi++ {
		simd.GemmPacked(k.wU[xi], m0, m1, n, v[xi*vs:], st, m[xi*ms+m0*st:], st)
	}
}

// winoOut transforms output channels [co0, co1) of image b, tile rows
// [r0, r1), from M into the output, with bias, residual and activation.
func (k *convKernel) winoOut(m []float32, b, co0, co1, r0, r1 int) {
	y := k.n.out[0].t.F
	var res []float32
	if k.residual >= 0 {
		res = k.n.in[k.residual].t.F
	}
	st, ms, ohw := k.wtb+winoSlack, k.winoStride(k.cout), k.oh*k.ow
	actLo, actHi, clamp := k.act.clampBounds()
	if !clamp {
		actLo, actHi = float32(math.Inf(-1)), float32(math.Inf(1))
	}
	if k.pool { // tile row r is pooled row r; the last one is dropped when oh is odd
		ph, pw := k.oh/2, k.ow/2
		if pr1 := min(r1, ph); pr1 > r0 {
			at := (b*k.cout+co0)*ph*pw + r0*pw
			simd.WinogradOutPoolChannels(y[at:], ph*pw, pw, pr1-r0, pw, m[co0*st:], st, ms, k.wtw, k.bias[co0:co1], actLo, actHi)
		}
		return
	}
	outRows := min(2*(r1-r0), k.oh-2*r0)
	at := (b*k.cout+co0)*ohw + 2*r0*k.ow
	var r []float32
	if res != nil {
		r = res[at:]
	}
	simd.WinogradOutChannels(y[at:], ohw, k.ow, outRows, k.ow, m[co0*st:], st, ms, k.wtw, k.wtw, k.bias[co0:co1], actLo, actHi, r)
	if !clamp {
		for co := co0; co < co1; co++ {
			at := (b*k.cout+co)*ohw + 2*r0*k.ow
			k.act.apply(y[at:at+outRows*k.ow], co)
		}
	}
}
