//go:build ignore

// antispoof_input writes the frames and face boxes of the anti-spoofing
// parity test (liveness/testdata), from which TensorFlow.js prepares the
// network's inputs as human does (models/convert/antispoof_reference.mjs)
// and liveness.Passive must prepare the same:
//
//   - face.npy: att-faces s1/1.pgm, float32 [112, 92, 1], grey levels
//     0…255, the frame of a face that fills it;
//   - noise.npy: float32 [48, 64, 3], pseudo-random whole numbers 0…255,
//     independent per channel (so that a swapped channel order shows),
//     from splitmix64 seeded with 2, drawn in C order;
//   - boxes.npy: float32 [2, 4], each row a face box x0, y0, x1, y1 in
//     pixels: pigo's box of the face in face.npy (package locate, default
//     options), and a fixed 34×36 box reaching past noise.npy's top and
//     right edges, whose crop is partly outside the frame.
//
// Run from the repository root:
//
//	go run models/convert/antispoof_input.go [-shared ../shared] [-out liveness/testdata]
//
// `make antispoof-reference` then writes antispoof.in.npy and
// antispoof.out.npy beside them.
package main

import (
	"flag"
	"fmt"
	"image"
	"os"
	"path/filepath"

	"github.com/edge-pi/edge/imageio"
	"github.com/edge-pi/edge/locate"
	"github.com/edge-pi/edge/npy"
)

func main() {
	shared := flag.String("shared", "../shared", "the shared folder holding data/att-faces")
	out := flag.String("out", "liveness/testdata", "the folder to write face.npy, noise.npy and boxes.npy to")
	flag.Parse()
	if err := run(*shared, *out); err != nil {
		fmt.Fprintln(os.Stderr, "antispoof_input:", err)
		os.Exit(1)
	}
}

func run(shared, out string) error {
	img, err := imageio.LoadGray(filepath.Join(shared, "data", "att-faces", "s1", "1.pgm"))
	if err != nil {
		return err
	}
	b := img.Bounds()
	if b.Dx() != 92 || b.Dy() != 112 {
		return fmt.Errorf("s1/1.pgm is %dx%d, want 92x112", b.Dx(), b.Dy())
	}
	cascade, err := locate.Cascade("")
	if err != nil {
		return err
	}
	l, err := locate.New(cascade, locate.Options{NoEyes: true})
	if err != nil {
		return err
	}
	box, err := l.Locate(img)
	if err != nil {
		return fmt.Errorf("s1/1.pgm: %w", err)
	}

	face := &npy.Array{Shape: []int{b.Dy(), b.Dx(), 1}, Data: make([]float32, b.Dx()*b.Dy())}
	for y := range b.Dy() {
		for x := range b.Dx() {
			face.Data[y*b.Dx()+x] = float32(img.GrayAt(b.Min.X+x, b.Min.Y+y).Y)
		}
	}
	noise := &npy.Array{Shape: []int{48, 64, 3}, Data: make([]float32, 48*64*3)}
	s := splitmix64(2)
	for i := range noise.Data {
		noise.Data[i] = float32(s.next() >> 56) // the top 8 bits
	}
	noiseBox := image.Rect(40, -6, 74, 30)
	boxes := &npy.Array{Shape: []int{2, 4}, Data: []float32{
		float32(box.Min.X), float32(box.Min.Y), float32(box.Max.X), float32(box.Max.Y),
		float32(noiseBox.Min.X), float32(noiseBox.Min.Y), float32(noiseBox.Max.X), float32(noiseBox.Max.Y),
	}}
	for name, a := range map[string]*npy.Array{"face.npy": face, "noise.npy": noise, "boxes.npy": boxes} {
		if err := npy.WriteFile(filepath.Join(out, name), a); err != nil {
			return err
		}
	}
	fmt.Printf("face box %v, noise box %v\n", box, noiseBox)
	return nil
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
