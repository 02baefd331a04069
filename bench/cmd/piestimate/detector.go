package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
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

// pigoClassify is the function holding the cascade's node tests.
const pigoClassify = "github.com/esimov/pigo/core.(*Pigo).classifyRegion"

// detector builds pidetect, counts the node tests a frame and returns,
// per board name, the node tests' ms.
func detector(ctx context.Context, w io.Writer, repo, data string) (map[string]float64, error) {
	dir, err := os.MkdirTemp("", "pidetect")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "pidetect")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/pidetect")
	cmd.Dir = filepath.Join(repo, "bench")
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("building pidetect for arm64: %v\n%s", err, out)
	}
	l, err := loopOf(ctx, bin, pigoClassify, func(t string) bool {
		return strings.HasPrefix(t, "ldrb ") || strings.HasPrefix(t, "ldrsb ")
	})
	if err != nil {
		return nil, fmt.Errorf("pigo's classifyRegion: %w", err)
	}
	c1, err := countBlocks(ctx, bin, data, l.head, 1)
	if err != nil {
		return nil, err
	}
	c3, err := countBlocks(ctx, bin, data, l.head, 3)
	if err != nil {
		return nil, err
	}
	nodes := float64(c3-c1) / 2
	fmt.Fprintf(w, "\nThe face detector (pigo's cascade over a 640×480 frame), a LOWER BOUND: %.2f million tree-node tests a frame (counted for arm64 under qemu), "+
		"each an iteration of classifyRegion's innermost loop (%d instructions, %d byte loads) at llvm-mca's cycles; the rest of the detector left out, every load an L1 hit.\n\n",
		nodes/1e6, l.insns, l.count)
	fmt.Fprintln(w, "| board | llvm-mca cycles a node test | node tests ms (≥) |")
	fmt.Fprintln(w, "|---|--:|--:|")
	ms := map[string]float64{}
	for _, b := range boards {
		cyc, err := mcaCycles(ctx, b.cpu, l.body)
		if err != nil {
			return nil, err
		}
		ms[b.name] = nodes * cyc / (b.ghz * 1e6)
		fmt.Fprintf(w, "| %s | %.1f | %.1f |\n", b.name, cyc, ms[b.name])
	}
	return ms, nil
}

// countBlocks runs pidetect for n frames under qemu and counts the
// translation blocks executed that start at head.
func countBlocks(ctx context.Context, bin, data string, head uint64, n int) (int64, error) {
	cmd := exec.CommandContext(ctx, "qemu-aarch64-static", "-d", "nochain,exec", "-dfilter", fmt.Sprintf("0x%x+0x4", head), "-D", "/dev/stdout",
		bin, "-data", data, "-n", fmt.Sprint(n))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return 0, err
	}
	if err := cmd.Start(); err != nil {
		return 0, fmt.Errorf("qemu-aarch64-static: %w (apt-get install qemu-user-static)", err)
	}
	var blocks int64
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "Trace ") {
			blocks++
		}
	}
	if err := sc.Err(); err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		return 0, err
	}
	if err := cmd.Wait(); err != nil {
		return 0, fmt.Errorf("pidetect under qemu: %w", err)
	}
	return blocks, nil
}
