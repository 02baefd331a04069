package capture

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/edge-pi/edge/imageio"
)

// Folder replays the images of a folder (PGM/PPM, PNG, JPEG) in name
// order, as frames: a camera stand-in for tests and for edge run.
//
// Each frame is decoded when it is delivered (frames dropped by the pace
// are never read), so Next allocates the decoded image; it is valid, as
// for any Source, until the next Next.
type Folder struct {
	files []string
	sched schedule
	last  int // index of the image in img; -1 none
	img   Frame
	done  bool
}

// imageExts are the file name extensions Folder takes, in lower case.
var imageExts = map[string]bool{".pgm": true, ".ppm": true, ".pnm": true, ".png": true, ".jpg": true, ".jpeg": true}

// OpenFolder lists the images of dir (not its sub-folders) and returns a
// Folder that delivers them at pace p.
func OpenFolder(dir string, p Pace) (*Folder, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, e := range ents { // os.ReadDir sorts by name
		if e.Type().IsRegular() && imageExts[strings.ToLower(filepath.Ext(e.Name()))] {
			files = append(files, filepath.Join(dir, e.Name()))
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("capture: no images (.pgm, .ppm, .png, .jpg) in %s", dir)
	}
	return &Folder{files: files, sched: newSchedule(p, len(files)), last: -1}, nil
}

// Len is the number of images.
func (f *Folder) Len() int { return len(f.files) }

// Next returns the image due now (see Pace).
func (f *Folder) Next(ctx context.Context) (Frame, error) {
	if f.done {
		return Frame{}, ErrClosed
	}
	seq, i, t, dropped, err := f.sched.wait(ctx)
	if err != nil {
		return Frame{}, err
	}
	if i != f.last {
		img, err := imageio.LoadFile(f.files[i])
		if err != nil {
			return Frame{}, &badFrame{err} // the folder goes on with the next image
		}
		f.img.Gray, f.last = imageio.Gray(img), i
	}
	f.img.Time, f.img.Seq, f.img.Dropped = t, seq, dropped
	return f.img, nil
}

// Close releases the Folder.
func (f *Folder) Close() error {
	f.done, f.img = true, Frame{}
	return nil
}
