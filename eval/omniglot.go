package eval

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/edge-pi/edge/simd"
)

// Trial is one test of an Omniglot one-shot run: a test image and the
// training image of its class, as paths in the run's file system.
type Trial struct{ Test, Answer string }

// Run is one run of the Omniglot one-shot task: a folder with
// class_labels.txt, whose lines are `test/itemNN.png training/classMM.png`
// (in the official files prefixed by the run's folder: `run01/test/...`).
type Run struct {
	// Name is the run's folder, as a path in the file system.
	Name string
	// Trials are the lines of class_labels.txt.
	Trials []Trial
	// Training are the distinct training images the trials name, sorted:
	// the candidates every test image is compared with.
	Training []string
}

// OpenRuns opens Omniglot one-shot runs: a folder of runNN folders, a
// .zip archive of them (at any depth), or a single run folder. Close the
// returned closer when done.
func OpenRuns(p string) (fs.FS, []Run, io.Closer, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, nil, nil, err
	}
	root := "."
	var (
		fsys   fs.FS
		closer io.Closer = io.NopCloser(nil)
	)
	if _, err := os.Stat(filepath.Join(p, "class_labels.txt")); st.IsDir() && err == nil {
		// A single run: its labels name files relative to its parent.
		abs, err := filepath.Abs(p)
		if err != nil {
			return nil, nil, nil, err
		}
		fsys, root = os.DirFS(filepath.Dir(abs)), filepath.Base(abs)
	} else if fsys, closer, err = Open(p); err != nil {
		return nil, nil, nil, err
	}
	runs, err := FindRuns(fsys, root)
	if err != nil {
		closer.Close()
		return nil, nil, nil, fmt.Errorf("%s: %w", p, err)
	}
	return fsys, runs, closer, nil
}

// FindRuns reads every run under root: each folder holding a
// class_labels.txt, in lexical order.
//
// A path in class_labels.txt that starts with the run folder's name (the
// official `run01/test/item01.png`) is taken relative to the folder's
// parent, any other relative to the run folder, unless only the other
// reading names an existing file.
func FindRuns(fsys fs.FS, root string) ([]Run, error) {
	var runs []Run
	err := fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != root && hidden(d.Name()) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() || d.Name() != "class_labels.txt" {
			return nil
		}
		r, err := readRun(fsys, path.Dir(p))
		if err != nil {
			return err
		}
		runs = append(runs, r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(runs) == 0 {
		return nil, errors.New("no run folders (folders with a class_labels.txt)")
	}
	return runs, nil
}

func readRun(fsys fs.FS, dir string) (Run, error) {
	name := path.Join(dir, "class_labels.txt")
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return Run{}, err
	}
	r := Run{Name: dir}
	resolve := func(p string) string {
		p = path.Clean(strings.ReplaceAll(p, `\`, "/"))
		first, second := path.Join(dir, p), path.Join(path.Dir(dir), p)
		if top, _, _ := strings.Cut(p, "/"); top == path.Base(dir) {
			first, second = second, first
		}
		if !exists(fsys, first) && exists(fsys, second) {
			return second
		}
		return first
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for line := 1; sc.Scan(); line++ {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		if len(f) != 2 {
			return r, fmt.Errorf("%s:%d: want `test/itemNN.png training/classMM.png`, got %q", name, line, sc.Text())
		}
		t := Trial{resolve(f[0]), resolve(f[1])}
		r.Trials = append(r.Trials, t)
		if !slices.Contains(r.Training, t.Answer) {
			r.Training = append(r.Training, t.Answer)
		}
	}
	if err := sc.Err(); err != nil {
		return r, fmt.Errorf("%s: %w", name, err)
	}
	if len(r.Trials) == 0 {
		return r, fmt.Errorf("%s: no trials", name)
	}
	slices.Sort(r.Training)
	return r, nil
}

func exists(fsys fs.FS, p string) bool {
	if !fs.ValidPath(p) {
		return false
	}
	_, err := fs.Stat(fsys, p)
	return err == nil
}

// RunResult is the score of one run.
type RunResult struct {
	Name    string `json:"name"`
	Correct int    `json:"correct"`
	Trials  int    `json:"trials"`
}

// OmniglotResult is the score of the Omniglot one-shot task.
type OmniglotResult struct {
	// Accuracy is Correct / Trials over all runs.
	Accuracy        float64
	Correct, Trials int
	Runs            []RunResult
}

// Omniglot runs the one-shot task: in each run, every test image is
// classified as the training image at the smallest Euclidean distance
// (on a tie, the first in lexical order) among the run's Training, and is
// correct when that is its Answer. Each image is read and embedded once.
//
// An image that cannot be read or embedded is reported to o.Skip; a trial
// whose test image or answer is missing is left out of the count, and a
// missing training image is no candidate.
func Omniglot(ctx context.Context, fsys fs.FS, runs []Run, e Embedder, o Options) (OmniglotResult, error) {
	var res OmniglotResult
	index := map[string]int{}
	var paths []string
	note := func(p string) {
		if _, ok := index[p]; !ok {
			index[p] = len(paths)
			paths = append(paths, p)
		}
	}
	for _, r := range runs {
		for _, p := range r.Training {
			note(p)
		}
		for _, t := range r.Trials {
			note(t.Test)
		}
	}
	emb, ok, err := embedPaths(ctx, fsys, paths, e, o)
	if err != nil {
		return res, err
	}
	var gallery []float32
	var names []string
	for _, r := range runs {
		gallery, names = gallery[:0], names[:0]
		for _, p := range r.Training {
			if i := index[p]; ok[i] {
				gallery = append(gallery, emb.row(i)...)
				names = append(names, p)
			}
		}
		dist := make([]float32, len(names))
		rr := RunResult{Name: r.Name}
		for _, t := range r.Trials {
			ti := index[t.Test]
			if !ok[ti] || !slices.Contains(names, t.Answer) {
				continue
			}
			simd.L2SquaredBatch(emb.row(ti), gallery, dist)
			rr.Trials++
			if best, _ := simd.ArgMin(dist); best >= 0 && names[best] == t.Answer {
				rr.Correct++
			}
		}
		res.Runs = append(res.Runs, rr)
		res.Correct += rr.Correct
		res.Trials += rr.Trials
	}
	if res.Trials == 0 {
		return res, errors.New("no trial could be scored")
	}
	res.Accuracy = float64(res.Correct) / float64(res.Trials)
	return res, nil
}
