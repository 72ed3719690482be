package server

import (
	"context"
	"time"
)

// Hooks for the HR web console (server/console). The console's browser
// sessions live in the database, beside the API's sessions, so several
// hadir-server processes sharing one PostgreSQL serve the same browser:
// a session created by one works on another, and a logout or an expiry on
// one ends it on all.

// ConsoleSession is one logged-in browser. Only the SHA-256 of the cookie
// token is stored; the console calls the API in the API session SID.
type ConsoleSession struct {
	Hash     []byte // SHA-256 of the cookie token
	UserID   int64
	SID      string // the API session (refresh-token family) it acts in
	CSRF     string // the session's form token
	Created  time.Time
	LastUsed time.Time
}

// ConsoleSessionStore keeps console sessions; the SQL stores implement it.
type ConsoleSessionStore interface {
	// CreateConsoleSession stores cs.
	CreateConsoleSession(ctx context.Context, cs ConsoleSession) error
	// ConsoleSession returns the session of hash and its user, or
	// ErrNotFound when there is none or its API session was revoked.
	ConsoleSession(ctx context.Context, hash []byte) (ConsoleSession, User, error)
	// TouchConsoleSession records a use at now.
	TouchConsoleSession(ctx context.Context, hash []byte, now time.Time) error
	// EndConsoleSession deletes the session and revokes its API session
	// (and so every access token issued in it); no session is no error.
	EndConsoleSession(ctx context.Context, hash []byte, now time.Time) error
	// PruneConsoleSessions ends at most limit sessions last used before
	// idleBefore or created before createdBefore, returning how many.
	PruneConsoleSessions(ctx context.Context, idleBefore, createdBefore, now time.Time, limit int) (int, error)
}

// AccessToken issues an access token for u in the API session sid. The
// console calls it with a session it has just read from the store; the API
// still checks on every request that sid is live and belongs to u.
func (s *Server) AccessToken(u User, sid string) string {
	tok, _ := s.signJWT(u, sid, s.now())
	return tok
}

// TokenSession returns the API session of a valid access token (the
// console reads it from the token of its login call).
func (s *Server) TokenSession(token string) (string, error) {
	c, err := s.verifyJWT(token)
	if err != nil {
		return "", err
	}
	return c.Sid, nil
}
