package migration

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/sony/gobreaker/v2"

	"github.com/cognitrig/cognitrig/internal/nilcheck"
	"github.com/cognitrig/cognitrig/triggers"
)

// Defaults of GuardConfig and BreakerConfig.
const (
	DefaultAttemptTimeout      = 1500 * time.Millisecond
	DefaultMaxAttempts         = 3
	DefaultBackoff             = 50 * time.Millisecond
	DefaultMaxBackoff          = 400 * time.Millisecond
	DefaultReserve             = 250 * time.Millisecond
	DefaultMinAttempt          = 100 * time.Millisecond
	DefaultConsecutiveFailures = 5
	DefaultMinRequests         = 10
	DefaultWindow              = time.Minute
	DefaultOpenFor             = 10 * time.Second
)

// Names of the metrics a Guard adds to the invocation's metrics record with
// triggers.AddMetric.
const (
	MetricLegacyCalls       = "LegacyCalls"           // attempts made, Count
	MetricLegacyFailures    = "LegacyFailures"        // attempts that failed, Count
	MetricLegacyRetries     = "LegacyRetries"         // attempts after the first, Count
	MetricLegacyRejected    = "LegacyRejected"        // calls refused by an open breaker, Count
	MetricLegacyLatency     = "LegacyLatency"         // time in legacy calls, Milliseconds
	MetricBreakerOpened     = "LegacyBreakerOpened"   // transitions to open, Count
	MetricBreakerHalfOpened = "LegacyBreakerHalfOpen" // transitions to half-open, Count
	MetricBreakerClosed     = "LegacyBreakerClosed"   // transitions to closed, Count
)

// ErrUnavailable is wrapped by the errors of a Guard when the legacy source
// gave no answer: the circuit breaker is open (ErrBreakerOpen is wrapped
// too), every attempt failed, or the deadline budget ran out.
var ErrUnavailable = errors.New("migration: legacy source unavailable")

// ErrBreakerOpen is wrapped by the errors of a Guard whose breaker refused
// the call without calling the source: it is open, or half-open with its
// probes already under way. (gobreaker's ErrOpenState or
// ErrTooManyRequests is wrapped as well.)
var ErrBreakerOpen = errors.New("migration: circuit breaker open")

// BreakerState is the state of a Guard's circuit breaker.
type BreakerState int

// States of a circuit breaker.
const (
	// BreakerClosed: calls go through; failures are counted.
	BreakerClosed BreakerState = iota
	// BreakerHalfOpen: after BreakerConfig.OpenFor, HalfOpenProbes calls
	// go through; their success closes the breaker, a failure opens it.
	BreakerHalfOpen
	// BreakerOpen: calls fail at once without reaching the source.
	BreakerOpen
)

// String returns "closed", "half-open" or "open" (gobreaker's names, which
// the breaker's log lines use).
func (s BreakerState) String() string {
	switch s {
	case BreakerClosed:
		return "closed"
	case BreakerHalfOpen:
		return "half-open"
	case BreakerOpen:
		return "open"
	}
	return fmt.Sprintf("BreakerState(%d)", int(s))
}

func breakerState(s gobreaker.State) BreakerState {
	switch s {
	case gobreaker.StateHalfOpen:
		return BreakerHalfOpen
	case gobreaker.StateOpen:
		return BreakerOpen
	}
	return BreakerClosed
}

// BreakerCounts are the counts of a breaker in its current state (in the
// closed state, within the current Window). Answers (found, not found,
// wrong password, refused) count as successes; calls whose caller went
// away are exclusions.
type BreakerCounts struct {
	Requests             uint32
	TotalSuccesses       uint32
	TotalFailures        uint32
	TotalExclusions      uint32
	ConsecutiveSuccesses uint32
	ConsecutiveFailures  uint32
}

// IsAnswer reports whether err, returned by a Source, is an answer of the
// legacy system rather than an outage: nil, or an error wrapping
// ErrNotFound, ErrWrongPassword, ErrRefused or errors.ErrUnsupported.
// Answers count as successes for the circuit breaker and are never
// retried; everything else is a failure.
func IsAnswer(err error) bool {
	return err == nil || errors.Is(err, ErrNotFound) || errors.Is(err, ErrWrongPassword) ||
		errors.Is(err, ErrRefused) || errors.Is(err, errors.ErrUnsupported)
}

// BreakerConfig configures the circuit breaker of a Guard. Zero fields take
// the defaults.
type BreakerConfig struct {
	// ConsecutiveFailures opens the breaker after that many failed attempts
	// in a row. Default DefaultConsecutiveFailures.
	ConsecutiveFailures uint32
	// FailureRatio, if above zero, also opens the breaker when at least
	// that share of the attempts in the current Window failed, once
	// MinRequests were made: this catches a flapping source that never
	// fails ConsecutiveFailures times in a row.
	FailureRatio float64
	MinRequests  uint32        // default DefaultMinRequests
	Window       time.Duration // closed-state counting window; default DefaultWindow
	// OpenFor is how long the breaker stays open before it lets probes
	// through (half-open). Default DefaultOpenFor.
	OpenFor time.Duration
	// HalfOpenProbes is how many probes pass while half-open; that many
	// successes close the breaker, one failure opens it again. Default 1.
	HalfOpenProbes uint32
}

// GuardConfig configures a Guard. Zero fields take the defaults.
type GuardConfig struct {
	// Name names the breaker in logs. Default "legacy".
	Name string
	// AttemptTimeout bounds one attempt; it is shortened to fit the
	// deadline budget. Default DefaultAttemptTimeout. It must cover the
	// whole attempt, including a password-hash verification done in the
	// function (dynamosource): bcrypt at cost 12 or argon2id with 64 MiB
	// takes a few hundred milliseconds on a small Lambda function, and an
	// attempt cut short by its timeout is retried from the start.
	AttemptTimeout time.Duration
	// MaxAttempts bounds the attempts of one call, retries included.
	// Default DefaultMaxAttempts; 1 turns retries off.
	MaxAttempts int
	// Backoff and MaxBackoff shape the pause before retry n: a random
	// duration between half and all of min(MaxBackoff, Backoff*2^(n-1)).
	Backoff, MaxBackoff time.Duration
	// Reserve is the part of the budget (triggers.Remaining) kept for the
	// work after the legacy call: tracking and answering Cognito. Default
	// DefaultReserve.
	Reserve time.Duration
	// MinAttempt: no attempt starts with less time than this left after
	// the Reserve. Default DefaultMinAttempt.
	MinAttempt time.Duration
	Breaker    BreakerConfig
	// Logger receives breaker state changes (Warn when it opens) and
	// failed attempts (Warn). Default slog.Default().
	Logger *slog.Logger
}

func (c *GuardConfig) setDefaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	if c.Name == "" {
		c.Name = "legacy"
	}
	def(&c.AttemptTimeout, DefaultAttemptTimeout)
	def(&c.Backoff, DefaultBackoff)
	def(&c.MaxBackoff, DefaultMaxBackoff)
	def(&c.Reserve, DefaultReserve)
	def(&c.MinAttempt, DefaultMinAttempt)
	def(&c.Breaker.Window, DefaultWindow)
	def(&c.Breaker.OpenFor, DefaultOpenFor)
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = DefaultMaxAttempts
	}
	if c.Breaker.ConsecutiveFailures == 0 {
		c.Breaker.ConsecutiveFailures = DefaultConsecutiveFailures
	}
	if c.Breaker.MinRequests == 0 {
		c.Breaker.MinRequests = DefaultMinRequests
	}
	if c.Breaker.HalfOpenProbes == 0 {
		c.Breaker.HalfOpenProbes = 1
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
}

// Guard runs the calls to a Source under a circuit breaker and the
// invocation's deadline budget: each attempt has a timeout that fits the
// budget, failed attempts are retried with jittered backoff only while the
// budget allows, and while the breaker is open calls fail at once with an
// error wrapping ErrUnavailable, without touching the source.
//
// ErrNotFound, ErrWrongPassword, ErrRefused and errors.ErrUnsupported are
// answers, not failures (IsAnswer): they neither count against the breaker
// nor are retried, so no sign-in of one user, whatever it sends, can open
// the breaker for the others. A call whose caller went away (ctx canceled)
// is not counted at all.
//
// The breaker's state changes are logged when they happen, and added to the
// metrics of the invocation that observes them (gobreaker reports them
// without a context). A Guard is safe for concurrent use; keep one per
// process so that its state outlives an invocation.
type Guard struct {
	src Source
	cfg GuardConfig
	cb  *gobreaker.CircuitBreaker[*User]

	mu      sync.Mutex
	changes []BreakerState // transitions not yet added to a metrics record
}

// errCallerGone marks an attempt cut short because the caller's own context
// was canceled: no fault of the source.
var errCallerGone = errors.New("migration: caller canceled")

// NewGuard returns a Guard around src. It fails when src is nil or
// cfg.Breaker.FailureRatio is outside 0..1 (a ratio above 1 never opens
// the breaker).
func NewGuard(src Source, cfg GuardConfig) (*Guard, error) {
	// A nil pointer in src (a source constructor's result on error) is nil
	// too: it would fail every migration instead.
	if nilcheck.Is(src) {
		return nil, errors.New("migration: NewGuard: the Source is nil; give the legacy user store the guard calls")
	}
	if r := cfg.Breaker.FailureRatio; !(r >= 0 && r <= 1) {
		return nil, fmt.Errorf("migration: GuardConfig.Breaker.FailureRatio is %v; use 0 (off) to 1", r)
	}
	cfg.setDefaults()
	g := &Guard{src: src, cfg: cfg}
	b := cfg.Breaker
	g.cb = gobreaker.NewCircuitBreaker[*User](gobreaker.Settings{
		Name:        cfg.Name,
		MaxRequests: b.HalfOpenProbes,
		Interval:    b.Window,
		Timeout:     b.OpenFor,
		ReadyToTrip: func(c gobreaker.Counts) bool {
			if c.ConsecutiveFailures >= b.ConsecutiveFailures {
				return true
			}
			return b.FailureRatio > 0 && c.Requests >= b.MinRequests &&
				float64(c.TotalFailures)/float64(c.Requests) >= b.FailureRatio
		},
		IsSuccessful:  IsAnswer,
		IsExcluded:    func(err error) bool { return errors.Is(err, errCallerGone) },
		OnStateChange: g.onStateChange,
	})
	return g, nil
}

// onStateChange runs under the breaker's lock: it must not call the breaker.
func (g *Guard) onStateChange(name string, from, to gobreaker.State) {
	level := slog.LevelInfo
	msg := "legacy circuit breaker state changed"
	if to == gobreaker.StateOpen {
		level = slog.LevelWarn
		msg = "legacy circuit breaker opened: legacy calls fail fast until a probe succeeds"
	}
	g.cfg.Logger.LogAttrs(context.Background(), level, msg,
		slog.String("breaker", name), slog.String("from", from.String()), slog.String("to", to.String()),
		slog.Duration("openFor", g.cfg.Breaker.OpenFor))
	g.mu.Lock()
	g.changes = append(g.changes, breakerState(to))
	g.mu.Unlock()
}

// flushStateChanges adds the transitions seen since the last flush to the
// metrics of the invocation in ctx.
func (g *Guard) flushStateChanges(ctx context.Context) {
	g.mu.Lock()
	changes := g.changes
	g.changes = nil
	g.mu.Unlock()
	for _, s := range changes {
		name := MetricBreakerClosed
		switch s {
		case BreakerOpen:
			name = MetricBreakerOpened
		case BreakerHalfOpen:
			name = MetricBreakerHalfOpened
		}
		triggers.AddMetric(ctx, name, triggers.UnitCount, 1)
	}
}

// State returns the breaker's state.
func (g *Guard) State() BreakerState { return breakerState(g.cb.State()) }

// Counts returns the breaker's counts in its current state.
func (g *Guard) Counts() BreakerCounts {
	c := g.cb.Counts()
	return BreakerCounts{
		Requests: c.Requests, TotalSuccesses: c.TotalSuccesses, TotalFailures: c.TotalFailures,
		TotalExclusions: c.TotalExclusions, ConsecutiveSuccesses: c.ConsecutiveSuccesses, ConsecutiveFailures: c.ConsecutiveFailures,
	}
}

// Authenticate calls the source's Authenticate under the guard.
func (g *Guard) Authenticate(ctx context.Context, username string, password triggers.Secret) (*User, error) {
	return g.call(ctx, "authenticate", func(ctx context.Context) (*User, error) {
		return g.src.Authenticate(ctx, username, password)
	})
}

// Lookup calls the source's Lookup under the guard.
func (g *Guard) Lookup(ctx context.Context, username string) (*User, error) {
	return g.call(ctx, "lookup", func(ctx context.Context) (*User, error) {
		return g.src.Lookup(ctx, username)
	})
}

func (g *Guard) call(ctx context.Context, op string, fn func(context.Context) (*User, error)) (*User, error) {
	defer g.flushStateChanges(ctx)
	var lastErr error
	for attempt := 1; ; attempt++ {
		timeout, ok := g.attemptTimeout(ctx)
		if !ok {
			return nil, g.gaveUp(op, attempt-1, lastErr, "the deadline budget has no room for an attempt")
		}
		start := time.Now()
		u, err := g.cb.Execute(func() (*User, error) {
			actx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			u, err := callBounded(actx, fn)
			if err != nil && errors.Is(ctx.Err(), context.Canceled) {
				return nil, fmt.Errorf("%w: %w", errCallerGone, err)
			}
			return u, err
		})
		if errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests) {
			triggers.AddMetric(ctx, MetricLegacyRejected, triggers.UnitCount, 1)
			return nil, fmt.Errorf("%w: %w: breaker %q rejected the call (%w)", ErrUnavailable, ErrBreakerOpen, g.cfg.Name, err)
		}
		elapsed := time.Since(start)
		triggers.AddMetric(ctx, MetricLegacyCalls, triggers.UnitCount, 1)
		triggers.AddMetric(ctx, MetricLegacyLatency, triggers.UnitMilliseconds, float64(elapsed.Microseconds())/1000)
		if attempt > 1 {
			triggers.AddMetric(ctx, MetricLegacyRetries, triggers.UnitCount, 1)
		}
		if IsAnswer(err) {
			return u, err
		}
		if errors.Is(err, errCallerGone) {
			return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
		}
		triggers.AddMetric(ctx, MetricLegacyFailures, triggers.UnitCount, 1)
		g.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "legacy call failed",
			slog.String("breaker", g.cfg.Name), slog.String("op", op), slog.Int("attempt", attempt),
			slog.Duration("duration", elapsed), slog.String("error", err.Error()))
		lastErr = err
		if attempt >= g.cfg.MaxAttempts {
			return nil, g.gaveUp(op, attempt, lastErr, "no attempts left")
		}
		pause := g.backoff(attempt)
		if rem, ok := triggers.Remaining(ctx); ok && rem-g.cfg.Reserve-pause < g.cfg.MinAttempt {
			return nil, g.gaveUp(op, attempt, lastErr, "no budget left for a retry")
		}
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, g.gaveUp(op, attempt, lastErr, "the deadline budget ran out")
		case <-t.C:
		}
	}
}

func (g *Guard) gaveUp(op string, attempts int, last error, why string) error {
	if last == nil {
		return fmt.Errorf("%w: %s: %s", ErrUnavailable, op, why)
	}
	return fmt.Errorf("%w: %s: %s after %d attempt(s); last error: %w", ErrUnavailable, op, why, attempts, last)
}

// attemptTimeout returns the timeout of the next attempt, or false when the
// budget has no room for one.
func (g *Guard) attemptTimeout(ctx context.Context) (time.Duration, bool) {
	rem, ok := triggers.Remaining(ctx)
	if !ok {
		return g.cfg.AttemptTimeout, ctx.Err() == nil
	}
	avail := rem - g.cfg.Reserve
	if avail < g.cfg.MinAttempt {
		return 0, false
	}
	return min(g.cfg.AttemptTimeout, avail), true
}

// backoff returns the pause before attempt n+1: "equal jitter", between half
// and all of the capped exponential step, so retries of many invocations
// spread out without ever being immediate.
func (g *Guard) backoff(n int) time.Duration {
	step := g.cfg.Backoff << min(n-1, 20)
	if step <= 0 || step > g.cfg.MaxBackoff {
		step = g.cfg.MaxBackoff
	}
	half := step / 2
	return half + rand.N(step-half+1)
}

// callBounded runs fn and returns when it does or when ctx ends, whichever
// is first, so that a source that ignores ctx cannot overrun the budget. An
// abandoned call finishes in the background; its result is dropped. A panic
// in fn becomes an error, since a goroutine's panic would end the process.
func callBounded(ctx context.Context, fn func(context.Context) (*User, error)) (*User, error) {
	type result struct {
		u   *User
		err error
	}
	ch := make(chan result, 1)
	go func() {
		defer func() {
			if v := recover(); v != nil {
				ch <- result{err: fmt.Errorf("migration: legacy source panicked (value of type %T)", v)}
			}
		}()
		u, err := fn(ctx)
		ch <- result{u, err}
	}()
	select {
	case r := <-ch:
		return r.u, r.err
	case <-ctx.Done():
		select {
		case r := <-ch: // it answered just in time
			return r.u, r.err
		default:
			return nil, fmt.Errorf("legacy call abandoned: %w", ctx.Err())
		}
	}
}
