package cli

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/hadir-id/hadir/storage"
)

func init() {
	register(command{
		name:  "verify-ledger",
		usage: "--data DIR [--timeout D]",
		help:  "check the attendance hash chain of a kiosk store and report the first broken link",
		run:   runVerifyLedger,
	})
}

// runVerifyLedger prints one JSON object: {"ok":true,...counts} or
// {"ok":false,"broken":{seq,event_id,device,reason}} (exit status 1). It
// needs no key and works while the kiosk runs (it then checks a
// consistent copy of the file).
func runVerifyLedger(ctx context.Context, io IO, args []string) error {
	fs := newFlags("verify-ledger")
	data := fs.String("data", "", "kiosk data directory")
	timeout := fs.Duration("timeout", time.Second, "how long to wait for the store's lock before reading a copy")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *data == "" || fs.NArg() != 0 {
		return errorf(errUsage, "--data DIR is required and no other arguments are taken")
	}
	rep, err := storage.VerifyLedgerDir(ctx, *data, *timeout)
	if err != nil && !errors.Is(err, storage.ErrLedgerBroken) {
		return err
	}
	out := struct {
		OK bool `json:"ok"`
		storage.LedgerReport
	}{err == nil, rep}
	if jerr := json.NewEncoder(io.Stdout).Encode(out); jerr != nil {
		return jerr
	}
	return err
}
