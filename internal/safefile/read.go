package safefile

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// ErrTooLarge is wrapped by the error for a file or stream larger than
// the limit its reader sets.
var ErrTooLarge = errors.New("too large")

// Open opens path for reading and requires a regular file: a device such
// as /dev/zero, a FIFO, a socket or a directory is an error wrapping
// ErrNotRegular. It opens with O_NONBLOCK, so that a FIFO without a
// writer does not block the open; for a regular file the flag changes
// nothing. A symbolic link is followed.
func Open(path string) (*os.File, fs.FileInfo, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|oNonblock, 0)
	if err != nil {
		return nil, nil, err // *fs.PathError names the file
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, nil, notRegular(path, st.Mode())
	}
	return f, st, nil
}

// ReadFile reads the regular file at path (see Open), of at most max
// bytes: a larger one is an error wrapping ErrTooLarge, found from its
// size before anything is read. A file that grows while it is read is
// cut at max+1 bytes and refused the same way.
func ReadFile(path string, max int64) ([]byte, error) {
	f, st, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st.Size() > max {
		return nil, tooLarge(path, max)
	}
	b, err := readAtMost(f, max, st.Size())
	if errors.Is(err, ErrTooLarge) {
		return nil, tooLarge(path, max)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return b, nil
}

// ReadAll reads r to its end, at most max bytes (an error wrapping
// ErrTooLarge if there is more), and gives up with ctx.Err() as soon as
// ctx is done, even while a read blocks (standard input from a terminal or
// a pipe): the blocked read is left to the process's exit.
func ReadAll(ctx context.Context, r io.Reader, max int64) ([]byte, error) {
	type result struct {
		b   []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		b, err := readAtMost(ctxReader{ctx, r}, max, 0)
		done <- result{b, err}
	}()
	select {
	case res := <-done:
		if res.err == nil {
			res.err = ctx.Err()
		}
		return res.b, res.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// ctxReader stops reading between reads once ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

func readAtMost(r io.Reader, max, hint int64) ([]byte, error) {
	b := make([]byte, 0, min(max, hint)+1)
	b, err := readAll(io.LimitReader(r, max+1), b)
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, ErrTooLarge
	}
	return b, nil
}

// readAll is io.ReadAll into b.
func readAll(r io.Reader, b []byte) ([]byte, error) {
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}

func tooLarge(path string, max int64) error {
	return fmt.Errorf("%s is %w: more than %d bytes", path, ErrTooLarge, max)
}
