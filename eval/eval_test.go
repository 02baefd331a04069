package eval

import (
	"context"
	"errors"
	"fmt"
	"image"
	"math"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

func approx(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// counts runs pairCounts on explicit distances (not squared).
func counts(gen, imp []float64) *Verification {
	g := make([]float32, len(gen))
	for i, d := range gen {
		g[i] = float32(d * d)
	}
	p := newPairCounts(g, 1000)
	for _, d := range imp {
		p.impostor(float32(d * d))
	}
	return p.result()
}

// trapezoid is the area under a polyline.
func trapezoid(roc []ROCPoint) float64 {
	a := 0.0
	for i := 1; i < len(roc); i++ {
		a += (roc[i].FAR - roc[i-1].FAR) * (roc[i].TAR + roc[i-1].TAR) / 2
	}
	return a
}

func TestVerificationKnownRanking(t *testing.T) {
	// Genuine {1, 4}, impostor {2, 3, 6, 7}: genuine 1 is closer than all
	// four impostors, genuine 4 than two: AUC 6/8.
	v := counts([]float64{4, 1}, []float64{6, 2, 7, 3})
	want := []ROCPoint{{0, 0}, {0, 0.5}, {0.5, 0.5}, {0.5, 1}, {1, 1}}
	if !slices.Equal(v.ROC, want) {
		t.Errorf("ROC %v, want %v", v.ROC, want)
	}
	if !approx(v.AUC, 0.75) || !approx(trapezoid(v.ROC), v.AUC) {
		t.Errorf("AUC %v (trapezoid %v), want 0.75", v.AUC, trapezoid(v.ROC))
	}
	// FAR = FRR = 0.5 at any threshold in [3, 4).
	if !approx(v.EER, 0.5) || v.EERThreshold != 1 {
		t.Errorf("EER %v at %v, want 0.5 at 1", v.EER, v.EERThreshold)
	}
	if !approx(v.TARAtFAR1, 0.5) || v.FAR1Threshold != 1 {
		t.Errorf("TAR@FAR1 %v at %v", v.TARAtFAR1, v.FAR1Threshold)
	}
	if v.GenuinePairs != 2 || v.ImpostorPairs != 4 {
		t.Errorf("pairs %d, %d", v.GenuinePairs, v.ImpostorPairs)
	}
}

func TestVerificationTies(t *testing.T) {
	// Genuine {2, 2}, impostor {2, 4, 4, 6}: each genuine ties one
	// impostor (half) and beats three: AUC (2·3.5)/8. The tie makes a
	// diagonal ROC segment from (0, 0) to (0.25, 1), crossing
	// FAR = 1 − TAR at FAR 0.2.
	v := counts([]float64{2, 2}, []float64{4, 2, 6, 4})
	if want := []ROCPoint{{0, 0}, {0.25, 1}, {1, 1}}; !slices.Equal(v.ROC, want) {
		t.Errorf("ROC %v, want %v", v.ROC, want)
	}
	if !approx(v.AUC, 0.875) || !approx(trapezoid(v.ROC), 0.875) {
		t.Errorf("AUC %v", v.AUC)
	}
	if !approx(v.EER, 0.2) || v.EERThreshold != 2 {
		t.Errorf("EER %v at %v, want 0.2 at 2", v.EER, v.EERThreshold)
	}
	// The only threshold accepting a genuine pair accepts 25% impostors.
	if v.TARAtFAR1 != 0 || v.FAR1Threshold != 0 {
		t.Errorf("TAR@FAR1 %v at %v, want 0", v.TARAtFAR1, v.FAR1Threshold)
	}
	// All tied: AUC one half, EER one half.
	v = counts([]float64{3, 3}, []float64{3, 3, 3})
	if !approx(v.AUC, 0.5) || !approx(v.EER, 0.5) {
		t.Errorf("all tied: AUC %v, EER %v", v.AUC, v.EER)
	}
	// Perfect separation.
	v = counts([]float64{1, 2}, []float64{3, 4})
	if v.AUC != 1 || v.EER != 0 || v.TARAtFAR1 != 1 || v.FAR1Threshold != 2 {
		t.Errorf("separated: %+v", v)
	}
}

func TestVerificationConstructed(t *testing.T) {
	// Genuine distances 1…100, impostor 51…150, 100 each. A threshold t
	// accepts (t−50)/100 of the impostors and rejects (100−t)/100 of the
	// genuine pairs: EER 25% at 75. FAR ≤ 1% allows t = 51: TAR 51%.
	// AUC: Σ_k min(100, 50+k) over impostor 51+k, plus half the 50 ties,
	// over 100²: (3725 + 5000 + 25)/10⁴.
	var gen, imp []float64
	for i := 1; i <= 100; i++ {
		gen = append(gen, float64(i))
		imp = append(imp, float64(i+50))
	}
	v := counts(gen, imp)
	if !approx(v.EER, 0.25) || v.EERThreshold != 75 {
		t.Errorf("EER %v at %v, want 0.25 at 75", v.EER, v.EERThreshold)
	}
	if !approx(v.TARAtFAR1, 0.51) || v.FAR1Threshold != 51 {
		t.Errorf("TAR@FAR1 %v at %v, want 0.51 at 51", v.TARAtFAR1, v.FAR1Threshold)
	}
	if !approx(v.AUC, 0.875) || !approx(trapezoid(v.ROC), v.AUC) {
		t.Errorf("AUC %v, trapezoid %v, want 0.875", v.AUC, trapezoid(v.ROC))
	}
	var g, i int64
	for k := range v.Hist.Genuine {
		g += v.Hist.Genuine[k]
		i += v.Hist.Impostor[k]
	}
	if g != 100 || i != 100 || !approx(v.Hist.Width, 3) {
		t.Errorf("histogram: %d genuine, %d impostor, width %v", g, i, v.Hist.Width)
	}
	// Genuine 1…3 fall in bin 0 ([0, 3)), exactly.
	if v.Hist.Genuine[0] != 2 || v.Hist.Genuine[1] != 3 || v.Hist.Impostor[0] != 0 {
		t.Errorf("first bins %v %v", v.Hist.Genuine[:3], v.Hist.Impostor[:3])
	}
}

// line1D is a Set whose embeddings are points on a line.
func line1D(classes [][]float32) *Set {
	s := &Set{Dim: 1}
	for c, xs := range classes {
		s.Classes = append(s.Classes, fmt.Sprintf("c%d", c))
		for i, x := range xs {
			s.Paths = append(s.Paths, fmt.Sprintf("c%d/%d.pgm", c, i))
			s.Labels = append(s.Labels, c)
			s.Emb = append(s.Emb, x)
		}
	}
	return s
}

func TestVerifySet(t *testing.T) {
	// The set of TestVerificationKnownRanking: classes {0, 1} and {3, 7}.
	v, err := Verify(line1D([][]float32{{0, 1}, {3, 7}}))
	if err != nil {
		t.Fatal(err)
	}
	if !approx(v.AUC, 0.75) || !approx(v.EER, 0.5) || !approx(v.TARAtFAR1, 0.5) || v.GenuinePairs != 2 || v.ImpostorPairs != 4 {
		t.Errorf("%+v", v)
	}
	if _, err := Verify(line1D([][]float32{{0}, {1}})); err == nil || !strings.Contains(err.Error(), "no genuine") {
		t.Errorf("singletons: %v", err)
	}
	if _, err := Verify(line1D([][]float32{{0, 1, 2}})); err == nil || !strings.Contains(err.Error(), "no impostor") {
		t.Errorf("one class: %v", err)
	}
}

func TestOneShot(t *testing.T) {
	// Well separated classes: every draw classifies everything.
	s := line1D([][]float32{{0, 1, 2}, {100, 101}, {200}, {300, 301, 302, 303}})
	r, err := OneShot(s, 20, 0)
	if err != nil {
		t.Fatal(err)
	}
	if r.Accuracy != 1 || r.Std != 0 || r.NWay != 4 || r.Probes != 10-4 || r.Draws != 20 {
		t.Errorf("separated: %+v", r)
	}
	// A = {0, 5}, B = {6}: enrolling 5 classifies 0 correctly (5 < 6);
	// enrolling 0 misclassifies 5 (1 < 5). Each draw scores 0 or 1, the
	// mean is the fraction of draws that enrol A's second image.
	s = line1D([][]float32{{0, 5}, {6}})
	r, err = OneShot(s, 4000, 7)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(r.Accuracy-0.5) > 0.03 || math.Abs(r.Std-0.5) > 0.01 || r.Probes != 1 {
		t.Errorf("coin: %+v", r)
	}
	// The draws follow the documented stream.
	g := rng{7}
	hits := 0
	for k := 0; k < 4000; k++ {
		hits += g.intn(2) // class A: index 1 is the image at 5
		g.intn(1)         // class B has one image
	}
	if want := float64(hits) / 4000; !approx(r.Accuracy, want) {
		t.Errorf("accuracy %v, want %v from the documented draws", r.Accuracy, want)
	}
	again, _ := OneShot(s, 4000, 7)
	other, _ := OneShot(s, 4000, 8)
	if again != r || other == r {
		t.Errorf("seeding: same seed %+v, other seed %+v", again, other)
	}
	// Ties go to the class that comes first. Class 0 = {2}, class 1 =
	// {0, 1}: enrolling 0 leaves probe 1 as near class 0 as class 1
	// (wrong); enrolling 1 classifies probe 0 correctly. Ties going to
	// the later class would score 1 in every draw.
	s = line1D([][]float32{{2}, {0, 1}})
	r, _ = OneShot(s, 50, 3)
	g, hits = rng{3}, 0
	for k := 0; k < 50; k++ {
		g.intn(1)
		hits += g.intn(2)
	}
	if want := float64(hits) / 50; !approx(r.Accuracy, want) || want == 1 {
		t.Errorf("ties: accuracy %v, want %v", r.Accuracy, want)
	}
	if _, err := OneShot(line1D([][]float32{{0}, {1}}), 5, 0); err == nil {
		t.Error("singletons: no error")
	}
	if _, err := OneShot(s, 0, 0); err == nil {
		t.Error("0 draws: no error")
	}
}

// TestOneShotPaths checks that keeping all distances and computing them
// per draw give the same result.
func TestOneShotPaths(t *testing.T) {
	s := &Set{Dim: 5}
	g := rng{1}
	for c := 0; c < 6; c++ {
		s.Classes = append(s.Classes, fmt.Sprint(c))
		for i := 0; i <= c%3+1; i++ {
			s.Labels = append(s.Labels, c)
			for k := 0; k < s.Dim; k++ {
				s.Emb = append(s.Emb, float32(c)+float32(g.intn(1000))/300)
			}
		}
	}
	a, err := OneShot(s, 30, 5)
	if err != nil {
		t.Fatal(err)
	}
	defer func(l int) { matrixLimit = l }(matrixLimit)
	matrixLimit = 0
	b, _ := OneShot(s, 30, 5)
	if a != b || a.Accuracy == 1 || a.Accuracy < 0.3 {
		t.Errorf("with all distances %+v, per draw %+v", a, b)
	}
}

func TestRNG(t *testing.T) {
	// SplitMix64 from seed 0 (the reference implementation's output).
	r := rng{0}
	for _, want := range []uint64{0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4, 0x06c45d188009454f} {
		if got := r.next(); got != want {
			t.Fatalf("next() = %#x, want %#x", got, want)
		}
	}
	counts := make([]int, 3)
	for i := 0; i < 30000; i++ {
		counts[r.intn(3)]++
	}
	for _, c := range counts {
		if c < 9500 || c > 10500 {
			t.Errorf("intn(3) counts %v", counts)
		}
	}
}

// embedMean is an Embedder whose embedding is the mean grey value of the
// image (pixel/255) and its width, so tests can place images at will.
type embedMean struct{ calls map[int]int }

func (e *embedMean) Embed(img image.Image) ([]float32, error) {
	g, ok := img.(*image.Gray)
	if !ok {
		return nil, errors.New("not grey")
	}
	if e.calls != nil {
		e.calls[g.Rect.Dx()]++
	}
	s := 0.0
	for _, p := range g.Pix {
		s += float64(p)
	}
	return []float32{float32(s / float64(len(g.Pix)) / 255), float32(g.Rect.Dx())}, nil
}

// pgm is a w×1 grey image of value v.
func pgm(w int, v uint8) *fstest.MapFile {
	b := []byte(fmt.Sprintf("P5 %d 1 255\n", w))
	for i := 0; i < w; i++ {
		b = append(b, v)
	}
	return &fstest.MapFile{Data: b}
}

func TestEmbedFolder(t *testing.T) {
	fsys := fstest.MapFS{
		"people/b/1.pgm":           pgm(1, 10),
		"people/b/2.PGM":           pgm(1, 20),
		"people/a/x.pgm":           pgm(1, 30),
		"people/a/notes.txt":       {Data: []byte("not an image")},
		"people/a/bad.png":         {Data: []byte("\x89PNG\r\n\x1a\nbroken")},
		"people/c/only-bad.jpg":    {Data: []byte("junk")},
		"people/.hidden/1.pgm":     pgm(1, 40),
		"__MACOSX/people/a/x.pgm":  pgm(1, 50),
		"root.pgm":                 pgm(1, 60),
		"alphabet/char01/0001.pgm": pgm(1, 70),
	}
	var skipped []string
	var progress [][2]int
	s, err := EmbedFolder(context.Background(), fsys, &embedMean{}, Options{
		Skip:     func(p string, err error) { skipped = append(skipped, p+" | "+err.Error()) },
		Progress: func(d, n int) { progress = append(progress, [2]int{d, n}) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"alphabet/char01", "people/a", "people/b"}; !slices.Equal(s.Classes, want) {
		t.Errorf("classes %v, want %v", s.Classes, want)
	}
	if want := []string{"alphabet/char01/0001.pgm", "people/a/x.pgm", "people/b/1.pgm", "people/b/2.PGM"}; !slices.Equal(s.Paths, want) {
		t.Errorf("paths %v", s.Paths)
	}
	if !slices.Equal(s.Labels, []int{0, 1, 2, 2}) || s.Dim != 2 || s.Row(1)[0] != 30.0/255 || s.Row(3)[0] != 20.0/255 {
		t.Errorf("labels %v, dim %d, emb %v", s.Labels, s.Dim, s.Emb)
	}
	if len(skipped) != 2 || !strings.HasPrefix(skipped[0], "people/a/bad.png | people/a/bad.png: ") ||
		!strings.HasPrefix(skipped[1], "people/c/only-bad.jpg | people/c/only-bad.jpg: ") {
		t.Errorf("skipped %q", skipped)
	}
	if len(progress) != 6 || progress[5] != [2]int{6, 6} {
		t.Errorf("progress %v", progress)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := EmbedFolder(ctx, fsys, &embedMean{}, Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	if _, err := EmbedFolder(context.Background(), fstest.MapFS{"a.pgm": pgm(1, 1)}, &embedMean{}, Options{}); err == nil {
		t.Error("no class folders: no error")
	}
	if _, err := EmbedFolder(context.Background(), fstest.MapFS{"a/a.txt": {}, "a/b.png": {Data: []byte("x")}}, &embedMean{}, Options{}); err == nil {
		t.Error("nothing embedded: no error")
	}
}

// omniglotFS builds two runs of three classes. Training class k of a run
// is an image of value 50k; test item k is its class's value plus an
// offset, so that it is nearest to class k unless the offset says
// otherwise. Run r01 writes paths as the official files do
// (`r01/test/...`), r02 relative to the run.
func omniglotFS(offsets [2][3]int, answers [2][3]int) fstest.MapFS {
	fsys := fstest.MapFS{}
	for r, name := range []string{"r01", "r02"} {
		var labels strings.Builder
		for k := 0; k < 3; k++ {
			fsys[fmt.Sprintf("all/%s/training/class%02d.pgm", name, k)] = pgm(2, uint8(50*k))
			fsys[fmt.Sprintf("all/%s/test/item%02d.pgm", name, k)] = pgm(2, uint8(50*answers[r][k]+offsets[r][k]))
			prefix := ""
			if r == 0 {
				prefix = name + "/"
			}
			fmt.Fprintf(&labels, "%stest/item%02d.pgm %straining/class%02d.pgm\r\n", prefix, k, prefix, answers[r][k])
		}
		fsys["all/"+name+"/class_labels.txt"] = &fstest.MapFile{Data: []byte(labels.String())}
	}
	return fsys
}

func TestOmniglot(t *testing.T) {
	// Run 1: items within 10 of their classes. Run 2: items 1 and 2 are
	// both of class 2 (value 100), item 2 moved 40 towards class 1.
	fsys := omniglotFS([2][3]int{{5, -5, -10}, {0, 0, -40}}, [2][3]int{{0, 1, 2}, {0, 2, 2}})
	runs, err := FindRuns(fsys, ".")
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 || runs[0].Name != "all/r01" || runs[1].Name != "all/r02" {
		t.Fatalf("runs %+v", runs)
	}
	if want := []Trial{{"all/r01/test/item00.pgm", "all/r01/training/class00.pgm"},
		{"all/r01/test/item01.pgm", "all/r01/training/class01.pgm"},
		{"all/r01/test/item02.pgm", "all/r01/training/class02.pgm"}}; !slices.Equal(runs[0].Trials, want) {
		t.Errorf("trials %v", runs[0].Trials)
	}
	// Run 2's answers name class 2 twice: the candidates are the training
	// images the labels name.
	if want := []string{"all/r02/training/class00.pgm", "all/r02/training/class02.pgm"}; !slices.Equal(runs[1].Training, want) {
		t.Errorf("training %v", runs[1].Training)
	}
	e := &embedMean{calls: map[int]int{}}
	res, err := Omniglot(context.Background(), fsys, runs, e, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Run 2's item 2 (value 60) is compared with its candidates 0 and
	// 100 only: nearer 100, its class. All correct.
	if res.Trials != 6 || res.Correct != 6 || res.Accuracy != 1 {
		t.Errorf("result %+v", res)
	}
	if e.calls[2] != 3+3+2+3 {
		t.Errorf("%d embeddings, want each image once (11)", e.calls[2])
	}

	// Now make run 2's item 2 wrong: value 40 is nearer class 0.
	fsys = omniglotFS([2][3]int{{5, -5, -10}, {0, 0, -60}}, [2][3]int{{0, 1, 2}, {0, 2, 2}})
	runs, _ = FindRuns(fsys, ".")
	res, err = Omniglot(context.Background(), fsys, runs, &embedMean{}, Options{})
	if err != nil || res.Correct != 5 || res.Trials != 6 || !approx(res.Accuracy, 5.0/6) ||
		res.Runs[0] != (RunResult{"all/r01", 3, 3}) || res.Runs[1] != (RunResult{"all/r02", 2, 3}) {
		t.Errorf("result %+v, %v", res, err)
	}

	// A corrupt test image drops its trial; a corrupt training image
	// drops the trials it answers.
	fsys["all/r01/test/item00.pgm"] = &fstest.MapFile{Data: []byte("P5 9 9 255\n")}
	fsys["all/r02/training/class02.pgm"] = &fstest.MapFile{Data: []byte("P5 9 9 255\n")}
	var skipped []string
	res, err = Omniglot(context.Background(), fsys, runs, &embedMean{}, Options{Skip: func(p string, _ error) { skipped = append(skipped, p) }})
	if err != nil || res.Trials != 3 || res.Correct != 3 || len(skipped) != 2 {
		t.Errorf("corrupt images: %+v, %v, skipped %v", res, err, skipped)
	}

	for _, bad := range []string{"one-field\n", "", "a b c\n"} {
		fs := fstest.MapFS{"run01/class_labels.txt": {Data: []byte(bad)}}
		if _, err := FindRuns(fs, "."); err == nil || !strings.Contains(err.Error(), "class_labels.txt") {
			t.Errorf("labels %q: %v", bad, err)
		}
	}
	if _, err := FindRuns(fstest.MapFS{"x/y.png": {}}, "."); err == nil {
		t.Error("no runs: no error")
	}
}

func TestPlots(t *testing.T) {
	var gen, imp []float64
	for i := 1; i <= 100; i++ {
		gen = append(gen, float64(i))
		imp = append(imp, float64(i+50))
	}
	v := counts(gen, imp)
	for name, img := range map[string]*image.RGBA{"roc": PlotROC(v, "test"), "distances": PlotDistances(v, "test")} {
		if img.Rect.Dx() != plotW || img.Rect.Dy() != plotH {
			t.Errorf("%s: %v", name, img.Rect)
		}
		// Coloured ink inside the plot area: the curve or the bars.
		coloured := 0
		for y := marginT; y < plotH-marginB; y++ {
			for x := marginL + 3; x < plotW-marginR; x++ {
				o := img.PixOffset(x, y)
				if p := img.Pix[o : o+3]; p[0] != p[1] || p[1] != p[2] {
					coloured++
				}
			}
		}
		if coloured < 1000 {
			t.Errorf("%s: %d coloured pixels", name, coloured)
		}
	}
	for r, s := range glyphRows {
		rows := glyph(r)
		if len(rows) != glyphH {
			t.Errorf("glyph %q: %d rows", r, len(rows))
		}
		for _, row := range rows {
			if len(row) != glyphW || strings.Trim(row, ".#") != "" {
				t.Errorf("glyph %q: row %q (%s)", r, row, s)
			}
		}
	}
	if got := niceTicks(36.2, 6); !slices.Equal(got, []float64{0, 10, 20, 30}) {
		t.Errorf("ticks %v", got)
	}
	if got := niceTicks(1, 5); len(got) != 6 || got[5] != 1 {
		t.Errorf("ticks %v", got)
	}
}
