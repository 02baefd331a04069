//go:build !unix

package audit

import "os"

// writeOnce appends b. Outside Unix, os.File.Write is the closest to one
// write(2) there is.
func writeOnce(f *os.File, b []byte) (int, error) {
	return f.Write(b)
}
