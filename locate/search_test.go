package locate

import (
	"image"
	"image/draw"
	"slices"
	"testing"

	pigo "github.com/esimov/pigo/core"
)

// TestSearchThreads checks that the window sizes searched apart, on any
// number of goroutines, give pigo's one RunCascade list element for
// element, and Detect the same faces: frames with two and three faces on
// textured backgrounds, and a padded AT&T photo.
func TestSearchThreads(t *testing.T) {
	files := attFiles(t)
	var imgs []*image.Gray
	for i, at := range [][]image.Point{{{40, 60}, {380, 200}}, {{10, 10}, {250, 300}, {500, 40}}} {
		frame := canvas(640, 480, uint64(i+1))
		for j, p := range at {
			src := face(t, files[(i*7+j*53)%len(files)])
			draw.Draw(frame, src.Rect.Add(p), src, image.Point{}, draw.Src)
		}
		imgs = append(imgs, frame)
	}
	imgs = append(imgs, face(t, files[11]))
	for _, ms := range []int{0, 24} {
		one := newLocator(t, Options{MinSize: ms})
		for k, img := range imgs {
			want := slices.Clone(one.Detect(img))
			p := pigo.CascadeParams{MinSize: one.o.MinSize, MaxSize: min(one.seen.rows, one.seen.cols), ShiftFactor: one.o.Shift,
				ScaleFactor: one.o.Scale, ImageParams: pigo.ImageParams{Pixels: one.seen.pix, Rows: one.seen.rows, Cols: one.seen.cols, Dim: one.seen.dim}}
			raw := slices.Clone(one.cascade.RunCascade(p, 0))
			sizes := map[int]bool{}
			for _, d := range raw {
				sizes[d.Scale] = true
			}
			if k < 2 {
				all := one.WindowSizes(nil, img.Rect.Dx(), img.Rect.Dy())
				for s := range sizes {
					if !slices.Contains(all, s) {
						t.Errorf("image %d, min %d: a detection of size %d, not in WindowSizes %v", k, ms, s, all)
					}
				}
			}
			if len(raw) < 20 || len(sizes) < 4 || len(want) == 0 {
				t.Fatalf("image %d, min %d: %d raw detections at %d sizes, %d faces: too few to compare", k, ms, len(raw), len(sizes), len(want))
			}
			for _, threads := range []int{2, 3, 7, 64} {
				l := newLocator(t, Options{MinSize: ms, Threads: threads})
				if got := l.search(p); !slices.Equal(got, raw) {
					t.Errorf("image %d, min %d, %d threads: %d raw detections differ from RunCascade's %d", k, ms, threads, len(got), len(raw))
				}
				if got := l.Detect(img); !slices.Equal(got, want) {
					t.Errorf("image %d, min %d, %d threads: faces %v, want %v", k, ms, threads, got, want)
				}
			}
			t.Logf("image %d, min %d: %d raw detections at %d sizes, faces %v", k, one.o.MinSize, len(raw), len(sizes), want)
		}
	}
}
