// Command edge gives a Raspberry Pi one-shot recognition with twin
// (Siamese) networks: it runs ONNX models on its own engine. Each command
// has its file here, and `edge COMMAND -h` lists its flags:
//
//	edge run          the door: camera → face → twin → decision → relay
//	edge relay-off    drive the relay to locked (systemd's ExecStopPost)
//	edge passwd       set the web page's password
//	edge token        create a bearer token for the REST API
//	edge demo         the door on MNIST digits, with no camera and no GPIO
//	edge enroll       add photos of a person to the gallery
//	edge verify       is the photo the named person? (exit 0 yes, 1 no)
//	edge identify     who is in each photo? (exit 1 if anyone is unknown)
//	edge gallery      list, remove, rename, export or import the gallery
//	edge calibrate    set the gallery's threshold for a false-accept rate
//	edge eval         measure a model: one-shot accuracy, ROC, open set
//	edge eval-liveness  measure the liveness checks on generated visits and attacks
//	edge bench        time a model's forward pass
//	edge info         describe a model
//	edge infer        run a model on a .npy input
//	edge conformance  run the ONNX node tests
//	edge --version    print the version
//
// Exit codes, for every command: 0 success (or a match), 1 a negative
// answer (no match, failed cases), 2 an error.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// exit codes shared by all commands: 0 success (or match), 1 a negative
// answer (no match, failed cases), 2 an error.
const (
	exitOK    = 0
	exitNo    = 1
	exitError = 2
)

// errNo is returned by a command whose answer is negative but which did
// not fail.
var errNo = errors.New("negative result")

type command struct {
	name  string
	usage string
	run   func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"info", "info NAME|MODEL.onnx [--json]", cmdInfo},
		{"infer", "infer --model NAME|MODEL.onnx --input in.npy (--output out.npy | --outputs DIR) [--threads N]", cmdInfer},
		{"conformance", "conformance DIR [--json] [--filter S] [--threads N] [-v]", cmdConformance},
		{"run", "run [--config edge.toml] [--frames DIR|FILE.rec] [--simulate-relay] [--model M] [--camera /dev/video0] [--pin GPIO17] [--state-dir DIR] [--threads N] [--log-level LEVEL]", cmdRun},
		{"demo", "demo [--visitors N] [--stay FRAMES] [--authorised DIGIT] [--model M] [--mnist DIR] [--seed S] [--threads N] [--json] [-v]", cmdDemo},
		{"relay-off", "relay-off [--config edge.toml] [--pin GPIO17]", cmdRelayOff},
		{"passwd", "passwd [--state-dir DIR] [--password-file FILE]", cmdPasswd},
		{"token", "token --name NAME [--state-dir DIR]", cmdToken},
		{"bench", "bench --model MODEL [--input in.npy | --shape 1,3,224,224] [--threads N] [--runs K] [--warmup W] [--evict MiB] [--json] [--profile]", cmdBench},
		{"eval-liveness", "eval-liveness --data DIR|ZIP [--model faces] [--mode both] [--seeds 12] [--seed 0] [--motion T] [--passive T] [--threshold T] [--json] [--threads N]", cmdEvalLiveness},
		{"eval", "eval --model NAME|PATH (--data DIR|ZIP [--draws 100] [--seed 0] [--plot DIR] [--change C | --detect [--roll DEG]] [--threshold T] | --omniglot-runs DIR|ZIP) [--meta KEY=VALUE]... [--json] [--threads N]", cmdEval},
		{"enroll", "enroll --name NAME [--model M] [--no-detect] [--threads N] [--gallery PATH | --state-dir DIR] [--json] IMAGE...", cmdEnroll},
		{"verify", "verify --name NAME [--threshold T] [--model M] [--no-detect] [--threads N] [--gallery PATH | --state-dir DIR] [--json] IMAGE", cmdVerify},
		{"identify", "identify [--threshold T] [--model M] [--no-detect] [--threads N] [--gallery PATH | --state-dir DIR] [--json] IMAGE...", cmdIdentify},
		{"gallery", "gallery " + gallerySubs + " [--gallery PATH | --state-dir DIR] [--json]", cmdGallery},
		{"calibrate", "calibrate --data DIR|ZIP [--far 0.001] [--model M] [--no-detect] [--threads N] [--gallery PATH | --state-dir DIR] [--json]", cmdCalibrate},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return exitError
		}
		return exitOK
	}
	if args[0] == "--version" || args[0] == "-version" || args[0] == "version" {
		fmt.Fprintln(stdout, "edge", version)
		return exitOK
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, args[1:], stdout, stderr)
		switch {
		case err == nil:
			return exitOK
		case errors.Is(err, errNo):
			return exitNo
		case errors.Is(err, flag.ErrHelp):
			return exitOK
		case errors.Is(err, context.Canceled):
			fmt.Fprintln(stderr, "edge: interrupted")
			jsonError(stdout, args, c.name, "interrupted")
			return exitError
		default:
			fmt.Fprintf(stderr, "edge %s: %v\n", c.name, err)
			jsonError(stdout, args, c.name, err.Error())
			return exitError
		}
	}
	fmt.Fprintf(stderr, "edge: unknown command %q\n", args[0])
	usage(stderr)
	return exitError
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: edge COMMAND [options]\n\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  edge %s\n", c.usage)
	}
	fmt.Fprintln(w, "  edge --version")
}
