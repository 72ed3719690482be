// Command hadir is the Hadir attendance kiosk. With no arguments it starts
// the kiosk window; with a subcommand (embed, verify, enroll, identify, ...)
// it runs that tool and exits. `hadir help` lists the subcommands.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/hadir-id/hadir/app"
	"github.com/hadir-id/hadir/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(os.Args) > 1 && cli.Has(os.Args[1]) {
		code := cli.Run(ctx, cli.IO{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}, os.Args[1:])
		stop()
		os.Exit(code)
	}
	if os.Getenv("GOGC") == "" {
		// The kiosk's live heap is mostly the face gallery (37 MiB for
		// 50,000 templates); Go's default GOGC=100 would let as much
		// garbage pile up beside it on a tablet with little memory.
		debug.SetGCPercent(40)
	}
	if err := app.Run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "hadir:", err)
		stop()
		os.Exit(1)
	}
}
