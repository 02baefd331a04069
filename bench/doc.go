// Package bench holds edge's side-by-side benchmark against ONNX Runtime
// and onnx-go's gorgonnx backend. It is a module of its own so that the
// edge binary never links cgo or ONNX Runtime: run it with
// `make bench-compare` from the repository root. See BENCHMARKS.md.
package bench
