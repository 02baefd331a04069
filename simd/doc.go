// Package simd holds edge's numeric kernels: matrix multiplication with
// pre-packed weights (direct, and indirect through row offsets for
// convolutions over padded planes), Winograd F(2×2, 3×3) transforms,
// depthwise convolution, pooling rows, the bias/residual/clamp epilogue
// and vector distances. Implementations: generic Go, AVX2+FMA and AVX-512
// (amd64, chosen by CPU features read once), NEON (arm64, with an
// in-order Cortex-A53 variant of the GEMM). Every
// kernel has a generic Go version, whose doc comment is its specification;
// architecture-specific versions (added per architecture) must match it
// and are tested against it. Build with -tags purego to use only the
// generic versions.
package simd
