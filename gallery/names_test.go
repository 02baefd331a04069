package gallery

import (
	"errors"
	"testing"
	"time"
)

func TestCheckNameProfile(t *testing.T) {
	for _, ok := range []string{"ada", "Ada Lovelace", "Zoë", "Jose\u0301", "李小龙", "o'brien", "Иван", "Ελένη", "a-b", "a.b"} {
		if err := CheckName(ok); err != nil {
			t.Errorf("CheckName(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"\u202eecila", "\u200b", "a\u200bb", "a\u2060b", "\ufeffada", "\u0430lice", "-x", "--json",
		"a/b", `a\b`, ".", "..", "unknown", "Unknown", "\uff55nknown"} {
		if err := CheckName(bad); !errors.Is(err, ErrBadName) {
			t.Errorf("CheckName(%q) = %v, want ErrBadName", bad, err)
		}
	}
}

func TestNamesCompareFolded(t *testing.T) {
	g := New(testModel(1))
	must(t, g.Enroll("alice", []float32{1}))
	for _, same := range []string{"Alice", "ALICE", "\uff41lice"} {
		if err := g.Enroll(same, []float32{2}); !errors.Is(err, ErrExists) {
			t.Errorf("Enroll(%q) beside alice = %v, want ErrExists", same, err)
		}
	}
	must(t, g.Enroll("bob", []float32{3}))
	if err := g.Rename("bob", "Alice"); !errors.Is(err, ErrExists) {
		t.Errorf("Rename(bob, Alice) = %v, want ErrExists", err)
	}
	must(t, g.Rename("alice", "Alice")) // one's own name in another case
	for name, want := range map[string]string{
		"\u0430\u04cf\u0456\u0441\u0435": "Alice", // Cyrillic
		"AL1CE":                          "Alice", "b0b": "bob", "Bob.": "bob", "carol": "",
	} {
		if got, _ := g.LookAlike(name); got != want {
			t.Errorf("LookAlike(%q) = %q, want %q", name, got, want)
		}
	}
}

// TestOldNamesLoad: a gallery file holding names that CheckName now
// refuses (written by an older edge) still loads whole, and its names
// can be given photos, renamed and removed; only new names are refused.
func TestOldNamesLoad(t *testing.T) {
	g := New(testModel(1))
	old := []string{"\u202eecila", "-x", "a/b", "..", "Alice", "alice"}
	for i, n := range old {
		must(t, g.add(n, time.Now().UTC(), [][]float32{{float32(i)}}))
	}
	data, err := Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Unmarshal(data)
	if err != nil {
		t.Fatalf("a gallery with old names does not load: %v", err)
	}
	if back.Len() != len(old) {
		t.Fatalf("%d identities, want %d", back.Len(), len(old))
	}
	must(t, back.Enroll("-x", []float32{9}))
	must(t, back.Rename("a/b", "ab"))
	must(t, back.Remove(".."))
	if err := back.Enroll("-y", []float32{9}); !errors.Is(err, ErrBadName) {
		t.Errorf("a new name -y: %v", err)
	}
	if err := back.Rename("ab", "b/c"); !errors.Is(err, ErrBadName) {
		t.Errorf("rename to b/c: %v", err)
	}
}
