package infer

import (
	"fmt"

	"github.com/edge-pi/edge/simd"
)

// convKernel is a 2-D convolution (1-D runs as 2-D with height 1). For
// batch image b and group g, the output rows co (Mg of them) over OH·OW
// columns are A_g (Mg × K, K = Cg·KH·KW, the packed weights) times the
// im2col matrix of the input (K × OH·OW). The paths, first match:
//
//   - wino: 3×3, stride 1, 8+ channels, 8+ tiles: Winograd F(2×2, 3×3),
//     16 GEMMs of transformed filters by transformed input tiles.
//   - depthwise (one input and output channel per group) and single (one
//     input channel): the direct depthwise kernels, over zero-padded
//     planes on small maps (dwPad).
//   - pointwise (1×1, stride 1, no padding): the input is the matrix.
//   - shifted (stride 1; strides 2–4 over phase planes): the im2col rows
//     read in place from zero-padded (phase) planes through tap offsets.
//   - otherwise im2col tiles of up to tileFor(K) columns, each thread in
//     its own slice of the scratch buffer.
//
// Threads split the columns (and, on small maps, blocks of output rows).
type convKernel struct {
	n *node
	convGeom

	weights []float32 // Cout × K, own copy (BN folding scales it)
	bias    []float32 // Cout
	wConst  bool      // weights fixed at build time
	bConst  bool
	act     activation

	packBuf []float32
	packed  []simd.PackedA
	dwp     simd.DWConv
	scratch []float32
	threads int

	tile, tiles, mblocks, mrows int // work units: column tiles × blocks of mrows output channels
	residual                    int // input index of a fused residual Add, or -1
	body                        func(c, lo, hi int)
	dwBody                      func(lo, hi int)

	// The fields of each path (their flags say which path runs; see the
	// list above and buildConv).
	shiftedPath
	rowsPath
	dwPadPath
	winoPath
	tposedPath
	lanesPath

	// pool: a 2×2, stride-2 max pool fused into the Winograd output
	// transform (one value per tile; see fusePool)
	pool bool
}

// convGeom is a convolution's shapes.
type convGeom struct {
	batch, cin, h, w  int
	cout, oh, ow      int
	kh, kw            int
	sh, sw, dh, dw    int
	pt, pl            int
	groups, cg, mg, k int
	pointwise         bool // 1×1, stride 1, no padding: the input is the im2col matrix
	depthwise         bool
	single            bool // one input channel (a grey image): the depthwise kernels, once per output channel
}

// shiftedPath (stride 1, not pointwise): the input is copied once per run
// into zero-padded planes of hp × wp, and the output computed over
// columns q = oy·wp + ox, ox < wp; the columns ox ≥ ow are dropped.
// Then the im2col row of tap (c, ky, kx) for columns [q0, q0+n) is one
// contiguous run of the padded plane c, from q0 + ky·dh·wp + kx·dw,
// which the GEMM reads in place through the tap offsets (offs).
type shiftedPath struct {
	shifted     bool
	phasePlanes bool // stride > 1: the shifted layout over s×s phase planes
	hp, wp      int
	plane, qlen int     // hp·wp; padded floats per image (cin planes and the overrun of the last)
	offs        []int32 // tap (c, ky, kx) of a group: c·plane + ky·dh·wp + kx·dw
	// bandPhases (the rows path over phase planes, one group): each unit
	// pads only the phase rows its output rows read (bandRows a plane,
	// bandLen floats) into its thread's slot, read through bandOffs, not
	// the whole planes first (see padBand)
	bandPhases        bool
	bandRows, bandLen int
	bandOffs          []int32
	padBody           func(lo, hi int)
}

// rowsPath (shifted, wide maps): a tile is tileRows whole output rows,
// each computed by one GEMM of ow columns straight into the output (see
// shiftedRowUnits), not over the padded width into a stage.
type rowsPath struct {
	rows     bool
	tileRows int
}

// dwPadPath (depthwise, small maps): each thread copies a channel into a
// zero-padded plane of dwHp × dwWp, exactly what the output's taps read,
// and convolves it without padding (dwpp): no border columns, and the
// activation applied once per chunk of channels. On maps of a few rows
// the borders and the per-channel calls cost more than the taps.
type dwPadPath struct {
	dwPad        bool
	dwpp         simd.DWConv
	dwHp, dwWp   int
	dwPaddedBody func(c, lo, hi int)
	dwPlane3     bool // dwPad through simd.DepthwisePlane3, the clamp fused
	dwPlaneK     bool // dwPad, another filter at stride 1, through simd.DepthwisePlaneK, the clamp fused
	dwFlat       bool // dwPad's maps through simd.DepthwiseFlat3 instead, no plane
	dwSame       bool // dwPad's maps through simd.DepthwiseSame3 instead, no plane
	dwStride2    bool // dwPad's maps through simd.DepthwiseStride2 instead, no plane
}

// winoPath: a 3×3 stride-1 convolution by Winograd F(2×2, 3×3) (see
// simd/winograd.go) over zero-padded planes of whp × wwp, covering
// wth × wtw tiles of 2×2 outputs; work units are runs of wtb tiles.
//
// wphased (a small map and several threads: fewer tiles than two units
// per thread): the threads share the input channels for the input
// transform, then blocks of wmrows output channels for the products and
// the output transform, over one V and M per image.
type winoPath struct {
	wino        bool
	wth, wtw    int
	whp, wwp    int
	wtb         int
	wrows       int // tile rows per unit
	wblocks     int
	wU          []simd.PackedA // the 16 transformed filters, cout × cin
	wUBuf       []float32
	wPadded     []float32 // the padded planes: the start of the scratch (none with bands)
	wBand       bool      // each unit pads its own rows into its thread's slot (winoBandMin)
	winoBody    func(c, lo, hi int)
	winoPadBody func(lo, hi int)

	wphased      bool
	wmblocks     int
	wmrows       int
	winoInBody   func(lo, hi int)
	winoProdBody func(lo, hi int)
}

// tposedPath: small maps computed transposed (see ops_conv_tposed.go).
type tposedPath struct {
	tposed        bool
	tRows, tUnits int          // pixels packed per unit, and the units of an image
	tCuts         []int        // the column (output channel) pieces of the product
	tPB           simd.PackedB // the weights, K × cout
	tPBBuf        []float32
	tPackBody     func(c, lo, hi int)
	tProdBody     func(lo, hi int)
	// tIdx: per unit of tRows pixels, for each tap (ky, kx) in turn and
	// each of the unit's pixels, the input pixel it reads in a channel's
	// plane, -1 in the padding (simd.GatherPlanes' table; not pointwise)
	tIdx [][]int32
}

func init() {
	register("Conv", []string{"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"}, buildConv)
}

func buildConv(b *builder) (kernel, error) {
	if err := b.wantInputs(2, 3); err != nil {
		return nil, err
	}
	for i := 0; i < 3; i++ {
		if err := b.float(i); err != nil {
			return nil, err
		}
	}
	x, w := b.in(0), b.in(1)
	if len(x.shape) != 3 && len(x.shape) != 4 {
		return nil, b.errf("input rank %d: only 1-D and 2-D convolutions are supported", len(x.shape))
	}
	if len(w.shape) != len(x.shape) {
		return nil, b.errf("weight rank %d does not match input rank %d", len(w.shape), len(x.shape))
	}
	k := &convKernel{n: b.n, act: activation{kind: actNone}, residual: -1}
	groups := int(b.a.int("group", 1))
	xs, ws := x.shape, w.shape
	if len(xs) == 3 { // N C W → N C 1 W
		xs = []int{xs[0], xs[1], 1, xs[2]}
		ws = []int{ws[0], ws[1], 1, ws[2]}
	}
	k.batch, k.cin, k.h, k.w = xs[0], xs[1], xs[2], xs[3]
	k.cout, k.kh, k.kw = ws[0], ws[2], ws[3]
	if ks := b.a.ints("kernel_shape", nil); ks != nil {
		want := ws[2:]
		if len(x.shape) == 3 {
			want = ws[3:]
		}
		if len(ks) != len(want) {
			return nil, b.errf("kernel_shape %v does not match the weights %v", ks, w.shape)
		}
		for i := range ks {
			if int(ks[i]) != want[i] {
				return nil, b.errf("kernel_shape %v does not match the weights %v", ks, w.shape)
			}
		}
	}
	if groups < 1 || k.cin%groups != 0 || k.cout%groups != 0 || ws[1]*groups != k.cin {
		return nil, b.errf("group %d does not fit %d input channels, weights %v", groups, k.cin, w.shape)
	}
	spatialIn := x.shape[2:]
	spatialK := w.shape[2:]
	win, err := parseWindow(b, spatialIn, spatialK, false)
	if err != nil {
		return nil, err
	}
	if len(x.shape) == 3 {
		k.sh, k.sw, k.dh, k.dw, k.pt, k.pl = 1, win.strides[0], 1, win.dil[0], 0, win.padBegin[0]
		k.oh, k.ow = 1, win.out[0]
	} else {
		k.sh, k.sw, k.dh, k.dw = win.strides[0], win.strides[1], win.dil[0], win.dil[1]
		k.pt, k.pl = win.padBegin[0], win.padBegin[1]
		k.oh, k.ow = win.out[0], win.out[1]
	}
	k.groups, k.cg, k.mg = groups, k.cin/groups, k.cout/groups
	k.k = k.cg * k.kh * k.kw
	k.choosePath(w.isConst)
	k.wConst = w.isConst
	if k.wConst {
		k.weights = append([]float32(nil), w.t.F...)
	}
	k.bias = make([]float32, k.cout)
	if bias := b.in(2); bias != nil {
		if numel(bias.shape) != k.cout {
			return nil, b.errf("bias has %d values for %d output channels", numel(bias.shape), k.cout)
		}
		if bias.isConst {
			copy(k.bias, bias.t.F)
			b.n.in = b.n.in[:2]
		}
	}
	k.bConst = len(b.n.in) < 3
	out := []int{k.batch, k.cout, k.oh, k.ow}
	if len(x.shape) == 3 {
		out = []int{k.batch, k.cout, k.ow}
	}
	return k, b.setOut(0, Float32, out)
}

// choosePath sets the path flags of the README's decision list, in its
// order: pointwise, depthwise or single, shifted (stride 1) or over phase
// planes (strides 2–4), Winograd (3×3, stride 1, enough tiles), else
// im2col; prepare later refines them for the map (dwPad, rows, tposed,
// wphased). wConst says whether the weights are fixed at build time.
func (k *convKernel) choosePath(wConst bool) {
	k.pointwise = k.kh == 1 && k.kw == 1 && k.sh == 1 && k.sw == 1 && k.pt == 0 && k.pl == 0 && k.oh == k.h && k.ow == k.w
	k.depthwise = k.cg == 1 && k.mg == 1 && k.groups > 1
	k.single = k.cin == 1 && k.groups == 1 && k.cout > 1 && !k.pointwise && k.kh == 3 && k.kw == 3 &&
		k.dh == 1 && k.dw == 1 && wConst
	pb := k.oh + (k.kh-1)*k.dh - k.h - k.pt // bottom and right padding in use
	pr := k.ow + (k.kw-1)*k.dw - k.w - k.pl
	k.shifted = !k.pointwise && !k.depthwise && k.sh == 1 && k.sw == 1 && k.pt >= 0 && k.pl >= 0 && pb >= 0 && pr >= 0
	if k.shifted {
		k.hp, k.wp = k.h+k.pt+pb, k.w+k.pl+pr
		k.plane = k.hp * k.wp
		// the dropped columns of the last output row read (kw-1)·dw past the plane
		k.qlen = k.cin*k.plane + (k.kw-1)*k.dw
		// The dropped columns are wasted GEMM work, mg·(wp-ow)·K per
		// output row, against the im2col copies saved.
		k.shifted = (k.wp-k.ow)*shiftedWaste <= k.wp
	}
	if s := k.sh; !k.pointwise && !k.depthwise && s > 1 && s <= 4 && k.sw == s && k.pt >= 0 && k.pl >= 0 {
		// Stride s: the padded input split into s×s phase planes, phase
		// (py, px) holding rows py, py+s, … and columns px, px+s, …; tap
		// (ky, kx) of output (oy, ox) is then phase ((ky·dh) mod s,
		// (kx·dw) mod s) at (oy + ky·dh div s, ox + kx·dw div s): a
		// stride-1 read, so the GEMM reads the im2col rows in place as
		// for stride 1 (see shifted). hp × wp is a phase plane.
		k.hp, k.wp = k.oh+(k.kh-1)*k.dh/s, k.ow+(k.kw-1)*k.dw/s
		k.plane = s * s * k.hp * k.wp
		k.qlen = k.cin*k.plane + (k.kw-1)*k.dw/s
		k.phasePlanes = true
		k.shifted = (k.wp-k.ow)*shiftedWaste <= k.wp
	}
	if k.kh == 3 && k.kw == 3 && k.sh == 1 && k.sw == 1 && k.dh == 1 && k.dw == 1 && k.groups == 1 &&
		k.cin >= winoMinChannels && k.cout >= winoMinChannels && wConst && pb >= 0 && pr >= 0 && winograd() {
		// Tiles past the output are wasted work, yet with 2.25 times fewer
		// multiplications Winograd was faster on small maps too (64→64
		// channels on 7×5: 37 µs against 61; squeezenet1_1's 6×6 layers;
		// AMD Zen 4): at least winoMinTiles tiles, covering at most
		// winoWaste times the outputs. Below 8 tiles the 16 products are
		// too narrow (resnet18's 4×4 maps of 512 channels lost 10%).
		th, tw := (k.oh+1)/2, (k.ow+1)/2
		k.wino = th*tw >= winoMinTiles && float64(4*th*tw) <= winoWaste*float64(k.oh*k.ow)
	}
	if k.shifted {
		k.shiftedOffsets()
	}
}

// shiftedOffsets lists the tap offsets of a shifted convolution: tap
// (c, ky, kx) of a group in its (phase) plane.
func (k *convKernel) shiftedOffsets() {
	for c := 0; c < k.cg; c++ {
		for ky := 0; ky < k.kh; ky++ {
			for kx := 0; kx < k.kw; kx++ {
				if k.phasePlanes {
					st := k.sh
					py, dy := ky*k.dh%st, ky*k.dh/st
					px, dx := kx*k.dw%st, kx*k.dw/st
					k.offs = append(k.offs, int32(c*k.plane+(py*st+px)*k.hp*k.wp+dy*k.wp+dx))
					continue
				}
				k.offs = append(k.offs, int32(c*k.plane+ky*k.dh*k.wp+kx*k.dw))
			}
		}
	}
}

// unit decodes work unit u of the GEMM paths (im2col, shifted, rows):
// column tile (or tile of rows) t of group g of image b, output channels
// [m0, m1) of the group. The tiles are the innermost: a run of units is
// whole blocks of output channels over all their columns, so that the
// threads' shares of a layer split on small maps (a few tiles, several
// blocks) are equal (faces' 14² pointwise layers, tiles of 144 and 52
// columns, gave one of two owned shares both wide tiles), and are the
// channels that the next depthwise layer, split by channels, gives the
// same thread.
func (k *convKernel) unit(u int) (t, g, b, m0, m1 int) {
	t = u % k.tiles
	r := u / k.tiles
	mb := r % k.mblocks
	r /= k.mblocks
	g, b = r%k.groups, r/k.groups
	m0 = mb * k.mrows
	m1 = min(k.mg, m0+k.mrows)
	return t, g, b, m0, m1
}

func (k *convKernel) fuseAct(a *activation) bool {
	if k.pool || k.act.kind != actNone || (a.channels() != 0 && a.channels() != k.cout) {
		return false
	}
	k.act = *a
	return true
}

func (k *convKernel) fuseAffine(scale, shift []float32) bool {
	if k.pool || !k.wConst || !k.bConst || k.act.kind != actNone || k.residual >= 0 || len(scale) != k.cout {
		return false
	}
	for co := 0; co < k.cout; co++ {
		row := k.weights[co*k.k : (co+1)*k.k]
		for i := range row {
			row[i] *= scale[co]
		}
		k.bias[co] = k.bias[co]*scale[co] + shift[co]
	}
	return true
}

// fusePool folds a MaxPool of 2×2 windows at stride 2, without padding,
// over whole windows (floor rounding), into a Winograd convolution whose
// activation is a clamp (or none) and which adds no residual: its 2×2
// output tiles are the pool's windows, so the output transform writes the
// maximum of each tile (simd.WinogradOutPool) instead of the four
// outputs, and the separate pass over them goes.
func (k *convKernel) fusePool(p *poolKernel) bool {
	if k.pool || k.residual >= 0 || !p.isMax || p.act.kind != actNone {
		return false
	}
	// the Winograd output transform, or the padded-plane kernel of a
	// layer of one input channel at stride 1 (see dwPadded)
	singlePool := k.single && k.sh == 1 && k.sw == 1 && simd.DepthwisePlanePoolNative() &&
		(k.oh+2)*(k.ow+2) <= singleMaxPlane && finiteAll(k.weights)
	// or the lanes path's transposition, pairs of rows at a time, or the
	// rows path's (one group, the pool's rows pairs of output rows)
	lanesPool := !k.wino && !k.single && k.chooseLanes()
	rowsPool := !k.wino && !k.single && !lanesPool && k.groups == 1 && k.rowsEligible() && k.wConst
	if !(k.wino && simd.WinogradPoolNative()) && !singlePool && !lanesPool && !rowsPool {
		return false
	}
	if _, _, clamp := k.act.clampBounds(); !clamp {
		return false
	}
	if p.in[0] != 1 || p.out[0] != 1 || p.in[1] != k.oh || p.in[2] != k.ow || p.out[1] != k.oh/2 || p.out[2] != k.ow/2 ||
		p.planes != k.batch*k.cout || p.dil[1] != 1 || p.dil[2] != 1 {
		return false
	}
	for d := 1; d < 3; d++ {
		for o, a := range p.axes[d] {
			if a.start != 2*o || a.lo != 0 || a.hi != 2 {
				return false
			}
		}
	}
	k.pool = true
	k.lanesPool = lanesPool
	return true
}

func (k *convKernel) prepare(threads int) error {
	k.threads = threads
	k.padBody = k.pad
	k.body = k.units
	k.splitWork(threads)
	k.dwBody = k.dwChannels
	k.dwp = simd.DWConv{H: k.h, W: k.w, OH: k.oh, OW: k.ow, KH: k.kh, KW: k.kw,
		StrideH: k.sh, StrideW: k.sw, PadT: k.pt, PadL: k.pl, DilH: k.dh, DilW: k.dw}
	if k.weights == nil {
		k.weights = make([]float32, k.cout*k.k)
	}
	if k.tposed = k.chooseTposed(); k.tposed {
		k.wino = false
		k.prepareTposed(threads)
		return nil
	}
	if k.wino {
		k.prepareWino()
		return nil
	}
	if k.lanes = k.lanesPool || k.chooseLanes(); k.lanes {
		k.prepareLanes(threads)
		return nil
	}
	if k.single {
		// 3×3 over one input plane: as a depthwise convolution of the
		// padded plane with each output channel's filter (see dwPad)
		k.setDWPlane()
		k.dwPad = k.dwHp*k.dwWp <= singleMaxPlane && finiteAll(k.weights)
		if k.dwPad {
			return nil
		}
		if k.pool {
			return fmt.Errorf("%w: a fused MaxPool without the padded-plane path", errInternal)
		}
	}
	if k.pool && !k.single && !k.rows {
		return fmt.Errorf("%w: a fused MaxPool without the Winograd, lanes or rows path", errInternal)
	}
	if k.depthwise {
		k.setDWPlane()
		borders := k.pt > 0 || k.pl > 0 || k.dwHp-k.pt > k.h || k.dwWp-k.pl > k.w
		// Taps in the padding count as nothing; as zeros they would turn
		// an infinite weight into NaN, so only finite constant weights.
		k.dwPad = borders && k.wConst && (k.oh*k.ow <= dwPadMax || k.dwPlane3 && simd.DepthwisePlaneNative() || k.dwPlaneK) && finiteAll(k.weights)
		k.setDWInPlace()
		return nil
	}
	per := simd.PackedLen(k.mg, k.k)
	k.packBuf = make([]float32, per*k.groups)
	k.packed = make([]simd.PackedA, k.groups)
	if k.wConst {
		k.pack()
	}
	k.setBandPhases()
	return nil
}

// splitWork chooses the work units for the given thread count.
func (k *convKernel) splitWork(threads int) {
	k.tile = tileFor(k.k)
	k.tiles = (k.gemmCols() + k.tile - 1) / k.tile
	// A wide map, shifted: whole output rows of ow columns (the col
	// buffer holds a tile's K × tile floats, so ow ≤ tile).
	k.rows = k.rowsEligible()
	if k.rows {
		k.tileRows = max(1, rowsTile/k.ow)
		if k.pool {
			k.tileRows += k.tileRows % 2 // whole pairs of rows a unit
		}
		k.tiles = (k.oh + k.tileRows - 1) / k.tileRows
	}
	k.mblocks, k.mrows = 1, k.mg
	units := k.batch * k.groups * k.tiles
	if want := 2 * threads; units < want && k.mg >= 32 {
		// blocks of a multiple of 16 rows, at least 16
		k.mblocks = min((want+units-1)/units, k.mg/16)
		k.mrows = ((k.mg+k.mblocks-1)/k.mblocks + 15) / 16 * 16
		k.mblocks = (k.mg + k.mrows - 1) / k.mrows
	}
}

// fuseAdd makes the convolution add v (same shape as its output) before
// its activation: the residual connection of a ResNet block.
func (k *convKernel) fuseAdd(n *node, v *value) bool {
	if k.pool || k.act.kind != actNone || k.residual >= 0 || k.depthwise || k.single || !sameShape(v.shape, n.out[0].shape) {
		return false
	}
	n.in = append(n.in, v)
	k.residual = len(n.in) - 1
	return true
}

func (k *convKernel) pack() {
	per := simd.PackedLen(k.mg, k.k)
	for g := 0; g < k.groups; g++ {
		k.packed[g] = simd.PackA(k.packBuf[g*per:(g+1)*per], k.mg, k.k, k.weights[g*k.mg*k.k:], k.k)
	}
}

// gemmCols is the number of columns of the GEMM: output positions, or
// positions over the padded width when shifted.
func (k *convKernel) gemmCols() int {
	if k.shifted {
		return k.oh * k.wp
	}
	return k.oh * k.ow
}

// scratchLen: for Winograd the padded planes then V and M per thread (or
// image), or with bands V, M and a band per thread; for depthwise through
// padded planes one plane per thread; otherwise the padded input when shifted (all images), then per thread
// an im2col tile and, when shifted, a tile of output to drop columns from.
func (k *convKernel) scratchLen(threads int) int {
	if k.wino {
		if k.wphased { // one V and M per image
			return slotsAt(k.winoPadLen()) + k.batch*slotStride(k.winoSlot())
		}
		if k.wBand {
			return threads * slotStride(k.winoBandSlot())
		}
		return slotsAt(k.winoPadLen()) + threads*slotStride(k.winoSlot())
	}
	if k.dwFlat || k.dwSame || k.dwStride2 {
		return 0
	}
	if k.dwPad {
		return threads * slotStride(k.dwHp*k.dwWp)
	}
	if k.tposed {
		return k.tposedLen(threads)
	}
	if k.lanes && k.bandPhases {
		return threads * slotStride(k.bandLen+k.lanesSlot())
	}
	if k.lanes {
		return slotsAt(k.batch*k.qlen) + threads*slotStride(k.lanesSlot())
	}
	if k.pointwise || k.depthwise {
		return 0
	}
	if k.bandPhases {
		return threads * slotStride(k.bandLen+k.slotLen())
	}
	return slotsAt(k.batch*k.qlen) + threads*slotStride(k.slotLen())
}

func (k *convKernel) slotLen() int {
	t := tileFor(k.k)
	if k.shifted {
		s := (k.k + k.mg) * t
		if k.pool { // the rows path's pair of rows, to pool
			s += 2 * k.mg * k.ow
		}
		return s
	}
	return k.k * t
}

// rowsEligible says whether a shifted convolution computes whole output
// rows (convKernel.rows).
func (k *convKernel) rowsEligible() bool {
	return !rowsOff && k.shifted && k.ow >= rowsMinWidth && k.ow <= tileFor(k.k) && k.wp > k.ow
}

func (k *convKernel) setScratch(s []float32) {
	k.scratch = s
	if k.wino {
		if !k.wBand {
			k.wPadded = s[:k.winoPadLen()]
		}
	}
}

func (k *convKernel) run(p *workers) {
	if !k.wConst {
		copy(k.weights, k.n.in[1].t.F)
		if !k.depthwise {
			k.pack()
		}
	}
	if !k.bConst {
		copy(k.bias, k.n.in[2].t.F)
	}
	if k.wino {
		if k.wphased { // each input plane padded and transformed by one participant: one loop, not two
			p.parallel(k.batch*k.cin, 1, k.winoInBody)
			p.parallel(k.batch*k.wmblocks, 1, k.winoProdBody)
			return
		}
		if !k.wBand {
			p.parallel(k.batch*k.cin, 8, k.winoPadBody)
		}
		p.parallelChunks(k.batch*k.wblocks, 1, k.winoBody)
		return
	}
	if k.dwPad {
		p.parallelChunks(k.batch*k.cout, 1, k.dwPaddedBody)
		return
	}
	if k.depthwise {
		p.parallel(k.batch*k.cout, 1, k.dwBody)
		return
	}
	if k.tposed {
		p.parallelChunks(k.batch*k.tUnits, 1, k.tPackBody)
		units := k.batch * (len(k.tCuts) - 1)
		p.parallel(units, 1, k.tProdBody)
		return
	}
	if k.shifted && !k.bandPhases {
		// the threads share the planes: each reads the input its core
		// wrote in the layer before, where one thread padding them all
		// read half of it from the other core's cache (resnet18's
		// stride-2 3×3 layer at 112², 64 channels of 28²: 20 µs on one
		// thread, 86 on the first of two; AMD Zen 5)
		p.parallel(k.batch*k.cin, max(1, padGrain/max(1, k.plane)), k.padBody)
	}
	if k.lanes {
		for c := range k.lBand {
			k.lBand[c] = -1
		}
		p.parallelChunks(k.batch*k.lBlocks*k.lConv.Groups, 1, k.lanesBody)
		return
	}
	p.parallelChunks(k.batch*k.groups*k.tiles*k.mblocks, 1, k.body)
}

// finish applies output channel co's bias, the residual row rr (nil:
// none) and the activation to row: in one pass where the activation is a
// clamp (or none), else in three.
func (k *convKernel) finish(row, rr []float32, co int) {
	if lo, hi, clamp := k.act.clampBounds(); clamp {
		if rr != nil {
			simd.BiasAddClamp(row, rr, k.bias[co], lo, hi)
		} else if k.act.kind != actNone || k.bias[co] != 0 {
			simd.BiasClamp(row, k.bias[co], lo, hi)
		}
		return
	}
	if bv := k.bias[co]; bv != 0 {
		for i := range row {
			row[i] += bv
		}
	}
	for i := range rr {
		row[i] += rr[i]
	}
	k.act.apply(row, co)
}

func (k *convKernel) flops() int64 {
	return 2 * int64(k.batch) * int64(k.cout) * int64(k.oh*k.ow) * int64(k.k)
}

// path names the way the convolution is computed, for StepInfo.
func (k *convKernel) path() string {
	switch {
	case k.wino:
		return "winograd"
	case k.depthwise || k.single:
		return "depthwise"
	case k.pointwise:
		return "gemm"
	case k.tposed:
		return "gemm-transposed"
	case k.lanes:
		return "lanes"
	case k.shifted:
		return "gemm-shifted"
	default:
		return "gemm-im2col"
	}
}

// finiteAll reports whether no element of w is ±Inf or NaN.
func finiteAll(w []float32) bool {
	for _, v := range w {
		if v-v != 0 {
			return false
		}
	}
	return true
}
