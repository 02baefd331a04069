package gallery

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/edge-pi/edge/internal/safefile"
)

// FileName is the gallery's file name in the state directory.
const FileName = "gallery.edge"

// MaxFileBytes bounds a gallery file: 10,000 people with ten 512-d photos
// each take about 270 MB. A larger file (or a device, or a FIFO) is
// refused before it is read.
const MaxFileBytes = 1 << 30

// DefaultDir returns the directory edge keeps its state in: the first
// directory of $STATE_DIRECTORY (set by systemd for a unit with
// StateDirectory=), else $XDG_STATE_HOME/edge (when absolute, as the XDG
// specification requires), else ~/.local/state/edge. It does not create
// the directory.
func DefaultDir() (string, error) {
	if d, _, _ := strings.Cut(os.Getenv("STATE_DIRECTORY"), ":"); d != "" {
		return d, nil
	}
	if d := os.Getenv("XDG_STATE_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "edge"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("no state directory: set STATE_DIRECTORY or XDG_STATE_HOME (%v)", err)
	}
	return filepath.Join(home, ".local", "state", "edge"), nil
}

// DefaultPath returns the gallery file in DefaultDir.
func DefaultPath() (string, error) {
	d, err := DefaultDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, FileName), nil
}

// Store is a gallery file used with one model. Its methods are not safe
// for concurrent use by several goroutines; several processes (the CLI
// and a service) may share a file, each with its own Store.
type Store struct {
	// Path is the gallery file; its lock file is Path + ".lock".
	Path string
	// Model is the model in use; a file made with another is refused.
	Model ModelID

	seen  string // the checksum line of the file last read or written
	known bool   // seen is valid (a missing file is seen == "")
	tail  []byte // buffer for the checksum line
}

// NewStore returns a Store for the gallery file path, used with model m.
// It touches nothing on disk.
func NewStore(path string, m ModelID) *Store {
	return &Store{Path: path, Model: m}
}

// Load reads the gallery. It is an error wrapping fs.ErrNotExist if
// there is none, a *CorruptError if the file does not check out, and a
// *ModelError if another model made it. Reading takes no lock: the file
// is only ever replaced whole.
func (s *Store) Load() (*Gallery, error) {
	g, _, err := s.read(true)
	return g, err
}

// ReloadIfChanged reads the gallery again if the file changed since the
// last Load, ReloadIfChanged or Update of this Store (or if there was
// none). It returns changed = false and a nil gallery when the file is
// the same; deciding that costs an open and a read of the checksum line,
// so a service can call it every second. (Damage to the file in place
// that leaves its checksum line alone goes unnoticed until the next
// change; the gallery in memory, checked when read, is unaffected.) A
// file that was removed is an
// empty gallery: removing the gallery revokes everyone. On error (a
// corrupt file, another model) the caller should keep the gallery it
// has; the error repeats on each call until the file is fixed.
func (s *Store) ReloadIfChanged() (g *Gallery, changed bool, err error) {
	return s.read(false)
}

func (s *Store) read(force bool) (*Gallery, bool, error) {
	f, fi, err := safefile.Open(s.Path) // a regular file, never a FIFO or device
	if errors.Is(err, fs.ErrNotExist) {
		if force {
			return nil, false, fmt.Errorf("no gallery at %s (enrol someone first): %w", s.Path, fs.ErrNotExist)
		}
		if s.known && s.seen == "" {
			return nil, false, nil
		}
		s.seen, s.known = "", true
		return New(s.Model), true, nil
	}
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	size := fi.Size()
	if size > MaxFileBytes {
		return nil, false, fmt.Errorf("gallery %s: %d bytes, more than a gallery can be (%d)", s.Path, size, MaxFileBytes)
	}
	if !force && s.known && s.seen != "" && size >= int64(trailerSize) {
		if s.tail == nil {
			s.tail = make([]byte, trailerSize)
		}
		if _, err := f.ReadAt(s.tail, size-int64(trailerSize)); err != nil {
			return nil, false, fmt.Errorf("reading gallery %s: %w", s.Path, err)
		}
		if string(s.tail) == s.seen {
			return nil, false, nil
		}
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes))
	if err != nil {
		return nil, false, fmt.Errorf("reading gallery %s: %w", s.Path, err)
	}
	g, err := s.decode(data)
	if err != nil {
		return nil, false, err
	}
	s.seen, s.known = string(data[len(data)-trailerSize:]), true
	return g, true, nil
}

// ReadFile reads the gallery at path without checking its model, for
// showing or copying it; errors name the file. To match embeddings
// against it, use a Store, which checks the model.
func ReadFile(path string) (*Gallery, error) {
	data, err := safefile.ReadFile(path, MaxFileBytes)
	if err != nil {
		return nil, err
	}
	return decodeFile(path, data)
}

// decode unmarshals data read from s.Path and checks its model, naming
// the file in errors.
func (s *Store) decode(data []byte) (*Gallery, error) {
	g, err := decodeFile(s.Path, data)
	if err != nil {
		return nil, err
	}
	if g.Model != s.Model {
		return nil, &ModelError{Path: s.Path, File: g.Model, Want: s.Model}
	}
	return g, nil
}

// decodeFile unmarshals data read from path, naming it in errors.
func decodeFile(path string, data []byte) (*Gallery, error) {
	g, err := Unmarshal(data)
	var ce *CorruptError
	var ve *VersionError
	switch {
	case errors.As(err, &ce):
		ce.Path = path
		return nil, ce
	case errors.As(err, &ve):
		ve.Path = path
		return nil, ve
	}
	return g, err
}

// Update is the read-modify-write of the gallery: under an exclusive
// lock on the lock file beside it (waiting for another writer to finish),
// it reads the gallery (an empty one if there is no file), calls fn, and
// if fn returns nil, writes the result atomically (WriteFile) and returns
// it. If fn fails nothing is written and its error is returned. A corrupt
// file or one of another model is not touched: Update returns the error
// of Load. Temporary files that a killed writer left are removed.
func (s *Store) Update(fn func(g *Gallery) error) (*Gallery, error) {
	dir := filepath.Dir(s.Path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	unlock, err := lock(s.Path + ".lock")
	if err != nil {
		return nil, fmt.Errorf("locking gallery %s: %w", s.Path, err)
	}
	defer unlock()
	removeTemps(s.Path)
	g, _, err := s.read(true)
	if errors.Is(err, fs.ErrNotExist) {
		g, err = New(s.Model), nil
	}
	if err != nil {
		return nil, err
	}
	if err := fn(g); err != nil {
		return nil, err
	}
	data, err := Marshal(g)
	if err != nil {
		return nil, err
	}
	if err := writeAtomic(s.Path, data); err != nil {
		return nil, err
	}
	s.seen, s.known = string(data[len(data)-trailerSize:]), true
	return g, nil
}

// Replace writes g as the gallery, under the lock, whatever the file
// holds now: also a corrupt file, one of another model or of a newer
// format, which Update refuses to touch. It is how a backup is restored
// over a damaged gallery. g must be of the store's model.
func (s *Store) Replace(g *Gallery) error {
	if err := g.CheckModel(s.Model); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(s.Path), 0o700); err != nil {
		return err
	}
	unlock, err := lock(s.Path + ".lock")
	if err != nil {
		return fmt.Errorf("locking gallery %s: %w", s.Path, err)
	}
	defer unlock()
	removeTemps(s.Path)
	data, err := Marshal(g)
	if err != nil {
		return err
	}
	if err := writeAtomic(s.Path, data); err != nil {
		return err
	}
	s.seen, s.known = string(data[len(data)-trailerSize:]), true
	return nil
}

// WriteFile writes g to path atomically: to a temporary file in the same
// directory, synced to disk, renamed over path, and the directory synced.
// path must be a regular file or nothing: a device, a directory or a
// symbolic link there is an error (wrapping safefile.ErrNotRegular).
// A crash at any moment leaves path as it was or as written, never
// partial; on error (a full disk) the old file is intact and the
// temporary file removed. The new file keeps the old one's permissions
// (and, for root, its owner); a new one is private to its user (0600):
// embeddings of faces are personal data. WriteFile takes no lock: use
// Store.Update when another process may write too.
func WriteFile(path string, g *Gallery) error {
	data, err := Marshal(g)
	if err != nil {
		return err
	}
	return writeAtomic(path, data)
}

func tempPrefix(path string) string { return safefile.TempPrefix(path) }

// writeAtomic writes data to path with safefile.Replace: a new gallery
// is 0600, one that exists keeps its mode and owner, and anything at path
// but a regular file is refused.
func writeAtomic(path string, data []byte) error {
	err := safefile.Replace(path, 0o600, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
	var dse *safefile.DirSyncError
	switch {
	case errors.As(err, &dse):
		// The new file is in place but its name may not survive a power
		// cut; say so rather than claim it is saved.
		return fmt.Errorf("saved gallery %s, but syncing its directory failed: %w", path, dse.Err)
	case err != nil:
		return fmt.Errorf("saving gallery %s: %w (the old file is unchanged)", path, err)
	}
	return nil
}

// removeTemps removes the temporary files of writers killed before their
// rename. Called under the lock, so no live writer owns one.
func removeTemps(path string) {
	dir := filepath.Dir(path)
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), tempPrefix(path)) {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}
