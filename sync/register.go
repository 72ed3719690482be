package sync

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/hadir-id/hadir/api"
	"github.com/hadir-id/hadir/storage"
)

// ActionRegister is the audit action of a device registration.
const ActionRegister storage.AuditAction = "device-register"

// Register exchanges a one-time enrollment code for a device token at
// serverURL (Options.ServerURL when empty) under this store's DeviceID
// and the given display name. The token is stored encrypted, the URL and
// units as settings, the roster revision reset (the next cycle pulls the
// whole roster) and the registration audited. It clears a revocation and
// wakes Run. Errors: ErrInvalidCode, ErrDeviceExists, ErrOffline, ...
func (w *Worker) Register(ctx context.Context, serverURL, code, name string) error {
	if serverURL == "" {
		serverURL = w.opts.ServerURL
	}
	base, err := w.checkURL(serverURL)
	if err != nil {
		return fmt.Errorf("register device: %w", err)
	}
	code, name = strings.TrimSpace(code), strings.TrimSpace(name)
	if code == "" || name == "" {
		return fmt.Errorf("register device: code and name are required")
	}
	w.cycleMu.Lock()
	defer w.cycleMu.Unlock()
	body, err := json.Marshal(api.RegisterRequest{Code: code, DeviceID: w.store.DeviceID(), Name: name, AppVersion: w.opts.AppVersion})
	if err != nil {
		return fmt.Errorf("register device: %w", err)
	}
	cl := newConn(base, "", w.tls, w.opts, w.observeOffset)
	defer cl.close()
	var r api.RegisterResponse
	if err := w.exchange(ctx, cl, "register device", http.MethodPost, api.PathRegister, nil, body, &r); err != nil {
		return err
	}
	if r.Token == "" || (r.DeviceID != "" && r.DeviceID != w.store.DeviceID()) {
		return fmt.Errorf("register device: %w: no token, or a token for device %q", ErrProtocol, r.DeviceID)
	}
	secret, err := api.DecodeSecret(r.Secret)
	if err != nil {
		return fmt.Errorf("register device: %w: %v", ErrProtocol, err)
	}
	// The network part is over; now the store.
	actx := w.actor(ctx)
	units := strings.Join(r.Units, ",")
	if err := w.store.SetSecret(actx, secretToken, []byte(r.Token)); err != nil {
		return fmt.Errorf("register device: save token: %w: %w", errStorage, err)
	}
	if err := w.store.SetSecret(actx, secretDevice, secret); err != nil {
		return fmt.Errorf("register device: save device secret: %w: %w", errStorage, err)
	}
	for _, kv := range [][2]string{{settingURL, base}, {settingUnits, units}, {settingRev, "0"}} {
		if err := w.store.SetSetting(actx, kv[0], kv[1]); err != nil {
			return fmt.Errorf("register device: save %s: %w: %w", kv[0], errStorage, err)
		}
	}
	detail := fmt.Sprintf("registered with %s as %q, units %q", base, name, units)
	if err := w.store.RecordAudit(actx, storage.Audit{Action: ActionRegister, Subject: w.store.DeviceID(), Detail: detail}); err != nil {
		return fmt.Errorf("register device: audit: %w: %w", errStorage, err)
	}
	if w.cl != nil {
		w.cl.close()
	}
	w.cl, w.revision = nil, 0
	w.setStatus(func(s *Status) {
		s.Registered, s.Revoked, s.ServerURL, s.Units, s.Revision = true, false, base, r.Units, 0
		s.Problem, s.LastError = ProblemNone, ""
	})
	w.opts.Logger.Info("sync: device registered", "server", base, "device", w.store.DeviceID())
	w.SyncNow()
	return nil
}
