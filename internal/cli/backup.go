package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/hadir-id/hadir/storage"
)

func init() {
	register(command{
		name:  "backup",
		usage: "--data DIR [--timeout D] OUT",
		help:  "write a consistent copy of the kiosk store to OUT (works while the kiosk runs)",
		run:   runBackup,
	})
}

// runBackup copies the store. When no kiosk holds the store it is opened
// (with the key, as the kiosk does) and the copy is audited as an export;
// when the kiosk runs, the copy is taken without the key from a
// consistent snapshot (see storage.BackupDir). It prints
// {"out":OUT,"bytes":N,"audited":bool}. The key file is not copied:
// back it up separately. Restore: see the storage package documentation.
func runBackup(ctx context.Context, io IO, args []string) error {
	fs := newFlags("backup")
	data := fs.String("data", "", "kiosk data directory")
	timeout := fs.Duration("timeout", time.Second, "how long to wait for the store's lock")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *data == "" || fs.NArg() != 1 {
		return errorf(errUsage, "--data DIR and exactly one OUT file are required")
	}
	out := fs.Arg(0)
	if _, err := os.Stat(filepath.Join(*data, storage.DBFile)); err != nil {
		return fmt.Errorf("no kiosk store in %s: %w", *data, err)
	}
	opts, err := storage.OptionsFromEnv()
	if err != nil {
		return err
	}
	opts.Timeout = *timeout
	var n int64
	audited := false
	st, err := storage.Open(*data, opts)
	switch {
	case err == nil:
		n, err = st.BackupFile(storage.WithActor(ctx, "cli"), out)
		if cerr := st.Close(); err == nil {
			err = cerr
		}
		audited = err == nil
	case errors.Is(err, storage.ErrLocked), errors.Is(err, storage.ErrNoKey), errors.Is(err, storage.ErrWrongKey):
		// The kiosk holds the store, or this shell lacks its key: copy
		// the file consistently without opening it as a store.
		n, err = storage.BackupDir(ctx, *data, out, *timeout)
	}
	if err != nil {
		return err
	}
	return json.NewEncoder(io.Stdout).Encode(map[string]any{"out": out, "bytes": n, "audited": audited})
}
