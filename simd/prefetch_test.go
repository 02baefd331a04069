package simd

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestPrefetchStore: every table's PrefetchStore leaves every value as it
// was, for every start within a line and lengths that end inside, at and
// past a line's end (a hint cannot be checked for more).
func TestPrefetchStore(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	buf := make([]float32, 600)
	fill(r, buf)
	want := slices.Clone(buf)
	for i := range impls {
		im := &impls[i]
		im.resolve()
		for start := 0; start < 17; start++ {
			for _, n := range []int{1, 2, 15, 16, 17, 31, 32, 33, 100, 583 - start} {
				im.prefetchStore(buf[start : start+n])
				if !slices.Equal(buf, want) {
					t.Fatalf("%s: PrefetchStore(buf[%d:%d]) changed the values", im.name, start, start+n)
				}
			}
		}
	}
	PrefetchStore(nil) // no line to ask for
	PrefetchStore(buf[:0])
	if !slices.Equal(buf, want) {
		t.Fatal("PrefetchStore changed the values")
	}
}
