package server

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
)

// metrics are this process's counters. Numbers that must agree whichever
// process is scraped (devices, chain breaks on record, backlog) come from
// the database at scrape time instead.
type metrics struct {
	mu       sync.Mutex
	requests map[[2]string]int64 // route, code

	accepted, duplicate, rejected atomic.Int64
	chainBreaks                   atomic.Int64
	loginFailures, lockouts       atomic.Int64
	passwordChecks, loginsShed    atomic.Int64
	photoDecodes, photosShed      atomic.Int64
	photos                        sync.Map // outcome -> *atomic.Int64
}

func newMetrics() *metrics { return &metrics{requests: map[[2]string]int64{}} }

func (m *metrics) request(route string, code int) {
	m.mu.Lock()
	m.requests[[2]string{route, fmt.Sprint(code)}]++
	m.mu.Unlock()
}

func (m *metrics) event(status string) {
	switch status {
	case "accepted":
		m.accepted.Add(1)
	case "duplicate":
		m.duplicate.Add(1)
	default:
		m.rejected.Add(1)
	}
}

func (m *metrics) chainBreak() { m.chainBreaks.Add(1) }

func (m *metrics) photo(outcome string) {
	v, _ := m.photos.LoadOrStore(outcome, new(atomic.Int64))
	v.(*atomic.Int64).Add(1)
}

// handleMetrics writes the Prometheus text exposition format.
func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request, _ *principal) error {
	st, err := s.store.Stats(r.Context())
	if err != nil {
		return err
	}
	var b strings.Builder
	gauge := func(name, help string, v int64) {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s gauge\n%s %d\n", name, help, name, name, v)
	}
	counter := func(name, help string, v int64) {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s counter\n%s %d\n", name, help, name, name, v)
	}
	gauge("hadir_devices", "Registered devices (including revoked).", st.Devices)
	gauge("hadir_devices_revoked", "Revoked devices.", st.DevicesRevoked)
	gauge("hadir_devices_clock_flagged", "Active devices whose last heartbeat reported |clock offset| > 60 s.", st.ClockFlagged)
	gauge("hadir_chain_breaks", "Hash-chain breaks on record over all devices.", st.ChainBreaks)
	gauge("hadir_device_backlog_events", "Events waiting on kiosks, from their last heartbeats.", st.Backlog)
	gauge("hadir_events_stored", "Attendance events stored (an estimate that costs the same at any table size).", st.Events)
	gauge("hadir_manual_events_pending", "Manual events awaiting approval.", st.PendingApprovals)
	gauge("hadir_employees", "Employees on the roster.", st.Employees)
	gauge("hadir_templates", "Face templates on the roster.", st.Templates)
	gauge("hadir_roster_revision", "Current roster revision.", st.Revision)
	fmt.Fprintf(&b, "# HELP hadir_events_ingested_total Uploaded events by outcome (this process).\n# TYPE hadir_events_ingested_total counter\n")
	fmt.Fprintf(&b, "hadir_events_ingested_total{status=\"accepted\"} %d\n", s.metrics.accepted.Load())
	fmt.Fprintf(&b, "hadir_events_ingested_total{status=\"duplicate\"} %d\n", s.metrics.duplicate.Load())
	fmt.Fprintf(&b, "hadir_events_ingested_total{status=\"rejected\"} %d\n", s.metrics.rejected.Load())
	counter("hadir_chain_breaks_detected_total", "Batches whose hash-chain check failed (this process).", s.metrics.chainBreaks.Load())
	counter("hadir_login_failures_total", "Failed logins (this process).", s.metrics.loginFailures.Load())
	counter("hadir_login_lockouts_total", "Logins refused by lockout (this process).", s.metrics.lockouts.Load())
	counter("hadir_password_checks_total", "argon2id password verifications run (this process).", s.metrics.passwordChecks.Load())
	counter("hadir_logins_shed_total", "Logins answered 503 because every password-check slot was busy (this process).", s.metrics.loginsShed.Load())
	counter("hadir_photo_decodes_total", "Uploaded photos decoded to pixels (this process).", s.metrics.photoDecodes.Load())
	counter("hadir_photo_requests_shed_total", "Photo requests answered 503 because every slot was busy (this process).", s.metrics.photosShed.Load())
	fmt.Fprintf(&b, "# HELP hadir_photo_requests_total Photo API requests by outcome (this process).\n# TYPE hadir_photo_requests_total counter\n")
	var outcomes []string
	s.metrics.photos.Range(func(k, _ any) bool { outcomes = append(outcomes, k.(string)); return true })
	sort.Strings(outcomes)
	for _, o := range outcomes {
		v, _ := s.metrics.photos.Load(o)
		fmt.Fprintf(&b, "hadir_photo_requests_total{outcome=%q} %d\n", o, v.(*atomic.Int64).Load())
	}
	fmt.Fprintf(&b, "# HELP hadir_http_requests_total HTTP requests by route and status (this process).\n# TYPE hadir_http_requests_total counter\n")
	s.metrics.mu.Lock()
	keys := make([][2]string, 0, len(s.metrics.requests))
	for k := range s.metrics.requests {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i][0]+keys[i][1] < keys[j][0]+keys[j][1] })
	for _, k := range keys {
		fmt.Fprintf(&b, "hadir_http_requests_total{route=%q,code=%q} %d\n", k[0], k[1], s.metrics.requests[k])
	}
	s.metrics.mu.Unlock()
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	_, err = w.Write([]byte(b.String()))
	return err
}

// handleHealth reports whether the database answers.
func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request, _ *principal) error {
	if err := s.store.Ping(r.Context()); err != nil {
		s.log.Error("health check", "err", err)
		return fail(http.StatusServiceUnavailable, "unhealthy", "database unreachable")
	}
	s.writeJSON(w, http.StatusOK, M{"status": "ok"})
	return nil
}
