package sync

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/hadir-id/hadir/api"
	"github.com/hadir-id/hadir/storage"
)

// secretDevice is the store secret holding the device secret that MACs
// every event sent (api.EventMAC); issued at registration, or by
// api.PathRekey to a kiosk registered before device secrets existed.
const secretDevice = "sync.device_secret"

// ActionRekey is the audit action of receiving a device secret by re-keying.
const ActionRekey storage.AuditAction = "device-rekey"

// deviceSecret returns the stored device secret, re-keying first when the
// kiosk has none (registered before secrets existed). Re-keying is
// refused by the server once the device holds a secret: ErrRekeyRefused
// then tells the admin to register the kiosk again; the outbox is kept.
func (w *Worker) deviceSecret(ctx context.Context, cl *conn) ([]byte, error) {
	sec, err := w.store.Secret(ctx, secretDevice)
	if err == nil {
		return sec, nil
	}
	if !errors.Is(err, storage.ErrNotFound) {
		return nil, fmt.Errorf("read device secret: %w: %w", errStorage, err)
	}
	return w.rekey(ctx, cl)
}

// rekey asks the server for a device secret and stores it encrypted.
func (w *Worker) rekey(ctx context.Context, cl *conn) ([]byte, error) {
	var r api.RekeyResponse
	err := w.exchange(ctx, cl, "re-key device", http.MethodPost, api.PathRekey, nil, []byte("{}"), &r)
	var ae *APIError
	if errors.As(err, &ae) && ae.Code == api.CodeAlreadyKeyed {
		return nil, fmt.Errorf("%w: %s", ErrRekeyRefused, ae.Message)
	}
	if err != nil {
		return nil, err
	}
	sec, err := api.DecodeSecret(r.Secret)
	if err != nil {
		return nil, fmt.Errorf("re-key device: %w: %v", ErrProtocol, err)
	}
	actx := w.actor(ctx)
	if err := w.store.SetSecret(actx, secretDevice, sec); err != nil {
		return nil, fmt.Errorf("re-key device: save secret: %w: %w", errStorage, err)
	}
	if err := w.store.RecordAudit(actx, storage.Audit{Action: ActionRekey, Subject: w.store.DeviceID(),
		Detail: "device secret received from the server (kiosk registered before event MACs)"}); err != nil {
		return nil, fmt.Errorf("re-key device: audit: %w: %w", errStorage, err)
	}
	w.opts.Logger.Info("sync: device re-keyed: events are now sent with a MAC", "device", w.store.DeviceID())
	return sec, nil
}
