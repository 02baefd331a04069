//go:build unix

package audit

import (
	"errors"
	"os"
	"syscall"
)

// writeOnce appends b with exactly one write(2) (retried only on EINTR,
// which writes nothing), so that a line is never split across two
// writes and another appender cannot land inside it.
func writeOnce(f *os.File, b []byte) (int, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return 0, err
	}
	var n int
	var werr error
	err = rc.Write(func(fd uintptr) bool {
		for {
			n, werr = syscall.Write(int(fd), b)
			if !errors.Is(werr, syscall.EINTR) {
				return true
			}
		}
	})
	if n < 0 {
		n = 0
	}
	return n, errors.Join(err, werr)
}
