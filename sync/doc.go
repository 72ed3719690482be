// Package sync moves the kiosk's attendance to the central hadir-server
// and the server's roster to the kiosk, through outages, crashes and bad
// clocks, losing nothing and duplicating nothing.
//
// # Push
//
// Worker.Run pages through the store's outbox (Options.BatchSize events
// at a time, never the whole backlog) and POSTs each page to
// /api/v1/events. An event leaves the outbox only after the server
// acknowledged it as accepted or duplicate (MarkSynced); a rejected event
// leaves the outbox with the server's reason (MarkRejected), is kept,
// listed by Worker.Rejected for the admin, and never retried. A reply
// whose results do not match the events sent marks nothing. A timeout, a
// cut connection or a 5xx marks nothing either: the same events are sent
// again later, and the server, idempotent by event ID, answers
// "duplicate" for those it already stored (the lost-acknowledgement
// case). A 413 halves the batch.
//
// # Retry
//
// After a failure Run waits an exponential backoff with full jitter
// (Options.MinBackoff doubling up to Options.MaxBackoff), reset by the
// next success; SyncNow skips the wait. No network call runs inside a
// storage transaction: every exchange completes before the store is
// written.
//
// # Clock
//
// Every exchange measures offset = server_time - midpoint(send, receive).
// The latest offset is kept (and persisted when it moves by more than a
// second), returned by Worker.ClockOffset for new events, sent
// in heartbeats (the server flags |offset| > 60 s) and raises
// Status.ClockWarning above Options.MaxClockSkew.
//
// # Pull
//
// Roster changes since the stored revision are applied to the store and
// then to the live gallery: a change replaces the employee and all their
// templates; a deletion erases them (EraseEmployee). The revision is
// saved after the changes, so a crash re-applies them, which is harmless.
//
// # Registration
//
// Register exchanges a one-time code for a device token, kept encrypted
// in the store (Store.SetSecret). A revoked device stops all network
// activity, keeps its outbox and says so in Status.Revoked until it is
// registered again.
package sync
