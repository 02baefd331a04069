package twin

import (
	"errors"
	"fmt"
	"image"
)

// Point is a position in an image's continuous coordinates: pixel (x, y)
// covers [x, x+1) × [y, y+1), so its centre is (x+0.5, y+0.5).
type Point struct{ X, Y float64 }

// Face is what a FaceLocator finds: the box, and the eyes when it could
// place them.
type Face struct {
	Box image.Rectangle
	// LeftEye and RightEye are the centres of the eyes as they appear in
	// the image: LeftEye is the one with the smaller x (the person's
	// right eye). They are meaningful only when HasEyes is set.
	LeftEye, RightEye Point
	HasEyes           bool
}

// FaceLocator is a Locator that can also return the landmarks of the face
// it finds. *Net uses LocateFace instead of Locate when its Locator has
// it; a Locator without it keeps working as before, and models aligned
// on the eyes then place them from the box (BoxEyes).
type FaceLocator interface {
	Locator
	LocateFace(img image.Image) (Face, error)
}

// Where a face's eyes typically lie in a box of pigo's face cascade, as
// fractions of the box's side from its centre: 0.175 to each side and
// 0.075 above (the starting points of pigo's own pupil search).
const (
	boxEyeX = 0.175
	boxEyeY = -0.075
)

// BoxEyes returns where the eyes of a face in box b typically are, for
// faces whose eyes were not located.
func BoxEyes(b image.Rectangle) (left, right Point) {
	s := float64(b.Dx())
	cx, cy := float64(b.Min.X+b.Max.X)/2, float64(b.Min.Y+b.Max.Y)/2
	return Point{cx - boxEyeX*s, cy + boxEyeY*s}, Point{cx + boxEyeX*s, cy + boxEyeY*s}
}

// ErrQuality is wrapped by the errors of a face that was found but is too
// poor to match (QualityError).
var ErrQuality = errors.New("face too poor to match")

// QualityError says why a found face is not matched: Reason is a short
// word (small, blurred, turned, dark, bright), Value the measure that
// failed and Limit the bound it crossed.
type QualityError struct {
	Reason       string
	Value, Limit float64
}

func (e *QualityError) Error() string {
	return fmt.Sprintf("%v: %s (%.4g against a limit of %.4g)", ErrQuality, e.Reason, e.Value, e.Limit)
}

// Unwrap makes errors.Is(err, ErrQuality) hold.
func (e *QualityError) Unwrap() error { return ErrQuality }

// SkipReason names why an error of Embed left an image unmatched: "no
// face", "many faces" (an error whose text says so), the QualityError's
// reason, or "error" for anything else.
func SkipReason(err error) string {
	var q *QualityError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &q):
		return q.Reason
	case errors.Is(err, ErrNotFound):
		return "no face"
	case errors.Is(err, ErrManyFaces):
		return "many faces"
	}
	return "error"
}

// ErrManyFaces is what a Locator returns when the image holds more than
// one face and none can be chosen.
var ErrManyFaces = errors.New("locate: more than one face")
