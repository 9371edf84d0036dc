package httpsource

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cognitrig/cognitrig/migration"
	"github.com/cognitrig/cognitrig/triggers"
)

// AuthStyle says how the client authenticates at the token endpoint.
type AuthStyle int

const (
	// ClientSecretBasic sends the client id and secret with HTTP Basic
	// authentication (RFC 6749 §2.3.1), the default.
	ClientSecretBasic AuthStyle = iota
	// ClientSecretPost sends them as client_id and client_secret form
	// fields.
	ClientSecretPost
)

// DefaultMaxBodyBytes bounds the responses read.
const DefaultMaxBodyBytes = 1 << 20

// Config configures a Source.
type Config struct {
	TokenURL    string // required
	UserInfoURL string // required
	// LookupURL is a URL template with {username} in its path or its
	// query, replaced by the escaped name; optional (see the package
	// documentation).
	LookupURL    string
	ClientID     string
	ClientSecret triggers.Secret
	AuthStyle    AuthStyle
	// Scope asked for in the password grant, e.g. "openid profile email".
	Scope string
	// LookupScope asked for in the client-credentials grant of Lookup.
	LookupScope string
	// UsernameClaim names the field that holds the legacy username; the
	// user's Username is the name they typed when it is empty or absent.
	UsernameClaim string
	// Client sends the requests; default a client with http.DefaultTransport.
	// Its redirect policy is replaced: redirects are never followed.
	Client *http.Client
	// MaxBodyBytes bounds each response body; default DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// Now is the clock for token expiry; default time.Now.
	Now func() time.Time
}

// Source is a migration.Source backed by an OAuth2 identity service. It is
// safe for concurrent use.
type Source struct {
	cfg    Config
	client *http.Client

	mu          sync.Mutex
	appToken    triggers.Secret
	appTokenExp time.Time
}

var _ migration.Source = (*Source)(nil)

// New checks cfg and returns a Source.
func New(cfg Config) (*Source, error) {
	for name, u := range map[string]string{"TokenURL": cfg.TokenURL, "UserInfoURL": cfg.UserInfoURL} {
		if err := checkURL(u); err != nil {
			return nil, fmt.Errorf("httpsource: %s: %w", name, err)
		}
	}
	if cfg.LookupURL != "" {
		if err := checkLookupURL(cfg.LookupURL); err != nil {
			return nil, fmt.Errorf("httpsource: LookupURL: %w", err)
		}
	}
	if cfg.AuthStyle != ClientSecretBasic && cfg.AuthStyle != ClientSecretPost {
		return nil, fmt.Errorf("httpsource: AuthStyle %d is unknown: use ClientSecretBasic (the zero value) or ClientSecretPost; any other sends no client credentials", cfg.AuthStyle)
	}
	if cfg.ClientID == "" {
		return nil, errors.New("httpsource: ClientID is empty: the token endpoint needs the client's id (and secret)")
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	client := &http.Client{}
	if cfg.Client != nil {
		c := *cfg.Client
		client = &c
	}
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &Source{cfg: cfg, client: client}, nil
}

// checkLookupURL accepts a template with {username} only in the path or
// the query, so that a name can never choose the host.
func checkLookupURL(tmpl string) error {
	const ph = "{username}"
	if !strings.Contains(tmpl, ph) {
		return errors.New("has no {username} placeholder")
	}
	if strings.Contains(tmpl, "#") {
		return errors.New("has a fragment: a fragment is never sent to the server")
	}
	if err := checkURL(strings.ReplaceAll(tmpl, ph, "x")); err != nil {
		return err
	}
	_, rest, _ := strings.Cut(tmpl, "://")
	slash := strings.IndexByte(rest, '/')
	if q := strings.IndexByte(rest, '?'); q >= 0 && (slash < 0 || q < slash) {
		slash = q
	}
	if i := strings.Index(rest, ph); slash < 0 || i < slash {
		return errors.New("has {username} in the host: put it in the path or the query")
	}
	return nil
}

// lookupURL fills in the template: in the path the name is one
// path-escaped segment (url.PathEscape escapes '/', '?', '#', '%', ';'),
// in the query a query-escaped value (so '&' and '=' cannot add
// parameters). A name that is a dot segment ("." or ".."), or empty, is
// refused: percent-encoded or not, many servers resolve it and walk up
// the path (RFC 3986 §5.2.4, remove_dot_segments).
func lookupURL(tmpl, username string) (string, error) {
	if username == "" || username == "." || username == ".." {
		return "", fmt.Errorf("%w: the name is empty or a dot segment, which cannot be a segment of the lookup URL", migration.ErrRefused)
	}
	const ph = "{username}"
	query := strings.IndexByte(tmpl, '?')
	var b strings.Builder
	done := 0 // tmpl[:done] is written
	for {
		i := strings.Index(tmpl[done:], ph)
		if i < 0 {
			b.WriteString(tmpl[done:])
			return b.String(), nil
		}
		i += done
		b.WriteString(tmpl[done:i])
		if query >= 0 && i > query {
			b.WriteString(url.QueryEscape(username))
		} else {
			b.WriteString(url.PathEscape(username))
		}
		done = i + len(ph)
	}
}

func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return errors.New("not an absolute http(s) URL")
	}
	return nil
}

// Authenticate implements migration.Source with the password grant.
func (s *Source) Authenticate(ctx context.Context, username string, password triggers.Secret) (*migration.User, error) {
	form := url.Values{"grant_type": {"password"}, "username": {username}, "password": {password.Reveal()}}
	if s.cfg.Scope != "" {
		form.Set("scope", s.cfg.Scope)
	}
	tok, err := s.token(ctx, form)
	if err != nil {
		return nil, err
	}
	fields, status, err := s.getJSON(ctx, "user-info endpoint", s.cfg.UserInfoURL, tok)
	if err != nil {
		return nil, err
	}
	switch {
	case status == http.StatusOK:
		return s.user(username, fields), nil
	case status >= 400 && status < 500:
		// The bearer token is this user's: a refusal is about them.
		return nil, fmt.Errorf("%w: the user-info endpoint answered %d for the user's token", migration.ErrRefused, status)
	}
	return nil, fmt.Errorf("httpsource: user-info endpoint answered %d for a token it just issued", status)
}

// Lookup implements migration.Source with LookupURL.
func (s *Source) Lookup(ctx context.Context, username string) (*migration.User, error) {
	if s.cfg.LookupURL == "" {
		return nil, fmt.Errorf("httpsource: no LookupURL configured: %w", errors.ErrUnsupported)
	}
	u, err := lookupURL(s.cfg.LookupURL, username)
	if err != nil {
		return nil, err
	}
	tok, err := s.clientToken(ctx)
	if err != nil {
		return nil, err
	}
	fields, status, err := s.getJSON(ctx, "lookup endpoint", u, tok)
	if err != nil {
		return nil, err
	}
	switch {
	case status == http.StatusOK:
		return s.user(username, fields), nil
	case status == http.StatusNotFound:
		return nil, migration.ErrNotFound
	case status == http.StatusUnauthorized:
		s.mu.Lock()
		s.appToken, s.appTokenExp = "", time.Time{} // revoked or expired early: fetch anew next time
		s.mu.Unlock()
		return nil, fmt.Errorf("httpsource: lookup endpoint answered 401: it refused our client token (fetched anew on the next attempt)")
	case status == http.StatusForbidden:
		return nil, fmt.Errorf("httpsource: lookup endpoint answered 403: our client is not allowed to look users up; check LookupScope and the client's permissions")
	case status >= 400 && status < 500:
		// 400, 410, 423, 429 and friends: about this name, not an outage.
		return nil, fmt.Errorf("%w: the lookup endpoint answered %d", migration.ErrRefused, status)
	}
	return nil, fmt.Errorf("httpsource: lookup endpoint answered %d", status)
}

func (s *Source) user(typed string, fields map[string]string) *migration.User {
	name := typed
	if c := s.cfg.UsernameClaim; c != "" && fields[c] != "" {
		name = fields[c]
	}
	return &migration.User{Username: name, Fields: fields}
}

// clientToken returns the cached client-credentials token, or a new one.
func (s *Source) clientToken(ctx context.Context) (triggers.Secret, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.appToken.IsZero() && s.cfg.Now().Before(s.appTokenExp) {
		return s.appToken, nil
	}
	form := url.Values{"grant_type": {"client_credentials"}}
	if s.cfg.LookupScope != "" {
		form.Set("scope", s.cfg.LookupScope)
	}
	tok, exp, err := s.tokenWithExpiry(ctx, form)
	if err != nil {
		return "", err
	}
	s.appToken, s.appTokenExp = tok, exp
	return tok, nil
}

func (s *Source) token(ctx context.Context, form url.Values) (triggers.Secret, error) {
	tok, _, err := s.tokenWithExpiry(ctx, form)
	return tok, err
}

// tokenResponse is the token endpoint's answer (RFC 6749 §5.1, §5.2).
type tokenResponse struct {
	AccessToken triggers.Secret `json:"access_token"`
	ExpiresIn   json.Number     `json:"expires_in"`
	Error       string          `json:"error"`
}

func (s *Source) tokenWithExpiry(ctx context.Context, form url.Values) (triggers.Secret, time.Time, error) {
	if s.cfg.AuthStyle == ClientSecretPost {
		form.Set("client_id", s.cfg.ClientID)
		form.Set("client_secret", s.cfg.ClientSecret.Reveal())
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.cfg.TokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", time.Time{}, fmt.Errorf("httpsource: token request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if s.cfg.AuthStyle == ClientSecretBasic {
		req.SetBasicAuth(url.QueryEscape(s.cfg.ClientID), url.QueryEscape(s.cfg.ClientSecret.Reveal()))
	}
	start := s.cfg.Now()
	resp, err := s.client.Do(req)
	if err != nil {
		return "", time.Time{}, transportError("token endpoint", err)
	}
	defer drain(resp.Body)
	var tr tokenResponse
	decodeErr := json.NewDecoder(io.LimitReader(resp.Body, s.cfg.MaxBodyBytes)).Decode(&tr)
	switch {
	case resp.StatusCode == http.StatusOK && decodeErr == nil && !tr.AccessToken.IsZero():
		exp := start.Add(5 * time.Minute)
		if n, err := strconv.ParseInt(tr.ExpiresIn.String(), 10, 64); err == nil && n > 0 {
			// Renew a little early, so a token does not expire in flight.
			exp = start.Add(time.Duration(n)*time.Second - min(30*time.Second, time.Duration(n)*time.Second/10))
		}
		return tr.AccessToken, exp, nil
	case resp.StatusCode == http.StatusOK:
		return "", time.Time{}, errors.New("httpsource: token endpoint answered 200 without an access_token")
	case tr.Error == "invalid_grant":
		return "", time.Time{}, migration.ErrWrongPassword
	case clientRefused(resp.StatusCode, tr.Error):
		return "", time.Time{}, fmt.Errorf("httpsource: token endpoint refused our client, answering %d with error %q; check the client id, secret, scope and that the %s grant is enabled for the client",
			resp.StatusCode, errorCode(tr.Error), form.Get("grant_type"))
	case tr.Error == "server_error" || tr.Error == "temporarily_unavailable" || resp.StatusCode < 400 || resp.StatusCode >= 500:
		return "", time.Time{}, fmt.Errorf("httpsource: token endpoint answered %d%s", resp.StatusCode, withCode(tr.Error))
	case form.Get("grant_type") != "password":
		// The client-credentials grant names no user: a 4xx is about us.
		return "", time.Time{}, fmt.Errorf("httpsource: token endpoint answered %d%s to the client-credentials grant; check LookupScope and that the grant is enabled for the client",
			resp.StatusCode, withCode(tr.Error))
	default:
		// A 4xx to the password grant other than the above (invalid_request
		// for an over-long password, access_denied for a locked account,
		// 429 for a per-user rate limit, ...) is about this sign-in.
		return "", time.Time{}, fmt.Errorf("%w: the token endpoint answered %d%s", migration.ErrRefused, resp.StatusCode, withCode(tr.Error))
	}
}

// clientRefused reports whether a token endpoint's error is about our own
// client rather than the user (RFC 6749 §5.2): 401, invalid_client,
// unauthorized_client, unsupported_grant_type, invalid_scope. That is an
// outage of the migration, and counts against the circuit breaker.
func clientRefused(status int, code string) bool {
	switch code {
	case "invalid_client", "unauthorized_client", "unsupported_grant_type", "invalid_scope":
		return true
	}
	return status == http.StatusUnauthorized
}

func withCode(code string) string {
	if code == "" {
		return ""
	}
	return fmt.Sprintf(" with error %q", errorCode(code))
}

// getJSON GETs url with a bearer token and decodes a JSON object of fields
// from a 200 answer; other statuses are returned for the caller to judge.
func (s *Source) getJSON(ctx context.Context, what, u string, token triggers.Secret) (map[string]string, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, 0, fmt.Errorf("httpsource: %s request: %w", what, err)
	}
	req.Header.Set("Authorization", "Bearer "+token.Reveal())
	req.Header.Set("Accept", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, 0, transportError(what, err)
	}
	defer drain(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return nil, resp.StatusCode, nil
	}
	var raw map[string]json.RawMessage
	if err := json.NewDecoder(io.LimitReader(resp.Body, s.cfg.MaxBodyBytes)).Decode(&raw); err != nil {
		if ctx.Err() != nil {
			return nil, 0, fmt.Errorf("httpsource: %s: reading the answer: %w", what, ctx.Err())
		}
		return nil, 0, fmt.Errorf("httpsource: %s answered 200 without a JSON object", what)
	}
	return fields(raw), resp.StatusCode, nil
}

// fields turns a JSON object into field text; see the package documentation.
func fields(raw map[string]json.RawMessage) map[string]string {
	out := make(map[string]string, len(raw))
	for k, v := range raw {
		var x any
		d := json.NewDecoder(bytes.NewReader(v))
		d.UseNumber()
		if d.Decode(&x) != nil {
			continue
		}
		switch x := x.(type) {
		case string:
			out[k] = x
		case bool:
			out[k] = strconv.FormatBool(x)
		case json.Number:
			out[k] = x.String()
		}
	}
	return out
}

// transportError reports a failed request without the URL (the lookup URL
// holds the username) and without anything from the request body.
func transportError(what string, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return fmt.Errorf("httpsource: %s: %w", what, err)
}

// errorCode returns an OAuth2 error code if it is a known one, for the
// error message: the field comes from the network, and a service that
// echoes its input could put the password in it.
func errorCode(s string) string {
	switch s {
	case "invalid_request", "invalid_client", "invalid_grant", "unauthorized_client", "unsupported_grant_type",
		"invalid_scope", "access_denied", "server_error", "temporarily_unavailable":
		return s
	}
	return "(unrecognised code)"
}

func drain(body io.ReadCloser) {
	_, _ = io.CopyN(io.Discard, body, 64<<10) // let the connection be reused
	_ = body.Close()
}
