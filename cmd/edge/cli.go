package main

// The flag and output helpers that every command shares: parsing,
// --model, --json and errors, reports, progress and percentiles.

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/edge-pi/edge/models"
	"github.com/edge-pi/edge/twin"
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

// openNet resolves --model: raw-pixels[:WxH], an ONNX file, or an
// embedded model.
func openNet(name string, threads int) (*twin.Net, error) {
	if rest, ok := strings.CutPrefix(name, "raw-pixels"); ok && (rest == "" || rest[0] == ':') {
		w, h := 92, 112
		if rest != "" {
			ws, hs, ok := strings.Cut(rest[1:], "x")
			var err1, err2 error
			w, err1 = strconv.Atoi(ws)
			h, err2 = strconv.Atoi(hs)
			if !ok || err1 != nil || err2 != nil || w < 1 || h < 1 || w > 4096 || h > 4096 {
				return nil, fmt.Errorf("--model %s: want raw-pixels:WIDTHxHEIGHT", name)
			}
		}
		return twin.RawPixels(w, h), nil
	}
	if err := checkThreads(threads); err != nil {
		return nil, fmt.Errorf("--%w", err)
	}
	o := twin.Options{Threads: threads}
	if st, err := os.Stat(name); err == nil && !st.IsDir() {
		b, err := readModel(name) // a regular file of bounded size
		if err != nil {
			return nil, err
		}
		n, err := twin.Load(b, o)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return n, nil
	}
	b, err := models.Open(name)
	if err != nil {
		return nil, fmt.Errorf("--model %s: not a file, and %w", name, err)
	}
	n, err := twin.Load(b, o)
	if err != nil {
		return nil, fmt.Errorf("embedded model %s: %w", name, err)
	}
	return n, nil
}

// describe names a network for a report: arg as --model gave it, the
// model's name and version, its input, embedding size and crop.
func describe(n *twin.Net, arg string) string {
	m := n.Meta
	kind := "grey"
	if m.InputC == 3 {
		kind = "RGB"
	}
	if n.Model == nil {
		return fmt.Sprintf("raw pixels, %d×%d %s", m.InputW, m.InputH, kind)
	}
	return fmt.Sprintf("%s (%s v%d, %d×%d %s → %d, crop %s)", arg, m.Name, m.Version, m.InputW, m.InputH, kind, m.EmbeddingSize, m.Crop)
}

// progress reports how many images the command cmd has embedded, on
// stderr at most every two seconds, so that short runs stay quiet.
func progress(w io.Writer, cmd string, start time.Time) func(done, total int) {
	last := start
	return func(done, total int) {
		now := time.Now()
		if now.Sub(last) < 2*time.Second && done < total {
			return
		}
		if done == total && last == start {
			return // finished before the first report
		}
		last = now
		fmt.Fprintf(w, "edge %s: embedded %d of %d images (%.0f s)\n", cmd, done, total, now.Sub(start).Seconds())
	}
}

// writeJSON writes v to w as indented JSON.
func writeJSON(w io.Writer, v interface{}) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
