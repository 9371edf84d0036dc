package httpsource_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cognitrig/cognitrig/migration"
	"github.com/cognitrig/cognitrig/migration/httpsource"
	"github.com/cognitrig/cognitrig/migration/migrationtest"
	"github.com/cognitrig/cognitrig/triggers"
)

func config(idp *migrationtest.IdentityService) httpsource.Config {
	return httpsource.Config{
		TokenURL: idp.TokenURL, UserInfoURL: idp.UserInfoURL, LookupURL: idp.LookupURL,
		ClientID: migrationtest.ClientID, ClientSecret: migrationtest.ClientSecret,
		Scope: "openid profile email", UsernameClaim: "username",
	}
}

func TestConformance(t *testing.T) {
	for _, style := range []httpsource.AuthStyle{httpsource.ClientSecretBasic, httpsource.ClientSecretPost} {
		t.Run(fmt.Sprint("style", style), func(t *testing.T) {
			migrationtest.TestSource(t, func(t *testing.T, users []migration.LegacyUser) migration.Source {
				cfg := config(migrationtest.NewIdentityService(t, users...))
				cfg.AuthStyle = style
				src, err := httpsource.New(cfg)
				if err != nil {
					t.Fatal(err)
				}
				return src
			})
		})
	}
}

func TestBooleanAndNumberClaims(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/token" {
			fmt.Fprint(w, `{"access_token":"at-SECRET-1","token_type":"Bearer"}`)
			return
		}
		fmt.Fprint(w, `{"email":"a@example.com","email_verified":true,"phone_number_verified":false,"updated_at":1700000000,"address":{"formatted":"x"},"groups":["a"],"nickname":null}`)
	}))
	defer srv.Close()
	src, err := httpsource.New(httpsource.Config{TokenURL: srv.URL + "/token", UserInfoURL: srv.URL + "/userinfo", ClientID: "c"})
	if err != nil {
		t.Fatal(err)
	}
	u, err := src.Authenticate(context.Background(), "Alice", "pw-SECRET-1")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"email": "a@example.com", "email_verified": "true", "phone_number_verified": "false", "updated_at": "1700000000"}
	if len(u.Fields) != len(want) {
		t.Fatalf("fields %v, want %v", map[string]string(u.Fields), want)
	}
	for k, v := range want {
		if u.Fields[k] != v {
			t.Fatalf("%s = %q, want %q", k, u.Fields[k], v)
		}
	}
	if u.Username != "Alice" {
		t.Fatalf("Username = %q: without UsernameClaim it is the name typed", u.Username)
	}
	if _, err := src.Lookup(context.Background(), "Alice"); !errors.Is(err, errors.ErrUnsupported) {
		t.Fatalf("Lookup without LookupURL = %v, want ErrUnsupported", err)
	}
}

// scripted answers the token endpoint with a fixed status and body.
func scripted(t *testing.T, status int, body string) (*httptest.Server, *atomic.Int64) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.URL.Path == "/elsewhere" {
			t.Error("a redirect was followed: the password would have been posted to another URL")
		}
		if status == http.StatusFound {
			http.Redirect(w, r, "/elsewhere", status)
			return
		}
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func TestTokenEndpointErrors(t *testing.T) {
	cases := []struct {
		name, body string
		status     int
		answer     error // nil: a failure
		mention    string
	}{
		{"invalid grant", `{"error":"invalid_grant","error_description":"echo pw-SECRET-1"}`, 400, migration.ErrWrongPassword, ""},
		{"invalid grant 401", `{"error":"invalid_grant"}`, 401, migration.ErrWrongPassword, ""},
		{"invalid client", `{"error":"invalid_client"}`, 401, nil, `"invalid_client"`},
		{"unauthorized client", `{"error":"unauthorized_client"}`, 400, nil, "refused our client"},
		{"unsupported grant", `{"error":"unsupported_grant_type"}`, 400, nil, "password grant is enabled"},
		{"invalid scope", `{"error":"invalid_scope"}`, 400, nil, "refused our client"},
		{"401 without a code", ``, 401, nil, "refused our client"},
		{"server_error in a 400", `{"error":"server_error"}`, 400, nil, "answered 400"},
		// Answers about this one sign-in: refused, not an outage.
		{"over-long password", `{"error":"invalid_request","error_description":"password too long"}`, 400, migration.ErrRefused, `"invalid_request"`},
		{"locked account", `{"error":"access_denied"}`, 400, migration.ErrRefused, `"access_denied"`},
		{"locked 403", `{"error":"access_denied"}`, 403, migration.ErrRefused, "answered 403"},
		{"locked 423", ``, 423, migration.ErrRefused, "answered 423"},
		{"per-user rate limit", `{"error":"slow_down"}`, 429, migration.ErrRefused, "answered 429"},
		{"hostile error code", `{"error":"<script>pw-SECRET-1</script>` + strings.Repeat("x", 100) + `"}`, 400, migration.ErrRefused, "answered 400"},
		{"server error", `oops pw-SECRET-1`, 503, nil, "answered 503"},
		{"no token", `{"token_type":"Bearer"}`, 200, nil, "without an access_token"},
		{"not json", `<html>pw-SECRET-1</html>`, 200, nil, "without an access_token"},
		{"redirect", ``, http.StatusFound, nil, "answered 302"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv, _ := scripted(t, c.status, c.body)
			src, err := httpsource.New(httpsource.Config{TokenURL: srv.URL + "/token", UserInfoURL: srv.URL + "/userinfo", ClientID: "c", ClientSecret: "cs-SECRET-2"})
			if err != nil {
				t.Fatal(err)
			}
			_, err = src.Authenticate(context.Background(), "alice", "pw-SECRET-1")
			switch {
			case err == nil:
				t.Fatal("no error")
			case c.answer != nil && !errors.Is(err, c.answer):
				t.Fatalf("err = %v, want %v", err, c.answer)
			case c.answer == nil && migration.IsAnswer(err):
				t.Fatalf("err = %v, want a failure, not an answer", err)
			case !strings.Contains(err.Error(), c.mention):
				t.Fatalf("err = %v, want it to mention %s", err, c.mention)
			case strings.Contains(err.Error(), "SECRET") || strings.Contains(err.Error(), "<script>"):
				t.Fatalf("error quotes the response or a secret: %v", err)
			}
		})
	}
}

func TestTransportErrorsLeaveOutTheURL(t *testing.T) {
	src, err := httpsource.New(httpsource.Config{TokenURL: "http://127.0.0.1:1/token", UserInfoURL: "http://127.0.0.1:1/userinfo", ClientID: "c"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = src.Authenticate(context.Background(), "alice", "pw-SECRET-1")
	if err == nil || strings.Contains(err.Error(), "127.0.0.1:1/token") || !strings.Contains(err.Error(), "token endpoint") {
		t.Fatalf("err = %v", err)
	}
}

func TestLookupCachesTheClientToken(t *testing.T) {
	fixture := migrationtest.Fixture(t)
	idp := migrationtest.NewIdentityService(t, migrationtest.LegacyUsers(fixture)...)
	clock := &migrationtest.Clock{}
	cfg := config(idp)
	cfg.Now = clock.Now
	src, _ := httpsource.New(cfg)
	ctx := context.Background()
	for range 3 {
		if _, err := src.Lookup(ctx, "alice"); err != nil {
			t.Fatal(err)
		}
	}
	// One token request and three lookups.
	if idp.Requests() != 4 {
		t.Fatalf("%d requests for 3 lookups, want 4 (the token is cached)", idp.Requests())
	}
	clock.Advance(time.Hour) // past expires_in=3600 less the early renewal
	if _, err := src.Lookup(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	if idp.Requests() != 6 {
		t.Fatalf("%d requests, want 6: an expired token must be renewed", idp.Requests())
	}
}

func TestLookupEscapesTheName(t *testing.T) {
	var path string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/token" {
			fmt.Fprint(w, `{"access_token":"at-SECRET-1","expires_in":60}`)
			return
		}
		path = r.URL.EscapedPath()
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer srv.Close()
	src, _ := httpsource.New(httpsource.Config{TokenURL: srv.URL + "/token", UserInfoURL: srv.URL + "/u", LookupURL: srv.URL + "/users/{username}", ClientID: "c"})
	_, err := src.Lookup(context.Background(), "a/b c@example.com")
	if path != "/users/a%2Fb%20c@example.com" {
		t.Fatalf("path %q", path)
	}
	if err == nil || errors.Is(err, migration.ErrNotFound) || !strings.Contains(err.Error(), "401") {
		t.Fatalf("401 from the lookup endpoint: %v, want a failure", err)
	}
}

func TestConfigErrors(t *testing.T) {
	good := httpsource.Config{TokenURL: "https://idp.example.com/token", UserInfoURL: "https://idp.example.com/userinfo", ClientID: "c"}
	cases := map[string]func(*httpsource.Config){
		"TokenURL":    func(c *httpsource.Config) { c.TokenURL = "idp.example.com/token" },
		"UserInfoURL": func(c *httpsource.Config) { c.UserInfoURL = "" },
		"placeholder": func(c *httpsource.Config) { c.LookupURL = "https://idp.example.com/users" },
		"LookupURL":   func(c *httpsource.Config) { c.LookupURL = "ftp://x/{username}" },
		"ClientID":    func(c *httpsource.Config) { c.ClientID = "" },
		"in the host": func(c *httpsource.Config) { c.LookupURL = "https://{username}.idp.example.com/profile" },
		"fragment":    func(c *httpsource.Config) { c.LookupURL = "https://idp.example.com/users/{username}#x" },
	}
	for want, mod := range cases {
		cfg := good
		mod(&cfg)
		if _, err := httpsource.New(cfg); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("bad %s: %v", want, err)
		}
	}
	if _, err := httpsource.New(good); err != nil {
		t.Fatal(err)
	}
	for _, ok := range []string{"https://idp.example.com/users/{username}", "https://idp.example.com/lookup?name={username}", "https://idp.example.com?name={username}"} {
		cfg := good
		cfg.LookupURL = ok
		if _, err := httpsource.New(cfg); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
}

// TestLookupAnswers: which look-up answers are about the user (refused,
// never retried by the Guard) and which are outages.
func TestLookupAnswers(t *testing.T) {
	for status, want := range map[int]error{
		http.StatusNotFound: migration.ErrNotFound, http.StatusBadRequest: migration.ErrRefused, http.StatusGone: migration.ErrRefused,
		http.StatusLocked: migration.ErrRefused, http.StatusTooManyRequests: migration.ErrRefused,
		http.StatusUnauthorized: nil, http.StatusForbidden: nil, http.StatusInternalServerError: nil, http.StatusBadGateway: nil,
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/token" {
				fmt.Fprint(w, `{"access_token":"at-SECRET-1","expires_in":60}`)
				return
			}
			w.WriteHeader(status)
		}))
		src, _ := httpsource.New(httpsource.Config{TokenURL: srv.URL + "/token", UserInfoURL: srv.URL + "/u", LookupURL: srv.URL + "/users/{username}", ClientID: "c"})
		_, err := src.Lookup(context.Background(), "alice")
		srv.Close()
		switch {
		case want != nil && !errors.Is(err, want):
			t.Errorf("%d: %v, want %v", status, err, want)
		case want == nil && migration.IsAnswer(err):
			t.Errorf("%d: %v, want an outage", status, err)
		}
	}
}

func TestSecretsDoNotPrint(t *testing.T) {
	cfg := httpsource.Config{ClientSecret: triggers.Secret("cs-SECRET-3")}
	if s := fmt.Sprintf("%v %+v %#v", cfg, cfg, cfg); strings.Contains(s, "cs-SECRET-3") {
		t.Fatalf("config prints its client secret: %s", s)
	}
}
