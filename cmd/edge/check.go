package main

import (
	"flag"
	"fmt"
	"runtime"
)

// The checks that every command applies alike to the settings they
// share, whether given as a flag or in edge.toml.

// maxThreads bounds --threads and the config's threads: more than any
// machine edge runs on has cores, and each thread costs plan memory.
const maxThreads = 256

// checkThreads says whether n is a thread count: 0 (one per core) to
// maxThreads.
func checkThreads(n int) error {
	if n < 0 || n > maxThreads {
		return fmt.Errorf("threads %d: want 0 (one per core) to %d", n, maxThreads)
	}
	return nil
}

// cpuThreads is n, or the number of CPU cores when n is 0.
func cpuThreads(n int) int {
	if n > 0 {
		return n
	}
	return runtime.NumCPU()
}

// nonEmpty refuses string flags given explicitly as "" (--gallery "",
// --pin ""), which would otherwise silently mean their default.
func nonEmpty(fs *flag.FlagSet, names ...string) error {
	var err error
	fs.Visit(func(f *flag.Flag) {
		for _, n := range names {
			if f.Name == n && f.Value.String() == "" && err == nil {
				err = fmt.Errorf("--%s is empty: give a value, or leave the flag out for the default", n)
			}
		}
	})
	return err
}
