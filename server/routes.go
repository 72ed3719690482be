package server

import (
	"net/http"
	"strings"
)

// Role sets used by the routing table.
var (
	staff    = []Role{RoleAdmin, RoleOperator}
	admins   = []Role{RoleAdmin}
	auditors = []Role{RoleAdmin, RoleAuditor}
	anyone   []Role // any authenticated user
)

// table is the one routing table: New registers it, Routes lists it, and
// the OpenAPI test compares it with server/openapi.yaml.
func (s *Server) table() []route {
	return []route{
		// Kiosk <-> server contract.
		{http.MethodGet, "/api/v1/time", authNone, nil, s.handleTime},
		{http.MethodPost, "/api/v1/devices/register", authNone, nil, s.handleRegister},
		{http.MethodPost, "/api/v1/devices/heartbeat", authDevice, nil, s.handleHeartbeat},
		{http.MethodPost, "/api/v1/events", authDevice, nil, s.handleEvents},
		{http.MethodGet, "/api/v1/roster", authDevice, nil, s.handleRoster},
		{http.MethodPost, "/api/v1/enrollments", authDevice, nil, s.handleEnrollment},

		// Trust boundaries, device side (contract): re-keying, kept-aside
		// events, transfers.
		{http.MethodPost, "/api/v1/devices/rekey", authDevice, nil, s.handleRekey},
		{http.MethodGet, "/api/v1/held-events", authUser, staff, s.handleHeldEvents},
		{http.MethodPost, "/api/v1/held-events/{device}/{id}/release", authUser, admins, s.handleReviewHeld(true)},
		{http.MethodPost, "/api/v1/held-events/{device}/{id}/dismiss", authUser, admins, s.handleReviewHeld(false)},
		{http.MethodPost, "/api/v1/employees/{nip}/transfer", authUser, admins, s.handleTransfer},

		// HR side: users and sessions.
		{http.MethodPost, "/api/v1/auth/login", authNone, nil, s.handleLogin},
		{http.MethodPost, "/api/v1/auth/refresh", authNone, nil, s.handleRefresh},
		{http.MethodPost, "/api/v1/auth/logout", authNone, nil, s.handleLogout},
		{http.MethodGet, "/api/v1/me", authUser, anyone, s.handleMe},
		{http.MethodGet, "/api/v1/users", authUser, admins, s.handleUsers},
		{http.MethodPost, "/api/v1/users", authUser, admins, s.handleCreateUser},

		// HR side: devices, roster, audit.
		{http.MethodPost, "/api/v1/enrollment-codes", authUser, admins, s.handleCreateCode},
		{http.MethodGet, "/api/v1/devices", authUser, staff, s.handleDevices},
		{http.MethodPost, "/api/v1/devices/{id}/revoke", authUser, admins, s.handleRevokeDevice},
		{http.MethodGet, "/api/v1/employees", authUser, staff, s.handleEmployees},
		{http.MethodGet, "/api/v1/employees/{nip}", authUser, staff, s.handleEmployee},
		{http.MethodDelete, "/api/v1/employees/{nip}", authUser, admins, s.handleDeleteEmployee},
		{http.MethodGet, "/api/v1/audit", authUser, auditors, s.handleAudit},

		// Seed-002 photo API.
		{http.MethodPost, "/api/v1/faces/register", authUser, staff, s.photoLimited(s.handleFaceRegister)},
		{http.MethodPost, "/api/v1/faces/identify", authUser, staff, s.photoLimited(s.handleFaceIdentify)},

		// Retired reports (redirect to /api/v1/recap) and approvals.
		{http.MethodGet, "/api/v1/reports/daily", authNone, nil, retired},
		{http.MethodGet, "/api/v1/reports/monthly", authNone, nil, retired},
		{http.MethodGet, "/api/v1/reports/person/{nip}", authNone, nil, retired},
		{http.MethodGet, "/api/v1/manual-events", authUser, staff, s.handleManualEvents},
		{http.MethodPost, "/api/v1/manual-events/{id}/approve", authUser, recapters, s.handleApproval(true)},
		{http.MethodPost, "/api/v1/manual-events/{id}/reject", authUser, recapters, s.handleApproval(false)},

		// Leave, duty, corrections and the monthly recap (issue 14).
		{http.MethodGet, "/api/v1/exceptions", authUser, recapters, s.handleExceptions},
		{http.MethodPost, "/api/v1/exceptions", authUser, creators, s.handleCreateException},
		{http.MethodGet, "/api/v1/exceptions/{id}", authUser, recapters, s.handleException},
		{http.MethodGet, "/api/v1/exceptions/{id}/document", authUser, recapters, s.handleExceptionDocument},
		{http.MethodPost, "/api/v1/exceptions/{id}/approve", authUser, deciders, s.handleDecideException(true)},
		{http.MethodPost, "/api/v1/exceptions/{id}/reject", authUser, deciders, s.handleDecideException(false)},
		{http.MethodPost, "/api/v1/exceptions/{id}/revoke", authUser, admins, s.handleRevokeException},
		{http.MethodPost, "/api/v1/corrections", authUser, creators, s.handleCreateCorrection},
		{http.MethodPost, "/api/v1/corrections/{id}/approve", authUser, deciders, s.handleDecideCorrection(true)},
		{http.MethodPost, "/api/v1/corrections/{id}/reject", authUser, deciders, s.handleDecideCorrection(false)},
		{http.MethodGet, "/api/v1/approvals", authUser, recapters, s.handleApprovals},
		{http.MethodGet, "/api/v1/exception-types", authUser, recapters, s.handleExceptionTypes},
		{http.MethodPut, "/api/v1/exception-types", authUser, admins, s.handlePutExceptionTypes},
		{http.MethodGet, "/api/v1/holidays", authUser, recapters, s.handleHolidays},
		{http.MethodPut, "/api/v1/holidays/{year}", authUser, admins, s.handlePutHolidays},
		{http.MethodGet, "/api/v1/rosters", authUser, recapters, s.handleShifts},
		{http.MethodPut, "/api/v1/rosters", authUser, creators, s.handlePutShifts},
		{http.MethodGet, "/api/v1/settings/recap", authUser, recapters, s.handleRules},
		{http.MethodPut, "/api/v1/settings/recap", authUser, admins, s.handlePutRules},
		{http.MethodGet, "/api/v1/settings/signature", authUser, recapters, s.handleSignature},
		{http.MethodPut, "/api/v1/settings/signature", authUser, admins, s.handlePutSignature},
		{http.MethodPut, "/api/v1/employees/{nip}/service", authUser, admins, s.handlePutService},
		{http.MethodGet, "/api/v1/recap/daily", authUser, recapters, s.handleLH},
		{http.MethodGet, "/api/v1/recap/monthly", authUser, recapters, s.handleLB1},
		{http.MethodGet, "/api/v1/recap/person/{nip}", authUser, recapters, s.handleLB2},

		// Operations.
		{http.MethodGet, "/healthz", authNone, nil, s.handleHealth},
		{http.MethodGet, "/metrics", authMetrics, admins, s.handleMetrics},
	}
}

// HR web console (server/console): every path outside /api/ that no API
// route claims is handed to the pages mounted here, so the API keeps its
// JSON errors and the console its HTML ones.

// MountPages serves h for every path that is not under /api/ and not an
// API route (/healthz, /metrics). Call it before Serve; nil unmounts.
func (s *Server) MountPages(h http.Handler) {
	if h == nil {
		s.pages.Store(nil)
		return
	}
	s.pages.Store(&h)
}

// servePages hands r to the mounted pages, reporting whether it did.
func (s *Server) servePages(w http.ResponseWriter, r *http.Request) bool {
	h := s.pages.Load()
	if h == nil || r.URL.Path == "/api" || strings.HasPrefix(r.URL.Path, "/api/") {
		return false
	}
	(*h).ServeHTTP(w, r)
	return true
}
