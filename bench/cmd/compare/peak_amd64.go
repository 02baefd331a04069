package main

import "golang.org/x/sys/cpu"

// fmaLoop runs n iterations of 12 independent 8-wide fused multiply-adds:
// enough chains to cover the FMA latency times the FMA units of any
// AVX2 core, so it runs at the core's peak.
//
//go:noescape
func fmaLoop(n int)

const fmaFlopsPerIter = 12 * 8 * 2

func peakSupported() (bool, string) {
	if !cpu.X86.HasAVX2 || !cpu.X86.HasFMA {
		return false, "no AVX2+FMA"
	}
	return true, "12 chains of VFMADD231PS on ymm registers"
}
