//go:build !purego

package simd

func fmaLoop(iters int) (int64, string) {
	if !hasAVX2FMA {
		return 0, ""
	}
	fmaPeak(iters)
	return 192 * int64(iters), "12 chains of VFMADD231PS on ymm registers"
}
