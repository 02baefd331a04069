// Package eval measures twin networks with the evaluation protocol of
// ../shared/README.md, so that every accuracy figure of the project
// compares:
//
//  1. One-shot N-way identification (OneShot): R seeded draws, each
//     enrolling one random image per class and classifying every other
//     image by its nearest enrolled embedding.
//  2. Verification over all unordered pairs of images (Verify): ROC AUC,
//     equal error rate and true-accept rate at a false-accept rate of 1%.
//  3. The official Omniglot 20-way one-shot task (Omniglot).
//
// Distances are Euclidean. The package reads images and calls an
// Embedder; it prints nothing: progress and skipped files go to the
// callbacks of Options.
package eval

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"io/fs"
	"math"
	"os"
	"path"
	"strings"

	"github.com/edge-pi/edge/imageio"
)

// Embedder turns an image into an embedding; *twin.Net is one. The slice
// it returns may be overwritten by its next call.
type Embedder interface {
	Embed(img image.Image) ([]float32, error)
}

// Options carry the callbacks of the functions that embed images.
type Options struct {
	// Progress, if set, is called after each image is embedded (or
	// skipped) with the number done and the total.
	Progress func(done, total int)
	// Skip, if set, is called for each image that cannot be read or
	// embedded; it is left out of the evaluation. The error's message
	// starts with the path.
	Skip func(path string, err error)
}

func (o *Options) progress(done, total int) {
	if o.Progress != nil {
		o.Progress(done, total)
	}
}

func (o *Options) skip(path string, err error) {
	if o.Skip == nil {
		return
	}
	if !strings.HasPrefix(err.Error(), path) {
		err = fmt.Errorf("%s: %w", path, err)
	}
	o.Skip(path, err)
}

// Open opens a folder or a .zip archive as a file system. Close the
// returned closer when done.
func Open(p string) (fs.FS, io.Closer, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, nil, err
	}
	if st.IsDir() {
		return os.DirFS(p), io.NopCloser(nil), nil
	}
	z, err := zip.OpenReader(p)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: not a folder or a zip archive: %w", p, err)
	}
	return z, z, nil
}

// IsImage reports whether a file name has the extension of a format
// imageio reads (.pgm, .ppm, .pnm, .png, .jpg, .jpeg, any case).
func IsImage(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".pgm", ".ppm", ".pnm", ".png", ".jpg", ".jpeg":
		return true
	}
	return false
}

// hidden reports names a walk skips: dot files and the resource forks of
// macOS zip archives.
func hidden(name string) bool {
	return strings.HasPrefix(name, ".") || name == "__MACOSX"
}

// Set is a folder-per-class data set with one embedding per image.
type Set struct {
	// Classes are the class names: the folders holding images, as paths
	// relative to the data set's root, in lexical order.
	Classes []string
	// Paths are the images, class after class, each class in lexical
	// order; Labels gives each one's class index.
	Paths  []string
	Labels []int
	// Dim is the embedding size; Emb holds the embeddings row by row.
	Dim int
	Emb []float32
}

// Row returns embedding i.
func (s *Set) Row(i int) []float32 { return s.Emb[i*s.Dim : (i+1)*s.Dim] }

// ListClasses finds the images of a folder-per-class data set: every
// folder that directly holds image files is a class (so both
// people/s1/*.pgm and alphabet/character01/*.png work). Images at the
// root, hidden files and other files are ignored.
func ListClasses(fsys fs.FS) (classes []string, paths []string, labels []int, err error) {
	err = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != "." && hidden(d.Name()) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() || !IsImage(p) {
			return nil
		}
		dir := path.Dir(p)
		if dir == "." {
			return nil
		}
		if len(classes) == 0 || classes[len(classes)-1] != dir {
			classes = append(classes, dir)
		}
		paths = append(paths, p)
		labels = append(labels, len(classes)-1)
		return nil
	})
	if err != nil {
		return nil, nil, nil, err
	}
	if len(classes) == 0 {
		return nil, nil, nil, errors.New("no class folders with images (want one folder of images per class)")
	}
	return classes, paths, labels, nil
}

// EmbedFolder lists a folder-per-class data set (ListClasses) and embeds
// each image once. An image that cannot be read or embedded, or whose
// embedding is not finite, is reported to o.Skip and left out; a class
// left without images is dropped.
func EmbedFolder(ctx context.Context, fsys fs.FS, e Embedder, o Options) (*Set, error) {
	classes, paths, labels, err := ListClasses(fsys)
	if err != nil {
		return nil, err
	}
	emb, ok, err := embedPaths(ctx, fsys, paths, e, o)
	if err != nil {
		return nil, err
	}
	s := &Set{Dim: emb.dim}
	last := -1
	for i, p := range paths {
		if !ok[i] {
			continue
		}
		if labels[i] != last {
			s.Classes = append(s.Classes, classes[labels[i]])
			last = labels[i]
		}
		s.Paths = append(s.Paths, p)
		s.Labels = append(s.Labels, len(s.Classes)-1)
		s.Emb = append(s.Emb, emb.row(i)...)
	}
	if len(s.Paths) == 0 {
		return nil, errors.New("no image could be embedded")
	}
	return s, nil
}

// embeddings holds one row per path; rows of skipped paths are zero.
type embeddings struct {
	dim  int
	data []float32
}

func (m *embeddings) row(i int) []float32 { return m.data[i*m.dim : (i+1)*m.dim] }

// embedPaths reads and embeds each path of fsys once, one image at a
// time (running a twin.Net at batch 8 was slower per image than at batch
// 1 on this engine). ok[i] says whether path i was embedded; failures go
// to o.Skip. It stops with ctx's error when ctx is cancelled.
func embedPaths(ctx context.Context, fsys fs.FS, paths []string, e Embedder, o Options) (embeddings, []bool, error) {
	var m embeddings
	ok := make([]bool, len(paths))
	for i, p := range paths {
		if err := ctx.Err(); err != nil {
			return m, ok, err
		}
		if err := m.embed(fsys, p, i, len(paths), e); err != nil {
			o.skip(p, err)
		} else {
			ok[i] = true
		}
		o.progress(i+1, len(paths))
	}
	return m, ok, nil
}

// embed reads path p and stores its embedding in row i of n.
func (m *embeddings) embed(fsys fs.FS, p string, i, n int, e Embedder) error {
	img, err := imageio.Load(fsys, p)
	if err != nil {
		return err
	}
	v, err := e.Embed(img)
	if err != nil {
		return err
	}
	if len(v) == 0 {
		return errors.New("empty embedding")
	}
	if m.dim == 0 {
		m.dim = len(v)
		m.data = make([]float32, n*m.dim)
	}
	if len(v) != m.dim {
		return fmt.Errorf("embedding of %d values, want %d", len(v), m.dim)
	}
	for _, x := range v {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return errors.New("embedding is not finite")
		}
	}
	copy(m.row(i), v)
	return nil
}
