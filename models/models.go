// Package models holds edge's trained twin networks, embedded in the binary.
//
// Each model is an ONNX file of the embedding branch of a twin network
// (NAME.onnx) with a model card (NAME.md); the file's metadata_props say how
// to feed it and how to read its distances (METADATA.md). The recipe that
// trains and exports them is in recipe/.
package models

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"
)

//go:embed *.onnx *.md
var files embed.FS

// Names lists the embedded models, sorted.
func Names() []string {
	entries, err := fs.ReadDir(files, ".")
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range entries {
		if n, ok := strings.CutSuffix(e.Name(), ".onnx"); ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

// Open returns a copy of the ONNX bytes of the embedded model name ("faces").
func Open(name string) ([]byte, error) {
	b, err := files.ReadFile(name + ".onnx")
	if err != nil {
		return nil, fmt.Errorf("no embedded model %q (have %s)", name, strings.Join(Names(), ", "))
	}
	return b, nil
}

// Card returns the model card (Markdown) of the embedded model name.
func Card(name string) (string, error) {
	b, err := files.ReadFile(name + ".md")
	if err != nil || name == "METADATA" {
		return "", fmt.Errorf("no model card for %q (have %s)", name, strings.Join(Names(), ", "))
	}
	return string(b), nil
}
