//go:build purego || !amd64

package simd

func fmaLoop(int) (int64, string) { return 0, "" }
