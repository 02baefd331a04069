//go:build !linux || !cgo

package capture

// OpenCamera returns ErrNoV4L2: this build has no V4L2 (it needs Linux
// and cgo, for go4vl). The file sources work everywhere.
func OpenCamera(path string, o CameraOptions) (*Camera, error) {
	return nil, ErrNoV4L2
}
