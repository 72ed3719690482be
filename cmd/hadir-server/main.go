// Command hadir-server is Hadir's central server: kiosks sync attendance
// and the roster with it, the HR office reads recaps from it. See
// server/cli for the command line and server/ for the API.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/hadir-id/hadir/internal/memory"
	"github.com/hadir-id/hadir/server/cli"
)

func main() {
	// The photo API's CNN fallback runs 3x faster with its tensors in
	// huge pages; the server has the memory for them. Maintenance
	// commands detect no faces and would only pay the second start-up
	// (0.4 s).
	if cli.Serves(os.Args[1:]) {
		memory.UseHugePages()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
