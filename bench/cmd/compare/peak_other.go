//go:build !amd64

package main

func fmaLoop(n int) {}

const fmaFlopsPerIter = 0

func peakSupported() (bool, string) {
	return false, "no FMA peak loop for this GOARCH"
}
