package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/edge-pi/edge/gallery"
	"github.com/edge-pi/edge/infer"
	"github.com/edge-pi/edge/internal/safefile"
	"github.com/edge-pi/edge/locate"
	"github.com/edge-pi/edge/models"
	"github.com/edge-pi/edge/twin"
)

// Limits on the files edge reads whole. Each file must also be a regular
// file (safefile.ReadFile): a device such as /dev/zero or a FIFO is an
// error, found before anything is read.
const (
	// maxModelBytes bounds an ONNX file: the largest model a Raspberry
	// Pi can run is far smaller (faces is under 1 MiB).
	maxModelBytes = 1 << 30
	// maxCascadeBytes bounds a face cascade file (pigo's is 235 KiB).
	maxCascadeBytes = 64 << 20
	// maxGalleryBytes bounds a gallery file to import.
	maxGalleryBytes = gallery.MaxFileBytes
	// maxConfigBytes bounds edge.toml.
	maxConfigBytes = 1 << 20
)

// readModel reads the ONNX file at path, at most maxModelBytes.
func readModel(path string) ([]byte, error) {
	return safefile.ReadFile(path, maxModelBytes)
}

// loadModelFile reads and decodes an ONNX model: the file at path, or
// the embedded model of that name (faces, digits, …) when there is no
// such file, as --model takes them everywhere.
func loadModelFile(path string) (*infer.Model, error) {
	var b []byte
	_, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && !strings.ContainsAny(path, `/\.`):
		if b, err = models.Open(path); err != nil {
			return nil, fmt.Errorf("%s: not a file, and %w", path, err)
		}
	default:
		if b, err = readModel(path); err != nil {
			return nil, err
		}
	}
	m, err := infer.Load(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// cascade returns the face cascade: the file at path (at most
// maxCascadeBytes, a regular file) if path is not empty, else the one
// built into the binary.
func cascade(path string) ([]byte, error) {
	if path == "" {
		return locate.Cascade("")
	}
	return safefile.ReadFile(path, maxCascadeBytes)
}

// newLocator returns the face detector the camera service uses, for
// models whose crop is "face" (the cascade built into the binary, or the
// file $EDGE_CASCADE names). --no-detect takes images as face crops.
var newLocator = func() (twin.Locator, error) {
	b, err := cascade(os.Getenv("EDGE_CASCADE"))
	if err != nil {
		return nil, fmt.Errorf("EDGE_CASCADE: %w", err)
	}
	return locate.New(b, locate.Options{Threads: cpuThreads(0)})
}
