package eval

import (
	"errors"
	"math"
	"slices"

	"github.com/edge-pi/edge/simd"
)

// ROCPoint is a vertex of the ROC curve: the false-accept rate (impostor
// pairs accepted) and true-accept rate (genuine pairs accepted) of a
// threshold on the distance, a pair being accepted when its distance is
// at most the threshold.
type ROCPoint struct{ FAR, TAR float64 }

// Histogram counts pair distances in bins of equal width from 0: bin i
// holds [i·Width, (i+1)·Width), the last bin also its upper edge.
type Histogram struct {
	Width             float64
	Genuine, Impostor []int64
}

// HistBins is the number of bins of Verification.Hist.
const HistBins = 50

// Verification is the outcome of verification over all pairs.
type Verification struct {
	// GenuinePairs (same class) and ImpostorPairs (different classes)
	// count the unordered pairs of images.
	GenuinePairs, ImpostorPairs int64
	// AUC is the area under the ROC curve: the probability that a
	// random genuine pair is closer than a random impostor pair, ties
	// counting one half.
	AUC float64
	// EER is the equal error rate: where the ROC polyline crosses
	// FAR = 1 − TAR. EERThreshold is the largest genuine-pair distance
	// accepted at that point (0 if none is).
	EER          float64
	EERThreshold float64
	// TARAtFAR1 is the highest TAR of any threshold whose FAR is at most
	// 1% (exactly: impostors accepted × 100 ≤ impostor pairs), without
	// interpolation; FAR1Threshold is that threshold, a genuine-pair
	// distance (0 if no threshold accepts a genuine pair at FAR ≤ 1%).
	TARAtFAR1     float64
	FAR1Threshold float64
	// ROC is the ROC polyline from (0, 0) to (1, 1). Between vertices it
	// is straight: horizontal where only impostor pairs are crossed,
	// vertical where only genuine pairs are, diagonal across tied
	// genuine and impostor distances.
	ROC []ROCPoint
	// Hist counts genuine and impostor distances in HistBins bins up to
	// the largest distance. Genuine counts are exact; impostor distances
	// are first counted in 4096 finer bins, so one may land in a bin
	// next to its own.
	Hist Histogram
}

// fineBins is the resolution of the impostor histogram before rebinning.
const fineBins = 4096

// vertex is a ROC vertex with the largest genuine distance it accepts.
type vertex struct {
	fa, ta int64   // impostor and genuine pairs accepted
	thr    float64 // largest genuine distance accepted (0: none)
}

// Verify sorts all unordered pairs of s by Euclidean distance and
// measures verification: ROC AUC, EER and TAR at FAR = 1%.
//
// Pairs are ranked by their float32 squared distance (simd.L2Squared);
// equal values are ties. The genuine distances are kept and sorted; the
// impostor pairs, usually far more, are only counted between and at the
// distinct genuine distances, which determines the ROC curve exactly in
// memory proportional to the genuine pairs.
func Verify(s *Set) (*Verification, error) {
	n, d := len(s.Labels), s.Dim
	members := map[int][]int{}
	for i, l := range s.Labels {
		members[l] = append(members[l], i)
	}
	var gen []float32
	for _, m := range members {
		for a := 0; a < len(m); a++ {
			for b := a + 1; b < len(m); b++ {
				gen = append(gen, simd.L2Squared(s.Row(m[a]), s.Row(m[b])))
			}
		}
	}
	if len(gen) == 0 {
		return nil, errors.New("no genuine pairs: every class has a single image")
	}
	if int64(n)*int64(n-1)/2 == int64(len(gen)) {
		return nil, errors.New("no impostor pairs: a single class")
	}
	var maxNorm float64
	for i := 0; i < n; i++ {
		maxNorm = math.Max(maxNorm, math.Sqrt(float64(simd.Dot(s.Row(i), s.Row(i)))))
	}
	pc := newPairCounts(gen, 2*maxNorm) // no distance exceeds 2·maxNorm
	dist := make([]float32, n)
	for i := 0; i < n-1; i++ {
		rest := dist[:n-1-i]
		simd.L2SquaredBatch(s.Row(i), s.Emb[(i+1)*d:], rest)
		li := s.Labels[i]
		for k, dsq := range rest {
			if s.Labels[i+1+k] != li {
				pc.impostor(dsq)
			}
		}
	}
	return pc.result(), nil
}

// pairCounts ranks pair distances: it keeps the genuine squared distances
// sorted and counts the impostor ones between and at them.
type pairCounts struct {
	gen   []float32 // genuine squared distances, sorted
	vals  []float32 // their distinct values
	mult  []int64   // and multiplicities
	below []int64   // below[k]: impostors strictly between vals[k-1] and vals[k]; below[K]: above the last
	at    []int64   // at[k]: impostors equal to vals[k]
	imp   int64     // impostor pairs
	maxD  float64   // the largest distance
	fw    float64   // width of a fine histogram bin
	fine  []int64   // impostor distances in fineBins bins up to limit
}

// newPairCounts takes the genuine squared distances (it sorts them) and a
// bound on all distances, for the fine impostor histogram.
func newPairCounts(gen []float32, limit float64) *pairCounts {
	slices.Sort(gen)
	p := &pairCounts{gen: gen, fw: limit / fineBins, fine: make([]int64, fineBins+1)}
	if !(p.fw > 0) || math.IsInf(p.fw, 0) {
		p.fw = 1
	}
	for _, g := range gen {
		if len(p.vals) > 0 && p.vals[len(p.vals)-1] == g {
			p.mult[len(p.mult)-1]++
		} else {
			p.vals = append(p.vals, g)
			p.mult = append(p.mult, 1)
		}
	}
	p.below = make([]int64, len(p.vals)+1)
	p.at = make([]int64, len(p.vals))
	p.maxD = math.Sqrt(float64(gen[len(gen)-1]))
	return p
}

// impostor counts an impostor pair at squared distance dsq.
func (p *pairCounts) impostor(dsq float32) {
	pos, found := slices.BinarySearch(p.vals, dsq)
	if found {
		p.at[pos]++
	} else {
		p.below[pos]++
	}
	p.imp++
	dd := math.Sqrt(float64(dsq))
	p.maxD = math.Max(p.maxD, dd)
	p.fine[min(int(dd/p.fw), fineBins)]++
}

// result computes the ROC polyline, AUC, EER, TAR@FAR=1% and histogram.
func (p *pairCounts) result() *Verification {
	G, M := int64(len(p.gen)), p.imp
	v := &Verification{GenuinePairs: G, ImpostorPairs: M}
	verts := []vertex{{}}
	add := func(x vertex) {
		if last := verts[len(verts)-1]; last.fa != x.fa || last.ta != x.ta {
			verts = append(verts, x)
		}
	}
	// auc2 is twice the number of (genuine, impostor) pairs in which the
	// genuine one is closer, ties counting one.
	var fa, ta int64
	var auc2, thr float64
	for k, g := range p.vals {
		fa += p.below[k]
		auc2 += 2 * float64(p.below[k]) * float64(ta)
		add(vertex{fa, ta, thr})
		auc2 += float64(p.at[k]) * float64(2*ta+p.mult[k])
		fa += p.at[k]
		ta += p.mult[k]
		thr = math.Sqrt(float64(g))
		add(vertex{fa, ta, thr})
		if fa*100 <= M {
			v.TARAtFAR1 = float64(ta) / float64(G)
			v.FAR1Threshold = thr
		}
	}
	auc2 += 2 * float64(p.below[len(p.vals)]) * float64(ta)
	add(vertex{M, G, thr})
	v.AUC = auc2 / (2 * float64(G) * float64(M))
	for _, x := range verts {
		v.ROC = append(v.ROC, ROCPoint{float64(x.fa) / float64(M), float64(x.ta) / float64(G)})
	}

	// EER: FAR − FRR = FAR + TAR − 1 rises along the polyline from −1 to 1.
	for k := 1; k < len(v.ROC); k++ {
		a, b := v.ROC[k-1], v.ROC[k]
		fA, fB := a.FAR+a.TAR-1, b.FAR+b.TAR-1
		if fB < 0 {
			continue
		}
		t := -fA / (fB - fA)
		far, tar := a.FAR+t*(b.FAR-a.FAR), a.TAR+t*(b.TAR-a.TAR)
		v.EER = (far + 1 - tar) / 2
		if b.TAR > a.TAR {
			v.EERThreshold = verts[k].thr
		} else {
			v.EERThreshold = verts[k-1].thr
		}
		break
	}

	// The histogram.
	h := Histogram{Width: p.maxD / HistBins, Genuine: make([]int64, HistBins), Impostor: make([]int64, HistBins)}
	if !(h.Width > 0) {
		h.Width = 1
	}
	bin := func(x float64) int { return min(int(x/h.Width), HistBins-1) }
	for _, g := range p.gen {
		h.Genuine[bin(math.Sqrt(float64(g)))]++
	}
	for f, c := range p.fine {
		if c != 0 {
			h.Impostor[bin(min((float64(f)+0.5)*p.fw, p.maxD))] += c
		}
	}
	v.Hist = h
	return v
}
