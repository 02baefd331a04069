package main

import (
	"context"
	"go/parser"
	"go/token"
	"io"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// definedFlags runs edge with args and -h, and returns the flags the
// command's FlagSet lists: the command is not run, only its flags parsed.
func definedFlags(t *testing.T, args ...string) []string {
	t.Helper()
	var stderr strings.Builder
	if code := run(context.Background(), append(args, "-h"), io.Discard, &stderr); code != exitOK {
		t.Fatalf("edge %s -h: exit %d: %s", strings.Join(args, " "), code, stderr.String())
	}
	var names []string
	for _, m := range regexp.MustCompile(`(?m)^  -([^\s=]+)`).FindAllStringSubmatch(stderr.String(), -1) {
		names = append(names, m[1])
	}
	if len(names) == 0 {
		t.Fatalf("edge %s -h listed no flags: %s", strings.Join(args, " "), stderr.String())
	}
	return names
}

// unlisted are flags a command takes that its usage line leaves out, and
// why: gallery import accepts enroll's --no-detect and --threads (it
// opens the model the same way) but embeds no image, so they change
// nothing there.
var unlisted = map[string][]string{"gallery": {"no-detect", "threads"}}

// dash spells a flag as the usage lines do: -v, --json.
func dash(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// TestUsageFlags holds each usage line of commands() to its command: a
// --flag the line names must be one the command defines, and a flag the
// command defines must be in its line.
func TestUsageFlags(t *testing.T) {
	for _, c := range commands() {
		var defined []string
		if c.name == "gallery" {
			// Each subcommand has its flag set; the line lists them all.
			for _, sub := range strings.Split(gallerySubs, " | ") {
				defined = append(defined, definedFlags(t, c.name, strings.Fields(sub)[0])...)
			}
		} else {
			defined = definedFlags(t, c.name)
		}
		used := slices.Clone(unlisted[c.name])
		for _, m := range regexp.MustCompile(`(?:^|[\s\[(|])--?([a-z][a-z0-9-]*)`).FindAllStringSubmatch(c.usage, -1) {
			used = append(used, m[1])
		}
		for _, f := range used {
			if !slices.Contains(defined, f) {
				t.Errorf("edge %s: the usage names %s, which the command does not define", c.name, dash(f))
			}
		}
		for _, f := range defined {
			if !slices.Contains(used, f) {
				t.Errorf("edge %s: %s is defined but not in the usage: %s", c.name, dash(f), c.usage)
			}
		}
	}
}

// TestPackageDoc holds main.go's package doc to commands(): one line for
// each command.
func TestPackageDoc(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "main.go", nil, parser.PackageClauseOnly|parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	doc := f.Doc.Text()
	for _, c := range commands() {
		if !strings.Contains(doc, "\tedge "+c.name+" ") {
			t.Errorf("main.go's package doc has no line for edge %s", c.name)
		}
	}
}
