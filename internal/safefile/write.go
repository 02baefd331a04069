// Package safefile reads and writes the files edge is handed on its
// command line and in its configuration, whatever they turn out to be:
// a device, a FIFO, a directory or a file larger than any model.
//
// WriteFile replaces a file atomically, and only a regular file (or
// nothing): a device node, a directory or a symbolic link at the target
// is an error, never replaced by a regular file. ReadFile reads a regular
// file of bounded size without blocking on a FIFO.
package safefile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
)

// ErrNotRegular is wrapped by the error for a path that is not a regular
// file: a device, a FIFO, a socket, a directory or a symbolic link.
var ErrNotRegular = errors.New("not a regular file")

// kind names what a non-regular file is.
func kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return "not a regular file"
}

func notRegular(path string, m fs.FileMode) error {
	return fmt.Errorf("%s is %s: %w", path, kind(m), ErrNotRegular)
}

// TempPrefix is the name prefix of WriteFile's temporary files beside
// path, for a caller that cleans up after a killed writer.
func TempPrefix(path string) string { return "." + filepath.Base(filepath.Clean(path)) + ".tmp-" }

// WriteFile writes path atomically: write fills a new temporary file
// beside path (in path's directory), which is synced, renamed over path,
// and the directory synced. A crash at any moment leaves path as it was
// or as written, never partial; on error the old file is intact and the
// temporary file removed.
//
// path must be a regular file or not exist: anything else (a device such
// as /dev/full, a directory, a symbolic link, a FIFO) is an error wrapping
// ErrNotRegular, and nothing is written. The file gets mode perm.
func WriteFile(path string, perm fs.FileMode, write func(w io.Writer) error) error {
	return writeFile(path, perm, false, write)
}

// Replace is WriteFile, but a file it replaces keeps its mode (and, when
// run as root, its owner); perm is the mode of a new file.
func Replace(path string, perm fs.FileMode, write func(w io.Writer) error) error {
	return writeFile(path, perm, true, write)
}

func writeFile(path string, perm fs.FileMode, keep bool, write func(w io.Writer) error) (err error) {
	path = filepath.Clean(path)
	old, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		old = nil
	case err != nil:
		return err
	case !old.Mode().IsRegular():
		return notRegular(path, old.Mode())
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, TempPrefix(path)+"*") // mode 0600
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	mode := perm
	if old != nil && keep {
		mode = old.Mode().Perm()
		KeepOwner(f, old)
	}
	if err := f.Chmod(mode); err != nil {
		return err
	}
	if err := write(f); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	// Lstat and rename are two steps: something put at path in between
	// is replaced. Only the file's owner (or root) can race like that.
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	if err := syncDir(dir); err != nil {
		return &DirSyncError{Path: path, Err: err}
	}
	return nil
}

// DirSyncError reports a file written and renamed in place whose
// directory could not be synced: the new name may not survive a power
// cut.
type DirSyncError struct {
	Path string
	Err  error
}

func (e *DirSyncError) Error() string {
	return fmt.Sprintf("wrote %s, but syncing its directory failed: %v", e.Path, e.Err)
}

func (e *DirSyncError) Unwrap() error { return e.Err }

// syncDir makes a rename in dir durable. File systems that cannot sync a
// directory (EINVAL) are taken at their word; Windows cannot and need
// not.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if errors.Is(err, syscall.EINVAL) {
		err = nil
	}
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
