package sync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/hadir-id/hadir/api"
	"github.com/hadir-id/hadir/storage"
)

// maxHalvings bounds how often one push pass halves its batch after a
// 413 before giving up (1000 -> 1 takes 10).
const maxHalvings = 11

// push sends the outbox in pages of Options.BatchSize, oldest first,
// until it is empty (or holds only events recorded during this pass
// beyond the bound). Each page is read, sent and acknowledged in turn, so
// memory holds one page whatever the backlog.
func (w *Worker) push(ctx context.Context, cl *conn) error {
	total, err := w.refreshPending(ctx)
	if err != nil || total == 0 {
		return err
	}
	batch := w.opts.BatchSize
	// Every successful round removes a whole page from the outbox; the
	// bound allows for events recorded meanwhile and for 413 halvings.
	rounds := total/batch + 2 + maxHalvings
	var after uint64
	for range rounds {
		page, err := w.store.Outbox(ctx, after, batch)
		if err != nil {
			return fmt.Errorf("read outbox: %w: %w", errStorage, err)
		}
		if len(page) == 0 {
			break
		}
		w.setStatus(func(s *Status) { s.Pending, s.OldestPending = max(total, len(page)), page[0].Time })
		err = w.pushPage(ctx, cl, page)
		if errors.Is(err, ErrTooLarge) && batch > 1 {
			batch /= 2
			w.opts.Logger.Warn("sync: server refused the batch as too large; halving", "batch", batch)
			continue
		}
		if err != nil {
			_, _ = w.refreshPending(ctx)
			return err
		}
		after = page[len(page)-1].Seq
		total = max(total-len(page), 0) // counted exactly again at the end
	}
	_, err = w.refreshPending(ctx)
	return err
}

// pushPage posts one page and applies the server's verdicts. Nothing is
// marked unless the answer has exactly one result per event, in order.
func (w *Worker) pushPage(ctx context.Context, cl *conn, page []storage.Event) error {
	secret, err := w.deviceSecret(ctx, cl)
	if err != nil {
		return err
	}
	var res api.PushResponse
	err = w.exchange(ctx, cl, "push events", http.MethodPost, api.PathEvents, nil, pushBody(secret, page), &res)
	var ae *APIError
	if errors.As(err, &ae) && ae.Code == api.CodeRekeyRequired {
		// The server lost or never had our secret's registration: get one.
		if secret, err = w.rekey(ctx, cl); err != nil {
			return err
		}
		err = w.exchange(ctx, cl, "push events", http.MethodPost, api.PathEvents, nil, pushBody(secret, page), &res)
	}
	if err != nil {
		return err
	}
	if err := matchResults(page, res.Results); err != nil {
		return fmt.Errorf("push events: %w: %v", ErrProtocol, err)
	}
	if !res.Chain.OK {
		msg := fmt.Sprintf("seq %d: %s", res.Chain.BrokenAtSeq, res.Chain.Message)
		w.opts.Logger.Warn("sync: the server reports a break in this kiosk's hash chain", "at", msg)
		w.setStatus(func(s *Status) { s.ChainBroken = msg })
	}
	acked := make([]string, 0, len(page))
	for _, r := range res.Results {
		if r.Status == api.ResultRejected || r.Status == api.ResultConflict {
			reason := r.Reason
			if r.Message != "" && r.Message != r.Reason {
				reason += ": " + r.Message
			}
			if strings.TrimSpace(reason) == "" {
				reason = "rejected by the server without a reason"
			}
			if err := w.store.MarkRejected(ctx, r.ID, reason); err != nil {
				return fmt.Errorf("mark event %s rejected: %w: %w", r.ID, errStorage, err)
			}
			w.opts.Logger.Warn("sync: server rejected an event", "id", r.ID, "reason", reason)
			continue
		}
		acked = append(acked, r.ID)
	}
	if len(acked) > 0 {
		if err := w.store.MarkSynced(ctx, acked...); err != nil {
			return fmt.Errorf("mark %d events synced: %w: %w", len(acked), errStorage, err)
		}
	}
	return nil
}

// pushBody is the POST /events body: the page's wire events, each MACed
// with the device secret.
func pushBody(secret []byte, page []storage.Event) []byte {
	req := api.PushRequest{Events: make([]api.Event, len(page))}
	for i := range page {
		req.Events[i] = page[i].Wire()
		req.Events[i].MAC = api.EventMAC(secret, req.Events[i].Hash)
	}
	body, _ := json.Marshal(req) // plain structs: cannot fail
	return body
}

// matchResults checks the answer covers exactly the events sent.
func matchResults(page []storage.Event, results []api.EventResult) error {
	if len(results) != len(page) {
		return fmt.Errorf("%d results for %d events", len(results), len(page))
	}
	for i, r := range results {
		if r.ID != page[i].ID {
			return fmt.Errorf("result %d is for %q, expected %q", i, r.ID, page[i].ID)
		}
		switch r.Status {
		case api.ResultAccepted, api.ResultDuplicate, api.ResultRejected, api.ResultConflict:
		default:
			return fmt.Errorf("result %d has status %q", i, r.Status)
		}
	}
	return nil
}

// refreshPending updates Status.Pending/OldestPending from the store.
func (w *Worker) refreshPending(ctx context.Context) (int, error) {
	n, err := w.store.OutboxLen(ctx)
	if err != nil {
		return 0, fmt.Errorf("count outbox: %w: %w", errStorage, err)
	}
	var oldest storage.Event
	if n > 0 {
		first, err := w.store.Outbox(ctx, 0, 1)
		if err != nil {
			return 0, fmt.Errorf("read outbox: %w: %w", errStorage, err)
		}
		if len(first) > 0 {
			oldest = first[0]
		}
	}
	w.setStatus(func(s *Status) { s.Pending, s.OldestPending = n, oldest.Time })
	return n, nil
}
