package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// dummyHash is checked when the user does not exist, so a login for an
// unknown name takes as long as one with a wrong password.
var dummyHash, _ = HashPassword("not-a-real-password-at-all")

type tokenResponse struct {
	ServerTime       string `json:"server_time"`
	AccessToken      string `json:"access_token"`
	TokenType        string `json:"token_type"`
	ExpiresIn        int64  `json:"expires_in"`
	ExpiresAt        string `json:"expires_at"`
	RefreshToken     string `json:"refresh_token"`
	RefreshExpiresIn int64  `json:"refresh_expires_in"`
	User             User   `json:"user"`
}

// issue starts a session for u: an access token and a refresh token.
func (s *Server) issue(r *http.Request, u User) (tokenResponse, error) {
	now := s.now()
	sid := NewToken()
	refresh := NewToken()
	if err := s.store.CreateRefreshToken(r.Context(), HashSecret(refresh), u.ID, sid, now.Add(s.cfg.RefreshTTL)); err != nil {
		return tokenResponse{}, err
	}
	return s.tokens(u, sid, refresh, now), nil
}

func (s *Server) tokens(u User, sid, refresh string, now time.Time) tokenResponse {
	access, exp := s.signJWT(u, sid, now)
	return tokenResponse{ServerTime: s.stamp(), AccessToken: access, TokenType: "Bearer", ExpiresIn: int64(s.cfg.AccessTTL / time.Second),
		ExpiresAt: exp.UTC().Format(time.RFC3339), RefreshToken: refresh, RefreshExpiresIn: int64(s.cfg.RefreshTTL / time.Second), User: u}
}

func locked(until, now time.Time) *apiError {
	secs := max(1, int(until.Sub(now).Round(time.Second)/time.Second))
	e := fail(http.StatusTooManyRequests, "too_many_attempts", "too many failed logins: try again in %d seconds", secs)
	e.header = http.Header{"Retry-After": {strconv.Itoa(secs)}}
	return e
}

// loginKeys are the counters a login from p for name is throttled by:
// the user at this client address (a correct password clears it), and the
// address alone (one client guessing many names). Nothing counts the user
// over all addresses, so guesses from elsewhere never lock out the user.
func (s *Server) loginKeys(name string, p *principal) []LoginKey {
	return []LoginKey{
		{Key: "user:" + name + "@" + p.remote, Policy: s.cfg.Lockout, ClearOnSuccess: true},
		{Key: "ip:" + p.remote, Policy: s.cfg.IPLockout},
	}
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request, p *principal) error {
	var req struct {
		Name     string `json:"name"`
		Password string `json:"password"`
	}
	if err := decodeJSON(w, r, smallBody, &req); err != nil {
		return err
	}
	if req.Name == "" || req.Password == "" || len(req.Name) > 64 || len(req.Password) > 1024 {
		return badRequest("name and password are required")
	}
	// The memory bound first: a flood is shed before it costs a query.
	if !s.pwChecks.try() {
		s.metrics.loginsShed.Add(1)
		return busy("logins")
	}
	defer s.pwChecks.release()
	ctx, now := r.Context(), s.now()
	keys := s.loginKeys(req.Name, p)
	until, err := s.store.ReserveLogin(ctx, keys, now)
	if err != nil {
		return err
	}
	if !until.IsZero() {
		s.metrics.lockouts.Add(1)
		return locked(until, now)
	}
	outcome := LoginAborted
	defer func() {
		if outcome == LoginAborted { // release the reservation; ctx may be gone
			if _, err := s.store.FinishLogin(context.WithoutCancel(ctx), keys, outcome, now); err != nil {
				s.log.Error("release login reservation", "err", err)
			}
		}
	}()
	u, err := s.store.UserByName(ctx, req.Name)
	hash := u.PasswordHash
	if err != nil {
		if !errors.Is(err, ErrNotFound) {
			return err
		}
		hash = dummyHash
	}
	s.metrics.passwordChecks.Add(1)
	ok, cerr := CheckPassword(hash, req.Password)
	if cerr != nil {
		s.log.Error("stored password hash unreadable", "user", req.Name, "err", cerr)
	}
	if err != nil || !ok || u.Disabled {
		s.metrics.loginFailures.Add(1)
		outcome = LoginFailed
		lockedUntil, err := s.store.FinishLogin(context.WithoutCancel(ctx), keys, outcome, now)
		if err != nil {
			return err
		}
		if !lockedUntil.IsZero() {
			s.audit(r, p, "auth.lockout", req.Name, "too many failed logins from "+p.remote)
			return locked(lockedUntil, now)
		}
		return fail(http.StatusUnauthorized, "invalid_credentials", "wrong user name or password")
	}
	outcome = LoginSucceeded
	if _, err := s.store.FinishLogin(context.WithoutCancel(ctx), keys, outcome, now); err != nil {
		return err
	}
	resp, err := s.issue(r, u)
	if err != nil {
		return err
	}
	p.user = &u
	s.audit(r, p, "auth.login", u.Name, "")
	s.writeJSON(w, http.StatusOK, resp)
	return nil
}

func (s *Server) handleRefresh(w http.ResponseWriter, r *http.Request, p *principal) error {
	var req struct {
		RefreshToken string `json:"refresh_token"`
	}
	if err := decodeJSON(w, r, smallBody, &req); err != nil {
		return err
	}
	if req.RefreshToken == "" {
		return badRequest("refresh_token is required")
	}
	now := s.now()
	next := NewToken()
	uid, sid, err := s.store.RotateRefreshToken(r.Context(), HashSecret(req.RefreshToken), HashSecret(next), now, now.Add(s.cfg.RefreshTTL))
	if errors.Is(err, ErrNotFound) {
		return fail(http.StatusUnauthorized, "unauthorized", "refresh token unknown, expired, revoked or already used: log in again")
	}
	if err != nil {
		return err
	}
	u, err := s.store.UserByID(r.Context(), uid)
	if err != nil {
		return err
	}
	if u.Disabled {
		return fail(http.StatusUnauthorized, "unauthorized", "user %s is disabled", u.Name)
	}
	s.writeJSON(w, http.StatusOK, s.tokens(u, sid, next, now))
	return nil
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request, p *principal) error {
	var req struct {
		RefreshToken string `json:"refresh_token"`
	}
	if err := decodeJSON(w, r, smallBody, &req); err != nil {
		return err
	}
	if req.RefreshToken == "" {
		return badRequest("refresh_token is required")
	}
	if err := s.store.RevokeRefreshToken(r.Context(), HashSecret(req.RefreshToken), s.now()); err != nil {
		return err
	}
	s.writeJSON(w, http.StatusOK, M{})
	return nil
}

func (s *Server) handleMe(w http.ResponseWriter, r *http.Request, p *principal) error {
	s.writeJSON(w, http.StatusOK, M{"user": p.user})
	return nil
}

func (s *Server) handleUsers(w http.ResponseWriter, r *http.Request, p *principal) error {
	us, err := s.store.Users(r.Context())
	if err != nil {
		return err
	}
	if us == nil {
		us = []User{}
	}
	s.writeJSON(w, http.StatusOK, M{"users": us})
	return nil
}

func (s *Server) handleCreateUser(w http.ResponseWriter, r *http.Request, p *principal) error {
	var req struct {
		Name     string   `json:"name"`
		Password string   `json:"password"`
		Role     Role     `json:"role"`
		Units    []string `json:"units"`
	}
	if err := decodeJSON(w, r, smallBody, &req); err != nil {
		return err
	}
	if err := ValidateUserName(req.Name); err != nil {
		return badRequest("%v", err)
	}
	if !req.Role.Valid() {
		return badRequest("role %q must be admin, operator or auditor", trunc(string(req.Role)))
	}
	if req.Role == RoleOperator && len(req.Units) == 0 {
		return badRequest("an operator needs at least one unit")
	}
	if !s.pwChecks.try() {
		return busy("password hashing")
	}
	hash, err := HashPassword(req.Password)
	s.pwChecks.release()
	if err != nil {
		return badRequest("%v", err)
	}
	u, err := s.store.CreateUser(r.Context(), User{Name: req.Name, Role: req.Role, Units: req.Units, PasswordHash: hash, CreatedAt: s.now().UTC()})
	if err != nil {
		return err
	}
	s.audit(r, p, "user.create", u.Name, fmt.Sprintf("role=%s units=%v", u.Role, u.Units))
	s.writeJSON(w, http.StatusCreated, M{"user": u})
	return nil
}
