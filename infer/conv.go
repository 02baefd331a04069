package infer

import (
	"fmt"
	"math"

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

	batch, cin, h, w  int
	cout, oh, ow      int
	kh, kw            int
	sh, sw, dh, dw    int
	pt, pl            int
	groups, cg, mg, k int
	pointwise         bool // 1×1, stride 1, no padding: the input is the im2col matrix
	depthwise         bool
	single            bool // one input channel (a grey image): the depthwise kernels, once per output channel

	// shifted (stride 1, not pointwise): the input is copied once per run
	// into zero-padded planes of hp × wp, and the output computed over
	// columns q = oy·wp + ox, ox < wp; the columns ox ≥ ow are dropped.
	// Then the im2col row of tap (c, ky, kx) for columns [q0, q0+n) is one
	// contiguous run of the padded plane c, from q0 + ky·dh·wp + kx·dw,
	// which the GEMM reads in place through the tap offsets (offs).
	shifted     bool
	phasePlanes bool // stride > 1: the shifted layout over s×s phase planes
	hp, wp      int
	plane, qlen int     // hp·wp; padded floats per image (cin planes and the overrun of the last)
	offs        []int32 // tap (c, ky, kx) of a group: c·plane + ky·dh·wp + kx·dw

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

	// rows (shifted, wide maps): a tile is tileRows whole output rows,
	// each computed by one GEMM of ow columns straight into the output
	// (see shiftedRowUnits), not over the padded width into a stage.
	rows     bool
	tileRows int

	// dwPad (depthwise, small maps): each thread copies a channel into a
	// zero-padded plane of dwHp × dwWp, exactly what the output's taps
	// read, and convolves it without padding (dwpp): no border columns,
	// and the activation applied once per chunk of channels. On maps of a
	// few rows the borders and the per-channel calls cost more than the
	// taps.
	dwPad        bool
	dwpp         simd.DWConv
	dwHp, dwWp   int
	dwPaddedBody func(c, lo, hi int)
	dwPlane3     bool // dwPad through simd.DepthwisePlane3, the clamp fused

	// wino: a 3×3 stride-1 convolution by Winograd F(2×2, 3×3) (see
	// simd/winograd.go) over zero-padded planes of whp × wwp, covering
	// wth × wtw tiles of 2×2 outputs; work units are runs of wtb tiles.
	wino        bool
	wth, wtw    int
	whp, wwp    int
	wtb         int
	wrows       int // tile rows per unit
	wblocks     int
	wU          []simd.PackedA // the 16 transformed filters, cout × cin
	wUBuf       []float32
	wPadded     []float32 // the padded planes: the start of the scratch
	winoBody    func(c, lo, hi int)
	winoPadBody func(lo, hi int)

	// wphased (a small map and several threads: fewer tiles than two
	// units per thread): the threads share the input channels for the
	// input transform, then blocks of wmrows output channels for the
	// products and the output transform, over one V and M per image.
	wphased      bool
	wmblocks     int
	wmrows       int
	winoInBody   func(lo, hi int)
	winoProdBody func(lo, hi int)

	// tposed: small maps computed transposed (see conv_tposed.go)
	tposed        bool
	tRows, tUnits int
	tPB           simd.PackedB // the weights, K × cout
	tPBBuf        []float32

	// pool: a 2×2, stride-2 max pool fused into the Winograd output
	// transform (one value per tile; see fusePool)
	pool bool
}

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

// dwPadMax is the largest output map (OH·OW) a depthwise convolution runs
// through padded planes.
const dwPadMax = 1024

// singleMaxPlane bounds the padded plane (floats, one per thread) of a
// convolution of one input channel run by the depthwise kernels.
const singleMaxPlane = 1 << 16

// convTile is the widest im2col tile, in output columns: a multiple of the
// GEMM kernels' column strip (24 on amd64, 8 on arm64). tileFor narrows it
// for large K so that one tile stays within about 512 KiB.
const convTile = 144

// rowsMinWidth is the narrowest output row a shifted convolution computes
// one row per GEMM (convKernel.rows): a row of fewer columns would be a
// product too narrow for the kernels' strips.
const rowsMinWidth = 64

// rowsTile is the most output columns of a unit of rows (faces' stem:
// 112, 224, 448 and 896 measured alike, all faster than the stage).
const rowsTile = 448

// rowsOff turns the rows of shifted convolutions off (tests compare).
var rowsOff = false

// shiftedWaste bounds the share of dropped columns (wp-ow)/wp of a
// shifted convolution (see convKernel.shifted) to 1/shiftedWaste. The
// shifted GEMM reads the padded planes in place (amd64) or with one
// contiguous copy per tap and tile, where im2col needs one per tap and
// output row: on squeezenet1_1's 6×6 maps (a quarter of the columns
// dropped) the shifted 3×3 convolutions took 0.75 of the im2col time
// (AMD Zen 4), on 13×13 maps 0.95.
const shiftedWaste = 3

func tileFor(k int) int {
	t := (128 << 10) / max(k, 1) / 24 * 24
	return min(convTile, max(24, t))
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
	k.pointwise = k.kh == 1 && k.kw == 1 && k.sh == 1 && k.sw == 1 && k.pt == 0 && k.pl == 0 && k.oh == k.h && k.ow == k.w
	k.depthwise = k.cg == 1 && k.mg == 1 && groups > 1
	k.single = k.cin == 1 && groups == 1 && k.cout > 1 && !k.pointwise && k.kh == 3 && k.kw == 3 &&
		k.dh == 1 && k.dw == 1 && w.isConst
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
		k.cin >= winoMinChannels && k.cout >= winoMinChannels && w.isConst && pb >= 0 && pr >= 0 && winograd() {
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
	if !(k.wino && simd.WinogradPoolNative()) && !singlePool {
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
	return true
}

func (k *convKernel) prepare(threads int) error {
	k.threads = threads
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
	if k.depthwise {
		k.setDWPlane()
		borders := k.pt > 0 || k.pl > 0 || k.dwHp-k.pt > k.h || k.dwWp-k.pl > k.w
		// Taps in the padding count as nothing; as zeros they would turn
		// an infinite weight into NaN, so only finite constant weights.
		k.dwPad = borders && k.wConst && (k.oh*k.ow <= dwPadMax || k.dwPlane3 && simd.DepthwisePlaneNative()) && finiteAll(k.weights)
		return nil
	}
	per := simd.PackedLen(k.mg, k.k)
	k.packBuf = make([]float32, per*k.groups)
	k.packed = make([]simd.PackedA, k.groups)
	if k.wConst {
		k.pack()
	}
	return nil
}

// splitWork chooses the work units for the given thread count.
func (k *convKernel) splitWork(threads int) {
	k.tile = tileFor(k.k)
	k.tiles = (k.gemmCols() + k.tile - 1) / k.tile
	// A wide map, shifted: whole output rows of ow columns (the col
	// buffer holds a tile's K × tile floats, so ow ≤ tile).
	k.rows = !rowsOff && k.shifted && k.ow >= rowsMinWidth && k.ow <= k.tile && k.wp > k.ow
	if k.rows {
		k.tileRows = max(1, rowsTile/k.ow)
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
// image); for depthwise through padded planes one plane per thread;
// otherwise the padded input when shifted (all images), then per thread
// an im2col tile and, when shifted, a tile of output to drop columns from.
func (k *convKernel) scratchLen(threads int) int {
	if k.wino {
		if k.wphased { // one V and M per image
			return k.winoPadLen() + k.batch*k.winoSlot()
		}
		return k.winoPadLen() + threads*k.winoSlot()
	}
	if k.dwPad {
		return threads * k.dwHp * k.dwWp
	}
	if k.tposed {
		return threads * k.tposedSlot()
	}
	if k.pointwise || k.depthwise {
		return 0
	}
	return k.batch*k.qlen + threads*k.slotLen()
}

func (k *convKernel) slotLen() int {
	t := tileFor(k.k)
	if k.shifted {
		return (k.k + k.mg) * t
	}
	return k.k * t
}

// pad copies the input into the zero-padded planes of the scratch buffer.
func (k *convKernel) pad() {
	if k.phasePlanes {
		k.padPhases()
		return
	}
	x := k.n.in[0].t.F
	for b := 0; b < k.batch; b++ {
		dst := k.scratch[b*k.qlen : (b+1)*k.qlen]
		clear(dst[k.cin*k.plane:])
		for c := 0; c < k.cin; c++ {
			pl := dst[c*k.plane : (c+1)*k.plane]
			src := x[(b*k.cin+c)*k.h*k.w:]
			clear(pl[:k.pt*k.wp])
			for y := 0; y < k.h; y++ {
				row := pl[(k.pt+y)*k.wp : (k.pt+y+1)*k.wp]
				clear(row[:k.pl])
				copy(row[k.pl:], src[y*k.w:(y+1)*k.w])
				clear(row[k.pl+k.w:])
			}
			clear(pl[(k.pt+k.h)*k.wp:])
		}
	}
}

// padPhases writes the s×s phase planes of the zero-padded input (see
// convKernel.phasePlanes): phase (py, px), row i, column j holds input row
// s·i + py - pt, column s·j + px - pl, or zero outside the input.
func (k *convKernel) padPhases() {
	x := k.n.in[0].t.F
	s, ph := k.sh, k.hp*k.wp
	for b := 0; b < k.batch; b++ {
		dst := k.scratch[b*k.qlen : (b+1)*k.qlen]
		clear(dst[k.cin*k.plane:])
		for c := 0; c < k.cin; c++ {
			src := x[(b*k.cin+c)*k.h*k.w : (b*k.cin+c+1)*k.h*k.w]
			for py := 0; py < s; py++ {
				for px := 0; px < s; px++ {
					q := dst[c*k.plane+(py*s+px)*ph : c*k.plane+(py*s+px+1)*ph]
					// columns j whose input column s·j + px - pl lies in [0, w),
					// rows i whose input row s·i + py - pt does
					jlo := min(k.wp, max(0, (k.pl-px+s-1)/s))
					jhi := max(jlo, min(k.wp, (k.w+k.pl-px+s-1)/s))
					ilo := min(k.hp, max(0, (k.pt-py+s-1)/s))
					ihi := max(ilo, min(k.hp, (k.h+k.pt-py+s-1)/s))
					if jlo > 0 || jhi < k.wp || ilo > 0 || ihi < k.hp {
						clear(q) // the padding, then the inside over it
					}
					if jhi > jlo && ihi > ilo {
						simd.StridedRows(q[ilo*k.wp+jlo:], k.wp, src[(s*ilo+py-k.pt)*k.w+s*jlo+px-k.pl:], s*k.w, ihi-ilo, jhi-jlo, s)
					}
				}
			}
		}
	}
}

func (k *convKernel) setScratch(s []float32) {
	k.scratch = s
	if k.wino {
		k.wPadded = s[:k.winoPadLen()]
	}
}

func (k *convKernel) run(p *pool) {
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
		p.parallel(k.batch*k.cin, 8, k.winoPadBody)
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
		p.parallelChunks(k.batch*k.tUnits, 1, k.body)
		return
	}
	if k.shifted {
		k.pad()
	}
	p.parallelChunks(k.batch*k.groups*k.tiles*k.mblocks, 1, k.body)
}

// units computes work units [lo, hi): one unit is a tile of up to
// k.tile output columns of one image and group, for one block of output
// channels. Splitting the channels too keeps every thread busy on the
// small feature maps of deep layers, where there are fewer tiles than
// threads.
func (k *convKernel) units(slot, lo, hi int) {
	x, y := k.n.in[0].t.F, k.n.out[0].t.F
	var res []float32
	if k.residual >= 0 {
		res = k.n.in[k.residual].t.F
	}
	cols := k.oh * k.ow
	var col, stage []float32
	if !k.pointwise {
		s := k.scratch[k.batch*k.qlen+slot*k.slotLen():]
		col = s[:k.k*k.tile]
		stage = s[k.k*k.tile:]
	}
	if k.rows {
		k.shiftedRowUnits(col, lo, hi)
		return
	}
	if k.shifted {
		k.shiftedUnits(col, stage, lo, hi)
		return
	}
	for u := lo; u < hi; u++ {
		mb := u % k.mblocks
		r := u / k.mblocks
		t := r % k.tiles
		r /= k.tiles
		g, b := r%k.groups, r/k.groups
		m0 := mb * k.mrows
		m1 := min(k.mg, m0+k.mrows)
		c0 := t * k.tile
		n := min(k.tile, cols-c0)
		in := x[(b*k.cin+g*k.cg)*k.h*k.w:]
		base := (b*k.cout + g*k.mg) * cols
		out := y[base:]
		bm, ldb := in[c0:], k.h*k.w
		if !k.pointwise {
			k.im2col(in, col, c0, n)
			bm, ldb = col, n
		}
		// an activation that is a clamp, and no residual: applied with
		// the bias as the GEMM stores the tile, where simd can, else in
		// one call for all its rows while the tile is in cache
		if lo, hi, clamp := k.act.clampBounds(); clamp && k.act.kind != actNone && res == nil {
			simd.GemmPackedBiasClamp(k.packed[g], m0, m1, n, bm, ldb, out[m0*cols+c0:], cols, k.bias[g*k.mg+m0:g*k.mg+m1], lo, hi)
			continue
		}
		simd.GemmPacked(k.packed[g], m0, m1, n, bm, ldb, out[m0*cols+c0:], cols)
		for m := m0; m < m1; m++ {
			var rr []float32
			if res != nil {
				rr = res[base+m*cols+c0 : base+m*cols+c0+n]
			}
			k.finish(out[m*cols+c0:m*cols+c0+n], rr, g*k.mg+m)
		}
	}
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

// shiftedUnits is units for a shifted convolution: the GEMM reads the
// im2col tile from the padded input through the tap offsets (on amd64 in
// place; elsewhere copied into col first), writes the tile of output
// columns q into stage, and the columns inside the image go to the output
// (for one output channel, the valid columns of a tile are one contiguous
// run of it), where the bias, residual and activation are applied.
func (k *convKernel) shiftedUnits(col, stage []float32, lo, hi int) {
	y := k.n.out[0].t.F
	var res []float32
	if k.residual >= 0 {
		res = k.n.in[k.residual].t.F
	}
	cols, qcols := k.oh*k.ow, k.oh*k.wp
	for u := lo; u < hi; u++ {
		mb := u % k.mblocks
		r := u / k.mblocks
		t := r % k.tiles
		r /= k.tiles
		g, b := r%k.groups, r/k.groups
		m0 := mb * k.mrows
		m1 := min(k.mg, m0+k.mrows)
		q0 := t * k.tile
		n := min(k.tile, qcols-q0)
		padded := k.scratch[b*k.qlen+g*k.cg*k.plane : (b+1)*k.qlen]
		simd.GemmOffsets(k.packed[g], m0, m1, n, padded[q0:], k.offs, col[:k.k*n], stage, n)
		// output positions [p0, p1) of the tile
		oy0, ox0 := q0/k.wp, q0%k.wp
		p0 := oy0*k.ow + min(ox0, k.ow)
		oy1, ox1 := (q0+n)/k.wp, (q0+n)%k.wp
		p1 := oy1*k.ow + min(ox1, k.ow)
		if p1 == p0 {
			continue
		}
		base := (b*k.cout + g*k.mg) * cols
		actLo, actHi, clamp := k.act.clampBounds()
		for m := m0; m < m1; m++ {
			src := stage[(m-m0)*n : (m-m0+1)*n]
			dst := y[base+m*cols+p0 : base+m*cols+p1]
			if clamp && res == nil { // the runs of columns ox < ow, the bias and clamp, in one pass
				simd.CompactBiasClamp(dst, src, n, ox0, k.ow, k.wp, k.bias[g*k.mg+m], actLo, actHi)
				continue
			}
			simd.CompactRows(dst, src, n, ox0, k.ow, k.wp)
			var rr []float32
			if res != nil {
				rr = res[base+m*cols+p0 : base+m*cols+p1]
			}
			k.finish(dst, rr, g*k.mg+m)
		}
	}
}

// shiftedRowUnits is units for a shifted convolution by whole output rows
// (convKernel.rows): each row is one GEMM of ow columns, reading the
// im2col rows in place from the padded input at the row's first column
// (the padded width's extra columns are never computed) and writing the
// output row of every channel of the block where it belongs, so there is
// no stage to compact; then the bias, residual and activation over the
// unit's rows, contiguous in each channel, in one call where they are a
// clamp. On faces' 224×224 stem (3 → 32 channels, stride 2, 112 columns)
// the stage and its compaction cost as much as the product.
func (k *convKernel) shiftedRowUnits(col []float32, lo, hi int) {
	y := k.n.out[0].t.F
	var res []float32
	if k.residual >= 0 {
		res = k.n.in[k.residual].t.F
	}
	cols := k.oh * k.ow
	actLo, actHi, clamp := k.act.clampBounds()
	for u := lo; u < hi; u++ {
		mb := u % k.mblocks
		r := u / k.mblocks
		t := r % k.tiles
		r /= k.tiles
		g, b := r%k.groups, r/k.groups
		m0 := mb * k.mrows
		m1 := min(k.mg, m0+k.mrows)
		oy0 := t * k.tileRows
		oy1 := min(k.oh, oy0+k.tileRows)
		padded := k.scratch[b*k.qlen+g*k.cg*k.plane : (b+1)*k.qlen]
		base := (b*k.cout + g*k.mg) * cols
		split := simd.GemmOffsetsSplit(k.ow) // a row in two calls where that reads B in place
		for oy := oy0; oy < oy1; oy++ {
			out := y[base+m0*cols+oy*k.ow:]
			if split == 0 {
				simd.GemmOffsets(k.packed[g], m0, m1, k.ow, padded[oy*k.wp:], k.offs, col[:k.k*k.ow], out, cols)
				continue
			}
			simd.GemmOffsets(k.packed[g], m0, m1, split, padded[oy*k.wp:], k.offs, col[:k.k*split], out, cols)
			n := k.ow - split
			simd.GemmOffsets(k.packed[g], m0, m1, n, padded[oy*k.wp+split:], k.offs, col[:k.k*n], out[split:], cols)
		}
		p0, n := oy0*k.ow, (oy1-oy0)*k.ow
		if clamp && k.act.kind != actNone && res == nil {
			simd.BiasClampRows(y[base+m0*cols+p0:], cols, m1-m0, n, k.bias[g*k.mg+m0:g*k.mg+m1], actLo, actHi)
			continue
		}
		for m := m0; m < m1; m++ {
			var rr []float32
			if res != nil {
				rr = res[base+m*cols+p0 : base+m*cols+p0+n]
			}
			k.finish(y[base+m*cols+p0:base+m*cols+p0+n], rr, g*k.mg+m)
		}
	}
}

// im2col writes the K × n patch matrix for output columns [c0, c0+n) into
// col (row stride n). Each patch row is filled one output row at a time:
// the valid stretch of input is a copy (stride 1) or a strided gather, and
// the taps that fall into the padding are zeros, found by arithmetic
// instead of a bounds test per element.
func (k *convKernel) im2col(in, col []float32, c0, n int) {
	r := 0
	for c := 0; c < k.cg; c++ {
		plane := in[c*k.h*k.w : (c+1)*k.h*k.w]
		for ky := 0; ky < k.kh; ky++ {
			for kx := 0; kx < k.kw; kx++ {
				dst := col[r*n : (r+1)*n]
				r++
				k.patchRow(plane, dst, c0, ky*k.dh-k.pt, kx*k.dw-k.pl)
			}
		}
	}
}

// patchRow fills dst with in[oy·sh + dy][ox·sw + dx] for the output
// positions c0, c0+1, … (zero outside the input).
func (k *convKernel) patchRow(plane, dst []float32, c0, dy, dx int) {
	oy, ox := c0/k.ow, c0%k.ow
	// valid output columns: 0 ≤ ox·sw + dx < w for ox in [vlo, vhi)
	vlo := 0
	if dx < 0 {
		vlo = (-dx + k.sw - 1) / k.sw
	}
	vhi := (k.w - dx + k.sw - 1) / k.sw // first ox with ox·sw+dx ≥ w
	for j := 0; j < len(dst); {
		seg := min(k.ow-ox, len(dst)-j) // output columns left in this output row
		out := dst[j : j+seg]
		iy := oy*k.sh + dy
		if iy < 0 || iy >= k.h {
			clear(out)
		} else {
			row := plane[iy*k.w : (iy+1)*k.w]
			lo, hi := min(max(vlo-ox, 0), seg), min(max(vhi-ox, 0), seg)
			clear(out[:lo])
			if hi > lo {
				ix := (ox+lo)*k.sw + dx
				if k.sw == 1 {
					copy(out[lo:hi], row[ix:ix+hi-lo])
				} else {
					for i := lo; i < hi; i++ {
						out[i] = row[ix]
						ix += k.sw
					}
				}
			}
			if hi > lo {
				clear(out[hi:])
			} else {
				clear(out[lo:])
			}
		}
		j += seg
		ox = 0
		oy++
	}
}

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

func (k *convKernel) flops() int64 {
	return 2 * int64(k.batch) * int64(k.cout) * int64(k.oh*k.ow) * int64(k.k)
}

// dwPadded computes depthwise channels [lo, hi) over batch × channels
// through the zero-padded plane of thread slot c (see convKernel.dwPad);
// with one input channel (single), output channels [lo, hi) of the
// images' one plane.
// The padding is cleared once; each channel overwrites the interior.
func (k *convKernel) dwPadded(c, lo, hi int) {
	x, y := k.n.in[0].t.F, k.n.out[0].t.F
	hw, ohw, plane := k.h*k.w, k.oh*k.ow, k.dwHp*k.dwWp
	buf := k.scratch[c*plane : (c+1)*plane]
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
		if k.pool { // fused MaxPool: one value per 2×2 window
			ph, pw := k.oh/2, k.ow/2
			simd.DepthwisePlane3Pool(y[i*ph*pw:(i+1)*ph*pw], ph, pw, buf, k.dwWp, wc, k.bias[ch], actLo, actHi)
			continue
		}
		simd.DepthwiseChannel(&k.dwpp, buf, wc, k.bias[ch], y[i*ohw:(i+1)*ohw])
	}
	if k.pool {
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
		k.wphased = k.batch*k.wblocks < 2*k.threads && k.wblocks == 1
	}
	k.wrows = (k.wth + k.wblocks - 1) / k.wblocks
	k.wblocks = (k.wth + k.wrows - 1) / k.wrows
	k.wtb = (k.wrows*k.wtw + 7) &^ 7
	k.winoInBody, k.winoProdBody = k.winoInPhase, k.winoProdPhase
	k.wmblocks = max(1, min((k.cout+3)/4, 2*k.threads))
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
	plane := k.winoPlane()
	rows, cols := min(k.h, k.whp-k.pt), min(k.w, k.wwp-k.pl)
	at := k.pt*k.wwp + k.pl // the first input float
	for i := lo; i < hi; i++ {
		pl := k.wPadded[i*plane : (i+1)*plane]
		clear(pl[:k.whp*k.wwp]) // the padding, then the inside over it
		simd.CopyRows(pl[at:], k.wwp, x[i*k.h*k.w:(i+1)*k.h*k.w], k.w, rows, cols)
	}
}

// winoUnits computes units [lo, hi): a unit is wrows tile rows of one
// image (wtb tiles or fewer), all output channels. The input tiles are
// transformed into V (16 × cin × wtb), multiplied by the 16 filter
// matrices into M (16 × cout × wtb), and transformed back into the
// output, bias, residual and clamp included.
func (k *convKernel) winoUnits(c, lo, hi int) {
	v, m := k.winoVM(c)
	for u := lo; u < hi; u++ {
		b, blk := u/k.wblocks, u%k.wblocks
		r0 := blk * k.wrows
		r1 := min(k.wth, r0+k.wrows)
		k.winoIn(v, b, 0, k.cin, r0, r1)
		k.winoProducts(v, m, 0, k.cout, (r1-r0)*k.wtw)
		k.winoOut(m, b, 0, k.cout, r0, r1)
	}
}

// winoInPhase pads and transforms the input planes [lo, hi) (over batch ×
// cin) of the phased schedule, all tiles, into their image's V.
func (k *convKernel) winoInPhase(lo, hi int) {
	k.winoPad(lo, hi)
	for i := lo; i < hi; i++ {
		b, ci := i/k.cin, i%k.cin
		v, _ := k.winoVM(b)
		k.winoIn(v, b, ci, ci+1, 0, k.wth)
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

// winoVM returns V and M of slot i of the scratch, after the padded
// planes: a thread's (units) or an image's (the phased schedule).
func (k *convKernel) winoVM(i int) (v, m []float32) {
	vs, ms := k.winoStride(k.cin), k.winoStride(k.cout)
	at := len(k.wPadded) + i*k.winoSlot()
	slot := k.scratch[at : at+16*(vs+ms)]
	return slot[:16*vs], slot[16*vs:]
}

// winoIn transforms input channels [ci0, ci1) of image b, tile rows [r0,
// r1), into V (the tiles one after another from column 0).
func (k *convKernel) winoIn(v []float32, b, ci0, ci1, r0, r1 int) {
	plane, st, vs := k.winoPlane(), k.wtb+winoSlack, k.winoStride(k.cin)
	planes := k.wPadded[b*k.cin*plane : (b+1)*k.cin*plane]
	simd.WinogradInChannels(ci1-ci0, v[ci0*st:], st, vs, planes[ci0*plane+2*r0*k.wwp:], plane, k.wwp, k.wtw, r1-r0, k.wtw, 2*k.wwp)
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
