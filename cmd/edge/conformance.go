package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/edge-pi/edge/infer/conformance"
)

func cmdConformance(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flags("conformance", stderr)
	asJSON := fs.Bool("json", false, "print the report as JSON")
	filter := fs.String("filter", "", "only cases whose name contains this")
	threads := fs.Int("threads", 2, "threads per case")
	verbose := fs.Bool("v", false, "list passed and skipped cases too")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return errors.New("want one DIR argument (a folder of test_* cases)")
	}
	if err := checkThreads(*threads); err != nil {
		return fmt.Errorf("--%w", err)
	}
	rep, err := conformance.Run(pos[0], *filter, *threads)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		for _, r := range rep.Results {
			if r.Status == conformance.Failed || *verbose {
				fmt.Fprintf(stdout, "%-7s %s", r.Status, r.Case)
				if r.Reason != "" {
					fmt.Fprintf(stdout, ": %s", r.Reason)
				}
				fmt.Fprintln(stdout)
			}
		}
		fmt.Fprintln(stdout, rep.Summary())
	}
	if rep.Failed > 0 {
		return errNo
	}
	return nil
}
