// Package simd holds edge's numeric kernels: matrix multiplication with
// pre-packed weights, depthwise convolution and vector distances. Every
// kernel has a generic Go version, whose doc comment is its specification;
// architecture-specific versions (added per architecture) must match it
// and are tested against it. Build with -tags purego to use only the
// generic versions.
package simd
