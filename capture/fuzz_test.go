package capture_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"

	"github.com/edge-pi/edge/capture"
)

// FuzzReplay: any bytes are a recording or an error wrapping
// ErrRecording, never a panic; what replays re-records, raw, to a
// recording that replays to the same frames. The seeds are in
// testdata/fuzz/FuzzReplay.
func FuzzReplay(f *testing.F) {
	f.Add(recording(f, 0, testFrames()[:2]))
	f.Add(recording(f, 75, testFrames()[2:3]))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := capture.NewPlayer(bytes.NewReader(data), int64(len(data)), capture.Pace{})
		if err != nil {
			if !errors.Is(err, capture.ErrRecording) {
				t.Fatalf("error not wrapping ErrRecording: %v", err)
			}
			return
		}
		var again bytes.Buffer
		r, err := capture.NewRecorder(&again, 0)
		if err != nil {
			t.Fatal(err)
		}
		var frames [][]byte
		for i := 0; ; i++ {
			fr, err := p.Next(context.Background())
			if err == io.EOF {
				break
			}
			if err != nil {
				if !errors.Is(err, capture.ErrRecording) {
					t.Fatalf("frame %d: error not wrapping ErrRecording: %v", i, err)
				}
				return // a bad JPEG
			}
			if fr.Seq != uint64(i) || fr.Dropped != 0 {
				t.Fatalf("frame %d: Seq %d, Dropped %d", i, fr.Seq, fr.Dropped)
			}
			frames = append(frames, bytes.Clone(fr.Gray.Pix))
			fr.Time = p.RecordedAt(i)
			if err := r.Add(fr); err != nil {
				t.Fatal(err)
			}
		}
		q, err := capture.NewPlayer(bytes.NewReader(again.Bytes()), int64(again.Len()), capture.Pace{})
		if err != nil {
			t.Fatalf("re-recorded: %v", err)
		}
		for i, want := range frames {
			fr, err := q.Next(context.Background())
			if err != nil || !bytes.Equal(fr.Gray.Pix, want) || !q.RecordedAt(i).Equal(p.RecordedAt(i)) {
				t.Fatalf("re-recorded frame %d differs (%v)", i, err)
			}
		}
	})
}
