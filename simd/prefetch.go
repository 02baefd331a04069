package simd

// PrefetchStore asks for the cache lines of dst in the state a write
// needs, without waiting for them; it reads and changes no value. Call it
// for a region a little before writing it, where the lines are likely to
// be held, modified, by another core: a plain store to such a line waits
// for that core to give it up, and the next stores queue behind it, where
// requests made ahead for a plane's lines all proceed at once. On the
// two-core AMD Zen 5 guest of BENCHMARKS.md (a cache line's round trip
// between its cores about 420 ns) the padding of resnet18's stride-2
// layer at 112², 32 of 64 planes a thread at 2 threads, took 42–47 µs a
// thread with plain stores and 23–27 µs with the next plane requested
// ahead; 20 µs for all 64 on one thread.
//
// A hint: the tables that do not issue one (the generic and AVX2 ones,
// and arm64's) do nothing.
func PrefetchStore(dst []float32) {
	if len(dst) == 0 {
		return
	}
	active.prefetchStore(dst)
}

// prefetchStoreGeneric is PrefetchStore without the instruction: nothing.
func prefetchStoreGeneric([]float32) {}
