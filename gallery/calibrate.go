package gallery

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/edge-pi/edge/simd"
)

// Calibration is the threshold Calibrate chose and how it does on the
// pairs it was chosen on.
type Calibration struct {
	Threshold float32 // distance ≤ Threshold means "same"
	TargetFAR float64 // the false-accept rate asked for
	FAR       float64 // impostor pairs accepted at Threshold, as a fraction
	TAR       float64 // genuine pairs accepted at Threshold, as a fraction
	Genuine   int     // number of genuine (same-identity) pairs
	Impostor  int     // number of impostor (different-identity) pairs
}

// Calibrate returns the largest threshold whose false-accept rate on the
// impostor distances is at most targetFAR, where a pair is accepted when
// its distance is ≤ the threshold. With N impostor pairs, at most
// k = ⌊targetFAR·N⌋ of them may be accepted, so the threshold is the
// largest float32 below the (k+1)-th smallest impostor distance.
//
// Ties: a threshold cannot accept some of several equal distances and
// not the others. When the (k+1)-th smallest impostor distance equals
// the k-th (or more before it), all of them are rejected, and the FAR
// reached is below the target rather than over it. Genuine distances
// equal to an impostor distance at the boundary are rejected with it.
//
// targetFAR must be in [0, 1). A FAR below 1/N cannot be measured on N
// pairs: the threshold then accepts no impostor pair, which is all the
// data can promise. It is an error if an impostor pair has distance 0
// and may not be accepted (no threshold separates it), or if a distance
// is negative or NaN.
func Calibrate(genuine, impostor []float32, targetFAR float64) (Calibration, error) {
	if !(targetFAR >= 0 && targetFAR < 1) {
		return Calibration{}, fmt.Errorf("target false-accept rate %v: want 0 ≤ FAR < 1", targetFAR)
	}
	if len(genuine) == 0 || len(impostor) == 0 {
		return Calibration{}, fmt.Errorf("calibration needs genuine and impostor pairs; have %d and %d", len(genuine), len(impostor))
	}
	for _, set := range [][]float32{genuine, impostor} {
		for _, d := range set {
			if !(d >= 0) {
				return Calibration{}, fmt.Errorf("distance %v: want ≥ 0", d)
			}
		}
	}
	imp := slices.Clone(impostor)
	slices.Sort(imp)
	n := len(imp)
	// k = ⌊targetFAR·N⌋, corrected for the rounding of the product so that
	// k/N ≤ targetFAR exactly as the rate is computed below.
	k := int(math.Floor(targetFAR * float64(n)))
	for k+1 < n && float64(k+1)/float64(n) <= targetFAR {
		k++
	}
	for k > 0 && float64(k)/float64(n) > targetFAR {
		k--
	}
	if imp[k] == 0 {
		return Calibration{}, fmt.Errorf("%d impostor pairs are at distance 0 (identical embeddings of different identities): no threshold meets a FAR of %v", countLE(imp, 0), targetFAR)
	}
	t := math.Nextafter32(imp[k], float32(math.Inf(-1)))
	c := Calibration{Threshold: t, TargetFAR: targetFAR, Genuine: len(genuine), Impostor: n}
	c.FAR = float64(countLE(imp, t)) / float64(n)
	acc := 0
	for _, d := range genuine {
		if d <= t {
			acc++
		}
	}
	c.TAR = float64(acc) / float64(len(genuine))
	return c, nil
}

// countLE returns how many elements of the sorted x are ≤ t.
func countLE(x []float32, t float32) int {
	i, _ := slices.BinarySearchFunc(x, t, func(v, t float32) int {
		if v <= t {
			return -1
		}
		return 1
	})
	return i
}

// Pairs returns the Euclidean distances of all unordered pairs of a
// labelled set of embeddings: genuine for pairs with the same label,
// impostor for the others. emb holds len(labels) rows of dim floats,
// row-major. The cost is n²/2 distances and floats of memory: 400 photos
// make 79,800 pairs, 10,000 photos 50 million.
func Pairs(emb []float32, dim int, labels []int) (genuine, impostor []float32, err error) {
	n := len(labels)
	if dim <= 0 || len(emb) != n*dim {
		return nil, nil, errors.New("pairs: want len(labels) rows of dim floats")
	}
	count := map[int]int{}
	for _, l := range labels {
		count[l]++
	}
	same := 0
	for _, c := range count {
		same += c * (c - 1) / 2
	}
	all := n * (n - 1) / 2
	genuine = make([]float32, 0, same)
	impostor = make([]float32, 0, all-same)
	row := make([]float32, n)
	for i := 0; i < n-1; i++ {
		out := row[:n-1-i]
		simd.L2SquaredBatch(emb[i*dim:(i+1)*dim], emb[(i+1)*dim:], out)
		for k, sq := range out {
			if labels[i+1+k] == labels[i] {
				genuine = append(genuine, sqrt32(sq))
			} else {
				impostor = append(impostor, sqrt32(sq))
			}
		}
	}
	return genuine, impostor, nil
}

// Score maps a distance to the score shown to people (models/METADATA.md):
// max(0, 1 − distance/(2·threshold)), which is 1 for identical
// embeddings, 0.5 at the threshold and 0 at twice the threshold or
// beyond. Without a positive threshold it is 1 for distance 0 and 0
// otherwise. A NaN distance scores 0.
func Score(distance, threshold float32) float32 {
	if !(threshold > 0) {
		if distance == 0 {
			return 1
		}
		return 0
	}
	s := 1 - distance/(2*threshold)
	if !(s > 0) {
		return 0
	}
	return s
}
