package edgedata

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// recorder notes how a test was stopped instead of stopping it.
type recorder struct {
	testing.TB
	skipped, failed string
}

func (r *recorder) Helper()                        {}
func (r *recorder) Skipf(format string, a ...any)  { r.skipped = fmt.Sprintf(format, a...) }
func (r *recorder) Fatalf(format string, a ...any) { r.failed = fmt.Sprintf(format, a...) }
func (r *recorder) Fatal(a ...any)                 { r.failed = fmt.Sprint(a...) }

func TestFolder(t *testing.T) {
	root, err := ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("ModuleRoot %s has no go.mod", root)
	}
	for _, c := range []struct{ env, want string }{
		{"", filepath.Join(filepath.Dir(root), "shared", "data")},
		{"/srv/data", "/srv/data"},
		{"elsewhere/data", filepath.Join(root, "elsewhere", "data")},
	} {
		t.Setenv("EDGE_DATA", c.env)
		if got, err := Folder(); err != nil || got != c.want {
			t.Errorf("EDGE_DATA=%q: Folder() = %q, %v; want %q", c.env, got, err, c.want)
		}
	}
}

func TestDirMissing(t *testing.T) {
	data := t.TempDir()
	if err := os.Mkdir(filepath.Join(data, "att-faces"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("EDGE_DATA", data)

	t.Setenv("EDGE_REQUIRE_DATA", "")
	r := &recorder{}
	if got := Dir(r, "att-faces"); got != filepath.Join(data, "att-faces") || r.skipped != "" || r.failed != "" {
		t.Errorf("present: Dir = %q, skipped %q, failed %q", got, r.skipped, r.failed)
	}
	want := filepath.Join(data, "omniglot", "runs-sample")
	r = &recorder{}
	Dir(r, "omniglot/runs-sample")
	if !strings.Contains(r.skipped, "missing test data: "+want) || !strings.Contains(r.skipped, "EDGE_DATA") || r.failed != "" {
		t.Errorf("missing: skipped %q, failed %q; want a skip naming %s", r.skipped, r.failed, want)
	}

	t.Setenv("EDGE_REQUIRE_DATA", "1")
	r = &recorder{}
	Dir(r, "omniglot/runs-sample")
	if !strings.Contains(r.failed, "missing test data: "+want) || r.skipped != "" {
		t.Errorf("EDGE_REQUIRE_DATA=1: skipped %q, failed %q; want a failure naming %s", r.skipped, r.failed, want)
	}
}
