package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"time"

	"github.com/cognitrig/cognitrig/migration"
	"github.com/cognitrig/cognitrig/migration/httpsource"
	"github.com/cognitrig/cognitrig/triggers"
)

// legacyService is a legacy OAuth2 identity service on 127.0.0.1 that can
// be taken down: the password grant and the user-info endpoint of
// httpsource, for users whose password is "correct horse".
type legacyService struct {
	srv   *httptest.Server
	down  atomic.Bool
	calls atomic.Int64
}

const legacyPassword = "correct horse"

func newLegacyService() *legacyService {
	l := &legacyService{}
	l.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.calls.Add(1)
		if l.down.Load() {
			http.Error(w, "maintenance", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/oauth2/token":
			if r.PostFormValue("password") != legacyPassword {
				w.WriteHeader(http.StatusBadRequest)
				fmt.Fprint(w, `{"error":"invalid_grant"}`)
				return
			}
			// The demo's token is the user name; a real service signs one.
			_ = json.NewEncoder(w).Encode(map[string]any{"access_token": "legacy-" + r.PostFormValue("username"), "token_type": "Bearer", "expires_in": 300})
		case "/userinfo":
			user := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer legacy-")
			_ = json.NewEncoder(w).Encode(map[string]any{"sub": user, "email": user + "@example.com", "email_verified": true, "name": strings.ToUpper(user[:1]) + user[1:]})
		default:
			http.NotFound(w, r)
		}
	}))
	return l
}

// demoOpenFor is the breaker's open time in the demo; deployed, it is
// seconds (migration.DefaultOpenFor).
const demoOpenFor = 300 * time.Millisecond

// demoMigration migrates legacy users at sign-in through a local legacy
// service, then takes the service down: two failures open the breaker,
// the next sign-in fails at once without calling the service, and after
// the open time a probe succeeds and closes it again.
func demoMigration(ctx context.Context, d *demo) error {
	legacy := newLegacyService()
	defer legacy.srv.Close()
	src, err := httpsource.New(httpsource.Config{
		TokenURL:     legacy.srv.URL + "/oauth2/token",
		UserInfoURL:  legacy.srv.URL + "/userinfo",
		ClientID:     "migration-trigger",
		ClientSecret: "demo-client-secret",
		Client:       legacy.srv.Client(),
	})
	if err != nil {
		return err
	}
	h, err := migration.New(migration.Config{
		Source: src,
		Guard: migration.GuardConfig{
			MaxAttempts:    1, // no retries, so each sign-in is one attempt in the story
			AttemptTimeout: time.Second,
			Breaker:        migration.BreakerConfig{ConsecutiveFailures: 2, OpenFor: demoOpenFor},
		},
		Logger: d.logger,
	})
	if err != nil {
		return err
	}
	router := triggers.NewRouter(triggers.WithMiddleware(triggers.Default(d.logger)...))
	h.Register(router)

	fmt.Fprintf(d.w, "   legacy identity service on %s; breaker: opens after 2 failures, probes after %v\n", strings.TrimPrefix(legacy.srv.URL, "http://"), demoOpenFor)
	signIn := func(user, password, cognito string, want outcome) error {
		payload, err := event("UserMigration_Authentication", "userName", user,
			"request.password", password, "request.userAttributes", map[string]string{}, "request.clientMetadata", map[string]string{})
		if err != nil {
			return err
		}
		before, was := legacy.calls.Load(), h.Guard().State().String()
		out, err := d.invoke(ctx, router, payload, want)
		calls, is := legacy.calls.Load()-before, h.Guard().State().String()
		d.line(cognito, answer(out, err))
		if was != is {
			is = was + " → " + is
		}
		d.note("legacy calls: %d; breaker: %s", calls, is)
		d.show(payload, out)
		return nil
	}
	steps := []struct {
		user, password, cognito string
		want                    outcome
		before                  func()
	}{
		{"alice", legacyPassword, "alice, unknown to the pool, signs in: UserMigration_Authentication", answers, nil},
		{"bob", "guess", "bob signs in with a wrong password: UserMigration_Authentication", refuses, nil},
		{"carol", legacyPassword, "legacy service down; carol signs in: UserMigration_Authentication", refuses, func() { legacy.down.Store(true) }},
		{"dave", legacyPassword, "dave signs in: UserMigration_Authentication", refuses, nil},
		{"erin", legacyPassword, "erin signs in while the breaker is open", refuses, nil},
		{"frank", legacyPassword, fmt.Sprintf("service back, %v later; frank signs in", demoOpenFor), answers, func() {
			legacy.down.Store(false)
			time.Sleep(demoOpenFor + 50*time.Millisecond)
		}},
	}
	for _, s := range steps {
		if s.before != nil {
			s.before()
		}
		if err := signIn(s.user, s.password, s.cognito, s.want); err != nil {
			return err
		}
	}
	return nil
}
