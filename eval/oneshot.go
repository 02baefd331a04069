package eval

import (
	"errors"
	"fmt"
	"math"

	"github.com/edge-pi/edge/simd"
)

// rng is SplitMix64 (Steele, Lea, Flood 2014), written out so that the
// draws of OneShot are specified here and not by a library version.
type rng struct{ s uint64 }

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// intn returns a uniform integer in [0, n) by rejection: values of next()
// at or above the largest multiple of n are drawn again.
func (r *rng) intn(n int) int {
	lim := math.MaxUint64 - math.MaxUint64%uint64(n)
	for {
		if v := r.next(); v < lim {
			return int(v % uint64(n))
		}
	}
}

// matrixLimit is the largest number of image pairs (ordered) for which
// OneShot keeps all distances; a variable so tests can take both paths.
var matrixLimit = 1 << 22

// OneShotResult is the outcome of one-shot N-way identification.
type OneShotResult struct {
	// Accuracy is the mean over the draws of the fraction of probes
	// classified correctly; Std is the standard deviation of the
	// per-draw accuracies.
	Accuracy, Std float64
	// NWay is the number of classes, Draws the number of draws, Probes
	// the number of images classified in each draw (all images but the N
	// enrolled).
	NWay, Draws, Probes int
}

// OneShot runs one-shot N-way identification on s, N being the number of
// classes: draws times, enrol one random image per class (the gallery)
// and classify every other image as the class of its nearest gallery
// embedding (Euclidean; on a tie, the class that comes first).
//
// The draws are reproducible from seed: one SplitMix64 stream seeded
// with seed serves all draws in turn; in each, the classes are visited in
// the order of s.Classes and class c enrols its image intn(n_c), n_c
// being its number of images in the order of s.Paths, and intn(n) is
// next() mod n with next() redrawn while at or above
// 2⁶⁴−1 − (2⁶⁴−1) mod n.
func OneShot(s *Set, draws int, seed uint64) (OneShotResult, error) {
	res := OneShotResult{NWay: len(s.Classes), Draws: draws}
	if draws < 1 {
		return res, fmt.Errorf("%d draws; want at least one", draws)
	}
	members := make([][]int, len(s.Classes))
	for i, l := range s.Labels {
		members[l] = append(members[l], i)
	}
	for c, m := range members {
		if len(m) == 0 {
			return res, fmt.Errorf("class %s has no images", s.Classes[c])
		}
	}
	res.Probes = len(s.Labels) - len(s.Classes)
	if res.Probes == 0 {
		return res, errors.New("every class has a single image: nothing to classify")
	}
	n, d, total := len(s.Classes), s.Dim, len(s.Labels)
	// With few images, all distances are computed once (the draws reuse
	// them); otherwise each draw computes the probes' distances to its
	// gallery.
	var all []float32
	if total*total <= matrixLimit {
		all = make([]float32, total*total)
		for i := 0; i < total; i++ {
			simd.L2SquaredBatch(s.Row(i), s.Emb, all[i*total:(i+1)*total])
		}
	}
	gallery := make([]float32, n*d)
	enrolled := make([]int, n)
	dist := make([]float32, n)
	r := rng{seed}
	var sum, sum2 float64
	for k := 0; k < draws; k++ {
		for c, m := range members {
			enrolled[c] = m[r.intn(len(m))]
			if all == nil {
				copy(gallery[c*d:(c+1)*d], s.Row(enrolled[c]))
			}
		}
		correct := 0
		for i, l := range s.Labels {
			if enrolled[l] == i {
				continue
			}
			if all != nil {
				row := all[i*total : (i+1)*total]
				for c, j := range enrolled {
					dist[c] = row[j]
				}
			} else {
				simd.L2SquaredBatch(s.Row(i), gallery, dist)
			}
			if best, _ := simd.ArgMin(dist); best == l {
				correct++
			}
		}
		acc := float64(correct) / float64(res.Probes)
		sum += acc
		sum2 += acc * acc
	}
	res.Accuracy = sum / float64(draws)
	res.Std = math.Sqrt(math.Max(0, sum2/float64(draws)-res.Accuracy*res.Accuracy))
	return res, nil
}
