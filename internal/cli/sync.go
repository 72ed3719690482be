package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hadir-id/hadir/storage"
	hsync "github.com/hadir-id/hadir/sync"
)

func init() {
	register(command{
		name:  "sync",
		usage: "--data DIR [--server URL --code CODE --name NAME] [--ca FILE] [--timeout 2m]",
		help:  "register the kiosk store with a server using a one-time code (when --code is given), then run one sync cycle and print the sync status as JSON; the kiosk must not be running",
		run:   runSync,
	})
}

// syncReport is what `hadir sync` prints: enough for an installer or a
// script to see that the kiosk reached the server and nothing waits.
type syncReport struct {
	Registered   bool     `json:"registered"`
	Server       string   `json:"server,omitempty"`
	Units        []string `json:"units,omitempty"`
	Device       string   `json:"device"`
	Pending      int      `json:"pending"`
	Revision     uint64   `json:"roster_revision"`
	ClockOffset  string   `json:"clock_offset"`
	ClockWarning bool     `json:"clock_warning,omitempty"`
	Problem      string   `json:"problem,omitempty"`
	Error        string   `json:"error,omitempty"`
}

// runSync lets a kiosk be registered and checked from a shell (installs
// over SSH, scripted roll-outs, CI): the same sync.Worker the kiosk runs,
// for one cycle. The exit status is 1 when the cycle failed.
func runSync(ctx context.Context, io IO, args []string) error {
	fs := newFlags("sync")
	data := fs.String("data", "", "kiosk data directory")
	server := fs.String("server", "", "server base URL (with --code; default the registered one)")
	code := fs.String("code", "", "one-time registration code from the server admin (registers the kiosk)")
	name := fs.String("name", "", "kiosk name shown on the server (with --code)")
	ca := fs.String("ca", "", "PEM file of extra root certificates for the server")
	timeout := fs.Duration("timeout", 2*time.Minute, "give up after this long")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return errorf(errUsage, "unexpected arguments %q", fs.Args())
	}
	if *code != "" && (*server == "" || *name == "") {
		return errorf(errUsage, "--code needs --server and --name")
	}
	if *timeout <= 0 {
		return errorf(errUsage, "--timeout must be positive")
	}
	st, err := openStore(*data)
	if err != nil {
		return err
	}
	defer st.Close()
	opts := hsync.DefaultOptions()
	opts.CAFile = *ca
	w, err := hsync.New(st, nil, opts)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(storage.WithActor(ctx, "cli"), *timeout)
	defer cancel()
	if *code != "" {
		if err := w.Register(ctx, *server, *code, *name); err != nil {
			return err
		}
	}
	serr := w.Sync(ctx)
	s := w.Status()
	rep := syncReport{
		Registered: s.Registered, Server: s.ServerURL, Units: s.Units, Device: st.DeviceID(),
		Pending: s.Pending, Revision: s.Revision, ClockOffset: s.ClockOffset.String(),
		ClockWarning: s.ClockWarning, Problem: s.Problem,
	}
	if serr != nil {
		rep.Error = serr.Error()
	}
	if err := json.NewEncoder(io.Stdout).Encode(rep); err != nil {
		return err
	}
	if serr != nil {
		return fmt.Errorf("sync: %w", serr)
	}
	return nil
}
