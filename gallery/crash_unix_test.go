//go:build unix && !aix && !hurd

package gallery

import (
	"bufio"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// The tests below re-run the test binary as a child process, told what
// to do by this environment variable.
const childEnv = "EDGE_GALLERY_TEST_CHILD"

const (
	crashDim       = 128
	crashPhotos    = 64 // photos added per enrolment: the file grows by ~45 kB each time
	crashInitial   = 20 // enrolments before the first kill (a ~1 MB file)
	crashRounds    = 6
	crashMaxKillMs = 300
)

// crashEmb is photo k of the i-th enrolled identity, a function of i and
// k only, so that a reader can check every value.
func crashEmb(i, k int) []float32 {
	return randEmb(rand.New(rand.NewPCG(uint64(i), uint64(k))), crashDim)
}

// enrollNext enrols the next identity, p0000, p0001, … with crashPhotos
// photos.
func enrollNext(g *Gallery) error {
	i := g.Len()
	embs := make([][]float32, crashPhotos)
	for k := range embs {
		embs[k] = crashEmb(i, k)
	}
	return g.Enroll(fmt.Sprintf("p%04d", i), embs...)
}

// checkCrashGallery checks that g holds exactly p0000 … p(n-1) with the
// photos enrollNext gave them.
func checkCrashGallery(t *testing.T, g *Gallery) {
	t.Helper()
	for i, id := range g.List() {
		if id.Name != fmt.Sprintf("p%04d", i) || len(id.Embeddings) != crashPhotos {
			t.Fatalf("identity %d is %q with %d photos", i, id.Name, len(id.Embeddings))
		}
		for k, e := range id.Embeddings {
			if !sameBits(e, crashEmb(i, k)) {
				t.Fatalf("%s photo %d differs", id.Name, k)
			}
		}
	}
}

// TestKill9DuringEnroll kills, with SIGKILL at random moments, a child
// process that enrols and saves in a loop, and checks after each kill
// that the gallery loads and is the last one the child reported saved
// or the one after it (saved, but killed before it could say so): never
// corrupt, never older.
func TestKill9DuringEnroll(t *testing.T) {
	if path := os.Getenv(childEnv); strings.HasPrefix(path, "enroll-loop:") {
		enrollLoop(strings.TrimPrefix(path, "enroll-loop:"))
		return
	}
	if testing.Short() {
		t.Skip("spawns processes")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	m := testModel(crashDim)
	s := NewStore(path, m)
	for range crashInitial {
		if _, err := s.Update(enrollNext); err != nil {
			t.Fatal(err)
		}
	}
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	saved := crashInitial
	tempsSeen := 0
	for round := range crashRounds {
		cmd := exec.Command(os.Args[0], "-test.run=^TestKill9DuringEnroll$", "-test.count=1")
		cmd.Env = append(os.Environ(), childEnv+"=enroll-loop:"+path)
		cmd.Stderr = os.Stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); errors.Is(err, syscall.ENOEXEC) {
			t.Skip("cannot run the test binary as a child here (under qemu-user?):", err)
		} else if err != nil {
			t.Fatal(err)
		}
		var last atomic.Int64
		last.Store(int64(saved))
		done := make(chan struct{})
		go func() {
			defer close(done)
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				if n, ok := strings.CutPrefix(sc.Text(), "saved "); ok {
					v, _ := strconv.Atoi(n)
					last.Store(int64(v))
				}
			}
		}()
		// Kill at a random moment in even rounds; in odd ones, as soon as
		// a temporary file appears (mid-write), after a random number of
		// saves.
		wait := time.Duration(20+r.IntN(crashMaxKillMs)) * time.Millisecond
		if round%2 == 0 {
			time.Sleep(wait)
		} else {
			time.Sleep(wait / 4)
			waitForTemp(dir, tempPrefix(path), time.Second)
		}
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		<-done
		cmd.Wait()

		temps := 0
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			if strings.HasPrefix(e.Name(), tempPrefix(path)) {
				temps++
			}
		}
		tempsSeen += temps
		g, err := NewStore(path, m).Load()
		if err != nil {
			t.Fatalf("round %d: after kill -9 at %v: %v", round, wait, err)
		}
		reported := int(last.Load())
		if g.Len() != reported && g.Len() != reported+1 {
			t.Fatalf("round %d: gallery has %d identities; the child last reported %d saved", round, g.Len(), reported)
		}
		checkCrashGallery(t, g)
		t.Logf("round %d: killed after ≥ %v: %d identities (%d reported saved), %d temporary files left",
			round, wait, g.Len(), reported, temps)
		saved = g.Len()
	}
	if tempsSeen == 0 {
		t.Log("no kill landed during a write this time (the test still checked the file after each)")
	}
	// The dead writers' lock is gone and their temporary files are
	// removed by the next writer.
	if _, err := s.Update(enrollNext); err != nil {
		t.Fatal(err)
	}
	assertOnly(t, dir, FileName, FileName+".lock")
}

// waitForTemp polls dir until a file name starting with prefix appears,
// or for at most d.
func waitForTemp(dir, prefix string, d time.Duration) {
	for end := time.Now().Add(d); time.Now().Before(end); {
		d, err := os.Open(dir)
		if err != nil {
			return
		}
		names, _ := d.Readdirnames(-1)
		d.Close()
		for _, n := range names {
			if strings.HasPrefix(n, prefix) {
				return
			}
		}
		time.Sleep(50 * time.Microsecond)
	}
}

// enrollLoop is the child of TestKill9DuringEnroll: it enrols and saves
// until killed, reporting each save.
func enrollLoop(path string) {
	s := NewStore(path, testModel(crashDim))
	for {
		g, err := s.Update(enrollNext)
		if err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(3)
		}
		fmt.Printf("saved %d\n", g.Len())
	}
}
