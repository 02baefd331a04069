//go:build !unix || aix || hurd

package gallery

import (
	"io/fs"
	"os"
)

// lock is a no-op where flock is not available (Windows, Plan 9, AIX):
// edge runs on Linux, and there writers do lock. Without it, two writers
// at once can lose one update, but never corrupt the file, which is
// still replaced atomically.
func lock(path string) (unlock func(), err error) { return func() {}, nil }

// syncDir is a no-op: directories cannot be synced through os.File here.
func syncDir(dir string) error { return nil }

func keepOwner(f *os.File, old fs.FileInfo) {}
