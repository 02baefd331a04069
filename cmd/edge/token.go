package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/edge-pi/edge/web"
)

// cmdToken creates a bearer token for the REST API and prints it once;
// only its SHA-256 is kept.
func cmdToken(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flags("token", stderr)
	dir := fs.String("state-dir", "", "the state directory (default: $STATE_DIRECTORY, $XDG_STATE_HOME/edge or ~/.local/state/edge)")
	name := fs.String("name", "", "what the token is for (home-assistant, …)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if err := nonEmpty(fs, "state-dir"); err != nil {
		return err
	}
	d, err := stateDir(*dir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(d, 0o700); err != nil {
		return err
	}
	tok, err := web.NewToken(d, *name)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, tok)
	return nil
}
