package liveness_test

import (
	"image"
	"math"
	"slices"
	"testing"

	"github.com/edge-pi/edge/eval"
	"github.com/edge-pi/edge/internal/edgedata"
	"github.com/edge-pi/edge/liveness"
	"github.com/edge-pi/edge/locate"
)

// people reads the AT&T photos, each person's in order.
func people(t testing.TB) [][]image.Image {
	t.Helper()
	fsys, closer, err := eval.Open(edgedata.Dir(t, "att-faces"))
	if err != nil {
		t.Fatal(err)
	}
	defer closer.Close()
	_, p, err := eval.LoadPeople(fsys)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func detector(t *testing.T) *locate.Locator {
	t.Helper()
	b, err := locate.Cascade("")
	if err != nil {
		t.Fatal(err)
	}
	l, err := locate.New(b, locate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// windowMotion is the second largest motion score between consecutive
// faces of a sequence, as the detector finds them (NaN: under two), the
// evidence the Checker weighs.
func windowMotion(t *testing.T, l *locate.Locator, s eval.Sequence) float64 {
	m := liveness.NewMotion()
	var v []float64
	for _, f := range s.Frames {
		face, err := l.LocateFace(f.Image)
		if err != nil {
			m.Reset()
			continue
		}
		if x := m.Next(f.Image, face.Box); !math.IsNaN(x) {
			v = append(v, x)
		}
	}
	if len(v) < 2 {
		return math.NaN()
	}
	slices.Sort(v)
	return v[len(v)-2]
}

// TestMotionTellsPlanesFromFaces: a photo held up by hand, on a screen or
// printed moves as a plane and stays under the default threshold in
// every window; a person's photos in order (pose and expression change)
// go over it. Five people, two seeds each (`edge eval-liveness` measures
// all of them).
func TestMotionTellsPlanesFromFaces(t *testing.T) {
	ps := people(t)
	l := detector(t)
	live := 0
	n := 0
	for p := 0; p < len(ps); p += 6 {
		for seed := uint64(0); seed < 2; seed++ {
			for _, kind := range eval.SpoofKinds {
				photos := ps[p]
				if kind == "genuine" {
					photos = photos[1:]
				}
				s, err := eval.MakeSequence(photos, kind, seed*977+uint64(p), eval.SequenceOptions{})
				if err != nil {
					t.Fatal(err)
				}
				v := windowMotion(t, l, s)
				if kind == "genuine" {
					n++
					if v >= liveness.DefaultMotion {
						live++
					}
					continue
				}
				if v >= liveness.DefaultMotion {
					t.Errorf("person %d seed %d: a %s attack moved like a face: %.3f ≥ %v", p, seed, kind, v, liveness.DefaultMotion)
				}
			}
		}
	}
	if live < n*8/10 {
		t.Errorf("%d of %d genuine sequences moved enough, want at least 80%%", live, n)
	}
}

// TestMotionNoAllocs: after NewMotion, Next allocates nothing.
func TestMotionNoAllocs(t *testing.T) {
	ps := people(t)
	s, err := eval.MakeSequence(ps[0], "genuine", 1, eval.SequenceOptions{Frames: 2})
	if err != nil {
		t.Fatal(err)
	}
	box := s.Frames[0].Face
	m := liveness.NewMotion()
	m.Next(s.Frames[0].Image, box)
	i := 0
	if a := testing.AllocsPerRun(5, func() { m.Next(s.Frames[i%2].Image, box); i++ }); a != 0 {
		t.Errorf("%v allocations a frame, want 0", a)
	}
	if v := m.Next(s.Frames[0].Image, image.Rectangle{}); !math.IsNaN(v) {
		t.Errorf("an empty box scored %v, want NaN", v)
	}
}

// BenchmarkMotion times one frame's motion score (one fit against the
// previous face) on a 640×480 frame.
func BenchmarkMotion(b *testing.B) {
	ps := people(b)
	s, err := eval.MakeSequence(ps[0], "genuine", 1, eval.SequenceOptions{Frames: 2})
	if err != nil {
		b.Fatal(err)
	}
	m := liveness.NewMotion()
	i := 0
	for b.Loop() {
		m.Next(s.Frames[i%2].Image, s.Frames[i%2].Face)
		i++
	}
}
