package eval

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io/fs"
	"math"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/edge-pi/edge/decide"
	"github.com/edge-pi/edge/imageio"
	"github.com/edge-pi/edge/liveness"
	"github.com/edge-pi/edge/simd"
)

// Liveness runs generated visits (MakeSequence) through the camera
// service's path, one attempt a sequence: the Embedder finds and embeds
// the face in each frame, the nearest enrolled person within the
// threshold is the match, the liveness checks of the mode judge it, and
// a decide.Decider (K of N) says whether the door opened. The gallery is
// one enrolment per person: photo 0, embedded from a generated frame (as
// `edge enroll` would from a snapshot). Genuine sequences show the
// person's other photos in order, one decision window long; attacks hold
// up one photo, any of them, for two windows (two attempts), and count
// as an unlock if either opened the door.
//
// Each attempt is also decided with the liveness verdicts ignored, which
// says how many attacks the recogniser alone would have let in (the
// attacks are only a test where that is most of them).

// LivenessOptions shape a Liveness run.
type LivenessOptions struct {
	Seed     uint64
	Seeds    int // sequences per person and kind (default 12)
	Sequence SequenceOptions
	Decide   decide.Config   // K and N (default 3 of 5, no cooldown or cap)
	Liveness liveness.Config // the checks under test
	// Threshold is the distance a match must be within.
	Threshold float64
	Options
}

// LivenessKind is what became of one kind of sequence.
type LivenessKind struct {
	Attempts int `json:"attempts"`
	// Unlocks with the checks; UnlocksWithout with their verdicts ignored.
	Unlocks        int `json:"unlocks"`
	UnlocksWithout int `json:"unlocks_without_liveness"`
	// Motion is each attempt's largest motion score (NaN: none measured);
	// Passive each matched frame's passive score.
	Motion  []float64 `json:"-"`
	Passive []float64 `json:"-"`
}

// UnlockRate is Unlocks / Attempts.
func (k *LivenessKind) UnlockRate() float64 { return ratio(k.Unlocks, k.Attempts) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// LivenessResult is a Liveness run's outcome, by SpoofKinds.
type LivenessResult struct {
	Kinds map[string]*LivenessKind `json:"kinds"`
	// MotionTime and PassiveTime are the checks' mean time per frame they ran on.
	MotionTime, PassiveTime time.Duration
}

// AttackUnlocks is the number of attacks (every kind but genuine) that
// opened the door, and of attacks.
func (r *LivenessResult) AttackUnlocks() (unlocks, attempts int) {
	for k, v := range r.Kinds {
		if k != "genuine" {
			unlocks += v.Unlocks
			attempts += v.Attempts
		}
	}
	return unlocks, attempts
}

// AUC is the area under the ROC curve of a score telling genuine from
// attack values (higher: genuine); NaN scores count as the lowest.
func AUC(genuine, attack []float64) float64 {
	lo := func(v float64) float64 {
		if math.IsNaN(v) {
			return math.Inf(-1)
		}
		return v
	}
	var s float64
	for _, g := range genuine {
		for _, a := range attack {
			switch {
			case lo(g) > lo(a):
				s++
			case lo(g) == lo(a):
				s += 0.5
			}
		}
	}
	if len(genuine) == 0 || len(attack) == 0 {
		return math.NaN()
	}
	return s / float64(len(genuine)*len(attack))
}

// RatesAt is the share of genuine and of attack values at or above t
// (NaN counts as below).
func RatesAt(genuine, attack []float64, t float64) (tpr, fpr float64) {
	count := func(v []float64) int {
		n := 0
		for _, x := range v {
			if x >= t {
				n++
			}
		}
		return n
	}
	return ratio(count(genuine), len(genuine)), ratio(count(attack), len(attack))
}

// Quantile is the q-quantile (0–1) of v, NaNs left out; NaN when none.
func Quantile(v []float64, q float64) float64 {
	s := make([]float64, 0, len(v))
	for _, x := range v {
		if !math.IsNaN(x) {
			s = append(s, x)
		}
	}
	if len(s) == 0 {
		return math.NaN()
	}
	sort.Float64s(s)
	return s[min(len(s)-1, int(q*float64(len(s))))]
}

// Liveness measures the checks on people (each a person's photos, at
// least two), embedding through e, which must also be Located.
func Liveness(ctx context.Context, people [][]image.Image, e Embedder, passive liveness.Scorer, o LivenessOptions) (*LivenessResult, error) {
	loc, ok := e.(Located)
	if !ok {
		return nil, errors.New("eval: liveness needs an Embedder that finds faces (a face model with its detector)")
	}
	if o.Seeds <= 0 {
		o.Seeds = 12
	}
	if o.Decide.K == 0 {
		o.Decide.K, o.Decide.N = 3, 5
	}
	o.Sequence.Frames = max(o.Sequence.Frames, o.Decide.N)
	o.Liveness.Window = o.Decide.N
	var gallery []float32 // one row per person, as simd.L2SquaredBatch takes them
	for p, photos := range people {
		if len(photos) < 2 {
			return nil, fmt.Errorf("eval: person %d has %d photos; liveness needs two or more", p, len(photos))
		}
		f := MakeFrame(photos[0], FrameSeed(o.Seed, p), FrameOptions{MinScale: 1.5, MaxScale: 2.3})
		emb, err := e.Embed(f.Image)
		if err != nil {
			return nil, fmt.Errorf("eval: enrolling person %d: %w", p, err)
		}
		gallery = append(gallery, emb...)
	}
	dists := make([]float32, len(people))
	res := &LivenessResult{Kinds: map[string]*LivenessKind{}}
	var motionN, passiveN int
	timed := timedScorer{s: passive}
	for _, kind := range SpoofKinds {
		res.Kinds[kind] = &LivenessKind{}
	}
	total, done := len(people)*o.Seeds*len(SpoofKinds), 0
	for p, photos := range people {
		for s := 0; s < o.Seeds; s++ {
			for ki, kind := range SpoofKinds {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
				shown := photos
				if kind == "genuine" {
					shown = photos[1:] // not the enrolment photo
				}
				so := o.Sequence
				if kind != "genuine" {
					so.Frames *= 2 // the photo held up for two attempts
				}
				seq, err := MakeSequence(shown, kind, FrameSeed(o.Seed^0x5bd1e995, (p*o.Seeds+s)*len(SpoofKinds)+ki), so)
				if err != nil {
					return nil, err
				}
				var sc liveness.Scorer
				if passive != nil {
					sc = &timed
				}
				chk, err := liveness.NewChecker(o.Liveness, sc)
				if err != nil {
					return nil, err
				}
				with, err := decide.New(o.Decide)
				if err != nil {
					return nil, err
				}
				without, _ := decide.New(o.Decide)
				k := res.Kinds[kind]
				k.Attempts++
				best := math.NaN()
				unlocked, unlockedWithout := false, false
				t0 := time.Unix(0, 0)
				for i, f := range seq.Frames {
					t := t0.Add(time.Duration(i) * 100 * time.Millisecond)
					emb, embErr := e.Embed(f.Image)
					face, _ := loc.Face()
					id, dist := "", math.NaN()
					if embErr == nil {
						simd.L2SquaredBatch(emb, gallery, dists)
						who, dsq := simd.ArgMin(dists)
						dist = math.Sqrt(float64(dsq))
						if dist <= o.Threshold {
							id = strconv.Itoa(who)
						}
					}
					box := image.Rectangle{}
					if id != "" {
						box = face.Box
					}
					m0 := time.Now()
					lv, err := chk.Observe(f.Image, box, id)
					if err != nil {
						return nil, err
					}
					if lv.Checked && o.Liveness.Mode != liveness.Off && o.Liveness.Mode != liveness.PassiveOnly {
						res.MotionTime += time.Since(m0) - timed.last
						motionN++
					}
					if lv.Checked && !math.IsNaN(float64(lv.Passive)) {
						k.Passive = append(k.Passive, float64(lv.Passive))
						res.PassiveTime += timed.last
						passiveN++
					}
					timed.last = 0
					if !math.IsNaN(lv.Motion) && (math.IsNaN(best) || lv.Motion > best) {
						best = lv.Motion
					}
					fr := decide.Frame{Time: t, Face: embErr == nil, Identity: id, Distance: float32(dist), Threshold: float32(o.Threshold)}
					unlockedWithout = without.Observe(fr).Unlock || unlockedWithout
					fr.NotLive, fr.Unproven = !lv.Live && !lv.Pending, lv.Pending
					unlocked = with.Observe(fr).Unlock || unlocked
				}
				k.Motion = append(k.Motion, best)
				if unlocked {
					k.Unlocks++
				}
				if unlockedWithout {
					k.UnlocksWithout++
				}
				done++
				o.progress(done, total)
			}
		}
	}
	if motionN > 0 {
		res.MotionTime /= time.Duration(motionN)
	}
	if passiveN > 0 {
		res.PassiveTime /= time.Duration(passiveN)
	}
	return res, nil
}

// timedScorer times the passive check's calls.
type timedScorer struct {
	s    liveness.Scorer
	last time.Duration
}

func (t *timedScorer) Score(img image.Image, box image.Rectangle) (float32, error) {
	t0 := time.Now()
	v, err := t.s.Score(img, box)
	t.last = time.Since(t0)
	return v, err
}

// LoadPeople reads a folder-per-class data set (ListClasses) as each
// class's images, in natural order of their names (2.pgm before 10.pgm):
// a person's photos in the order they were taken.
func LoadPeople(fsys fs.FS) (names []string, people [][]image.Image, err error) {
	classes, paths, labels, err := ListClasses(fsys)
	if err != nil {
		return nil, nil, err
	}
	byClass := make([][]string, len(classes))
	for i, p := range paths {
		byClass[labels[i]] = append(byClass[labels[i]], p)
	}
	for c, ps := range byClass {
		sort.SliceStable(ps, func(i, j int) bool { return naturalLess(path.Base(ps[i]), path.Base(ps[j])) })
		var imgs []image.Image
		for _, p := range ps {
			img, err := imageio.Load(fsys, p)
			if err != nil {
				return nil, nil, err
			}
			imgs = append(imgs, img)
		}
		names = append(names, classes[c])
		people = append(people, imgs)
	}
	return names, people, nil
}

// naturalLess orders names with their digit runs compared as numbers.
func naturalLess(a, b string) bool {
	for a != "" && b != "" {
		da, db := digitRun(a), digitRun(b)
		if da > 0 && db > 0 {
			na, nb := strings.TrimLeft(a[:da], "0"), strings.TrimLeft(b[:db], "0")
			if len(na) != len(nb) {
				return len(na) < len(nb)
			}
			if na != nb {
				return na < nb
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		a, b = a[1:], b[1:]
	}
	return len(a) < len(b)
}

func digitRun(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}
