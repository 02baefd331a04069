package main

// The flag and output helpers that every command shares.

import (
	"flag"
	"fmt"
	"io"
	"math"
	"time"
)

// flags makes a FlagSet that reports errors instead of exiting, and
// accepts flags after positional arguments (edge info model.onnx --json).
func flags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("edge "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parse parses args allowing positional arguments anywhere.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// jsonError writes an error as one JSON object on stdout when the command
// line asked for --json, so that a script reading stdout gets JSON for
// errors too ({"error": "...", "command": "enroll", "exit": 2}); the
// message also goes to stderr as text.
func jsonError(stdout io.Writer, args []string, cmd, msg string) {
	if !wantsJSON(args) {
		return
	}
	_ = writeJSON(stdout, struct {
		Error   string `json:"error"`
		Command string `json:"command"`
		Exit    int    `json:"exit"`
	}{msg, cmd, exitError})
}

// wantsJSON says whether args hold --json (in any of the flag package's
// spellings) before a "--".
func wantsJSON(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "--json", "-json", "--json=true", "-json=true", "--json=1", "-json=1":
			return true
		}
	}
	return false
}

// report prints v as JSON, or the formatted line.
func report(asJSON bool, w io.Writer, v any, format string, args ...any) error {
	if asJSON {
		return writeJSON(w, v)
	}
	_, err := fmt.Fprintf(w, format, args...)
	return err
}

// median of sorted durations.
func median(d []time.Duration) time.Duration {
	n := len(d)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return d[n/2]
	}
	return (d[n/2-1] + d[n/2]) / 2
}

// percentile of sorted durations by the nearest-rank method: the smallest
// value with at least q% of the values at or below it.
func percentile(d []time.Duration, q float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	k := int(math.Ceil(q / 100 * float64(len(d))))
	return d[min(max(k, 1), len(d))-1]
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }
