//go:build unix && !aix && !hurd

package gallery

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"golang.org/x/sys/unix"
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
		keepOwner(f, dir)
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

// syncDir makes a rename in dir durable. File systems that cannot sync a
// directory (EINVAL) are taken at their word.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if errors.Is(err, unix.EINVAL) {
		err = nil
	}
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// keepOwner gives f the owner of old when run as root, so that a gallery
// the CLI saves under sudo stays readable by the service's user. Best
// effort: failing leaves root the owner, which the mode already allows.
func keepOwner(f *os.File, old fs.FileInfo) {
	st, ok := old.Sys().(*syscall.Stat_t)
	if !ok || os.Geteuid() != 0 || (int(st.Uid) == 0 && int(st.Gid) == 0) {
		return
	}
	f.Chown(int(st.Uid), int(st.Gid))
}
