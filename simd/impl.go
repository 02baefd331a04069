package simd

// impl is one implementation of the kernels. The generic one is always
// present; architecture files add theirs to impls at package
// initialisation when the CPU has the features they need (read once, into
// the package-level flags of the architecture file).
type impl struct {
	name     string
	resolved bool // resolve has filled the nil slots
	gemmKernels
	winoKernels
	dwKernels
	epiKernels
	poolKernels
	distKernels
}

// The kernel families of an implementation, one table each (the fields are
// promoted: active.gemm is active.gemmKernels.gemm). A table may leave a
// slot nil where its comment says so; resolve fills it with the generic
// loop once, at start-up, so that no kernel call checks for nil.

// gemmKernels: the packed GEMM (gemm.go, gemmb.go) and its epilogue form.
type gemmKernels struct {
	packedLen func(m, k int) int
	packA     func(dst []float32, m, k int, a []float32, lda int)
	gemm      func(a PackedA, r0, r1, n int, b []float32, ldb int, c []float32, ldc int)
	// gemmBiasClamp: GemmPackedBiasClamp, nil for GemmPacked then BiasClampRows
	gemmBiasClamp func(a PackedA, r0, r1, n int, b []float32, ldb int, c []float32, ldc int, bias []float32, lo, hi float32)
	// gemmOffBiasClamp: GemmOffsetsBiasClamp, nil for GemmOffsets then
	// BiasClampRows (resolve fills it)
	gemmOffBiasClamp func(a PackedA, r0, r1, n int, b []float32, offs []int32, col, c []float32, ldc int, bias []float32, lo, hi float32)
	gemmOff          func(a PackedA, r0, r1, n int, b []float32, offs []int32, col, c []float32, ldc int)
	packAT           func(dst []float32, m, k int, at []float32, ldat int)

	packedBLen    func(k, n int) int
	packB         func(dst []float32, k, n int, b []float32, ldb int)
	gemmB         func(a PackedA, r0, r1 int, b PackedB, j0, j1 int, c []float32, ldc int)
	bCut          func(n, j int) int // PackedBCut; nil: any column
	packedBNative bool
	// convLanes: Lanes.Run over whole runs; nil for the loop in Go
	// (resolve fills it)
	convLanes   func(dst []float32, ldd int, x []float32, offs []int32, w []float32, g0, g1, runs int)
	lanesNative bool // convLanes is a kernel of its own (set by resolve)
	// transposeClamp: TransposeBiasClamp with ordered bounds; nil for the
	// loop in Go (resolve fills it)
	transposeClamp  func(dst []float32, ldd int, src []float32, lds, rows, cols int, bias, res []float32, lo, hi float32)
	transposeNative bool            // transposeClamp is a kernel of its own (set by resolve)
	colQuantum      int             // columns per vector of the GEMM kernels
	gemmColumns     func(n int) int // nil: n rounded up to colQuantum
	offsetsSplit    func(n int) int // GemmOffsetsSplit; nil: 0
	// gatherPlanes: GatherPlanes; nil for the loop in Go (resolve fills it)
	gatherPlanes func(dst, src []float32, hw, channels int, idx []int32, n int)
}

// winoKernels: the Winograd F(2×2, 3×3) transforms (winograd.go).
type winoKernels struct {
	winoNative     bool // vector transforms: Winograd pays
	winoPoolNative bool // winoOutPool is a kernel of its own (set by resolve)
	winoIn         func(dst []float32, ldd int, src []float32, ld, n, rows, dstStep, srcStep int)
	winoOut        func(dst []float32, ldo, outRows, w int, src []float32, lds, n, srcStep int, bias, lo, hi float32, res []float32)
	// winoOutPool: nil in a table where only the generic loop exists
	// (resolve fills it)
	winoOutPool func(dst []float32, ldo, rows, w int, src []float32, lds, srcStep int, bias, lo, hi float32)
}

// dwKernels: depthwise convolution (depthwise.go, dwplane.go) and the row
// copies its padded planes are made with.
type dwKernels struct {
	dw func(p *DWConv, in, w []float32, bias float32, out []float32)

	dwPlane       func(out []float32, oh, ow int, p []float32, wp, s int, w []float32, bias, lo, hi float32)
	dwPlaneNative bool // dwPlane is a kernel of its own
	dwPoolNative  bool // dwPlanePool is a kernel of its own (set by resolve)
	// dwPlanePool: nil in a table where only the generic loop exists
	// (resolve fills it)
	dwPlanePool func(out []float32, ph, pw int, p []float32, wp int, w []float32, bias, lo, hi float32)
	// dwPlaneK: DepthwisePlaneK with ordered bounds; nil where only the
	// loop in Go exists (resolve fills it)
	dwPlaneK       func(out []float32, oh, ow int, p []float32, wp, kh, kw int, w []float32, bias, lo, hi float32)
	dwPlaneKNative bool // dwPlaneK is a kernel of its own (set by resolve)
	copyRows       func(dst []float32, ldd int, src []float32, lds, rows, cols int)
	// dwChannels: DepthwiseChannels3's loop, nil for the one over copyRows and dwPlane
	dwChannels  func(out []float32, outCh int, in []float32, inCh, ldIn, rows, cols int, plane []float32, at, wp, oh, ow, s int, w, bias []float32, lo, hi float32)
	stridedRows func(dst []float32, ldd int, src []float32, lds, rows, n, s int)
	// splitRows: SplitRows, nil for two stridedRows calls (resolve fills it)
	splitRows func(a, b []float32, ldd int, src []float32, lds, rows, cols int)
	// dwFlat: DepthwiseFlat3, nil where only the generic loop exists
	// (resolve fills it)
	dwFlat       func(out, in []float32, ch, h, w int, wt, bias []float32, lo, hi float32)
	dwFlatNative bool // dwFlat is a kernel of its own (set by resolve)
	// dwSame: DepthwiseSame3, nil where only the generic loop exists
	// (resolve fills it)
	dwSame       func(out, in []float32, ch, h, w int, wt, bias []float32, lo, hi float32)
	dwSameNative bool // dwSame is a kernel of its own (set by resolve)
	// dwStride2: DepthwiseStride2, nil where only the generic loop exists
	// (resolve fills it)
	dwStride2       func(out, in []float32, ch, h, w, oh, ow, pt, pl int, wt, bias []float32, lo, hi float32)
	dwStride2Native bool // dwStride2 is a kernel of its own (set by resolve)
	// prefetchStore: PrefetchStore, nil for none (resolve fills it with
	// the generic one, which does nothing)
	prefetchStore func(dst []float32)
}

// epiKernels: the bias, residual and clamp epilogue (epilogue.go).
type epiKernels struct {
	biasClamp    func(x []float32, bias, lo, hi float32)
	biasAddClamp func(x, r []float32, bias, lo, hi float32) // len(r) == len(x)
	// biasClampRows: nil for a loop over biasClamp
	biasClampRows func(x []float32, ld, rows, n int, bias []float32, lo, hi float32)
	// compactClamp: CompactBiasClamp, nil where only the generic loop exists
	compactClamp func(dst, src []float32, n, ox0, ow, wp int, bias, lo, hi float32) int
	// prelu: PRelu, nil for the branchless loop in Go (resolve fills it)
	prelu func(x []float32, slope float32)
}

// poolKernels: max and average pooling rows (pool.go).
type poolKernels struct {
	maxRows  func(dst, src []float32)        // len(src) == len(dst)
	addRows  func(dst, src []float32)        // len(src) == len(dst)
	maxPairs func(dst, row []float32)        // len(row) == 2·len(dst)
	max2x2   func(dst, top, bot []float32)   // len(top) == len(bot) == 2·len(dst)
	max3x3s2 func(dst, r0, r1, r2 []float32) // len(r_k) == 2·len(dst)+1, len(dst) > 0
	// max3x3s2Plane: MaxPool3x3s2Plane's plane in one call; nil for the
	// loop over max3x3s2's rows
	max3x3s2Plane func(dst []float32, oh, ow int, src []float32, w, x0 int)
	// meanPlanes: MeanPlanes; nil for the loop in Go (resolve fills it)
	meanPlanes func(dst, src []float32, n int)
}

// distKernels: distances (distance.go), and Erf (erf.go).
type distKernels struct {
	l2  func(a, b []float32) float32
	dot func(a, b []float32) float32
	// erf: Erf; nil for the loop in Go (resolve fills it)
	erf func(dst, src []float32)
	// gelu: GELU; nil for the loop in Go (resolve fills it)
	gelu func(dst, src []float32, c, a, h float32)
	// softmax: SoftmaxRow; nil for the loop in Go (resolve fills it)
	softmax func(y, x []float32)
}

var generic = impl{
	name: "generic",
	gemmKernels: gemmKernels{
		packedLen:  packedLenGeneric,
		packA:      packAGeneric,
		gemm:       gemmPackedGeneric,
		gemmOff:    gemmOffGather,
		packAT:     packATGeneric,
		packedBLen: packedBLenRowMajor,
		packB:      packBRowMajor,
		gemmB:      gemmBRowMajor,
		colQuantum: 1,
	},
	winoKernels: winoKernels{
		winoIn:  winoInRowsGeneric,
		winoOut: winoOutRowsGeneric,
	},
	dwKernels: dwKernels{
		dw:          depthwiseGeneric,
		dwPlane:     dwPlaneGeneric,
		copyRows:    copyRowsGeneric,
		stridedRows: stridedRowsGeneric,
		splitRows:   splitRowsGeneric,
	},
	epiKernels: epiKernels{
		biasClamp:    biasClampGeneric,
		biasAddClamp: biasAddClampGeneric,
		prelu:        preluGeneric,
	},
	poolKernels: poolKernels{
		maxRows:  maxRowsGeneric,
		addRows:  addRowsGeneric,
		maxPairs: maxPairsGeneric,
		max2x2:   maxPool2x2Generic,
		max3x3s2: maxPool3x3s2Generic,
	},
	distKernels: distKernels{
		l2:  l2Generic,
		dot: dotGeneric,
	},
}

// impls lists every implementation usable on this CPU, best last.
var impls = []impl{generic}

// active is the implementation the exported functions use.
var active = &impls[len(impls)-1]

// use resolves every implementation's nil slots and selects the best;
// architecture files call it from init after appending theirs.
func use() {
	// the exported functions fall back to the generic table itself (for
	// NaN clamp bounds), so its optional slots are filled too
	generic.resolve()
	for i := range impls {
		impls[i].resolve()
	}
	active = &impls[len(impls)-1]
}

func init() { use() } // the generic table alone (purego, other architectures)

// resolve fills the slots im leaves nil with the generic loops they stand
// for, and records which of the optional kernels are im's own. It runs
// once per table.
func (im *impl) resolve() {
	if im.resolved {
		return
	}
	im.resolved = true
	if im.gemmColumns == nil {
		q := im.colQuantum
		im.gemmColumns = func(n int) int { return roundUpQ(n, q) }
	}
	if im.offsetsSplit == nil {
		im.offsetsSplit = func(int) int { return 0 }
	}
	if im.biasClampRows == nil {
		bc := im.biasClamp
		im.biasClampRows = func(x []float32, ld, rows, n int, bias []float32, lo, hi float32) {
			for r := 0; r < rows; r++ {
				bc(x[r*ld:r*ld+n], bias[r], lo, hi)
			}
		}
	}
	if im.compactClamp == nil {
		im.compactClamp = compactClampWith(im.biasClamp)
	}
	if im.gemmBiasClamp == nil {
		im.gemmBiasClamp = gemmBiasClampTwoPass
	}
	im.transposeNative = im.transposeClamp != nil
	if im.transposeClamp == nil {
		im.transposeClamp = transposeBiasClampGeneric
	}
	im.lanesNative = im.convLanes != nil
	if im.convLanes == nil {
		im.convLanes = convLanesGeneric
	}
	if im.gemmOffBiasClamp == nil {
		im.gemmOffBiasClamp = gemmOffBiasClampTwoPass
	}
	im.winoPoolNative = im.winoOutPool != nil
	if im.winoOutPool == nil {
		im.winoOutPool = winoOutPoolGeneric
	}
	if im.erf == nil {
		im.erf = erfGeneric
	}
	if im.gelu == nil {
		im.gelu = geluGeneric
	}
	if im.softmax == nil {
		im.softmax = softmaxGeneric
	}
	im.dwPlaneKNative = im.dwPlaneK != nil
	if im.dwPlaneK == nil {
		im.dwPlaneK = dwPlaneKGeneric
	}
	im.dwPoolNative = im.dwPlanePool != nil
	if im.dwPlanePool == nil {
		im.dwPlanePool = dwPlanePoolGeneric
	}
	if im.prelu == nil {
		im.prelu = preluBits
	}
	if im.meanPlanes == nil {
		im.meanPlanes = meanPlanesGeneric
	}
	if im.gatherPlanes == nil {
		im.gatherPlanes = gatherPlanesGeneric
	}
	if im.splitRows == nil {
		im.splitRows = splitRowsWith(im.stridedRows)
	}
	im.dwFlatNative = im.dwFlat != nil
	if im.dwFlat == nil {
		im.dwFlat = dwFlatGeneric
	}
	im.dwSameNative = im.dwSame != nil
	if im.dwSame == nil {
		im.dwSame = dwFlatGeneric // the same sums
	}
	im.dwStride2Native = im.dwStride2 != nil
	if im.prefetchStore == nil {
		im.prefetchStore = prefetchStoreGeneric
	}
	if im.dwStride2 == nil {
		im.dwStride2 = dwStride2Generic
	}
	if im.dwChannels == nil {
		copyRows, dwPlane := im.copyRows, im.dwPlane
		im.dwChannels = func(out []float32, outCh int, in []float32, inCh, ldIn, rows, cols int, plane []float32, at, wp, oh, ow, s int, w, bias []float32, lo, hi float32) {
			for c := range bias {
				if rows > 0 && cols > 0 && (c == 0 || inCh != 0) {
					copyRows(plane[at:], wp, in[c*inCh:], ldIn, rows, cols)
				}
				dwPlane(out[c*outCh:c*outCh+oh*ow], oh, ow, plane, wp, s, w[9*c:9*c+9], bias[c], lo, hi)
			}
		}
	}
}

// Implementation names the kernels in use ("generic", "avx2", "neon", …).
func Implementation() string { return active.name }

// gemmBiasClampTwoPass is GemmPackedBiasClamp as GemmPacked, then
// BiasClampRows over C: the tables without a kernel that does both.
func gemmBiasClampTwoPass(a PackedA, r0, r1, n int, b []float32, ldb int, c []float32, ldc int, bias []float32, lo, hi float32) {
	GemmPacked(a, r0, r1, n, b, ldb, c, ldc)
	BiasClampRows(c, ldc, r1-r0, n, bias, lo, hi)
}
