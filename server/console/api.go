package console

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// apiResult is an in-process API response.
type apiResult struct {
	status int
	header http.Header
	body   bytes.Buffer
}

func (a *apiResult) Header() http.Header { return a.header }
func (a *apiResult) Write(b []byte) (int, error) {
	if a.status == 0 {
		a.status = http.StatusOK
	}
	return a.body.Write(b)
}
func (a *apiResult) WriteHeader(code int) {
	if a.status == 0 {
		a.status = code
	}
}

// message is the API's error message (or the status text).
func (a *apiResult) message() string {
	var e struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(a.body.Bytes(), &e) == nil && e.Message != "" {
		return e.Message
	}
	return http.StatusText(a.status)
}

// decode reads a 2xx JSON body into v.
func (a *apiResult) decode(v any) error {
	if a.status < 200 || a.status > 299 {
		return &apiError{status: a.status, msg: a.message()}
	}
	if err := json.Unmarshal(a.body.Bytes(), v); err != nil {
		return fmt.Errorf("decode API response: %w", err)
	}
	return nil
}

// apiError is a refusal by the API, shown on the page with its status.
type apiError struct {
	status int
	msg    string
}

func (e *apiError) Error() string { return fmt.Sprintf("%d: %s", e.status, e.msg) }

// call runs one API request in process on behalf of the browser request
// r: the client address and proxy headers are the browser's, so the
// API's per-address limits and logs see the real client. body is sent as
// JSON unless it is an io.Reader (sent as is with ctype).
func (c *Console) call(r *http.Request, token, method, path string, body any) *apiResult {
	return c.callType(r, token, method, path, "application/json", body)
}

func (c *Console) callType(r *http.Request, token, method, path, ctype string, body any) *apiResult {
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case io.Reader:
		rd = b
	default:
		j, err := json.Marshal(b)
		if err != nil {
			return &apiResult{status: http.StatusInternalServerError, header: http.Header{}}
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequestWithContext(r.Context(), method, path, rd)
	res := &apiResult{header: http.Header{}}
	if err != nil {
		res.status = http.StatusInternalServerError
		return res
	}
	req.RemoteAddr = r.RemoteAddr
	req.TLS = r.TLS
	for _, h := range []string{"X-Forwarded-For", "X-Real-Ip", "User-Agent"} {
		if v := r.Header.Values(h); len(v) > 0 {
			req.Header[h] = v
		}
	}
	if rd != nil {
		req.Header.Set("Content-Type", ctype)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	c.api.ServeHTTP(res, req)
	if res.status == 0 {
		res.status = http.StatusOK
	}
	return res
}

// tokenResponse is the part of the API's login answer kept.
type tokenResponse struct {
	AccessToken string `json:"access_token"`
}

// token returns an access token in the session's API session, minted for
// this call: nothing to refresh, and the API checks on every call that
// the session is live (a logout on any process ends it).
func (c *Console) token(_ *http.Request, s *session) (string, error) {
	if s == nil || s.sid == "" {
		return "", errSessionEnded
	}
	return c.opt.Server.AccessToken(s.user, s.sid), nil
}

// get calls a GET API route as the session's user and decodes into v.
func (c *Console) get(r *http.Request, s *session, path string, v any) error {
	return c.send(r, s, http.MethodGet, path, nil, v)
}

// send calls an API route as the session's user; v may be nil.
func (c *Console) send(r *http.Request, s *session, method, path string, body, v any) error {
	tok, err := c.token(r, s)
	if err != nil {
		return err
	}
	res := c.call(r, tok, method, path, body)
	if v == nil {
		v = &struct{}{}
	}
	return res.decode(v)
}
