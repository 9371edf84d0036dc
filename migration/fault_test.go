package migration_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cognitrig/cognitrig/migration"
	"github.com/cognitrig/cognitrig/migration/httpsource"
	"github.com/cognitrig/cognitrig/migration/migrationtest"
	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

// The fault tests run the whole trigger: the router with the default
// middleware (Logging, Recover, Deadline) and Metrics, the Handler, its
// Guard and the HTTP source, against a local identity service that is
// slow, hangs, fails or flaps.

const (
	lambdaTimeout = 1500 * time.Millisecond                        // the Lambda deadline of each invocation
	budget        = lambdaTimeout - triggers.DefaultDeadlineMargin // what Deadline leaves the handler: 1.2 s
	slack         = 500 * time.Millisecond                         // scheduling noise on a loaded machine under -race
)

type faultRig struct {
	router  *triggers.Router
	handler *migration.Handler
	idp     *migrationtest.IdentityService
	users   []migrationtest.FixtureUser
	tracker *migration.MemoryTracker
	logs    *triggertest.Log
	metrics *triggertest.Log
	payload []byte // alice's sign-in with her right password
}

// testGuard is a Guard configuration scaled down for tests: 300 ms
// attempts, three attempts, a breaker that opens after 3 failures and
// probes after 100 ms.
func testGuard() migration.GuardConfig {
	return migration.GuardConfig{
		AttemptTimeout: 300 * time.Millisecond,
		MaxAttempts:    3,
		Backoff:        10 * time.Millisecond,
		MaxBackoff:     40 * time.Millisecond,
		Reserve:        100 * time.Millisecond,
		MinAttempt:     50 * time.Millisecond,
		Breaker:        migration.BreakerConfig{ConsecutiveFailures: 3, OpenFor: 100 * time.Millisecond},
	}
}

// newFaultRig logs at Info into r.logs, or into logOut if it is not nil
// (benchmarks pass io.Discard, so that logs do not pile up in memory).
func newFaultRig(t testing.TB, guard migration.GuardConfig, logOut io.Writer) *faultRig {
	t.Helper()
	users := migrationtest.Fixture(t)
	idp := migrationtest.NewIdentityService(t, migrationtest.LegacyUsers(users)...)
	src, err := httpsource.New(httpsource.Config{
		TokenURL: idp.TokenURL, UserInfoURL: idp.UserInfoURL, LookupURL: idp.LookupURL,
		ClientID: migrationtest.ClientID, ClientSecret: migrationtest.ClientSecret, UsernameClaim: "username",
	})
	if err != nil {
		t.Fatal(err)
	}
	r := &faultRig{idp: idp, users: users, tracker: migration.NewMemoryTracker(migration.TrackerOptions{}), logs: &triggertest.Log{}, metrics: &triggertest.Log{}}
	if logOut == nil {
		logOut = r.logs
	}
	logger := slog.New(slog.NewJSONHandler(logOut, nil))
	r.handler, err = migration.New(migration.Config{Source: src, Guard: guard, Tracker: r.tracker, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	var metricsOut io.Writer = r.metrics
	if logOut == io.Discard {
		metricsOut = io.Discard
	}
	r.router = triggers.NewRouter(triggers.WithMiddleware(append(triggers.Default(logger), triggers.Metrics(metricsOut, "cognitrig"))...))
	r.handler.Register(r.router)
	alice := users[0]
	r.payload = triggertest.From(t, "UserMigration_Authentication").Set("userName", alice.Username).Set("request.password", alice.Password.Reveal()).JSON(t)
	return r
}

// signIn invokes the trigger for alice with the Lambda deadline
// lambdaTimeout and returns the error and how long the invocation took.
func (r *faultRig) signIn() (time.Duration, error) {
	start := time.Now()
	_, err := triggertest.Invoke(r.router, r.payload, lambdaTimeout)
	return time.Since(start), err
}

func isUnavailable(err error) bool {
	return err != nil && err.Error() == migration.DefaultUnavailableMessage
}

func TestFaultNoInvocationExceedsItsBudget(t *testing.T) {
	cases := []struct {
		name  string
		setup func(*migrationtest.IdentityService)
	}{
		{"slow-under-attempt-timeout", func(s *migrationtest.IdentityService) { s.SetSlow(40 * time.Millisecond) }},
		{"slow-over-attempt-timeout", func(s *migrationtest.IdentityService) { s.SetSlow(2 * time.Second) }},
		{"hung", func(s *migrationtest.IdentityService) { s.SetFault(migrationtest.Hang) }},
		{"5xx", func(s *migrationtest.IdentityService) { s.SetFault(migrationtest.Failing) }},
		{"flapping", func(s *migrationtest.IdentityService) { s.SetFault(migrationtest.Flapping) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			g := testGuard()
			g.Breaker.ConsecutiveFailures = 1000 // keep it closed: every invocation meets the fault
			r := newFaultRig(t, g, nil)
			c.setup(r.idp)
			for i := range 4 {
				d, err := r.signIn()
				if d > budget+slack {
					t.Fatalf("invocation %d took %v; the budget is %v", i, d, budget)
				}
				if err != nil && !isUnavailable(err) {
					t.Fatalf("invocation %d: %v, want success or %q", i, err, migration.DefaultUnavailableMessage)
				}
				if c.name == "slow-under-attempt-timeout" || c.name == "flapping" {
					if err != nil {
						t.Fatalf("invocation %d failed although a retry fits the budget: %v", i, err)
					}
				} else if err == nil {
					t.Fatalf("invocation %d succeeded against a broken service", i)
				}
			}
		})
	}
}

func TestFaultHungServerOpensTheBreakerAndCallsFailFast(t *testing.T) {
	r := newFaultRig(t, testGuard(), nil)
	r.idp.SetFault(migrationtest.Hang)

	// Three attempts per invocation, three failures open the breaker: the
	// first invocation opens it, unless a loaded machine left the budget
	// room for two attempts only; then the second does.
	for i := 0; r.handler.Guard().State() != migration.BreakerOpen; i++ {
		if i == 3 {
			t.Fatalf("breaker %v after 3 invocations against a hung service, want open", r.handler.Guard().State())
		}
		d, err := r.signIn()
		if !isUnavailable(err) || d > budget+slack {
			t.Fatalf("invocation %d: %v after %v", i, err, d)
		}
	}
	if !strings.Contains(r.metrics.String(), `"LegacyBreakerOpened":1`) {
		t.Fatalf("the opening is not in the invocation's metrics: %s", r.metrics.String())
	}
	if !strings.Contains(r.logs.String(), "breaker opened") {
		t.Fatalf("the opening is not logged: %s", r.logs.String())
	}

	// Open: invocations fail at once and never reach the service.
	reached := r.idp.Requests()
	for i := range 20 {
		d, err := r.signIn()
		if !isUnavailable(err) {
			t.Fatalf("open breaker, invocation %d: %v", i, err)
		}
		// Reaching the hung service would cost at least one attempt
		// timeout; BenchmarkHungLegacy shows the real figure (microseconds).
		// The bound only tells the two apart.
		if d >= testGuard().AttemptTimeout {
			t.Fatalf("open breaker, invocation %d took %v", i, d)
		}
	}
	if r.idp.Requests() != reached {
		t.Fatalf("%d requests reached the service through an open breaker", r.idp.Requests()-reached)
	}
	// Unavailable: the source confirmed no name, so the record is under
	// the typed name's digest.
	if rec, _ := r.tracker.Get(context.Background(), r.handler.NameDigest("alice")); rec.Outcome != migration.OutcomeUnavailable || rec.Attempts < 21 {
		t.Fatalf("tracking record %+v", rec)
	}

	// The guard's own fast path fails without calling the service (its
	// speed is in BenchmarkGuardOpenBreaker, not asserted here).
	g := r.handler.Guard()
	for range 10 {
		if _, err := g.Authenticate(context.Background(), "alice", "pw-SECRET-x"); !errors.Is(err, migration.ErrBreakerOpen) {
			t.Fatalf("err = %v", err)
		}
	}
	if r.idp.Requests() != reached {
		t.Fatal("the guard called the service through an open breaker")
	}
}

func TestFault5xxOpensAndAProbeClosesWhenTheServerRecovers(t *testing.T) {
	r := newFaultRig(t, testGuard(), nil)
	r.idp.SetFault(migrationtest.Failing)
	if _, err := r.signIn(); !isUnavailable(err) {
		t.Fatalf("err = %v", err)
	}
	if r.handler.Guard().State() != migration.BreakerOpen {
		t.Fatalf("breaker %v after three 503s", r.handler.Guard().State())
	}

	// Still failing after the open interval: the probe fails, it opens again.
	time.Sleep(150 * time.Millisecond)
	before := r.idp.Requests()
	if _, err := r.signIn(); !isUnavailable(err) {
		t.Fatalf("err = %v", err)
	}
	if n := r.idp.Requests() - before; n != 1 {
		t.Fatalf("half-open let %d requests through, want 1 probe", n)
	}
	if r.handler.Guard().State() != migration.BreakerOpen {
		t.Fatalf("breaker %v after a failed probe, want open", r.handler.Guard().State())
	}

	// The server recovers; after the open interval the probe succeeds.
	r.idp.SetFault(migrationtest.Healthy)
	time.Sleep(150 * time.Millisecond)
	r.metrics.Reset()
	if _, err := r.signIn(); err != nil {
		t.Fatalf("probe after recovery: %v", err)
	}
	if r.handler.Guard().State() != migration.BreakerClosed {
		t.Fatalf("breaker %v after a successful probe, want closed", r.handler.Guard().State())
	}
	m := r.metrics.String()
	for _, want := range []string{`"LegacyBreakerHalfOpen":1`, `"LegacyBreakerClosed":1`, `"Migrated":1`} {
		if !strings.Contains(m, want) {
			t.Fatalf("metrics of the probe invocation lack %s: %s", want, m)
		}
	}
	logs := r.logs.String()
	for _, want := range []string{`"to":"half-open"`, `"to":"closed"`} {
		if !strings.Contains(logs, want) {
			t.Fatalf("logs lack %s", want)
		}
	}
	if rec, _ := r.tracker.Get(context.Background(), "alice"); rec.Outcome != migration.OutcomeMigrated {
		t.Fatalf("tracking record %+v", rec)
	}
}

func TestFaultFlappingServerTripsTheFailureRatio(t *testing.T) {
	g := testGuard()
	g.Breaker.ConsecutiveFailures = 100 // a flapping service never fails twice in a row
	g.Breaker.FailureRatio = 0.5
	g.Breaker.MinRequests = 6
	r := newFaultRig(t, g, nil)
	r.idp.SetFault(migrationtest.Flapping)
	for i := range 3 {
		// Each sign-in fails once and succeeds on the retry: 3 failures
		// in 6 attempts, never two in a row.
		if d, err := r.signIn(); err != nil || d > budget+slack {
			t.Fatalf("invocation %d: %v after %v", i, err, d)
		}
	}
	// The ratio is judged at a failure once MinRequests were made: the
	// next failed attempt (4 of 7) opens the breaker, and the retry of
	// that invocation fails fast.
	if _, err := r.signIn(); !isUnavailable(err) {
		t.Fatalf("fourth invocation: %v", err)
	}
	if r.handler.Guard().State() != migration.BreakerOpen {
		t.Fatalf("breaker %v with half the attempts failing and FailureRatio 0.5", r.handler.Guard().State())
	}
}

func TestFaultUnavailableErrorKeepsItsCause(t *testing.T) {
	r := newFaultRig(t, testGuard(), nil)
	r.idp.SetFault(migrationtest.Failing)
	ev := triggertest.Decode[triggers.UserMigrationEvent](t, "UserMigration_Authentication")
	ctx, cancel := context.WithTimeout(context.Background(), budget)
	defer cancel()
	err := r.handler.Handle(ctx, ev)
	var ue *migration.UnavailableError
	if !errors.As(err, &ue) || !errors.Is(err, migration.ErrUnavailable) || !strings.Contains(ue.Err.Error(), "503") {
		t.Fatalf("err = %#v", err)
	}
	if err.Error() != migration.DefaultUnavailableMessage {
		t.Fatalf("user-facing text %q", err.Error())
	}
}

// BenchmarkHungLegacy compares, side by side, one sign-in invocation while
// the legacy service hangs:
//
//   - naive: the handler calls the service directly with a 5 s timeout (no
//     breaker, no budget), as most migration triggers do; Cognito gives up
//     after 5 s anyway.
//   - cognitrig: the Handler with its Guard, breaker already open.
//
// Both report p50-ms and p99-ms per invocation. The naive side is bounded:
// each of its iterations runs 3 invocations in parallel (5 s in all), and
// with the default -benchtime the first iteration already exceeds it, so it
// runs once. Do not raise -benchtime for this benchmark.
func BenchmarkHungLegacy(b *testing.B) {
	b.Run("naive", func(b *testing.B) {
		r := newFaultRig(b, testGuard(), io.Discard)
		r.idp.SetFault(migrationtest.Hang)
		src, _ := httpsource.New(httpsource.Config{TokenURL: r.idp.TokenURL, UserInfoURL: r.idp.UserInfoURL, ClientID: migrationtest.ClientID, ClientSecret: migrationtest.ClientSecret})
		naive := triggers.NewRouter(triggers.WithMiddleware(triggers.Logging(slog.New(slog.DiscardHandler)), triggers.Metrics(io.Discard, "cognitrig")))
		naive.UserMigration(func(ctx context.Context, ev *triggers.UserMigrationEvent) error {
			ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			if _, err := src.Authenticate(ctx, ev.UserName, ev.Request.Password); err != nil {
				return err
			}
			ev.Response.UserAttributes = map[string]string{"email": "x@example.com"}
			return nil
		})
		payload := triggertest.From(b, "UserMigration_Authentication").JSON(b)
		const parallel = 3
		var times []time.Duration
		var mu sync.Mutex
		b.ResetTimer()
		for range b.N {
			var wg sync.WaitGroup
			for range parallel {
				wg.Go(func() {
					start := time.Now()
					_, _ = triggertest.Invoke(naive, payload, 6*time.Second)
					mu.Lock()
					times = append(times, time.Since(start))
					mu.Unlock()
				})
			}
			wg.Wait()
		}
		report(b, times)
	})
	b.Run("cognitrig", func(b *testing.B) {
		g := testGuard()
		g.AttemptTimeout = 50 * time.Millisecond
		g.Breaker.OpenFor = time.Hour // stays open for the whole run
		r := newFaultRig(b, g, io.Discard)
		r.idp.SetFault(migrationtest.Hang)
		for r.handler.Guard().State() != migration.BreakerOpen {
			r.signIn()
		}
		reached := r.idp.Requests()
		times := make([]time.Duration, 0, b.N)
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			d, err := r.signIn()
			times = append(times, d)
			if !isUnavailable(err) {
				b.Fatalf("err = %v", err)
			}
		}
		b.StopTimer()
		if r.idp.Requests() != reached {
			b.Fatal("requests went through the open breaker")
		}
		report(b, times)
	})
}

func report(b *testing.B, times []time.Duration) {
	slices.Sort(times)
	q := func(p float64) time.Duration { return times[min(len(times)-1, int(p*float64(len(times))))] }
	b.ReportMetric(float64(q(0.50).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(q(0.99).Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(len(times))/float64(b.N), "invocations/op")
}
