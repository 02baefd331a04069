package eval

import (
	"errors"
	"math"

	"github.com/edge-pi/edge/simd"
)

// OpenSetResult is the door's question asked of a data set at one
// threshold: with half the classes enrolled, are the enrolled named and
// the others kept out?
type OpenSetResult struct {
	Threshold float64 `json:"threshold"`
	// Named counts the enrolled classes' probes whose nearest enrolled
	// embedding is their own class within the threshold, of Enrolled.
	Named    int `json:"named"`
	Enrolled int `json:"enrolled"`
	// Misnamed counts enrolled probes accepted as another class.
	Misnamed int `json:"misnamed"`
	// Accepted counts the strangers' probes accepted as an enrolled
	// class (nearest enrolled distance within the threshold), of
	// Strangers.
	Accepted  int `json:"accepted"`
	Strangers int `json:"strangers"`
}

// OpenSet runs the verify flow of the evaluation protocol (step 3: "enrol
// one photo each of half the people") at threshold t, both ways round:
// first the first half of the classes (in the order of s.Classes) is
// enrolled, each with its first image, and the second half are strangers;
// then the halves swap. Every image but the first of each class is a
// probe (so each class's probes are the same whether it is enrolled or a
// stranger). A probe is named when its nearest enrolled embedding is its
// own class at a distance ≤ t, and a stranger is accepted when any
// enrolled embedding lies within t.
func OpenSet(s *Set, t float64) (OpenSetResult, error) {
	res := OpenSetResult{Threshold: t}
	if !(t > 0) || math.IsInf(t, 0) {
		return res, errors.New("the threshold must be a positive number")
	}
	first := make([]int, len(s.Classes))
	for i := range first {
		first[i] = -1
	}
	for i, l := range s.Labels {
		if first[l] < 0 {
			first[l] = i
		}
	}
	n := len(s.Classes)
	if n < 2 {
		return res, errors.New("the open-set check needs at least two classes")
	}
	half := n / 2
	for swap := 0; swap < 2; swap++ {
		enrolled := func(c int) bool { return (c < half) == (swap == 0) }
		var classes []int
		var gallery []float32
		for c := 0; c < n; c++ {
			if enrolled(c) {
				classes = append(classes, c)
				gallery = append(gallery, s.Row(first[c])...)
			}
		}
		dist := make([]float32, len(classes))
		for i, l := range s.Labels {
			if first[l] == i {
				continue
			}
			simd.L2SquaredBatch(s.Row(i), gallery, dist)
			best, dsq := simd.ArgMin(dist)
			within := math.Sqrt(float64(dsq)) <= t
			if enrolled(l) {
				res.Enrolled++
				switch {
				case within && classes[best] == l:
					res.Named++
				case within:
					res.Misnamed++
				}
			} else {
				res.Strangers++
				if within {
					res.Accepted++
				}
			}
		}
	}
	return res, nil
}

// PairRates is verification at one threshold: over all unordered pairs
// of s, the share of impostor pairs (different classes) within distance
// t, FAR, and of genuine pairs (one class), TAR, with their counts.
func PairRates(s *Set, t float64) (far, tar float64, impostor, genuine int64) {
	n := len(s.Labels)
	var ia, ga int64
	row := make([]float32, n)
	tsq := t * t
	for i := 0; i < n; i++ {
		simd.L2SquaredBatch(s.Row(i), s.Emb[(i+1)*s.Dim:], row[:n-i-1])
		for k, dsq := range row[:n-i-1] {
			j := i + 1 + k
			within := float64(dsq) <= tsq
			if s.Labels[i] == s.Labels[j] {
				genuine++
				if within {
					ga++
				}
			} else {
				impostor++
				if within {
					ia++
				}
			}
		}
	}
	if impostor > 0 {
		far = float64(ia) / float64(impostor)
	}
	if genuine > 0 {
		tar = float64(ga) / float64(genuine)
	}
	return far, tar, impostor, genuine
}
