//go:build !purego

package simd

import "golang.org/x/sys/cpu"

// hasAVX2FMA is read once: the amd64 kernels need AVX2 and FMA (and the
// OS saving the ymm registers, which x/sys/cpu checks).
var hasAVX2FMA = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// l2AVX2 and dotAVX2 are L2Squared and Dot (distance_amd64.s).
//
//go:noescape
func l2AVX2(a, b []float32) float32

//go:noescape
func dotAVX2(a, b []float32) float32

// fmaPeak runs iters iterations of 12 independent 8-wide FMAs (192 flops
// each) and nothing else: the benchmarks' measure of one core's peak.
//
//go:noescape
func fmaPeak(iters int)

func init() {
	if !hasAVX2FMA {
		return
	}
	impls = append(impls, impl{
		name: "avx2",
		gemmKernels: gemmKernels{
			packedLen: packedLenAVX2,
			packA:     packAAVX2,
			gemm:      gemmAVX2,
			gemmOff:   gemmOffAVX2,
			packAT: func(dst []float32, m, k int, at []float32, ldat int) {
				packATPanels(dst, m, k, at, ldat, mrAVX2)
			},
			packedBLen:     packedBLenAVX2,
			packB:          packBAVX2,
			gemmB:          gemmBAVX2,
			bCut:           bCutAVX2,
			packedBNative:  true,
			transposeClamp: transposeBiasClampAVX2,
			colQuantum:     8,
		},
		winoKernels: winoKernels{
			winoNative:  true,
			winoIn:      winoInAVX2,
			winoOut:     winoOutAVX2,
			winoOutPool: winoOutPoolAVX2,
		},
		dwKernels: dwKernels{
			dw:            depthwiseAVX2,
			dwPlane:       dwPlaneAVX2,
			dwPlaneNative: true,
			dwPlaneK:      dwPlaneKAVX2,
			copyRows:      copyRowsAVX2,
			stridedRows:   stridedRowsAVX2,
		},
		epiKernels: epiKernels{
			biasClamp:    biasClampAVX2,
			prelu:        preluAVX2,
			biasAddClamp: biasAddClampAVX2,
			compactClamp: compactClampAVX2,
		},
		poolKernels: poolKernels{
			maxRows:    maxRowsAVX2,
			addRows:    addRowsAVX2,
			maxPairs:   maxPairsAVX2,
			max2x2:     maxPool2x2AVX2,
			max3x3s2:   maxPool3x3s2AVX2,
			meanPlanes: meanPlanesAVX2Slices,
		},
		distKernels: distKernels{
			l2:      l2AVX2,
			dot:     dotAVX2,
			erf:     erfAVX2,
			gelu:    geluAVX2,
			softmax: softmaxAVX2,
		},
	})
	if hasAVX512 {
		impls = append(impls, avx512Impl(impls[len(impls)-1]))
	}
	use()
}
