package idempotency

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"go.opentelemetry.io/otel/attribute"

	"github.com/cognitrig/cognitrig/internal/nilcheck"
	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/tracing"
)

// Metric names (see triggers.Metrics).
const (
	MetricReplays    = "IdempotentReplays"    // retries answered from a done record, Count
	MetricInProgress = "IdempotentInProgress" // duplicates that found another attempt running, Count
)

// ErrInProgress is returned by a duplicate invocation that found another
// attempt running the same event and could not see it end within its own
// deadline. Cognito (or Lambda, for the senders) then retries.
var ErrInProgress = errors.New("idempotency: another attempt is handling this event; retry later")

// Config configures New. Only Store is required.
type Config struct {
	// Store keeps the records: a DynamoStore in Lambda, a MemoryStore in
	// tests and local runs.
	Store Store
	// KeepSynchronous is how long a completed post-confirmation or
	// post-authentication event is remembered: the window in which an
	// identical event counts as a retry. Cognito retries within seconds;
	// the default is 2 minutes. The events carry no ID of their own, so a
	// second identical event inside the window (the same user signing in
	// twice with the same attributes and client metadata) is taken for a
	// retry: keep the window short.
	KeepSynchronous time.Duration
	// KeepAsynchronous is how long a completed custom sender event is
	// remembered. Its key holds the encrypted code, new for every message,
	// so a long window costs nothing; the default is 6 hours, Lambda's
	// default maximum event age for asynchronous invocations.
	KeepAsynchronous time.Duration
	// Lease is how long an in-progress record blocks duplicates when the
	// handler's context has no deadline. With a deadline (as behind
	// triggers.Deadline), the lease is the time left plus a second. The
	// default is 30 seconds.
	Lease time.Duration
	// Key keys events; nil means the package's Key. Return ok=false to let
	// an event through unguarded.
	Key func(ev triggers.Event) (key string, ok bool)
	// FailClosed makes an unreachable store fail the invocation. By default
	// the handler runs anyway (at least once, as without this middleware),
	// and the store error is logged: a store outage must not fail sign-ins.
	FailClosed bool
	// Logger receives the skipped, waited and failed cases; nil logs nothing.
	Logger *slog.Logger
}

// New returns the middleware described in the package documentation.
func New(cfg Config) (triggers.Middleware, error) {
	if nilcheck.Is(cfg.Store) {
		return nil, errors.New("idempotency: Config.Store is nil; use NewDynamoStore (or NewMemoryStore in tests)")
	}
	if cfg.KeepSynchronous <= 0 {
		cfg.KeepSynchronous = 2 * time.Minute
	}
	if cfg.KeepAsynchronous <= 0 {
		cfg.KeepAsynchronous = 6 * time.Hour
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 30 * time.Second
	}
	if cfg.Key == nil {
		cfg.Key = Key
	}
	g := &guard{cfg: cfg}
	return func(next triggers.Handler) triggers.Handler {
		return triggers.HandlerFunc(func(ctx context.Context, ev triggers.Event) error {
			return g.handle(ctx, ev, next)
		})
	}, nil
}

type guard struct{ cfg Config }

// Key returns the idempotency key of a guarded event:
//
//	<userPoolId>#<triggerSource>#<request hash>#<user>
//
// for PostConfirmation_*, PostAuthentication_*, CustomEmailSender_* and
// CustomSMSSender_* events, where user is the sub from the user attributes
// (the user name when there is none) and the request hash is the
// hex SHA-256 of the JSON encoding of the event's request (map keys sorted,
// so a retry, which Cognito sends with the same request, has the same
// hash). For the senders the request holds the encrypted code, new for
// every message. The user sits last, since a user name may contain "#".
// Other events return ok=false.
func Key(ev triggers.Event) (key string, ok bool) {
	var request any
	switch e := ev.(type) {
	case *triggers.PostConfirmationEvent:
		request = e.Request
	case *triggers.PostAuthenticationEvent:
		request = e.Request
	case *triggers.CustomSenderEvent:
		request = e.Request
	default:
		return "", false
	}
	h := ev.Common()
	user := triggers.UserSub(ev)
	if user == "" {
		user = h.UserName
	}
	if h.UserPoolID == "" || user == "" {
		return "", false
	}
	b, err := json.Marshal(request)
	if err != nil {
		return "", false
	}
	sum := sha256.Sum256(b)
	return h.UserPoolID + "#" + string(h.TriggerSource) + "#" + hex.EncodeToString(sum[:]) + "#" + user, true
}

func (g *guard) keep(ev triggers.Event) time.Duration {
	h := ev.Common()
	if t, err := triggers.Classify(h.TriggerSource, h.Version); err == nil && !t.Synchronous() {
		return g.cfg.KeepAsynchronous
	}
	return g.cfg.KeepSynchronous
}

func (g *guard) lease(ctx context.Context) time.Duration {
	if rem, ok := triggers.Remaining(ctx); ok && rem > 0 {
		return rem + time.Second
	}
	return g.cfg.Lease
}

func newOwner() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (g *guard) handle(ctx context.Context, ev triggers.Event, next triggers.Handler) error {
	key, ok := g.cfg.Key(ev)
	if !ok {
		return next.HandleTrigger(ctx, ev)
	}
	owner := newOwner()
	busySeen := false
	for delay := 20 * time.Millisecond; ; delay = min(2*delay, 250*time.Millisecond) {
		sctx, span := tracing.Start(ctx, "idempotency.Begin")
		claim, err := g.cfg.Store.Begin(sctx, key, owner, g.lease(ctx))
		if err == nil {
			span.SetAttributes(attribute.String("idempotency.claim", claim.String()))
		}
		tracing.End(span, err)
		if err != nil {
			if g.cfg.FailClosed {
				return fmt.Errorf("idempotency: claim the event: %w", err)
			}
			g.log(ctx, slog.LevelError, "idempotency store unavailable; handling the event unguarded", ev, slog.String("error", err.Error()))
			return next.HandleTrigger(ctx, ev)
		}
		switch claim {
		case Claimed:
			return g.run(ctx, ev, next, key, owner)
		case Done:
			triggers.AddMetric(ctx, MetricReplays, triggers.UnitCount, 1)
			g.log(ctx, slog.LevelInfo, "retry of a handled event skipped", ev)
			return nil
		}
		// Busy: another attempt runs the event now. Wait for it to end
		// (done: nothing to do; released after a failure: run it here)
		// while this attempt's own deadline allows.
		if !busySeen {
			busySeen = true
			triggers.AddMetric(ctx, MetricInProgress, triggers.UnitCount, 1)
			g.log(ctx, slog.LevelInfo, "another attempt is handling the event; waiting", ev)
		}
		if rem, ok := triggers.Remaining(ctx); ok && rem <= delay {
			return ErrInProgress
		}
		select {
		case <-ctx.Done():
			return ErrInProgress
		case <-time.After(delay):
		}
	}
}

func (g *guard) run(ctx context.Context, ev triggers.Event, next triggers.Handler, key, owner string) error {
	err := next.HandleTrigger(ctx, ev)
	// Record with a context of its own: ctx may be what ran out. It keeps
	// ctx's values, the span among them.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	if err != nil {
		if relErr := tracing.Call(sctx, "idempotency.Release", func(sctx context.Context) error {
			return g.cfg.Store.Release(sctx, key, owner)
		}); relErr != nil {
			// The lease ends the claim in time; the retry runs then.
			g.log(ctx, slog.LevelWarn, "could not release the claim of a failed event", ev, slog.String("error", relErr.Error()))
		}
		return err
	}
	if ferr := tracing.Call(sctx, "idempotency.Finish", func(sctx context.Context) error {
		return g.cfg.Store.Finish(sctx, key, owner, g.keep(ev))
	}); ferr != nil {
		// The side effect happened; failing now would make Cognito retry
		// and run it again. Log and carry on.
		g.log(ctx, slog.LevelError, "event handled but its completion was not recorded", ev, slog.String("error", ferr.Error()))
	}
	return nil
}

func (g *guard) log(ctx context.Context, level slog.Level, msg string, ev triggers.Event, attrs ...slog.Attr) {
	if g.cfg.Logger == nil {
		return
	}
	h := ev.Common()
	attrs = append([]slog.Attr{
		slog.String("triggerSource", string(h.TriggerSource)),
		slog.String("sub", triggers.UserSub(ev)),
	}, attrs...)
	g.cfg.Logger.LogAttrs(ctx, level, "idempotency: "+msg, attrs...)
}
