// Command hadir is the Hadir attendance kiosk. With no arguments it starts
// the kiosk window; with a subcommand (embed, verify, enroll, identify, ...)
// it runs that tool and exits. `hadir help` lists the subcommands.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/hadir-id/hadir/app"
	"github.com/hadir-id/hadir/internal/cli"
	"github.com/hadir-id/hadir/internal/memory"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(os.Args) > 1 && cli.Has(os.Args[1]) {
		code := cli.Run(ctx, cli.IO{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}, os.Args[1:])
		stop()
		os.Exit(code)
	}
	memory.Limit() // a tablet has little memory; see internal/memory
	if err := app.Run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "hadir:", err)
		stop()
		os.Exit(1)
	}
}
