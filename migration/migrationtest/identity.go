package migrationtest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cognitrig/cognitrig/migration"
	"github.com/cognitrig/cognitrig/triggers"
)

// Fault is how an IdentityService misbehaves.
type Fault int

// Faults of an IdentityService.
const (
	Healthy  Fault = iota
	Slow           // answers after the delay set with SetSlow
	Hang           // never answers; the request ends when the client gives up
	Failing        // answers 503 Service Unavailable
	Flapping       // fails every other token request with 503, so every other sign-in attempt
)

// Client credentials an IdentityService accepts.
const (
	ClientID     = "legacy-client"
	ClientSecret = "cs-SECRET-5f2d1c"
)

// IdentityService is a legacy OAuth2 identity service on a local httptest
// server, speaking the protocol package httpsource talks:
//
//	POST /oauth2/token      grant_type=password or client_credentials, client auth Basic or form
//	GET  /userinfo          Bearer user token: the user's fields as JSON
//	GET  /users/{username}  Bearer client token: the user's fields, or 404
//
// Users are checked with migration.VerifyPassword. Fields whose names end
// in _verified are sent as JSON booleans, the rest as strings; "sub" and
// "username" are added. Access tokens contain "SECRET", for leak checks.
type IdentityService struct {
	URL, TokenURL, UserInfoURL, LookupURL string

	srv      *httptest.Server
	release  chan struct{}
	requests atomic.Int64

	mu     sync.Mutex
	users  map[string]migration.LegacyUser
	tokens map[string]string // access token → username ("" for a client token)
	fault  Fault
	delay  time.Duration
	flap   int64
	refuse map[string]Refusal // by username
	maxPW  int
}

// Refusal is how an IdentityService answers about one user: with Status
// and, if not empty, the OAuth2 error code Code in a JSON body.
type Refusal struct {
	Status int
	Code   string
}

// NewIdentityService starts an IdentityService with users on 127.0.0.1; it
// stops when t ends, releasing any hung request first.
func NewIdentityService(t testing.TB, users ...migration.LegacyUser) *IdentityService {
	t.Helper()
	s := &IdentityService{
		release: make(chan struct{}),
		users:   map[string]migration.LegacyUser{},
		tokens:  map[string]string{},
		refuse:  map[string]Refusal{},
	}
	for _, u := range users {
		s.users[u.Username] = u
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /oauth2/token", s.token)
	mux.HandleFunc("GET /userinfo", s.userinfo)
	mux.HandleFunc("GET /users/{username}", s.lookup)
	s.srv = httptest.NewServer(s.faulty(mux))
	t.Cleanup(s.srv.Close)
	t.Cleanup(func() { close(s.release) }) // runs first: cleanups are LIFO
	s.URL = s.srv.URL
	s.TokenURL = s.URL + "/oauth2/token"
	s.UserInfoURL = s.URL + "/userinfo"
	s.LookupURL = s.URL + "/users/{username}"
	return s
}

// SetFault makes the service misbehave (or behave again, with Healthy).
func (s *IdentityService) SetFault(f Fault) {
	s.mu.Lock()
	s.fault = f
	s.mu.Unlock()
}

// SetSlow makes every answer wait d.
func (s *IdentityService) SetSlow(d time.Duration) {
	s.mu.Lock()
	s.fault, s.delay = Slow, d
	s.mu.Unlock()
}

// Refuse makes the service answer every password grant and lookup for
// username with r, as a legacy service answers about a locked account
// (400 access_denied, 423), a per-user rate limit (429) and the like.
func (s *IdentityService) Refuse(username string, r Refusal) {
	s.mu.Lock()
	s.refuse[username] = r
	s.mu.Unlock()
}

// SetMaxPassword makes the token endpoint answer 400 invalid_request to a
// password grant with a password longer than n bytes, as many services
// do; 0 (the default) accepts any length.
func (s *IdentityService) SetMaxPassword(n int) {
	s.mu.Lock()
	s.maxPW = n
	s.mu.Unlock()
}

func (s *IdentityService) refusal(w http.ResponseWriter, username string) bool {
	s.mu.Lock()
	r, ok := s.refuse[username]
	s.mu.Unlock()
	if !ok {
		return false
	}
	body := map[string]string{}
	if r.Code != "" {
		body["error"] = r.Code
	}
	writeJSON(w, r.Status, body)
	return true
}

// Requests returns how many requests reached the server.
func (s *IdentityService) Requests() int64 { return s.requests.Load() }

// Client returns an HTTP client for the server.
func (s *IdentityService) Client() *http.Client { return s.srv.Client() }

func (s *IdentityService) faulty(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		s.mu.Lock()
		fault, delay := s.fault, s.delay
		odd := false
		if fault == Flapping && r.URL.Path == "/oauth2/token" {
			s.flap++
			odd = s.flap%2 == 1
		}
		s.mu.Unlock()
		switch {
		case fault == Hang:
			select {
			case <-r.Context().Done():
			case <-s.release:
			}
			return
		case fault == Failing, fault == Flapping && odd:
			http.Error(w, `{"error":"temporarily_unavailable"}`, http.StatusServiceUnavailable)
			return
		case fault == Slow:
			t := time.NewTimer(delay)
			defer t.Stop()
			select {
			case <-r.Context().Done():
				return
			case <-s.release:
				return
			case <-t.C:
			}
		}
		next.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *IdentityService) newToken(username string) string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	tok := "at-SECRET-" + hex.EncodeToString(b)
	s.mu.Lock()
	s.tokens[tok] = username
	s.mu.Unlock()
	return tok
}

func (s *IdentityService) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
		return
	}
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id != ClientID || secret != ClientSecret {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client"})
		return
	}
	switch r.PostForm.Get("grant_type") {
	case "password":
		if s.refusal(w, r.PostForm.Get("username")) {
			return
		}
		s.mu.Lock()
		u, found := s.users[r.PostForm.Get("username")]
		maxPW := s.maxPW
		s.mu.Unlock()
		if maxPW > 0 && len(r.PostForm.Get("password")) > maxPW {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "password too long"})
			return
		}
		if !found || migration.VerifyPassword(u.PasswordHash, triggers.Secret(r.PostForm.Get("password"))) != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant", "error_description": "bad credentials"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"access_token": s.newToken(u.Username), "token_type": "Bearer", "expires_in": 300})
	case "client_credentials":
		writeJSON(w, http.StatusOK, map[string]any{"access_token": s.newToken(""), "token_type": "Bearer", "expires_in": 3600})
	default:
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "unsupported_grant_type"})
	}
}

func (s *IdentityService) bearer(r *http.Request) (username string, ok bool) {
	tok, found := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !found {
		return "", false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	username, ok = s.tokens[tok]
	return username, ok
}

func (s *IdentityService) profile(u migration.LegacyUser) map[string]any {
	out := map[string]any{"sub": "legacy-" + u.Username, "username": u.Username}
	for k, v := range u.Fields {
		if strings.HasSuffix(k, "_verified") {
			out[k] = v == "true"
			continue
		}
		out[k] = v
	}
	return out
}

func (s *IdentityService) userinfo(w http.ResponseWriter, r *http.Request) {
	name, ok := s.bearer(r)
	if !ok || name == "" {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token"})
		return
	}
	s.mu.Lock()
	u := s.users[name]
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, s.profile(u))
}

func (s *IdentityService) lookup(w http.ResponseWriter, r *http.Request) {
	name, ok := s.bearer(r)
	if !ok || name != "" {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token"})
		return
	}
	if s.refusal(w, r.PathValue("username")) {
		return
	}
	s.mu.Lock()
	u, found := s.users[r.PathValue("username")]
	s.mu.Unlock()
	if !found {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "not_found"})
		return
	}
	writeJSON(w, http.StatusOK, s.profile(u))
}
