package server

import "net/http"

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
		{http.MethodPost, "/api/v1/faces/register", authUser, staff, s.handleFaceRegister},
		{http.MethodPost, "/api/v1/faces/identify", authUser, staff, s.handleFaceIdentify},

		// Reports and approvals.
		{http.MethodGet, "/api/v1/reports/daily", authUser, staff, s.handleDailyReport},
		{http.MethodGet, "/api/v1/reports/monthly", authUser, staff, s.handleMonthlyReport},
		{http.MethodGet, "/api/v1/reports/person/{nip}", authUser, staff, s.handlePersonReport},
		{http.MethodGet, "/api/v1/manual-events", authUser, staff, s.handleManualEvents},
		{http.MethodPost, "/api/v1/manual-events/{id}/approve", authUser, staff, s.handleApproval(true)},
		{http.MethodPost, "/api/v1/manual-events/{id}/reject", authUser, staff, s.handleApproval(false)},

		// Operations.
		{http.MethodGet, "/healthz", authNone, nil, s.handleHealth},
		{http.MethodGet, "/metrics", authNone, nil, s.handleMetrics},
	}
}
