// Package simd holds edge's numeric kernels: matrix multiplication with
// pre-packed weights (direct, indirect through row offsets for
// convolutions over padded planes, and with a pre-packed right operand for
// transposed products), Winograd F(2×2, 3×3) transforms (the output one
// also fused with a 2×2 max pool), depthwise convolution (rows, whole
// padded planes with the clamp, or a 2×2 max pool, fused, and 3×3 maps
// read in place at strides 1 and 2), pooling rows
// and planes, row copies and stride-2 gathers, the bias/residual/clamp
// epilogue, vector distances, and a request for lines about to be written
// (PrefetchStore, a hint). Implementations: generic Go, AVX2+FMA and AVX-512
// (amd64, chosen by CPU features read once), NEON (arm64, with an
// in-order Cortex-A53 variant of the GEMM). Every
// kernel has a generic Go version, whose doc comment is its specification;
// architecture-specific versions (added per architecture) must match it
// and are tested against it. Build with -tags purego to use only the
// generic versions.
package simd
