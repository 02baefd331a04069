//go:build unix

package safefile

import (
	"io/fs"
	"os"
	"syscall"
)

// KeepOwner gives f the owner of old when run as root, so that a file
// the CLI saves under sudo stays usable by the service's user. Best
// effort: failing leaves root the owner, which the mode already allows.
func KeepOwner(f *os.File, old fs.FileInfo) {
	st, ok := old.Sys().(*syscall.Stat_t)
	if !ok || os.Geteuid() != 0 || (int(st.Uid) == 0 && int(st.Gid) == 0) {
		return
	}
	f.Chown(int(st.Uid), int(st.Gid))
}
