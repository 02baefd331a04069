//go:build !unix

package safefile

import (
	"io/fs"
	"os"
)

// KeepOwner does nothing where files have no Unix owner.
func KeepOwner(f *os.File, old fs.FileInfo) {}
