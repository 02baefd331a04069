package main

import (
	"errors"
	"fmt"
	"math"

	"github.com/edge-pi/edge/gallery"
	"github.com/edge-pi/edge/twin"
)

// marginMultiple bounds the threshold of a model whose embeddings are not
// L2-normalised; see maxThreshold.
const marginMultiple = 4

// maxThreshold is the largest threshold edge accepts for model m: the
// largest distance the model can produce, or a bound that no sensible
// threshold reaches, since a threshold at or above every distance accepts
// anyone.
//
//   - edge.normalized = 1: embeddings lie on the unit sphere, so no two
//     are further apart than 2.
//   - raw pixels (no network): each of the EmbeddingSize values lies in an
//     interval 1/Std wide, so no distance exceeds √EmbeddingSize / Std.
//   - otherwise the distance is not bounded, and the bound is 4 × the
//     larger of edge.margin and edge.threshold. The contrastive loss
//     pushes different pairs apart only until they are edge.margin apart
//     (its gradient is zero beyond), so impostor distances gather at and
//     just above the margin: a threshold of several margins accepts the
//     pairs training treated as most different. A calibrated threshold
//     lies below the margin (models/METADATA.md).
//
// It is 0 (nothing is accepted) for a model whose metadata gives none of
// these.
func maxThreshold(m twin.Meta) float32 {
	switch {
	case m.Normalized:
		return 2
	case m.Name == "raw-pixels" && m.Std > 0:
		return float32(math.Sqrt(float64(m.EmbeddingSize)) / float64(m.Std))
	}
	return marginMultiple * max(m.Margin, m.Threshold)
}

// checkThreshold returns an error unless t is a threshold that model m
// can use: finite and in (0, maxThreshold(m)]. what names where t came
// from ("--threshold", "the config's threshold", "gallery file F").
func checkThreshold(t float32, m twin.Meta, what string) error {
	hi := maxThreshold(m)
	if !(t > 0 && t <= hi) || math.IsInf(float64(t), 0) {
		why := fmt.Sprintf("the largest distance model %s can produce", m.Name)
		if !m.Normalized {
			why = fmt.Sprintf("the bound for model %s, %d × its margin", m.Name, marginMultiple)
			if m.Name == "raw-pixels" {
				why = "the largest distance between two images of raw pixels"
			}
		}
		return fmt.Errorf("%s: threshold %v is not a distance in (0, %.4g] (%.4g is %s; a threshold at or above every distance would accept anyone)",
			what, t, hi, hi, why)
	}
	return nil
}

// errNoThreshold is settleThreshold's error when neither the override,
// the gallery nor the model gives a threshold.
var errNoThreshold = errors.New("no threshold: the model has no default and the gallery is not calibrated; run edge calibrate or pass --threshold")

// settleThreshold is the threshold in force: override (a flag or the
// config) if not 0, else the gallery's calibrated threshold, else the
// model's. Whichever it is, it must pass checkThreshold: a gallery file
// or a model that carries an accept-anyone threshold is an error, never a
// door that opens for everyone.
func settleThreshold(override float32, overrideWhat string, g *gallery.Gallery, path string, m twin.Meta) (float32, error) {
	switch {
	case override != 0:
		return override, checkThreshold(override, m, overrideWhat)
	case g != nil && g.Threshold != 0:
		return g.Threshold, checkThreshold(g.Threshold, m, "gallery "+path+" (calibrated)")
	case m.Threshold == 0:
		return 0, errNoThreshold
	}
	return m.Threshold, checkThreshold(m.Threshold, m, "model "+m.Name+"'s edge.threshold")
}
