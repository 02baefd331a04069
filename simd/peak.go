package simd

// FMALoop runs iters iterations of a loop of independent fused
// multiply-adds that keeps every FMA unit of one core busy, and returns
// the floating-point operations it did and what it ran; 0 where this
// architecture or CPU has no such loop. It is the measure of one core's
// peak that the benchmarks (`go test -bench PeakFMA ./simd`, `make
// bench-compare`) compare the GEMM with.
func FMALoop(iters int) (flops int64, what string) { return fmaLoop(iters) }
