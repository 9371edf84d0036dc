package migration_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cognitrig/cognitrig/migration"
	"github.com/cognitrig/cognitrig/triggers"
)

// stubSource answers with a function, counting calls.
type stubSource struct {
	calls atomic.Int64
	fn    func(ctx context.Context, call int64) (*migration.User, error)
}

func (s *stubSource) Authenticate(ctx context.Context, _ string, _ triggers.Secret) (*migration.User, error) {
	return s.fn(ctx, s.calls.Add(1))
}

func (s *stubSource) Lookup(ctx context.Context, _ string) (*migration.User, error) {
	return s.fn(ctx, s.calls.Add(1))
}

var errDown = errors.New("legacy down: 503")

func fastGuard(src migration.Source, logs *bytes.Buffer, mod func(*migration.GuardConfig)) *migration.Guard {
	cfg := migration.GuardConfig{
		AttemptTimeout: 100 * time.Millisecond,
		MaxAttempts:    3,
		Backoff:        time.Millisecond,
		MaxBackoff:     2 * time.Millisecond,
		Reserve:        10 * time.Millisecond,
		MinAttempt:     5 * time.Millisecond,
		Breaker:        migration.BreakerConfig{ConsecutiveFailures: 4, OpenFor: 80 * time.Millisecond},
		Logger:         slog.New(slog.NewTextHandler(logs, nil)),
	}
	if mod != nil {
		mod(&cfg)
	}
	g, err := migration.NewGuard(src, cfg)
	if err != nil {
		panic(err)
	}
	return g
}

func TestGuardRetriesFailuresThenSucceeds(t *testing.T) {
	src := &stubSource{fn: func(_ context.Context, call int64) (*migration.User, error) {
		if call < 3 {
			return nil, errDown
		}
		return &migration.User{Username: "alice"}, nil
	}}
	var logs bytes.Buffer
	g := fastGuard(src, &logs, nil)
	u, err := g.Authenticate(context.Background(), "alice", "pw-SECRET-1")
	if err != nil || u.Username != "alice" {
		t.Fatalf("Authenticate = %v, %v", u, err)
	}
	if src.calls.Load() != 3 {
		t.Fatalf("%d calls, want 3 (two failures retried)", src.calls.Load())
	}
	if strings.Count(logs.String(), "legacy call failed") != 2 {
		t.Fatalf("failed attempts not logged:\n%s", logs.String())
	}
	if g.State() != migration.BreakerClosed {
		t.Fatalf("breaker %v", g.State())
	}
}

func TestGuardAnswersAreNotFailures(t *testing.T) {
	for _, answer := range []error{migration.ErrNotFound, migration.ErrWrongPassword, fmt.Errorf("lookup: %w", errors.ErrUnsupported)} {
		src := &stubSource{fn: func(context.Context, int64) (*migration.User, error) { return nil, answer }}
		g := fastGuard(src, &bytes.Buffer{}, nil)
		for range 20 {
			if _, err := g.Authenticate(context.Background(), "x", "pw"); !errors.Is(err, answer) {
				t.Fatalf("err = %v, want %v", err, answer)
			}
		}
		if src.calls.Load() != 20 {
			t.Fatalf("%v: %d calls for 20 sign-ins: answers must not be retried", answer, src.calls.Load())
		}
		if g.State() != migration.BreakerClosed || g.Counts().TotalFailures != 0 {
			t.Fatalf("%v counted as failures: %v %+v", answer, g.State(), g.Counts())
		}
	}
}

func TestGuardOpensFailsFastAndRecovers(t *testing.T) {
	var healthy atomic.Bool
	src := &stubSource{fn: func(context.Context, int64) (*migration.User, error) {
		if healthy.Load() {
			return &migration.User{Username: "alice"}, nil
		}
		return nil, errDown
	}}
	var logs bytes.Buffer
	g := fastGuard(src, &logs, func(c *migration.GuardConfig) { c.MaxAttempts = 1 })
	ctx := context.Background()
	for i := range 4 {
		if _, err := g.Authenticate(ctx, "alice", "pw"); !errors.Is(err, migration.ErrUnavailable) {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if g.State() != migration.BreakerOpen {
		t.Fatalf("after 4 failures the breaker is %v, want open", g.State())
	}
	before := src.calls.Load()
	_, err := g.Authenticate(ctx, "alice", "pw")
	if !errors.Is(err, migration.ErrUnavailable) || !errors.Is(err, migration.ErrBreakerOpen) {
		t.Fatalf("open breaker: %v", err)
	}
	if src.calls.Load() != before {
		t.Fatal("an open breaker let a call through")
	}
	if !strings.Contains(logs.String(), "breaker opened") {
		t.Fatalf("opening not logged:\n%s", logs.String())
	}

	// Half-open probe that fails opens it again.
	time.Sleep(100 * time.Millisecond)
	if _, err := g.Authenticate(ctx, "alice", "pw"); errors.Is(err, migration.ErrBreakerOpen) {
		t.Fatal("no probe after OpenFor")
	}
	if g.State() != migration.BreakerOpen {
		t.Fatalf("failed probe left the breaker %v", g.State())
	}
	// Recovery: the next probe succeeds and closes it.
	healthy.Store(true)
	time.Sleep(100 * time.Millisecond)
	if _, err := g.Authenticate(ctx, "alice", "pw"); err != nil {
		t.Fatalf("probe: %v", err)
	}
	if g.State() != migration.BreakerClosed {
		t.Fatalf("successful probe left the breaker %v", g.State())
	}
	for _, s := range []string{"to=half-open", "to=closed"} {
		if !strings.Contains(logs.String(), s) {
			t.Fatalf("transition %s not logged:\n%s", s, logs.String())
		}
	}
}

func TestGuardFailureRatioCatchesFlapping(t *testing.T) {
	src := &stubSource{fn: func(_ context.Context, call int64) (*migration.User, error) {
		if call%2 == 0 {
			return nil, errDown
		}
		return &migration.User{Username: "x"}, nil
	}}
	g := fastGuard(src, &bytes.Buffer{}, func(c *migration.GuardConfig) {
		c.MaxAttempts = 1
		c.Breaker.FailureRatio = 0.4
		c.Breaker.MinRequests = 6
	})
	for range 6 {
		_, _ = g.Authenticate(context.Background(), "x", "pw")
	}
	if g.State() != migration.BreakerOpen {
		t.Fatalf("50%% failures over 6 calls left the breaker %v (never 4 in a row)", g.State())
	}
}

func TestGuardRespectsTheBudget(t *testing.T) {
	src := &stubSource{fn: func(ctx context.Context, _ int64) (*migration.User, error) {
		<-ctx.Done() // hangs until its attempt's deadline
		return nil, ctx.Err()
	}}
	g := fastGuard(src, &bytes.Buffer{}, func(c *migration.GuardConfig) {
		c.AttemptTimeout = time.Second
		c.MaxAttempts = 10
		c.Breaker.ConsecutiveFailures = 100
	})
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := g.Authenticate(ctx, "x", "pw")
	elapsed := time.Since(start)
	if !errors.Is(err, migration.ErrUnavailable) {
		t.Fatalf("err = %v", err)
	}
	// Without the budget the ten 1 s attempts would take seconds.
	if elapsed > 900*time.Millisecond {
		t.Fatalf("call took %v with a 150ms budget", elapsed)
	}
	// With less than Reserve+MinAttempt left, no attempt starts at all.
	before := src.calls.Load()
	short, cancel2 := context.WithTimeout(context.Background(), 12*time.Millisecond)
	defer cancel2()
	if _, err := g.Authenticate(short, "x", "pw"); !errors.Is(err, migration.ErrUnavailable) || !strings.Contains(err.Error(), "no room") {
		t.Fatalf("err = %v", err)
	}
	if src.calls.Load() != before {
		t.Fatal("an attempt started without budget for it")
	}
}

func TestGuardAbandonsSourcesThatIgnoreTheContext(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	src := &stubSource{fn: func(context.Context, int64) (*migration.User, error) {
		<-release // ignores ctx
		return &migration.User{}, nil
	}}
	g := fastGuard(src, &bytes.Buffer{}, func(c *migration.GuardConfig) { c.MaxAttempts = 1; c.AttemptTimeout = 30 * time.Millisecond })
	start := time.Now()
	_, err := g.Authenticate(context.Background(), "x", "pw")
	if !errors.Is(err, migration.ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	if d := time.Since(start); d > 2*time.Second { // without the abandon: until release
		t.Fatalf("took %v with a 30ms attempt timeout", d)
	}
}

func TestGuardTurnsPanicsIntoFailures(t *testing.T) {
	src := &stubSource{fn: func(context.Context, int64) (*migration.User, error) { panic("pw-SECRET-in-panic") }}
	g := fastGuard(src, &bytes.Buffer{}, func(c *migration.GuardConfig) { c.MaxAttempts = 1 })
	_, err := g.Authenticate(context.Background(), "x", "pw")
	if !errors.Is(err, migration.ErrUnavailable) || !strings.Contains(err.Error(), "panicked") {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(err.Error(), "SECRET") {
		t.Fatalf("error quotes the panic value: %v", err)
	}
}

func TestGuardDoesNotBlameTheSourceForACanceledCaller(t *testing.T) {
	src := &stubSource{fn: func(ctx context.Context, _ int64) (*migration.User, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}}
	g := fastGuard(src, &bytes.Buffer{}, func(c *migration.GuardConfig) { c.Breaker.ConsecutiveFailures = 1 })
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(10*time.Millisecond, cancel)
	if _, err := g.Authenticate(ctx, "x", "pw"); !errors.Is(err, migration.ErrUnavailable) {
		t.Fatalf("err = %v", err)
	}
	if g.State() != migration.BreakerClosed || src.calls.Load() != 1 {
		t.Fatalf("a canceled caller counted against the source: %v, %d calls", g.State(), src.calls.Load())
	}
}

// BenchmarkGuardOpenBreaker measures the Guard alone refusing a call while
// its breaker is open: the cost of failing fast.
func BenchmarkGuardOpenBreaker(b *testing.B) {
	src := &stubSource{fn: func(context.Context, int64) (*migration.User, error) { return nil, errDown }}
	g := fastGuard(src, &bytes.Buffer{}, func(c *migration.GuardConfig) {
		c.MaxAttempts = 1
		c.Breaker.OpenFor = time.Hour
	})
	ctx := context.Background()
	for g.State() != migration.BreakerOpen {
		_, _ = g.Authenticate(ctx, "x", "pw")
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := g.Authenticate(ctx, "x", "pw"); !errors.Is(err, migration.ErrBreakerOpen) {
			b.Fatal(err)
		}
	}
}

// BenchmarkGuardHealthy measures the Guard's overhead on a call that
// succeeds: breaker, attempt context and the bounded-call goroutine.
func BenchmarkGuardHealthy(b *testing.B) {
	u := &migration.User{Username: "x"}
	src := &stubSource{fn: func(context.Context, int64) (*migration.User, error) { return u, nil }}
	g := fastGuard(src, &bytes.Buffer{}, nil)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := g.Authenticate(ctx, "x", "pw"); err != nil {
			b.Fatal(err)
		}
	}
}
