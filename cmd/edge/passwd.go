package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/edge-pi/edge/gallery"
	"github.com/edge-pi/edge/internal/safefile"
	"github.com/edge-pi/edge/web"
)

// cmdPasswd sets the web page's password (argon2id, in the state
// directory): from the first line of --password-file, else of stdin.
func cmdPasswd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flags("passwd", stderr)
	dir := fs.String("state-dir", "", "the state directory (default: $STATE_DIRECTORY, $XDG_STATE_HOME/edge or ~/.local/state/edge)")
	file := fs.String("password-file", "", "read the password from this file's first line (it may then be deleted) instead of stdin")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if err := nonEmpty(fs, "state-dir", "password-file"); err != nil {
		return err
	}
	d, err := stateDir(*dir)
	if err != nil {
		return err
	}
	var pw string
	if *file != "" {
		b, err := safefile.ReadFile(*file, 4096)
		if err != nil {
			return err
		}
		pw, _, _ = strings.Cut(string(b), "\n")
	} else {
		fmt.Fprint(stderr, "new password for the web page: ")
		line, err := bufio.NewReader(io.LimitReader(stdin, 4096)).ReadString('\n')
		if err != nil && !(errors.Is(err, io.EOF) && line != "") {
			return errors.New("no password on stdin")
		}
		pw = strings.TrimRight(line, "\r\n")
	}
	if err := os.MkdirAll(d, 0o700); err != nil {
		return err
	}
	if err := web.SetPassword(d, pw); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "password set (%s)\n", web.PasswordFile)
	return nil
}

// stdin is the passwd command's input (tests replace it).
var stdin io.Reader = os.Stdin

// stateDir is --state-dir, else the default state directory.
func stateDir(flag string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	return gallery.DefaultDir()
}
