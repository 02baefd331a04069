// Command pidetect runs the face detection of the camera pipeline on one
// generated 640×480 frame, n times: locate's Locator.LocateFace (pigo's
// face cascade over the frame, the pupil search, the quality gate), as
// edge run wires it, on an AT&T face placed by eval.MakeFrame. piestimate
// runs it for arm64 under qemu to count the cascade's tree-node tests; it
// is no benchmark on its own.
//
// With -sizes it searches the frame's window sizes one at a time instead
// (the face cascade alone, each size a Locator of its own, as a Locator
// with Threads above 1 shares them out) and calls sizeDone after each, for
// piestimate to count the tests of each size.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/edge-pi/edge/eval"
	"github.com/edge-pi/edge/imageio"
	"github.com/edge-pi/edge/locate"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "pidetect:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("pidetect", flag.ContinueOnError)
	data := fs.String("data", "../shared/data", "the shared data folder (att-faces/s1/1.pgm is the face)")
	n := fs.Int("n", 1, "times the frame is searched")
	sizes := fs.Bool("sizes", false, "search each window size apart, calling sizeDone after each")
	if err := fs.Parse(args); err != nil {
		return err
	}
	face, err := imageio.LoadFile(filepath.Join(*data, "att-faces", "s1", "1.pgm"))
	if err != nil {
		return err
	}
	frame := eval.MakeFrame(face, eval.FrameSeed(1, 0), eval.FrameOptions{}).Image
	c, err := locate.Cascade("")
	if err != nil {
		return err
	}
	loc, err := locate.New(c, locate.Options{})
	if err != nil {
		return err
	}
	if *sizes {
		b := frame.Bounds()
		for _, size := range loc.WindowSizes(nil, b.Dx(), b.Dy()) {
			l, err := locate.New(c, locate.Options{MinSize: size, MaxSize: size, NoEyes: true})
			if err != nil {
				return err
			}
			l.Detect(frame)
			sizeDone(size)
		}
		return nil
	}
	var f fmt.Stringer
	for i := 0; i < *n; i++ {
		r, err := loc.LocateFace(frame)
		if err != nil {
			return fmt.Errorf("frame %d: %w", i, err)
		}
		f = r.Box
	}
	fmt.Println("face", f)
	return nil
}

// sizeDone marks the end of one window size's search for piestimate,
// which logs the blocks qemu runs at its first instruction.
//
//go:noinline
func sizeDone(size int) { sink += size }

var sink int
