package eval

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io/fs"
	"math"
	"sort"

	"github.com/edge-pi/edge/imageio"
	"github.com/edge-pi/edge/twin"
)

// Whole frames through the detector (protocol step 3a): EmbedFrames puts
// each photo of a data set into a generated frame (MakeFrame) and embeds
// the frame, so that the Embedder has to find, align and crop the face
// itself, as in the camera service.

// Located is an Embedder that can say which face its last Embed used
// (*twin.Net with a Locator): EmbedFrames then checks it against where
// the photo was put.
type Located interface {
	Face() (twin.Face, bool)
}

// Skip reasons of DetectResult besides twin.SkipReason's.
const (
	// SkipWrongPlace is a face found away from the photo: a false
	// detection in the background.
	SkipWrongPlace = "wrong place"
)

// DetectResult counts what became of the frames.
type DetectResult struct {
	// Frames is the number of frames made (images read).
	Frames int `json:"frames"`
	// Found counts the faces found where the photo was put, including
	// those the quality gate then refused.
	Found int `json:"faces_found"`
	// Embedded counts the frames whose face was embedded.
	Embedded int `json:"embedded"`
	// Skips counts the frames not embedded, by reason: "no face", "many
	// faces", "wrong place", a quality reason (small, dark, blurred,
	// turned), "error".
	Skips map[string]int `json:"skips"`
}

// FoundRate is Found / Frames.
func (d *DetectResult) FoundRate() float64 {
	if d.Frames == 0 {
		return 0
	}
	return float64(d.Found) / float64(d.Frames)
}

// Reasons lists the skip reasons in d, most frequent first.
func (d *DetectResult) Reasons() []string {
	var r []string
	for k := range d.Skips {
		r = append(r, k)
	}
	sort.Slice(r, func(i, j int) bool {
		if d.Skips[r[i]] != d.Skips[r[j]] {
			return d.Skips[r[i]] > d.Skips[r[j]]
		}
		return r[i] < r[j]
	})
	return r
}

// FoundAt reports whether a located face box counts as the photo put at
// truth: its centre lies inside truth, and its side is within half to
// one and a half times truth's width (pigo's box spans about the width
// of an AT&T photo).
func FoundAt(box, truth image.Rectangle) bool {
	c := box.Min.Add(box.Max).Div(2)
	s, w := float64(box.Dx()), float64(truth.Dx())
	return c.In(truth) && s >= 0.5*w && s <= 1.5*w
}

// EmbedFrames lists a folder-per-class data set (ListClasses), puts image
// i into the frame MakeFrame(img, FrameSeed(seed, i), fo) and embeds the
// frame. A frame whose face is not found where it was put, or is
// refused, is counted in the DetectResult under its reason, reported to
// o.Skip and left out of the Set; an image that cannot be read is
// reported and counted as an error. A class left without images is
// dropped.
func EmbedFrames(ctx context.Context, fsys fs.FS, e Embedder, seed uint64, fo FrameOptions, o Options) (*Set, *DetectResult, error) {
	classes, paths, labels, err := ListClasses(fsys)
	if err != nil {
		return nil, nil, err
	}
	loc, _ := e.(Located)
	res := &DetectResult{Skips: map[string]int{}}
	s := &Set{}
	last := -1
	for i, p := range paths {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		v, reason, err := embedFrame(fsys, p, e, loc, FrameSeed(seed, i), fo, res)
		if err != nil {
			res.Skips[reason]++
			o.skip(p, err)
			o.progress(i+1, len(paths))
			continue
		}
		if s.Dim == 0 {
			s.Dim = len(v)
		}
		res.Embedded++
		if labels[i] != last {
			s.Classes = append(s.Classes, classes[labels[i]])
			last = labels[i]
		}
		s.Paths = append(s.Paths, p)
		s.Labels = append(s.Labels, len(s.Classes)-1)
		s.Emb = append(s.Emb, v...)
		o.progress(i+1, len(paths))
	}
	if len(s.Paths) == 0 {
		return nil, res, errors.New("no frame's face could be embedded")
	}
	return s, res, nil
}

// embedFrame makes and embeds the frame of path p, counting frames and
// found faces in res; an error comes with its skip reason.
func embedFrame(fsys fs.FS, p string, e Embedder, loc Located, seed uint64, fo FrameOptions, res *DetectResult) ([]float32, string, error) {
	img, err := imageio.Load(fsys, p)
	if err != nil {
		return nil, "error", err
	}
	res.Frames++
	f := MakeFrame(img, seed, fo)
	v, err := e.Embed(f.Image)
	if loc != nil {
		if face, ok := loc.Face(); ok {
			if !FoundAt(face.Box, f.Face) {
				return nil, SkipWrongPlace, fmt.Errorf("face found at %v, but the photo is at %v", face.Box, f.Face)
			}
			res.Found++
		}
	} else if err == nil || errors.Is(err, twin.ErrQuality) {
		res.Found++
	}
	if err != nil {
		return nil, twin.SkipReason(err), fmt.Errorf("frame with the photo at %v: %w", f.Face, err)
	}
	for _, x := range v {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return nil, "error", errors.New("embedding is not finite")
		}
	}
	return v, "", nil
}
