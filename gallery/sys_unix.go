//go:build unix && !aix && !hurd

package gallery

import (
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"

	"github.com/edge-pi/edge/internal/safefile"
)

// lock takes an exclusive advisory lock (flock) on the lock file at path,
// creating it, and waits for a holder to release it. The lock file is
// never removed: removing it would let two writers lock two files. The
// kernel drops the lock when the process dies, so a killed writer never
// leaves the gallery locked. The file stays empty, is private to its
// user (0600, like the gallery) and is opened read-only (flock needs no
// more); one that root creates is given the owner of its directory, so
// that it does not lock out the service's user.
func lock(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if dir, err := os.Stat(filepath.Dir(path)); err == nil {
		safefile.KeepOwner(f, dir)
	}
	if st, err := f.Stat(); err == nil && st.Mode().Perm() != 0o600 {
		f.Chmod(0o600) // a lock file an older edge made 0644; best effort
	}
	for {
		err = unix.Flock(int(f.Fd()), unix.LOCK_EX)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		unix.Flock(int(f.Fd()), unix.LOCK_UN)
		f.Close()
	}, nil
}
