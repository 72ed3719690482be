// Package cli implements the `hadir` subcommands (embed, verify, enroll,
// identify, ...). main.go hands it os.Args; running `hadir` with no
// subcommand starts the kiosk GUI instead, which this package never touches.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// IO carries the streams a command writes to, so tests can run commands
// in-process and read what they print.
type IO struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}

// command is one subcommand. run returns nil on success; errUsage or an
// error wrapping it prints the usage line; errPartial means some inputs
// failed but the command did useful work (exit status 0).
type command struct {
	name  string
	usage string // one line: arguments after the command name
	help  string // one sentence
	run   func(ctx context.Context, io IO, args []string) error
}

var commands = map[string]command{}

// register adds a subcommand; each command's file calls it from init so
// that commands live in their own files without a shared table to edit.
func register(c command) {
	if _, dup := commands[c.name]; dup {
		panic("cli: command registered twice: " + c.name)
	}
	commands[c.name] = c
}

// errUsage marks bad arguments: the command's usage is printed, exit 2.
var errUsage = errors.New("usage")

// errAllFailed marks a batch command where no input succeeded (exit 1);
// the per-input errors were already printed as JSON lines.
var errAllFailed = errors.New("no input succeeded")

// Has reports whether name is a subcommand, so main can tell a subcommand
// from the flags of the GUI.
func Has(name string) bool {
	if name == "help" || name == "-h" || name == "--help" {
		return true
	}
	_, ok := commands[name]
	return ok
}

// Run executes args[0] with args[1:] and returns the process exit status.
func Run(ctx context.Context, stdio IO, args []string) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		printHelp(stdio.Stdout)
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stdio.Stderr, "hadir: unknown command %q\n", args[0])
		printHelp(stdio.Stderr)
		return 2
	}
	err := c.run(ctx, stdio, args[1:])
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprintf(stdio.Stdout, "usage: hadir %s %s\n", c.name, c.usage)
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(stdio.Stderr, "hadir %s: %v\nusage: hadir %s %s\n", c.name, err, c.name, c.usage)
		return 2
	case errors.Is(err, errAllFailed):
		fmt.Fprintf(stdio.Stderr, "hadir %s: %v\n", c.name, err)
		return 1
	default:
		fmt.Fprintf(stdio.Stderr, "hadir %s: %v\n", c.name, err)
		return 1
	}
}

func printHelp(w io.Writer) {
	fmt.Fprintln(w, "usage: hadir [COMMAND] [ARGS]   (no command: start the kiosk)")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		c := commands[n]
		fmt.Fprintf(w, "  %-16s %s\n  %-16s   %s %s\n", n, c.help, "", n, c.usage)
	}
}

// newFlags returns a FlagSet that reports errors instead of exiting and
// prints nothing itself (Run prints the usage line).
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parse parses args into fs, mapping flag errors to errUsage.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %s", errUsage, strings.TrimSpace(err.Error()))
	}
	return nil
}

// envOr returns the environment variable key, or def when it is unset.
func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
