package server

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// A small HS256 JWT: one algorithm, fixed header, checked exactly, so none
// of the alg-confusion pitfalls of general JWT libraries apply. The key is
// derived from the server key, so every process of one deployment accepts
// the others' tokens.

const jwtIssuer = "hadir-server"

var jwtHeader = base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))

type jwtClaims struct {
	Sub  string `json:"sub"`
	Name string `json:"name"`
	Role Role   `json:"role"`
	Iss  string `json:"iss"`
	Iat  int64  `json:"iat"`
	Exp  int64  `json:"exp"`
	Jti  string `json:"jti"`
	// Sid is the session (refresh-token family) the token was issued
	// in: ending the session ends the token, before it expires.
	Sid string `json:"sid"`

	userID int64
}

// signJWT issues an access token for u in session sid, valid for the
// configured TTL.
func (s *Server) signJWT(u User, sid string, now time.Time) (string, time.Time) {
	exp := now.Add(s.cfg.AccessTTL)
	c := jwtClaims{Sub: strconv.FormatInt(u.ID, 10), Name: u.Name, Role: u.Role, Iss: jwtIssuer,
		Iat: now.Unix(), Exp: exp.Unix(), Jti: NewToken()[:16], Sid: sid}
	body, _ := json.Marshal(c)
	msg := jwtHeader + "." + base64.RawURLEncoding.EncodeToString(body)
	return msg + "." + base64.RawURLEncoding.EncodeToString(s.jwtMAC(msg)), exp
}

func (s *Server) jwtMAC(msg string) []byte {
	m := hmac.New(sha256.New, s.jwtKey)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

// verifyJWT checks header, signature, issuer and expiry; errors are 401s
// that say which (token_expired lets a client refresh instead of log in).
func (s *Server) verifyJWT(tok string) (jwtClaims, error) {
	var c jwtClaims
	bad := fail(http.StatusUnauthorized, "unauthorized", "access token is malformed or not signed by this server")
	parts := strings.Split(tok, ".")
	if len(parts) != 3 || parts[0] != jwtHeader {
		return c, bad
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || !hmac.Equal(sig, s.jwtMAC(parts[0]+"."+parts[1])) {
		return c, bad
	}
	body, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil || json.Unmarshal(body, &c) != nil || c.Iss != jwtIssuer {
		return c, bad
	}
	if c.userID, err = strconv.ParseInt(c.Sub, 10, 64); err != nil || c.Sid == "" {
		return c, bad
	}
	if !s.now().Before(time.Unix(c.Exp, 0)) {
		return c, fail(http.StatusUnauthorized, "token_expired", "access token expired: refresh it at POST /api/v1/auth/refresh")
	}
	return c, nil
}
