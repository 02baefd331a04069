package infer

import (
	"os"
	"slices"
	"strings"
	"testing"
)

// TestREADMEOperators holds README's list of supported operators to the
// registry: an operator added (or dropped) changes both.
func TestREADMEOperators(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, "Supported operators: ")
	if i < 0 {
		t.Fatal(`README.md has no "Supported operators: " paragraph`)
	}
	s = s[i+len("Supported operators: "):]
	j := strings.Index(s, " — ")
	if j < 0 {
		t.Fatal("README.md's operator list does not end with ' — '")
	}
	var listed []string
	for _, op := range strings.Split(strings.Join(strings.Fields(s[:j]), " "), ",") {
		listed = append(listed, strings.TrimSpace(op))
	}
	slices.Sort(listed)
	have := Supported()
	for _, op := range have {
		if _, found := slices.BinarySearch(listed, op); !found {
			t.Errorf("%s is registered but not in README's list", op)
		}
	}
	for _, op := range listed {
		if !slices.Contains(have, op) {
			t.Errorf("README lists %s, which is not registered", op)
		}
	}
}
