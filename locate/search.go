package locate

import (
	"math"
	"sync"
	"sync/atomic"

	pigo "github.com/esimov/pigo/core"
)

// search runs the cascade over p's window sizes and returns the raw
// detections, smallest windows first, as one pigo.RunCascade call does.
// With Threads above 1 the sizes are shared out among that many
// goroutines, each taking the next size not yet searched, smallest (the
// most windows) first; each size is one RunCascade call from that size to
// itself, and the detections are put back in the order of the sizes, so
// that pigo's clustering sees the same list. The slice belongs to the
// Locator.
func (l *Locator) search(p pigo.CascadeParams) []pigo.Detection {
	l.sizes = windowSizes(l.sizes[:0], p.MinSize, p.MaxSize, p.ScaleFactor)
	workers := min(l.o.Threads, len(l.sizes))
	if workers <= 1 {
		return l.cascade.RunCascade(p, 0)
	}
	if cap(l.bySize) < len(l.sizes) {
		l.bySize = make([][]pigo.Detection, len(l.sizes))
	}
	l.bySize = l.bySize[:len(l.sizes)]
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(l.sizes) {
					return
				}
				q := p
				q.MinSize, q.MaxSize = l.sizes[i], l.sizes[i]
				l.bySize[i] = l.cascade.RunCascade(q, 0)
			}
		})
	}
	wg.Wait()
	l.raw = l.raw[:0]
	for i, d := range l.bySize {
		l.raw = append(l.raw, d...)
		l.bySize[i] = nil
	}
	return l.raw
}

// WindowSizes appends to dst the window sizes, smallest first, that
// Detect searches on a w × h image it does not pad (its shorter side
// PadBelow or more): from MinSize to the shorter side or MaxSize.
func (l *Locator) WindowSizes(dst []int, w, h int) []int {
	hi := min(w, h)
	if l.o.MaxSize > 0 {
		hi = min(hi, l.o.MaxSize)
	}
	return windowSizes(dst, l.o.MinSize, hi, l.o.Scale)
}

// windowSizes appends to dst the window sizes pigo's RunCascade searches
// from lo to hi: each the last times scale, at least 2 pixels more.
func windowSizes(dst []int, lo, hi int, scale float64) []int {
	for s := lo; s <= hi; s = int(float64(s) + math.Max(2, float64(s)*scale-float64(s))) {
		dst = append(dst, s)
	}
	return dst
}
