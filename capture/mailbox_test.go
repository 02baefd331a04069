package capture

import (
	"context"
	"errors"
	"image"
	"sync"
	"testing"
	"time"
)

func TestMailboxNewest(t *testing.T) {
	m := newMailbox()
	ctx := context.Background()
	a := image.NewGray(image.Rect(0, 0, 2, 2))
	b := image.NewGray(image.Rect(0, 0, 2, 2))
	c := image.NewGray(image.Rect(0, 0, 2, 2))
	t0 := time.Unix(100, 0)
	if got := m.publish(a, t0, 0); got != nil {
		t.Fatal("first publish returned a buffer")
	}
	if got := m.publish(b, t0.Add(1), 0); got != a {
		t.Fatal("an untaken frame's buffer is not reused")
	}
	if got := m.publish(a, t0.Add(2), 3); got != b { // 3 lost before it
		t.Fatal("an untaken frame's buffer is not reused")
	}
	f, err := m.take(ctx)
	if err != nil || f.Gray != a || f.Seq != 5 || f.Dropped != 5 || !f.Time.Equal(t0.Add(2)) {
		t.Fatalf("take: %+v, %v; want the newest, Seq 5, 5 dropped", f, err)
	}
	if got := m.publish(c, t0.Add(3), 0); got != nil {
		t.Fatal("publish after take returned a buffer the consumer never had")
	}
	f, _ = m.take(ctx)
	if f.Gray != c || f.Seq != 6 || f.Dropped != 0 {
		t.Fatalf("take: %+v", f)
	}
	// The slot now holds a, the consumer's previous frame, released.
	if got := m.publish(b, t0, 0); got != a {
		t.Fatalf("publish returned %p, want the released frame %p", got, a)
	}
	cctx, cancel := context.WithCancel(ctx)
	m.take(ctx)
	cancel()
	if _, err := m.take(cctx); !errors.Is(err, context.Canceled) {
		t.Errorf("take with a done context: %v", err)
	}
	go func() { time.Sleep(10 * time.Millisecond); m.close() }()
	if _, err := m.take(ctx); !errors.Is(err, ErrClosed) {
		t.Errorf("take when closed: %v", err)
	}
	m.close()
}

// TestMailboxRace: a fast producer and a slow consumer. The consumer's
// frame is never written while it holds it, three buffers serve, and
// every frame is either taken or counted as dropped.
func TestMailboxRace(t *testing.T) {
	m := newMailbox()
	const n = 3000
	var wg sync.WaitGroup
	wg.Add(1)
	buffers := map[*image.Gray]bool{}
	go func() {
		defer wg.Done()
		var back *image.Gray
		for i := 0; i < n; i++ {
			if back == nil {
				back = image.NewGray(image.Rect(0, 0, 16, 16))
				buffers[back] = true
			}
			for j := range back.Pix {
				back.Pix[j] = byte(i)
			}
			back = m.publish(back, time.Time{}, 0)
			if i%50 == 0 {
				time.Sleep(time.Microsecond)
			}
		}
	}()
	var taken, dropped, last uint64
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for last+1 < n {
		f, err := m.take(ctx)
		if err != nil {
			t.Fatal(err)
		}
		taken++
		dropped += f.Dropped
		last = f.Seq
		for k := 0; k < 3; k++ { // look at it for a while
			for _, v := range f.Gray.Pix {
				if v != byte(f.Seq) {
					t.Fatalf("frame %d changed while held: %d", f.Seq, v)
				}
			}
		}
	}
	wg.Wait()
	if taken+dropped != n {
		t.Errorf("%d taken + %d dropped, want %d", taken, dropped, n)
	}
	if len(buffers) > 3 {
		t.Errorf("%d buffers allocated, want 3", len(buffers))
	}
	t.Logf("%d frames: %d taken, %d dropped", n, taken, dropped)
}
