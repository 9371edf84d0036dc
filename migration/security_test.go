package migration_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cognitrig/cognitrig/internal/dynamotest"
	"github.com/cognitrig/cognitrig/migration"
	"github.com/cognitrig/cognitrig/migration/dynamosource"
	"github.com/cognitrig/cognitrig/migration/dynamotracker"
	"github.com/cognitrig/cognitrig/migration/httpsource"
	"github.com/cognitrig/cognitrig/migration/migrationtest"
	"github.com/cognitrig/cognitrig/migration/passhash"
	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

// The attacks of issue 12 on the User Migration trigger (items 5, 9, 10,
// 11 and 13), each run through a router as Cognito calls it, with events
// the attacker shapes: the user name and the password are theirs to choose.

// TestAttackPerUserAnswersNeverOpenTheBreaker (issue 12, item 5): a caller
// who can only start sign-ins sends an over-long password, names a locked
// legacy account or trips a per-user rate limit. Each is an answer about
// one user: refused with the wrong-password message, not retried, and the
// breaker stays closed for everyone else.
func TestAttackPerUserAnswersNeverOpenTheBreaker(t *testing.T) {
	g := testGuard()
	g.Breaker.ConsecutiveFailures = 2  // two failed attempts would open it
	g.AttemptTimeout = 3 * time.Second // a loaded machine must not turn an answer into a timeout
	r := newFaultRig(t, g, nil)
	r.idp.SetMaxPassword(64)
	r.idp.Refuse("locked", migrationtest.Refusal{Status: http.StatusBadRequest, Code: "access_denied"})
	r.idp.Refuse("locked-423", migrationtest.Refusal{Status: http.StatusLocked})
	r.idp.Refuse("forbidden", migrationtest.Refusal{Status: http.StatusForbidden, Code: "access_denied"})
	r.idp.Refuse("throttled", migrationtest.Refusal{Status: http.StatusTooManyRequests})
	r.idp.Refuse("bad-request", migrationtest.Refusal{Status: http.StatusBadRequest, Code: "invalid_request"})
	alice := r.users[0]

	auth := func(name, pw string) []byte {
		return triggertest.From(t, "UserMigration_Authentication").Set("userName", name).Set("request.password", pw).JSON(t)
	}
	forgot := func(name string) []byte {
		return triggertest.From(t, "UserMigration_ForgotPassword").Set("userName", name).JSON(t)
	}
	long := strings.Repeat("pw-SECRET-", 20)
	attacks := []struct {
		name     string
		payload  []byte
		requests int64 // that reach the service: one, never a retry
	}{
		{"over-long password", auth(alice.Username, long), 1},
		{"over-long password, unknown name", auth("nobody", long), 1},
		{"locked account", auth("locked", "pw-SECRET-guess"), 1},
		{"locked account 423", auth("locked-423", "pw-SECRET-guess"), 1},
		{"access denied 403", auth("forbidden", "pw-SECRET-guess"), 1},
		{"per-user rate limit", auth("throttled", "pw-SECRET-guess"), 1},
		{"forgotten password, locked", forgot("locked"), 2}, // the client token, then the lookup
		{"forgotten password, rate limit", forgot("throttled"), 1},
		{"forgotten password, bad request", forgot("bad-request"), 1},
	}
	for round := range 3 { // every attack three times: far past ConsecutiveFailures
		for _, a := range attacks {
			before := r.idp.Requests()
			_, err := triggertest.Invoke(r.router, a.payload, 5*time.Second)
			if err == nil || err.Error() != migration.DefaultRefusalMessage {
				t.Fatalf("round %d, %s: %v, want the refusal %q", round, a.name, err, migration.DefaultRefusalMessage)
			}
			want := a.requests
			if round > 0 && want == 2 {
				want = 1 // the client token is cached
			}
			if n := r.idp.Requests() - before; n != want {
				t.Fatalf("round %d, %s: %d requests reached the service, want %d (an answer is not retried)", round, a.name, n, want)
			}
			if s := r.handler.Guard().State(); s != migration.BreakerClosed {
				t.Fatalf("round %d, %s: breaker %v, want closed: one user's answers opened it for all", round, a.name, s)
			}
		}
	}
	if c := r.handler.Guard().Counts(); c.TotalFailures != 0 {
		t.Fatalf("answers counted as failures: %+v", c)
	}
	if !strings.Contains(r.metrics.String(), `"MigrationRefused":1`) {
		t.Fatalf("refusals are not in the metrics: %s", r.metrics.String())
	}
	if rec, err := r.tracker.Get(context.Background(), r.handler.NameDigest("locked")); err != nil || rec.Outcome != migration.OutcomeRefused || rec.Attempts != 6 {
		t.Fatalf("tracking record of the locked account: %+v, %v", rec, err)
	}
	// Everyone else still migrates.
	if _, err := r.signIn(); err != nil {
		t.Fatalf("alice after the attacks: %v", err)
	}
}

// TestOutagesStillOpenTheBreaker: what is an outage still counts: the
// legacy service refusing our own client credentials opens the breaker,
// like a 5xx (TestFault5xxOpensAndAProbeClosesWhenTheServerRecovers).
func TestOutagesStillOpenTheBreaker(t *testing.T) {
	idp := migrationtest.NewIdentityService(t, migrationtest.LegacyUsers(migrationtest.Fixture(t))...)
	src, err := httpsource.New(httpsource.Config{TokenURL: idp.TokenURL, UserInfoURL: idp.UserInfoURL, ClientID: migrationtest.ClientID, ClientSecret: "cs-SECRET-rotated-away"})
	if err != nil {
		t.Fatal(err)
	}
	g := testGuard()
	g.Breaker.ConsecutiveFailures = 2
	h, err := migration.New(migration.Config{Source: src, Guard: g, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	router := triggers.NewRouter()
	h.Register(router)
	_, err = triggertest.Invoke(router, triggertest.From(t, "UserMigration_Authentication").Set("userName", "alice").JSON(t), lambdaTimeout)
	if !isUnavailable(err) || h.Guard().State() != migration.BreakerOpen {
		t.Fatalf("client credentials refused: %v, breaker %v; want %q and open", err, h.Guard().State(), migration.DefaultUnavailableMessage)
	}
}

// lookupServer is a legacy service whose token endpoint always issues a
// client token and whose every other endpoint records the request and
// answers 404.
type lookupServer struct {
	*httptest.Server
	mu   sync.Mutex
	seen []*url.URL
}

func newLookupServer(t *testing.T) *lookupServer {
	s := &lookupServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/token" {
			fmt.Fprint(w, `{"access_token":"at-SECRET-1","expires_in":60}`)
			return
		}
		u, _ := url.ParseRequestURI(r.RequestURI) // as sent, before any server cleans it
		s.mu.Lock()
		s.seen = append(s.seen, u)
		s.mu.Unlock()
		w.WriteHeader(http.StatusNotFound)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *lookupServer) take() []*url.URL {
	s.mu.Lock()
	defer s.mu.Unlock()
	seen := s.seen
	s.seen = nil
	return seen
}

func lookupHandler(t *testing.T, tokenURL, lookupURL string) *triggers.Router {
	src, err := httpsource.New(httpsource.Config{TokenURL: tokenURL, UserInfoURL: tokenURL, LookupURL: lookupURL, ClientID: "c"})
	if err != nil {
		t.Fatal(err)
	}
	h, err := migration.New(migration.Config{Source: src, Guard: testGuard(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	router := triggers.NewRouter()
	h.Register(router)
	return router
}

// TestAttackLookupNamesCannotChangeThePath (issue 12, item 10): a
// forgotten-password request for a name such as ".." must not walk up the
// legacy look-up URL, nor a name add path segments or query parameters.
func TestAttackLookupNamesCannotChangeThePath(t *testing.T) {
	srv := newLookupServer(t)
	router := lookupHandler(t, srv.URL+"/token", srv.URL+"/api/users/{username}/profile")
	names := []string{"..", ".", "../admin", "%2e%2e", "%2E%2E", "..%2f..", "a/b", "?x=1", "#frag", "a;b", `..\admin`, "a b@example.com", "../../../token"}
	for _, name := range names {
		payload := triggertest.From(t, "UserMigration_ForgotPassword").Set("userName", name).JSON(t)
		_, err := triggertest.Invoke(router, payload, lambdaTimeout)
		if err == nil || err.Error() != migration.DefaultRefusalMessage {
			t.Errorf("%q: %v, want the refusal", name, err)
		}
		seen := srv.take()
		if name == "." || name == ".." {
			if len(seen) != 0 {
				t.Errorf("%q: requests %v, want none: a dot segment cannot be looked up", name, seen)
			}
			continue
		}
		if len(seen) != 1 {
			t.Errorf("%q: %d lookups, want 1", name, len(seen))
			continue
		}
		u := seen[0]
		segs := strings.Split(u.EscapedPath(), "/")
		if len(segs) != 5 || segs[1] != "api" || segs[2] != "users" || segs[4] != "profile" || u.RawQuery != "" || u.Fragment != "" {
			t.Errorf("%q: the request went to %q: the name changed the path", name, u.RequestURI())
			continue
		}
		if got, err := url.PathUnescape(segs[3]); err != nil || got != name || got == "." || got == ".." {
			t.Errorf("%q: segment %q decodes to %q", name, segs[3], got)
		}
	}
}

// TestAttackLookupNamesCannotAddQueryParameters: with {username} in the
// query, '&' and '=' in a name cannot add a parameter.
func TestAttackLookupNamesCannotAddQueryParameters(t *testing.T) {
	srv := newLookupServer(t)
	router := lookupHandler(t, srv.URL+"/token", srv.URL+"/lookup?name={username}&realm=staff")
	for _, name := range []string{"a&realm=admin", "b=c", "a+b", "..", "#x", "a%26b"} {
		payload := triggertest.From(t, "UserMigration_ForgotPassword").Set("userName", name).JSON(t)
		if _, err := triggertest.Invoke(router, payload, lambdaTimeout); err == nil || err.Error() != migration.DefaultRefusalMessage {
			t.Errorf("%q: %v", name, err)
		}
		for _, u := range srv.take() {
			q := u.Query()
			if u.Path != "/lookup" || len(q) != 2 || len(q["name"]) != 1 || q.Get("name") != name || q.Get("realm") != "staff" {
				t.Errorf("%q: the request was %q (query %v)", name, u.RequestURI(), q)
			}
		}
	}
}

// scripted answers some names with fixed errors and passes the others to
// its Source.
type scripted struct {
	migration.Source
	answers map[string]error
}

func (s scripted) Authenticate(ctx context.Context, name string, pw triggers.Secret) (*migration.User, error) {
	if err, ok := s.answers[name]; ok {
		return nil, err
	}
	return s.Source.Authenticate(ctx, name, pw)
}

func (s scripted) Lookup(ctx context.Context, name string) (*migration.User, error) {
	if err, ok := s.answers[name]; ok {
		return nil, err
	}
	return s.Source.Lookup(ctx, name)
}

// TestAttackTypedNamesAreNeitherLoggedNorStored (issue 12, item 11): what
// a person types as the user name (here a password typed into the wrong
// field) reaches neither the Handler's log lines nor the tracking records,
// whatever the outcome; it is kept only as a keyed digest, the same for
// every Handler with the same key.
func TestAttackTypedNamesAreNeitherLoggedNorStored(t *testing.T) {
	t.Run("memory", func(t *testing.T) {
		tr := migration.NewMemoryTracker(migration.TrackerOptions{})
		typedNamesTest(t, tr, func() string {
			var b strings.Builder
			for _, o := range migration.Outcomes() {
				for rec, err := range tr.List(context.Background(), o) {
					if err != nil {
						t.Fatal(err)
					}
					fmt.Fprintf(&b, "%+v\n", rec)
				}
			}
			return b.String()
		})
	})
	t.Run("dynamodb", func(t *testing.T) {
		client := dynamotest.Client(t)
		table := dynamotest.CreateTable(t, client, dynamotracker.TableDefinition("migration-names"))
		tr, err := dynamotracker.New(dynamotracker.Config{Client: client, Table: table})
		if err != nil {
			t.Fatal(err)
		}
		typedNamesTest(t, tr, func() string {
			var b strings.Builder
			for _, it := range dynamotest.Items(t, client, table) {
				for k, v := range it {
					fmt.Fprintf(&b, "%s=%+v\n", k, v)
				}
			}
			return b.String()
		})
	})
}

func typedNamesTest(t *testing.T, tracker migration.Tracker, dump func() string) {
	users := migrationtest.Fixture(t)
	mem, err := migration.NewMemorySource(migrationtest.LegacyUsers(users)...)
	if err != nil {
		t.Fatal(err)
	}
	const (
		notFound    = "Typed-As-Name-1!"
		refused     = "Typed-As-Name-2!"
		unavailable = "Typed-As-Name-3!"
	)
	alice, bob := users[0], users[1]
	src := scripted{Source: mem, answers: map[string]error{
		refused:     fmt.Errorf("%w: the token endpoint answered 423", migration.ErrRefused),
		unavailable: errors.New("connection refused"),
	}}
	key := triggers.Secret(strings.Repeat("k", migration.MinNameKeyBytes))
	logs := &triggertest.Log{}
	h, err := migration.New(migration.Config{
		Source: src, Tracker: tracker, NameKey: key,
		TrackTimeout: 10 * time.Second, // a loaded machine must not lose a record this test reads
		Guard:        migration.GuardConfig{MaxAttempts: 1, Breaker: migration.BreakerConfig{ConsecutiveFailures: 100}},
		Logger:       slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	// The router's own middleware logs elsewhere: this test is about the
	// Handler's lines.
	router := triggers.NewRouter(triggers.WithMiddleware(triggers.Default(slog.New(slog.DiscardHandler))...))
	h.Register(router)
	auth := func(name string, pw triggers.Secret) {
		payload := triggertest.From(t, "UserMigration_Authentication").Set("userName", name).Set("request.password", pw.Reveal()).JSON(t)
		_, _ = triggertest.Invoke(router, payload, 0)
	}
	forgot := func(name string) {
		_, _ = triggertest.Invoke(router, triggertest.From(t, "UserMigration_ForgotPassword").Set("userName", name).JSON(t), 0)
	}
	auth(notFound, "pw-1")
	forgot(notFound)
	auth(refused, "pw-2")
	auth(unavailable, "pw-3")
	auth(bob.Username, "pw-wrong") // a wrong password: the name is not confirmed either
	auth(alice.Username, alice.Password)

	for where, text := range map[string]string{"the Handler's logs": logs.String(), "the tracking records": dump()} {
		if strings.Contains(text, "Typed-As-Name") {
			t.Errorf("%s hold a typed name:\n%s", where, text)
		}
	}
	if !strings.Contains(logs.String(), "legacy source unavailable") || !strings.Contains(logs.String(), "legacy source refused the user") {
		t.Fatalf("the refusal and failure paths did not log; the check above proves nothing:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), migration.NameDigest([]byte(key), unavailable)) {
		t.Errorf("the unavailable line lacks the name's digest, which operators correlate with:\n%s", logs.String())
	}
	ctx := context.Background()
	for name, want := range map[string]struct {
		o        migration.Outcome
		attempts int
	}{
		notFound: {migration.OutcomeNotFound, 2}, refused: {migration.OutcomeRefused, 1},
		unavailable: {migration.OutcomeUnavailable, 1}, bob.Username: {migration.OutcomeWrongPassword, 1},
	} {
		// The digest is a function of the configured key: an operator (or
		// a Handler in another process) finds the record from the name.
		digest := migration.NameDigest([]byte(key), name)
		if digest != h.NameDigest(name) || !strings.HasPrefix(digest, migration.NameDigestPrefix) {
			t.Fatalf("digest %q, Handler's %q", digest, h.NameDigest(name))
		}
		rec, err := tracker.Get(ctx, digest)
		if err != nil || rec.Outcome != want.o || rec.Attempts != want.attempts || rec.Username != digest {
			t.Errorf("record of %q: %+v, %v; want %s × %d", name, rec, err, want.o, want.attempts)
		}
	}
	// A name the source confirmed is the legacy username, in clear: the
	// bulk import matches on it.
	if rec, err := tracker.Get(ctx, alice.Username); err != nil || rec.Outcome != migration.OutcomeMigrated {
		t.Errorf("alice: %+v, %v", rec, err)
	}
	if migration.NameDigest([]byte(key), notFound) == migration.NameDigest([]byte(strings.Repeat("j", 32)), notFound) {
		t.Error("the digest does not depend on the key")
	}
}

// TestAttackLegacyTenantIsNeverCopied (issue 12, item 13): a legacy record
// with the tenant attribute (written by a legacy admin, or by an attacker
// with write access to the legacy profile) does not choose the Cognito
// user's tenant, with no Mapping configured.
func TestAttackLegacyTenantIsNeverCopied(t *testing.T) {
	h, err := passhash.Hash(passhash.Bcrypt, "pw-SECRET-eve", migrationtest.CheapParams())
	if err != nil {
		t.Fatal(err)
	}
	eve := migration.LegacyUser{Username: "eve", PasswordHash: triggers.Secret(h), Fields: map[string]string{
		"email": "eve@example.com", "email_verified": "true", "custom:plan": "gold", "custom:role": "admin",
		"custom:tenantId": "acme", "custom:TenantId": "acme", "custom:tenant_id": "acme",
	}}
	src, err := migration.NewMemorySource(eve)
	if err != nil {
		t.Fatal(err)
	}
	for _, trigger := range []string{"UserMigration_Authentication", "UserMigration_ForgotPassword"} {
		r := newRig(t, func(c *migration.Config) { c.Source = src })
		payload := triggertest.From(t, trigger).Set("userName", "eve").Set("request.password", "pw-SECRET-eve").JSON(t)
		ev, err := r.invoke(t, payload)
		if err != nil {
			t.Fatalf("%s: %v", trigger, err)
		}
		got := ev.Response.UserAttributes
		if got["custom:plan"] != "gold" || got["email"] != "eve@example.com" {
			t.Fatalf("%s: %v: other custom attributes must still be copied", trigger, got)
		}
		for name := range got {
			if strings.Contains(strings.ToLower(name), "tenant") {
				t.Errorf("%s: the legacy record set %s: %v", trigger, name, got)
			}
		}
	}
}

// TestDenyAttributes: configured names are never copied either, and a
// Mapping to a denied attribute is refused at start.
func TestDenyAttributes(t *testing.T) {
	r := newRig(t, func(c *migration.Config) { c.DenyAttributes = []string{"custom:plan", "phone_number"} })
	alice := r.users[0]
	ev, err := r.invoke(t, authEvent(t, alice.Username, alice.Password))
	if err != nil {
		t.Fatal(err)
	}
	if a := ev.Response.UserAttributes; a["custom:plan"] != "" || a["phone_number"] != "" || a["email"] == "" {
		t.Fatalf("attributes %v", a)
	}
	src, _ := migration.NewMemorySource()
	for _, c := range []migration.Config{
		{Source: src, Mapping: migration.Mapping{"org": "custom:tenantId"}},
		{Source: src, Mapping: migration.Mapping{"org": "custom:TENANTID"}},
		{Source: src, Mapping: migration.Mapping{"r": "custom:role"}, DenyAttributes: []string{"custom:role"}},
	} {
		if _, err := migration.New(c); err == nil || !strings.Contains(err.Error(), "never sets") {
			t.Errorf("mapping %v with deny list %v: %v, want a configuration error", c.Mapping, c.DenyAttributes, err)
		}
	}
	if _, err := migration.New(migration.Config{Source: src, NameKey: "short"}); err == nil || strings.Contains(err.Error(), "short") {
		t.Errorf("a short NameKey: %v, want an error that does not quote it", err)
	}
}

// TestAttackUnknownLegacyUserCostsAWrongPassword (issue 12, item 9): with a
// legacy table of bcrypt cost 6 hashes, an unknown name is verified against
// a stand-in of the same algorithm and cost as an existing user's wrong
// password, not against a fixed default. The times themselves are in
// BENCHMARKS.md (BenchmarkUnknownVersusWrongPassword).
func TestAttackUnknownLegacyUserCostsAWrongPassword(t *testing.T) {
	client := dynamotest.Client(t)
	table := dynamotest.CreateTable(t, client, dynamotest.KeyedTable("legacy-timing", "username"))
	src, err := dynamosource.New(dynamosource.Config{Client: client, Table: table})
	if err != nil {
		t.Fatal(err)
	}
	hash, err := passhash.Hash(passhash.Bcrypt, "pw-SECRET-frank", passhash.Params{BcryptCost: 6})
	if err != nil {
		t.Fatal(err)
	}
	if err := src.Put(context.Background(), migration.LegacyUser{Username: "frank", PasswordHash: triggers.Secret(hash)}); err != nil {
		t.Fatal(err)
	}
	r := newRig(t, func(c *migration.Config) { c.Source = src })
	want, _ := passhash.Cost(hash)
	for _, name := range []string{"frank", "nobody"} { // a wrong password, then an unknown name
		if _, err := r.invoke(t, authEvent(t, name, "pw-SECRET-guess")); err == nil || err.Error() != migration.DefaultRefusalMessage {
			t.Fatalf("%s: %v", name, err)
		}
		if got := src.TimingCost(); got != want {
			t.Fatalf("after %s: unknown names are verified at %q, existing users at %q", name, got, want)
		}
	}
}

func TestBreakerStateNeedsNoGobreaker(t *testing.T) {
	for s, want := range map[migration.BreakerState]string{migration.BreakerClosed: "closed", migration.BreakerHalfOpen: "half-open", migration.BreakerOpen: "open", 7: "BreakerState(7)"} {
		if s.String() != want {
			t.Errorf("%d: %q, want %q", int(s), s.String(), want)
		}
	}
	g, err := migration.NewGuard(down{}, migration.GuardConfig{MaxAttempts: 1, Breaker: migration.BreakerConfig{ConsecutiveFailures: 1}, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	_, _ = g.Authenticate(context.Background(), "x", "pw")
	_, err = g.Authenticate(context.Background(), "x", "pw")
	if g.State() != migration.BreakerOpen || !errors.Is(err, migration.ErrBreakerOpen) || g.Counts().TotalFailures != 0 {
		// Counts are of the current (open) state, which starts at zero.
		t.Fatalf("state %v, err %v, counts %+v", g.State(), err, g.Counts())
	}
	b, _ := json.Marshal(g.Counts())
	if !strings.Contains(string(b), "ConsecutiveFailures") {
		t.Fatalf("counts %s", b)
	}
}
