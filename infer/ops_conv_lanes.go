package infer

import "github.com/edge-pi/edge/simd"

// The lanes path of convKernel: a shifted convolution (the input read in
// place from padded or phase planes through the tap offsets) computed
// with the output channels in the vector lanes (simd.Lanes), where the
// GEMM puts the pixels of a padded row there and computes its dropped
// columns too. Koch et al.'s 7×7 layer (16 → 32 channels, 48² → 42²)
// computes 42 of every 48 columns by the GEMM: 0.49 ms; by lanes, 14
// pixels at a time, 0.39 (AMD Zen 5).
//
// A unit is lRows output rows of one image for one group of
// simd.LanesGroup output channels (so that threads sharing a small map
// write whole channel planes, not rows of the same ones): their pixels
// computed into the thread's buffer (buffer row i is the padded pixel
// oy0·wp + i), by runs from each row's start, or (lFlat, where the padded
// width is narrower than a row's runs) by one run of runs over the rows
// and their dropped columns; then transposed into the output's channel
// planes with the bias, residual and activation.
type lanesPath struct {
	lanes     bool
	lanesPool bool // a 2×2/2 MaxPool fused (fusePool): decided for it, pairs of rows pooled as they are transposed
	lFlat     bool
	lRows     int // output rows per unit
	lBlocks   int // blocks of lRows rows per image
	lConv     *simd.Lanes
	lanesBody func(c, lo, hi int)
	lBand     []int // with bands, participant c's: the image × block whose rows it holds (-1: none yet this run)
}

// lanesOff turns the lanes path off, lanesOn forces it where it applies
// (the tests compare both ways).
var lanesOff, lanesOn = false, false

// The lanes path is chosen for convolutions of at least lanesMinTaps
// taps (K) and simd.LanesGroup output channels where it computes at most
// lanesSlack times the lanes the GEMM does. Measured (AMD Zen 5, one
// thread, µs, GEMM → lanes): Koch's 7×7 layer 494 → 406 (42 of 48
// columns for the GEMM), its 4×4 ones on 18² and 6² maps 65 → 64 and
// 32 → 20, resnet18's 7×7 stem at 112² 517–588 → 394 and its stride-2
// 3×3 layers 252 → 162 and 218 → 178 (equal lanes: the GEMM's narrow
// products cost more than their lanes); faces' stem (27 taps: the runs'
// set-up and the transposition weigh) 391 → 439 and Koch's first layer
// (16 channels, half the lanes idle) 154 → 334 stay GEMMs.
const (
	lanesMinTaps = 64
	lanesSlack   = 1.1
)

// chooseLanes decides the lanes path for a shifted convolution of one
// group, by the lanes each way computes: the GEMM cout × K × GemmColumns
// of its columns (the rows path's rows, or the padded width's), Lanes
// ⌈cout⌉₃₂ × K × its pixels (a row's runs, or flat, the padded width's).
func (k *convKernel) chooseLanes() bool {
	if lanesOff || !k.shifted || k.groups != 1 || !k.wConst || k.wino || k.tposed || k.single || k.depthwise ||
		!simd.LanesNative() || !finiteAll(k.weights) {
		return false
	}
	px := k.oh * roundUp(k.ow, simd.LanesRun)
	if k.lanesFlat() {
		px = roundUp((k.oh-1)*k.wp+k.ow, simd.LanesRun)
	}
	lanes := float64(roundUp(k.cout, simd.LanesGroup)) * float64(k.k) * float64(px)
	gemm := float64(k.cout) * float64(k.k) * float64(simd.GemmColumns(k.oh*k.wp))
	if k.rows {
		gemm = float64(k.cout) * float64(k.k) * float64(k.oh) * float64(simd.GemmColumns(k.ow))
	}
	return lanesOn || k.k >= lanesMinTaps && k.cout >= simd.LanesGroup && lanes <= lanesSlack*gemm
}

// lanesFlat says whether the padded width is narrower than a row's runs:
// the rows and their dropped columns are then one run of runs (lFlat).
func (k *convKernel) lanesFlat() bool { return k.wp < roundUp(k.ow, simd.LanesRun) }

// prepareLanes packs the weights and sizes the units: flat, all rows (a
// block's last run is its waste), else rows of about 4096 floats of
// buffer; fewer where the groups alone do not give each thread two units.
//
// A stride-2 stem (an image's ≤ 4 channels) has each unit pad the phase
// rows it reads into its thread's slot (bandPhases, as the rows path
// does), read through the band's tap offsets: resnet18_112's 7×7 stem
// 333–344 → 314–321 µs at two threads (the shared planes were read half
// from the other core's cache), whole runs 1–2% faster at one thread
// (AMD Zen 5). With more input channels, on several threads only, where
// the shared phase planes were split by channels and each unit read half
// of its rows from the other core: a participant keeps the block its band
// holds from piece to piece (lBand), so that the groups of a block, one
// after another, pad its rows once, not once a piece (which had made
// resnet18's runs 2% slower). resnet18's stride-2 3×3 layers (64 and 128
// channels in, four groups) at 2 threads, both plans in one process,
// runs alternated (AMD Zen 5): resnet18_224 1.2–1.3% faster a run,
// resnet18_112 0–0.5% (make bench-ab, whole processes: within its
// noise, B/A 0.96–1.06); the same sums bit for bit.
func (k *convKernel) prepareLanes(threads int) {
	k.lFlat = k.lanesFlat()
	k.qlen += simd.LanesRun // a row's last run reads past the planes
	k.lRows = k.oh
	if !k.lFlat {
		k.lRows = max(1, min(k.oh, 4096/(k.wp*simd.LanesGroup)))
	}
	groups := (k.cout + simd.LanesGroup - 1) / simd.LanesGroup
	if threads > 1 {
		k.lRows = balancedRows(k.oh, k.lRows, k.batch, groups, threads, k.pool)
	} else if units, want := k.batch*groups*((k.oh+k.lRows-1)/k.lRows), 2*threads; units < want {
		blocks := (want + k.batch*groups - 1) / (k.batch * groups)
		k.lRows = max(1, min(k.lRows, (k.oh+blocks-1)/blocks))
	}
	if k.pool {
		k.lRows += k.lRows % 2 // whole pairs of rows a unit
	}
	k.lBlocks = (k.oh + k.lRows - 1) / k.lRows
	k.lanesBody = k.lanesUnits
	k.bandPhases = !bandPhasesOff && k.phasePlanes && k.sh == 2 && (k.cin <= 4 || threads > 1)
	offs := k.offs
	if k.bandPhases {
		k.setBand(k.lRows, (k.kw-1)*k.dw/2+simd.LanesRun)
		offs = k.bandOffs
		k.lBand = make([]int, threads)
	}
	k.lConv = simd.NewLanes(k.weights, k.cout, offs)
}

// balancedRows returns the rows a unit (at most most, whole pairs where
// pool) that finish oh rows of batch images' groups soonest on threads,
// the units (in lanesUnits' order, each costing its rows) shared out as
// the pool does (finish, owned shares); of equal finishes the most rows
// (fewest units). Koch's 4×4 layer (18 rows, pooled, one group) on two
// threads: units of 6 rows made three, two for one thread (12 rows); 10
// rows make two. resnet18's stride-2 3×3 layer at 112² (14 rows, four
// groups): blocks of 8 and 6 rows gave one thread's share all the 8s;
// 7 and 7 are even.
func balancedRows(oh, most, batch, groups, threads int, pool bool) int {
	best, bestEnd := 1, -1
	var costs []int
	for r := 1; r <= max(1, most); r++ {
		rr := r
		if pool {
			rr += r % 2
		}
		costs = costs[:0]
		for range batch {
			for t := 0; t < (oh+rr-1)/rr; t++ {
				for range groups {
					costs = append(costs, min(rr, oh-t*rr))
				}
			}
		}
		if end := finish(costs, threads, true); bestEnd < 0 || end <= bestEnd {
			best, bestEnd = r, end
		}
	}
	return best
}

// lanesSlot is a thread's buffer: a unit's padded pixels and a run of
// slack, a row of simd.LanesGroup channels each.
func (k *convKernel) lanesSlot() int {
	s := ((k.lRows-1)*k.wp + roundUp(k.ow, simd.LanesRun) + simd.LanesRun) * simd.LanesGroup
	if k.pool {
		s += 2 * k.ow * simd.LanesGroup // a pair of rows transposed, to pool
	}
	return s
}

// lanesUnits computes units [lo, hi) (over batch × lBlocks × groups) with
// thread slot c's buffer.
func (k *convKernel) lanesUnits(c, lo, hi int) {
	y := k.n.out[0].t.F
	var res []float32
	if k.residual >= 0 {
		res = k.n.in[k.residual].t.F
	}
	const ld = simd.LanesGroup
	slot := k.lanesSlot()
	var buf, band []float32
	if k.bandPhases {
		s := k.scratch[c*slotStride(k.bandLen+slot):]
		band, buf = s[:k.bandLen], s[k.bandLen:][:slot]
	} else {
		buf = k.scratch[slotsAt(k.batch*k.qlen)+c*slotStride(slot):][:slot]
	}
	cols := k.oh * k.ow
	groups := k.lConv.Groups
	var padded []float32
	first, bt := 0, -1                  // the band holds the rows of image and block bt
	if band != nil && k.lBand[c] >= 0 { // padded by this participant's units before, this run
		bt = k.lBand[c]
		padded, first = band, bt%k.lBlocks*k.lRows
	}
	for u := lo; u < hi; u++ {
		g := u % groups
		b, t := u/groups/k.lBlocks, u/groups%k.lBlocks
		oy0 := t * k.lRows
		oy1 := min(k.oh, oy0+k.lRows)
		if bt != u/groups {
			// the groups of a block, one after another, read the same
			// padded rows: a band is padded once for them
			padded, first = k.unitPlanes(band, b, 0, oy0, oy1) // one group (chooseLanes)
			bt = u / groups
			if band != nil {
				k.lBand[c] = bt
			}
		}
		if k.lFlat {
			k.lConv.Run(buf, ld, padded[(oy0-first)*k.wp:], g, g+1, (oy1-oy0-1)*k.wp+k.ow)
		} else {
			for oy := oy0; oy < oy1; oy++ {
				k.lConv.Run(buf[(oy-oy0)*k.wp*ld:], ld, padded[(oy-first)*k.wp:], g, g+1, k.ow)
			}
		}
		co0 := g * simd.LanesGroup
		nc := min(simd.LanesGroup, k.cout-co0)
		if k.pool {
			k.lanesPoolRows(buf, b, co0, nc, oy0, oy1)
			continue
		}
		base := (b*k.cout + co0) * cols
		for oy := oy0; oy < oy1; oy++ {
			var rr []float32
			if res != nil {
				rr = res[base+oy*k.ow:]
			}
			k.transposeOut(y[base+oy*k.ow:], cols, buf[(oy-oy0)*k.wp*ld:], ld, k.ow, co0, nc, rr)
		}
	}
}

// lanesPoolRows writes the fused 2×2/2 MaxPool of the unit's rows [oy0,
// oy1) of channels [co0, co0+nc): each pair of rows transposed with the
// bias and clamp into the slot's tail, then pooled into the output (the
// last row of an odd map is dropped, as the pool's floor rounding does).
func (k *convKernel) lanesPoolRows(buf []float32, b, co0, nc, oy0, oy1 int) {
	const ld = simd.LanesGroup
	y := k.n.out[0].t.F
	ph, pw := k.oh/2, k.ow/2
	lo, hi, _ := k.act.clampBounds()
	pair := buf[len(buf)-2*k.ow*ld:]
	for oy := oy0; oy+1 < oy1 && oy/2 < ph; oy += 2 {
		for r := 0; r < 2; r++ {
			simd.TransposeBiasClamp(pair[r*k.ow:], 2*k.ow, buf[(oy+r-oy0)*k.wp*ld:], ld, k.ow, nc, k.bias[co0:], nil, lo, hi)
		}
		for c := 0; c < nc; c++ {
			rows := pair[c*2*k.ow : (c+1)*2*k.ow]
			simd.MaxPool2x2(y[((b*k.cout+co0+c)*ph+oy/2)*pw:][:pw], rows[:k.ow], rows[k.ow:])
		}
	}
}
