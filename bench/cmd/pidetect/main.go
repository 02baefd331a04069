// Command pidetect runs the face detection of the camera pipeline on one
// generated 640×480 frame, n times: locate's Locator.LocateFace (pigo's
// face cascade over the frame, the pupil search, the quality gate), as
// edge run wires it, on an AT&T face placed by eval.MakeFrame. piestimate
// runs it for arm64 under qemu to count the cascade's tree-node tests; it
// is no benchmark on its own.
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
