package locate

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
)

// The face cascade and the pupil cascade (puploc, 1.2 MB) are not in the
// repository: they ship inside the pigo module, whose go.sum hash pins
// them. go generate copies it out of the
// module cache into cascade/ (git-ignored), where go:embed takes it; the
// pattern names the folder, whose README is committed, so that a build
// without the copy still compiles and falls back to the module cache.
//
//go:generate sh -c "go mod download github.com/esimov/pigo && install -m 0644 \"$(go list -m -f '{{.Dir}}' github.com/esimov/pigo)/cascade/facefinder\" cascade/facefinder"
//go:generate sh -c "install -m 0644 \"$(go list -m -f '{{.Dir}}' github.com/esimov/pigo)/cascade/puploc\" cascade/puploc"
//go:embed cascade
var embedded embed.FS

const (
	pigoModule = "github.com/esimov/pigo"
	// pigoVersion is go.mod's version of pigo, for binaries that carry no
	// module information (a test checks that the two agree).
	pigoVersion = "v1.4.6"
	cascadeFile = "cascade/facefinder" // in the module, and in this package
	puplocFile  = "cascade/puploc"
)

// ErrNoCascade is wrapped by Cascade's error when it finds no cascade.
var ErrNoCascade = errors.New("locate: no face cascade")

// Embedded reports whether the binary carries the face cascade.
func Embedded() bool {
	_, err := fs.Stat(embedded, cascadeFile)
	return err == nil
}

// Cascade returns the bytes of pigo's face cascade: the file at path if
// path is not empty; otherwise the copy embedded at build time (go
// generate ./locate/, which make build runs); otherwise, for binaries
// built without it, the file in the Go module cache (GOMODCACHE, else
// GOPATH's first element /pkg/mod, else ~/go/pkg/mod) at the pigo version
// the binary was built with.
func Cascade(path string) ([]byte, error) {
	return cascadeBytes(path, cascadeFile)
}

// PuplocCascade returns the bytes of pigo's pupil localisation cascade
// (cascade/puploc), found as Cascade finds the face cascade.
func PuplocCascade(path string) ([]byte, error) {
	return cascadeBytes(path, puplocFile)
}

func cascadeBytes(path, name string) ([]byte, error) {
	if path != "" {
		return os.ReadFile(path)
	}
	if b, err := embedded.ReadFile(name); err == nil {
		return b, nil
	}
	p := moduleFilePath(name)
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("%w: this binary was built without `go generate ./locate/` (make build runs it), "+
			"and %s is not readable: %v; give the file's path (EDGE_CASCADE, or cascade in edge.toml)", ErrNoCascade, p, err)
	}
	return b, nil
}

// moduleCascadePath is where the module cache holds the face cascade of
// the pigo version this binary was built with.
func moduleCascadePath() string { return moduleFilePath(cascadeFile) }

// moduleFilePath is where the module cache holds file name of the pigo
// version this binary was built with.
func moduleFilePath(name string) string {
	version := pigoVersion
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path != pigoModule {
				continue
			}
			if r := d.Replace; r != nil {
				if r.Version == "" { // replaced by a folder
					return filepath.Join(r.Path, filepath.FromSlash(name))
				}
				d = r
			}
			version = d.Version
		}
	}
	cache := os.Getenv("GOMODCACHE")
	if cache == "" {
		if gp, _, _ := strings.Cut(os.Getenv("GOPATH"), string(os.PathListSeparator)); gp != "" {
			cache = filepath.Join(gp, "pkg", "mod")
		} else if home, err := os.UserHomeDir(); err == nil {
			cache = filepath.Join(home, "go", "pkg", "mod")
		}
	}
	// (pigo's path has no upper case, which the cache would escape.)
	return filepath.Join(cache, filepath.FromSlash(pigoModule)+"@"+version, filepath.FromSlash(name))
}
