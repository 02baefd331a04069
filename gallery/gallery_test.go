package gallery

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func testModel(dim int) ModelID {
	m := ModelID{Name: "test", EmbeddingSize: dim}
	for i := range m.SHA256 {
		m.SHA256[i] = byte(i * 7)
	}
	return m
}

func randEmb(r *rand.Rand, dim int) []float32 {
	e := make([]float32, dim)
	for i := range e {
		e[i] = float32(r.NormFloat64())
	}
	return e
}

// refDist is the float64 Euclidean distance.
func refDist(a, b []float32) float64 {
	var s float64
	for i := range a {
		d := float64(a[i]) - float64(b[i])
		s += d * d
	}
	return math.Sqrt(s)
}

func TestEnrollIdentifyVerify(t *testing.T) {
	g := New(testModel(2))
	must(t, g.Enroll("ada", []float32{0, 0}))
	must(t, g.Enroll("bob", []float32{10, 0}, []float32{0, 10}))
	if g.Len() != 2 || g.Photos() != 3 {
		t.Fatalf("Len %d Photos %d, want 2 and 3", g.Len(), g.Photos())
	}
	cases := []struct {
		q         []float32
		threshold float32
		name      string
		dist      float32
		ok        bool
	}{
		{[]float32{0, 0}, 1, "ada", 0, true},
		{[]float32{0.6, 0.8}, 1, "ada", 1, true}, // at the threshold: same
		{[]float32{0, 9}, 1, "bob", 1, true},     // nearest photo of bob: the second
		{[]float32{9, 0}, 1, "bob", 1, true},     // and the first
		{[]float32{5, 5}, 1, "", sqrt50, false},  // a stranger gets no name
		{[]float32{0, 2}, 1, "", 2, false},
		{[]float32{0, 2}, 0, "", 2, false},
		{[]float32{0, 0}, 0, "ada", 0, true}, // threshold 0: only identical
	}
	for _, c := range cases {
		name, d, ok := g.Identify(c.q, c.threshold)
		if name != c.name || ok != c.ok || math.Abs(float64(d-c.dist)) > 1e-6 {
			t.Errorf("Identify(%v, %v) = %q, %v, %v; want %q, %v, %v", c.q, c.threshold, name, d, ok, c.name, c.dist, c.ok)
		}
	}
	if name, d := g.Nearest([]float32{6, 4}); name != "bob" || math.Abs(float64(d)-math.Sqrt(32)) > 1e-6 {
		t.Errorf("Nearest = %q, %v; want bob, √32", name, d)
	}
	if m, d, err := g.Verify("bob", []float32{0, 9.5}, 1); !m || d != 0.5 || err != nil {
		t.Errorf("Verify(bob, near bob) = %v, %v, %v", m, d, err)
	}
	if m, d, err := g.Verify("ada", []float32{0, 9.5}, 1); m || d != 9.5 || err != nil {
		t.Errorf("Verify(ada, near bob) = %v, %v, %v", m, d, err)
	}
	if _, _, err := g.Verify("eve", []float32{0, 0}, 1); !errors.Is(err, ErrNotEnrolled) {
		t.Errorf("Verify(eve) error %v, want ErrNotEnrolled", err)
	}
	for _, th := range []float32{float32(math.NaN()), -1} {
		if _, _, ok := g.Identify([]float32{0, 0}, th); ok {
			t.Errorf("threshold %v matched", th)
		}
	}
}

const sqrt50 = 7.0710678118654755

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestEmptyAndNaN(t *testing.T) {
	g := New(testModel(3))
	if name, d, ok := g.Identify([]float32{1, 2, 3}, 100); name != "" || ok || !math.IsInf(float64(d), 1) {
		t.Errorf("empty gallery: %q, %v, %v", name, d, ok)
	}
	var zero Gallery // the zero value is an empty gallery of no model
	if name, _, ok := zero.Identify(nil, 1); name != "" || ok {
		t.Errorf("zero Gallery: %q, %v", name, ok)
	}
	must(t, g.Enroll("ada", []float32{1, 2, 3}))
	nan := float32(math.NaN())
	if name, d, ok := g.Identify([]float32{1, nan, 3}, 100); name != "" || ok || !math.IsNaN(float64(d)) {
		t.Errorf("NaN query: %q, %v, %v", name, d, ok)
	}
	if m, d, err := g.Verify("ada", []float32{1, nan, 3}, 100); m || !math.IsNaN(float64(d)) || err != nil {
		t.Errorf("NaN query: Verify = %v, %v, %v", m, d, err)
	}
}

func TestQueryLengthPanics(t *testing.T) {
	g := New(testModel(3))
	defer func() {
		if recover() == nil {
			t.Error("no panic for a query of the wrong length")
		}
	}()
	g.Identify([]float32{1, 2}, 1)
}

// TestIdentifyReference checks the search against a float64 brute force
// over identities and photos, through changes that rebuild the index.
func TestIdentifyReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, dim := range []int{1, 3, 8, 17, 64, 128} {
		g := New(testModel(dim))
		ref := map[string][][]float32{}
		check := func(step string) {
			t.Helper()
			for q := 0; q < 20; q++ {
				query := randEmb(r, dim)
				bestName, best := "", math.Inf(1)
				for name, embs := range ref {
					for _, e := range embs {
						if d := refDist(query, e); d < best {
							bestName, best = name, d
						}
					}
				}
				name, d := g.Nearest(query)
				if name != bestName || math.Abs(float64(d)-best) > 1e-4*max(1, best) {
					t.Fatalf("dim %d after %s: Nearest = %q, %v; want %q, %v", dim, step, name, d, bestName, best)
				}
				if len(ref) == 0 {
					continue
				}
				m, dv, err := g.Verify(bestName, query, float32(best)*1.001)
				if !m || err != nil || math.Abs(float64(dv)-best) > 1e-4*max(1, best) {
					t.Fatalf("dim %d after %s: Verify(%q) = %v, %v, %v; want true, %v", dim, step, bestName, m, dv, err, best)
				}
			}
		}
		check("nothing")
		for i := 0; i < 30; i++ {
			name := fmt.Sprintf("p%02d", r.IntN(20))
			embs := make([][]float32, 1+r.IntN(3))
			for k := range embs {
				embs[k] = randEmb(r, dim)
			}
			must(t, g.Enroll(name, embs...))
			ref[name] = append(ref[name], embs...)
			check("enrol " + name)
		}
		for name := range ref {
			if r.IntN(3) == 0 {
				must(t, g.Remove(name))
				delete(ref, name)
				check("remove " + name)
			} else if r.IntN(3) == 0 {
				nn := "renamed " + name
				must(t, g.Rename(name, nn))
				ref[nn] = ref[name]
				delete(ref, name)
				check("rename " + name)
			}
		}
	}
}

func TestEnrollCopiesAndValidates(t *testing.T) {
	g := New(testModel(2))
	e := []float32{1, 2}
	must(t, g.Enroll("ada", e))
	e[0] = 100
	if id, _ := g.Lookup("ada"); id.Embeddings[0][0] != 1 {
		t.Error("Enroll kept the caller's slice")
	}
	if id, _ := g.Lookup("ada"); time.Since(id.Enrolled) > time.Minute || id.Enrolled.Location() != time.UTC {
		t.Errorf("Enrolled = %v", id.Enrolled)
	}
	before := g.List()
	bad := []struct {
		name string
		embs [][]float32
		want error
	}{
		{"bob", [][]float32{{1, 2, 3}}, ErrBadEmbedding},
		{"bob", [][]float32{{1, 2}, {1}}, ErrBadEmbedding},
		{"ada", [][]float32{{1, float32(math.NaN())}}, ErrBadEmbedding},
		{"bob", [][]float32{{float32(math.Inf(-1)), 0}}, ErrBadEmbedding},
		{"", [][]float32{{1, 2}}, ErrBadName},
		{"Unknown", [][]float32{{1, 2}}, ErrBadName},
		{"bob", nil, nil},
	}
	for _, b := range bad {
		err := g.Enroll(b.name, b.embs...)
		if err == nil || (b.want != nil && !errors.Is(err, b.want)) {
			t.Errorf("Enroll(%q, %v) error %v, want %v", b.name, b.embs, err, b.want)
		}
	}
	if !slices.EqualFunc(before, g.List(), func(a, b Identity) bool { return a.Name == b.Name && len(a.Embeddings) == len(b.Embeddings) }) {
		t.Error("a failed Enroll changed the gallery")
	}
	// More photos for the same name keep the first enrolment time.
	first, _ := g.Lookup("ada")
	must(t, g.Enroll("ada", []float32{3, 4}))
	if id, _ := g.Lookup("ada"); len(id.Embeddings) != 2 || !id.Enrolled.Equal(first.Enrolled) {
		t.Errorf("second photo: %d photos, enrolled %v (was %v)", len(id.Embeddings), id.Enrolled, first.Enrolled)
	}
}

func TestCheckName(t *testing.T) {
	for _, ok := range []string{"ada", "Ada Lovelace", "s1", "Zoë", "李小龙", "o'brien"} {
		if err := CheckName(ok); err != nil {
			t.Errorf("CheckName(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", " ada", "ada ", "a\nb", "a\tb", "\x00", "\xff", "unknown", "UNKNOWN", string(make([]byte, MaxNameLen+1))} {
		if err := CheckName(bad); !errors.Is(err, ErrBadName) {
			t.Errorf("CheckName(%q) = %v, want ErrBadName", bad, err)
		}
	}
}

func TestRemoveRename(t *testing.T) {
	g := New(testModel(1))
	must(t, g.Enroll("a", []float32{1}))
	must(t, g.Enroll("b", []float32{2}))
	if err := g.Remove("c"); !errors.Is(err, ErrNotEnrolled) {
		t.Errorf("Remove(c) = %v", err)
	}
	if err := g.Rename("c", "d"); !errors.Is(err, ErrNotEnrolled) {
		t.Errorf("Rename(c, d) = %v", err)
	}
	if err := g.Rename("a", "b"); !errors.Is(err, ErrExists) {
		t.Errorf("Rename(a, b) = %v", err)
	}
	if err := g.Rename("a", "unknown"); !errors.Is(err, ErrBadName) {
		t.Errorf("Rename(a, unknown) = %v", err)
	}
	must(t, g.Rename("a", "a"))
	must(t, g.Rename("a", "z"))
	if names := names(g); !slices.Equal(names, []string{"b", "z"}) {
		t.Errorf("names %v", names)
	}
	if name, _, _ := g.Identify([]float32{1}, 0.1); name != "z" {
		t.Errorf("after rename: %q", name)
	}
	must(t, g.Remove("z"))
	if name, _, ok := g.Identify([]float32{1}, 0.1); ok {
		t.Errorf("after remove: %q", name)
	}
}

func names(g *Gallery) []string {
	var n []string
	for _, id := range g.List() {
		n = append(n, id.Name)
	}
	return n
}

func TestMerge(t *testing.T) {
	a, b := New(testModel(1)), New(testModel(1))
	must(t, a.Enroll("x", []float32{1}))
	must(t, b.Enroll("x", []float32{1}, []float32{2}))
	must(t, b.Enroll("y", []float32{3}))
	for range 2 { // twice: the second merge adds nothing
		must(t, a.Merge(b))
		if x, _ := a.Lookup("x"); a.Len() != 2 || len(x.Embeddings) != 2 {
			t.Fatalf("after merge: %d identities, x has %d photos", a.Len(), len(x.Embeddings))
		}
	}
	if err := a.Merge(New(testModel(2))); !errors.Is(err, ErrModelMismatch) {
		t.Errorf("merging another model: %v", err)
	}
}

func TestThresholdOr(t *testing.T) {
	g := New(testModel(1))
	if g.ThresholdOr(0.8) != 0.8 {
		t.Error("no calibrated threshold: want the default")
	}
	g.Threshold = 0.5
	if g.ThresholdOr(0.8) != 0.5 {
		t.Error("calibrated threshold: want it")
	}
}

func bigGallery(tb testing.TB, n, dim int) *Gallery {
	r := rand.New(rand.NewPCG(3, 4))
	g := New(testModel(dim))
	for i := 0; i < n; i++ {
		if err := g.Enroll(fmt.Sprintf("p%05d", i), randEmb(r, dim)); err != nil {
			tb.Fatal(err)
		}
	}
	return g
}

func TestIdentifyVerifyAllocs(t *testing.T) {
	g := bigGallery(t, 100, 64)
	q := randEmb(rand.New(rand.NewPCG(5, 6)), 64)
	if n := testing.AllocsPerRun(100, func() { g.Identify(q, 1) }); n != 0 {
		t.Errorf("Identify: %v allocations per run", n)
	}
	if n := testing.AllocsPerRun(100, func() { g.Verify("p00042", q, 1) }); n != 0 {
		t.Errorf("Verify: %v allocations per run", n)
	}
}

// BenchmarkIdentify searches 10,000 enrolled embeddings (one photo each).
// The goal is ≤ 1 ms per search on one core (run with -cpu 1; the search
// is single-threaded anyway).
func BenchmarkIdentify(b *testing.B) {
	for _, dim := range []int{64, 128} {
		b.Run(fmt.Sprintf("n=10000/d=%d", dim), func(b *testing.B) {
			g := bigGallery(b, 10000, dim)
			q := randEmb(rand.New(rand.NewPCG(7, 8)), dim)
			g.Identify(q, 1) // builds the index
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				g.Identify(q, 1)
			}
		})
	}
}
