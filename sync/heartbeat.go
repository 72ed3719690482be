package sync

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/hadir-id/hadir/api"
	"net/http"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// heartbeatIfDue reports the kiosk's health every HeartbeatInterval:
// backlog, clock offset (the server flags > 60 s), camera rate, free
// disk, version and last error.
func (w *Worker) heartbeatIfDue(ctx context.Context, cl *conn) error {
	now := w.opts.Clock.Now()
	if !w.lastHeartbeat.IsZero() && now.Sub(w.lastHeartbeat) < w.opts.HeartbeatInterval {
		return nil
	}
	if _, err := w.refreshPending(ctx); err != nil {
		return err
	}
	st := w.Status()
	hb := api.HeartbeatRequest{
		Backlog:       int64(st.Pending),
		OldestPending: st.OldestPending,
		ClockOffsetNS: int64(w.ClockOffset()),
		FreeDiskBytes: freeDisk(filepath.Dir(w.store.Path())),
		AppVersion:    w.opts.AppVersion,
		LastError:     st.LastError,
	}
	if w.opts.CameraFPS != nil {
		hb.CameraFPS = w.opts.CameraFPS()
	}
	body, err := json.Marshal(hb)
	if err != nil {
		return fmt.Errorf("heartbeat: %w", err)
	}
	if err := w.exchange(ctx, cl, "heartbeat", http.MethodPost, api.PathHeartbeat, nil, body, nil); err != nil {
		return err
	}
	w.lastHeartbeat = now
	return nil
}

// freeDisk is the space available to the kiosk where its store lives.
func freeDisk(dir string) uint64 {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return 0
	}
	return st.Bavail * uint64(st.Bsize)
}
