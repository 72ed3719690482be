package sync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/hadir-id/hadir/api"
	"net/http"
	"slices"
	"sort"

	"github.com/hadir-id/hadir/storage"
)

// PushEnrollment sends an employee enrolled on this kiosk, with their
// templates, to the server, which checks the face against every other
// NIP. A match gives *DuplicateFaceError (errors.As) for the operator to
// resolve; nothing is stored on the server then. When the server cannot
// be reached (ErrOffline, ErrServer) the NIP is queued in the store and
// Run sends it with the next cycle; the error is still returned so the
// screen can say "will be sent when online".
func (w *Worker) PushEnrollment(ctx context.Context, nip string) error {
	cl, err := w.freshClient(ctx)
	if err != nil {
		return fmt.Errorf("push enrollment %s: %w", nip, err)
	}
	defer cl.close()
	err = w.sendEnrollment(ctx, cl, nip)
	switch {
	case err == nil:
		return w.dequeue(ctx, nip)
	case errors.Is(err, ErrOffline), errors.Is(err, ErrServer):
		if qerr := w.enqueue(ctx, nip); qerr != nil {
			return errors.Join(err, qerr)
		}
		return err
	}
	return err
}

// QueueEnrollment queues nip's enrollment for the next sync cycle
// without any network call: the check-in pipeline calls it (through
// checkin.Options.OnAdapt) after learning a template, on its worker, so
// the server gets the person's new template set like an enrollment.
func (w *Worker) QueueEnrollment(ctx context.Context, nip string) error {
	if err := w.enqueue(ctx, nip); err != nil {
		return fmt.Errorf("queue enrollment %s: %w", nip, err)
	}
	return nil
}

// freshClient builds a client of its own, so a GUI call never waits for
// a long push pass holding the worker's.
func (w *Worker) freshClient(ctx context.Context) (*conn, error) {
	tok, err := w.store.Secret(ctx, secretToken)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, ErrNotRegistered
	}
	if err != nil {
		return nil, fmt.Errorf("read device token: %w: %w", errStorage, err)
	}
	url, err := w.serverURL(ctx)
	if err != nil {
		return nil, err
	}
	if url == "" {
		return nil, fmt.Errorf("%w: no server URL", ErrNotRegistered)
	}
	return newConn(url, string(tok), w.tls, w.opts, w.observeOffset), nil
}

func (w *Worker) sendEnrollment(ctx context.Context, cl *conn, nip string) error {
	emp, err := w.store.Employee(ctx, nip)
	if err != nil {
		return fmt.Errorf("push enrollment %s: %w", nip, err)
	}
	ts, err := w.store.Templates(ctx, nip)
	if err != nil {
		return fmt.Errorf("push enrollment %s: %w", nip, err)
	}
	if len(ts) == 0 {
		return fmt.Errorf("push enrollment %s: %w: no templates", nip, storage.ErrNotFound)
	}
	// Newest first, enrolled before adapted: a cut keeps the enrollment
	// and the bound on adapted templates (the server refuses more).
	sort.SliceStable(ts, func(i, j int) bool {
		if ts[i].Adapted != ts[j].Adapted {
			return !ts[i].Adapted
		}
		return ts[i].TakenAt.After(ts[j].TakenAt)
	})
	kept, adapted := ts[:0], 0
	for _, t := range ts {
		if t.Adapted {
			if adapted++; adapted > api.MaxAdaptedTemplates {
				continue
			}
		}
		kept = append(kept, t)
	}
	ts = kept[:min(len(kept), api.MaxTemplates)]
	req := api.EnrollmentRequest{Employee: api.Employee{NIP: emp.NIP, Name: emp.Name, Unit: emp.Unit, Status: string(emp.Status)}}
	for _, t := range ts {
		req.Templates = append(req.Templates, api.Template{ID: t.ID, Descriptor: api.EncodeDescriptor(&t.Descriptor),
			Quality: api.Quality(t.Quality), TakenAt: t.TakenAt.UTC(), Adapted: t.Adapted})
	}
	body, err := json.Marshal(req)
	if err != nil {
		return fmt.Errorf("push enrollment %s: %w", nip, err)
	}
	var res api.EnrollmentResponse
	err = w.exchange(ctx, cl, "push enrollment "+nip, http.MethodPost, api.PathEnroll, nil, body, &res)
	var ae *APIError
	if errors.As(err, &ae) && errors.Is(err, ErrDuplicateFace) {
		return &DuplicateFaceError{NIP: nip, ConflictNIP: ae.env.ConflictNIP, ConflictName: ae.env.ConflictName,
			Distance: ae.env.Distance, Message: ae.Message}
	}
	return err
}

// pushEnrollmentQueue sends enrollments queued while offline (a Sync
// step). Refused ones leave the queue; conflicts go to Status.Conflicts.
func (w *Worker) pushEnrollmentQueue(ctx context.Context, cl *conn) error {
	queue, err := w.queue(ctx)
	if err != nil || len(queue) == 0 {
		return err
	}
	for _, nip := range queue {
		err := w.sendEnrollment(ctx, cl, nip)
		var dup *DuplicateFaceError
		switch {
		case err == nil:
		case errors.As(err, &dup):
			w.setStatus(func(s *Status) { s.Conflicts = append(s.Conflicts, *dup) })
			w.opts.Logger.Warn("sync: queued enrollment refused: duplicate face", "err", err)
		case errors.Is(err, ErrOffline), errors.Is(err, ErrServer), errors.Is(err, ErrRevoked),
			errors.Is(err, ErrUnauthorized), ctx.Err() != nil:
			return err
		default: // gone locally, or refused for good: do not retry blindly
			w.opts.Logger.Warn("sync: queued enrollment dropped", "nip", nip, "err", err)
		}
		if err := w.dequeue(ctx, nip); err != nil {
			return err
		}
	}
	return nil
}

func (w *Worker) queue(ctx context.Context) ([]string, error) {
	v, err := w.setting(ctx, settingEnrollQ)
	if err != nil || v == "" {
		return nil, err
	}
	var q []string
	if err := json.Unmarshal([]byte(v), &q); err != nil {
		return nil, fmt.Errorf("setting %s: %w: %w", settingEnrollQ, errStorage, err)
	}
	return q, nil
}

func (w *Worker) editQueue(ctx context.Context, edit func([]string) []string) error {
	w.queueMu.Lock()
	defer w.queueMu.Unlock()
	q, err := w.queue(ctx)
	if err != nil {
		return err
	}
	n := edit(slices.Clone(q))
	if slices.Equal(n, q) {
		return nil
	}
	b, err := json.Marshal(n)
	if err != nil {
		return err
	}
	if err := w.store.SetSetting(w.actor(ctx), settingEnrollQ, string(b)); err != nil {
		return fmt.Errorf("save enrollment queue: %w: %w", errStorage, err)
	}
	return nil
}

func (w *Worker) enqueue(ctx context.Context, nip string) error {
	return w.editQueue(ctx, func(q []string) []string {
		if slices.Contains(q, nip) {
			return q
		}
		return append(q, nip)
	})
}

func (w *Worker) dequeue(ctx context.Context, nip string) error {
	return w.editQueue(ctx, func(q []string) []string {
		return slices.DeleteFunc(q, func(s string) bool { return s == nip })
	})
}

// PendingEnrollments lists the NIPs queued for the server.
func (w *Worker) PendingEnrollments(ctx context.Context) ([]string, error) { return w.queue(ctx) }

// Rejected lists the events the server refused, each with its
// RejectReason, oldest first: they are kept, never retried blindly, and
// shown to the admin.
func (w *Worker) Rejected(ctx context.Context) ([]storage.Event, error) {
	var out []storage.Event
	var after uint64
	for range 1 << 20 {
		page, err := w.store.RejectedEvents(ctx, after, 500)
		if err != nil {
			return out, fmt.Errorf("list rejected events: %w", err)
		}
		out = append(out, page...)
		if len(page) < 500 {
			break
		}
		after = page[len(page)-1].Seq
	}
	return out, nil
}
