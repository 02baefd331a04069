package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// The detector of the face pipeline: a lower bound.
//
// The detector is Go code, not a NEON kernel: pigo's face cascade over a
// 640×480 frame (then the pupil search and the quality gate;
// bench/cmd/pidetect runs them as edge run does). Its work is tree-node
// tests: each of a tree's levels loads two pixels, compares them and picks
// the next node, the address of the next test depending on the last one.
// The count comes from qemu-user: pidetect built for arm64 runs with every
// translation block starting at the innermost loop's first instruction
// logged (-d nochain,exec -dfilter), one block a node test, for n = 3
// frames less n = 1, halved (start-up drops out). Each test is then
// timed at llvm-mca's cycles for an iteration of that loop on the board's
// core. Everything else the detector does (the windows' set-up, the
// trees' thresholds, the pupil search, the gate) is left out, and
// llvm-mca's loads all hit L1: a lower bound.
//
// On 4 threads the Locator shares the window sizes out, each goroutine
// taking the next size not yet searched, smallest first. pidetect -sizes
// searches them one at a time, calling sizeDone after each; its blocks,
// logged with the loop's, split the count by size, and the sizes are
// dealt to 4 cores in that order, each to the core that is free first:
// the busiest core's tests are the 4-thread bound (the goroutines' hand-off
// left out).// pigoClassify is the function holding the cascade's node tests.
const pigoClassify = "github.com/esimov/pigo/core.(*Pigo).classifyRegion"

// detector builds pidetect, counts the node tests a frame and returns,
// per board name, the node tests' ms on one thread and on threads.
func detector(ctx context.Context, w io.Writer, repo, data string, threads int) (one, par map[string]float64, err error) {
	dir, err := os.MkdirTemp("", "pidetect")
	if err != nil {
		return nil, nil, err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "pidetect")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/pidetect")
	cmd.Dir = filepath.Join(repo, "bench")
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, nil, fmt.Errorf("building pidetect for arm64: %v\n%s", err, out)
	}
	l, err := loopOf(ctx, bin, pigoClassify, func(t string) bool {
		return strings.HasPrefix(t, "ldrb ") || strings.HasPrefix(t, "ldrsb ")
	})
	if err != nil {
		return nil, nil, fmt.Errorf("pigo's classifyRegion: %w", err)
	}
	mark, err := symbolAddr(ctx, bin, pidetectMark)
	if err != nil {
		return nil, nil, err
	}
	c1, err := countBlocks(ctx, bin, data, l.head, 1)
	if err != nil {
		return nil, nil, err
	}
	c3, err := countBlocks(ctx, bin, data, l.head, 3)
	if err != nil {
		return nil, nil, err
	}
	nodes := float64(c3-c1) / 2
	sizes, err := countSizes(ctx, bin, data, l.head, mark)
	if err != nil {
		return nil, nil, err
	}
	var sum int64
	for _, n := range sizes {
		sum += n
	}
	busiest := schedule(sizes, threads)
	fmt.Fprintf(w, "\nThe face detector (pigo's cascade over a 640×480 frame), a LOWER BOUND: %.2f million tree-node tests a frame (counted for arm64 under qemu), "+
		"each an iteration of classifyRegion's innermost loop (%d instructions, %d byte loads) at llvm-mca's cycles; the rest of the detector left out, every load an L1 hit. "+
		"Searched a window size at a time, its %d sizes hold %.2f million tests, the largest share %.1f%%; dealt to %d cores in the Locator's order, the busiest core has %.2f million.\n\n",
		nodes/1e6, l.insns, l.count, len(sizes), float64(sum)/1e6, 100*float64(slices.Max(sizes))/float64(sum), threads, float64(busiest)/1e6)
	fmt.Fprintf(w, "| board | llvm-mca cycles a node test | node tests ms, 1 thread (≥) | %d threads (≥) |\n", threads)
	fmt.Fprintln(w, "|---|--:|--:|--:|")
	one, par = map[string]float64{}, map[string]float64{}
	for _, b := range boards {
		cyc, err := mcaCycles(ctx, b.cpu, l.body)
		if err != nil {
			return nil, nil, err
		}
		one[b.name] = nodes * cyc / (b.ghz * 1e6)
		par[b.name] = float64(busiest) * cyc / (b.ghz * 1e6)
		fmt.Fprintf(w, "| %s | %.1f | %.1f | %.1f |\n", b.name, cyc, one[b.name], par[b.name])
	}
	return one, par, nil
}

// pidetectMark is the function pidetect -sizes calls after each size.
const pidetectMark = "main.sizeDone"

// schedule deals the sizes' tests, in order, each to the core with the
// fewest so far, and returns the most a core gets.
func schedule(tests []int64, cores int) int64 {
	load := make([]int64, cores)
	for _, n := range tests {
		load[slices.Index(load, slices.Min(load))] += n
	}
	return slices.Max(load)
}

// symbolAddr returns the address of the function full in bin.
func symbolAddr(ctx context.Context, bin, full string) (uint64, error) {
	out, err := exec.CommandContext(ctx, "go", "tool", "nm", bin).Output()
	if err != nil {
		return 0, fmt.Errorf("go tool nm: %w", err)
	}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) == 3 && f[1] == "T" && f[2] == full {
			return strconv.ParseUint(f[0], 16, 64)
		}
	}
	return 0, fmt.Errorf("%s not in %s", full, bin)
}

// countSizes runs pidetect -sizes under qemu and returns the blocks
// starting at head between the blocks starting at mark: each window
// size's node tests.
func countSizes(ctx context.Context, bin, data string, head, mark uint64) ([]int64, error) {
	var sizes []int64
	var n int64
	err := qemuTrace(ctx, fmt.Sprintf("0x%x+0x4,0x%x+0x4", head, mark), func(pc uint64) {
		if pc == mark {
			sizes, n = append(sizes, n), 0
		} else {
			n++
		}
	}, bin, "-data", data, "-sizes")
	if err == nil && (len(sizes) == 0 || n != 0) {
		err = fmt.Errorf("pidetect -sizes: %d sizes marked, %d tests after the last", len(sizes), n)
	}
	return sizes, err
}

// countBlocks runs pidetect for n frames under qemu and counts the
// translation blocks executed that start at head.
func countBlocks(ctx context.Context, bin, data string, head uint64, n int) (int64, error) {
	var blocks int64
	err := qemuTrace(ctx, fmt.Sprintf("0x%x+0x4", head), func(uint64) { blocks++ }, bin, "-data", data, "-n", fmt.Sprint(n))
	return blocks, err
}

// qemuTrace runs bin with args under qemu-user, logging the translation
// blocks executed that start in the ranges filter names, and calls block
// with each one's guest address.
func qemuTrace(ctx context.Context, filter string, block func(pc uint64), bin string, args ...string) error {
	cmd := exec.CommandContext(ctx, "qemu-aarch64-static", append([]string{"-d", "nochain,exec", "-dfilter", filter, "-D", "/dev/stdout", bin}, args...)...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("qemu-aarch64-static: %w (apt-get install qemu-user-static)", err)
	}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if pc, ok := tracePC(sc.Text()); ok {
			block(pc)
		}
	}
	if err := sc.Err(); err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		return err
	}
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("pidetect under qemu: %w", err)
	}
	return nil
}

// tracePC returns the guest address of a qemu "Trace" log line:
// "Trace 0: 0x7f… [flags/pc/…] symbol".
func tracePC(line string) (uint64, bool) {
	if !strings.HasPrefix(line, "Trace ") {
		return 0, false
	}
	_, rest, ok := strings.Cut(line, "[")
	if !ok {
		return 0, false
	}
	f := strings.Split(rest, "/")
	if len(f) < 2 {
		return 0, false
	}
	pc, err := strconv.ParseUint(f[1], 16, 64)
	return pc, err == nil
}
