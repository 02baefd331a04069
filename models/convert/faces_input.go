//go:build ignore

// faces_input writes models/testdata/faces.in.npy, the input of the faces
// parity test: float32 NCHW [2, 3, 224, 224], RGB values in [0, 255], as
// the converted faceres network takes them.
//
//   - image 0: att-faces s1/1.pgm (92×112 grey) resized to 224×224,
//     bilinear with pixel centres at half-integers (source coordinate
//     (o+0.5)·in/out − 0.5, the border replicated, no antialiasing), the
//     grey copied to the three channels;
//   - image 1: pseudo-random whole numbers 0…255, independent per channel
//     (so that a swapped channel order shows), from splitmix64 seeded
//     with 1, drawn in C order.
//
// Run from the repository root:
//
//	go run models/convert/faces_input.go [-shared ../shared] [-out models/testdata/faces.in.npy]
//
// The output for it comes from TensorFlow.js (make faces-reference).
package main

import (
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/edge-pi/edge/imageio"
	"github.com/edge-pi/edge/npy"
)

const size = 224 // faceres's input height and width

func main() {
	shared := flag.String("shared", "../shared", "the shared folder holding data/att-faces")
	out := flag.String("out", "models/testdata/faces.in.npy", "the .npy file to write")
	flag.Parse()
	if err := run(*shared, *out); err != nil {
		fmt.Fprintln(os.Stderr, "faces_input:", err)
		os.Exit(1)
	}
}

func run(shared, out string) error {
	img, err := imageio.LoadGray(filepath.Join(shared, "data", "att-faces", "s1", "1.pgm"))
	if err != nil {
		return err
	}
	if b := img.Bounds(); b.Dx() != 92 || b.Dy() != 112 {
		return fmt.Errorf("s1/1.pgm is %dx%d, want 92x112", b.Dx(), b.Dy())
	}
	const plane = size * size
	a := &npy.Array{Shape: []int{2, 3, size, size}, Data: make([]float32, 2*3*plane)}

	face := a.Data[:3*plane]
	resize(face[:plane], img.Pix, img.Stride, img.Bounds().Dx(), img.Bounds().Dy())
	copy(face[plane:], face[:plane])
	copy(face[2*plane:], face[:plane])

	s := splitmix64(1)
	for i := range a.Data[3*plane:] {
		a.Data[3*plane+i] = float32(s.next() >> 56) // the top 8 bits
	}
	return npy.WriteFile(out, a)
}

// resize writes the size×size bilinear resampling of the w×h grey image
// pix (row stride stride) to dst, computed in float64.
func resize(dst []float32, pix []uint8, stride, w, h int) {
	at := func(x, y int) float64 {
		x, y = min(max(x, 0), w-1), min(max(y, 0), h-1)
		return float64(pix[y*stride+x])
	}
	sx, sy := float64(w)/size, float64(h)/size
	for oy := range size {
		v := (float64(oy)+0.5)*sy - 0.5
		y0 := math.Floor(v)
		ay := v - y0
		for ox := range size {
			u := (float64(ox)+0.5)*sx - 0.5
			x0 := math.Floor(u)
			ax := u - x0
			x, y := int(x0), int(y0)
			top := at(x, y)*(1-ax) + at(x+1, y)*ax
			bot := at(x, y+1)*(1-ax) + at(x+1, y+1)*ax
			dst[oy*size+ox] = float32(top*(1-ay) + bot*ay)
		}
	}
}

// splitmix64 is Steele, Lea and Flood's generator (as in Java's
// SplittableRandom): small, and the same in every language.
type splitmix64 uint64

func (s *splitmix64) next() uint64 {
	*s += 0x9e3779b97f4a7c15
	z := uint64(*s)
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}
