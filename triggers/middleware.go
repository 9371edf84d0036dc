package triggers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"
)

// Default returns the middleware that every deployed function should have,
// outermost first: Logging, Recover and Deadline with DefaultDeadlineMargin.
func Default(logger *slog.Logger) []Middleware {
	return []Middleware{Logging(logger), Recover(logger), Deadline(DefaultDeadlineMargin)}
}

// ---- Refusals ----

// Refusal is an error that refuses the operation on purpose, with a message
// that is safe to show the user (Cognito passes it to the client). Logging
// records refusals at Info level rather than as failures.
type Refusal struct {
	Message string
	Reason  error // for logs and errors.Is; not shown to the user
}

// Refuse returns a *Refusal with a user-safe message.
func Refuse(message string) error { return &Refusal{Message: message} }

// Refusef is Refuse with a reason kept for logs and errors.Is.
func Refusef(reason error, message string) error { return &Refusal{Message: message, Reason: reason} }

func (r *Refusal) Error() string { return r.Message }

// Unwrap returns the reason.
func (r *Refusal) Unwrap() error { return r.Reason }

// ---- Logging ----

// LogOption configures Logging.
type LogOption func(*logConfig)

type logConfig struct {
	success slog.Level
	events  slog.Level
}

// LogSuccessAt sets the level of the one line logged for each successful
// invocation. The default is Info.
func LogSuccessAt(level slog.Level) LogOption { return func(c *logConfig) { c.success = level } }

// LogEventsAt sets the level at which whole events (request before, response
// after) are logged, with every secret masked. The default is Debug.
func LogEventsAt(level slog.Level) LogOption { return func(c *logConfig) { c.events = level } }

// Logging logs each invocation with log/slog: one line with the trigger's
// common fields, the outcome and the duration; at Debug level also the whole
// event before and after the handler. Secrets are masked by their types
// (Secret, SecretMap, Metadata, Attributes), never by matching key names.
func Logging(logger *slog.Logger, opts ...LogOption) Middleware {
	cfg := logConfig{success: slog.LevelInfo, events: slog.LevelDebug}
	for _, o := range opts {
		o(&cfg)
	}
	return func(next Handler) Handler {
		return HandlerFunc(func(ctx context.Context, ev Event) error {
			if logger.Enabled(ctx, cfg.events) {
				logger.LogAttrs(ctx, cfg.events, "trigger request", slog.Any("event", ev))
			}
			start := time.Now()
			err := next.HandleTrigger(ctx, ev)
			level, msg := cfg.success, "trigger handled"
			var outcome []slog.Attr
			var refusal *Refusal
			switch {
			case err == nil:
				if logger.Enabled(ctx, cfg.events) {
					logger.LogAttrs(ctx, cfg.events, "trigger response", slog.Any("event", ev))
				}
			case errors.As(err, &refusal):
				level, msg = slog.LevelInfo, "trigger refused"
				outcome = []slog.Attr{slog.String("message", refusal.Message), slog.Any("reason", refusal.Reason)}
			default:
				level, msg = slog.LevelError, "trigger failed"
				outcome = []slog.Attr{slog.String("error", err.Error())}
			}
			if logger.Enabled(ctx, level) {
				h := ev.Common()
				attrs := make([]slog.Attr, 0, 8)
				attrs = append(attrs,
					slog.String("triggerSource", string(h.TriggerSource)),
					slog.String("userPoolId", h.UserPoolID),
					slog.String("clientId", h.CallerContext.ClientID),
					slog.String("userName", h.UserName))
				attrs = append(attrs, outcome...)
				attrs = append(attrs, slog.Duration("duration", time.Since(start)))
				logger.LogAttrs(ctx, level, msg, attrs...)
			}
			return err
		})
	}
}

// ---- Recover ----

// Recover turns a panic in a handler into a *PanicError and logs the panic's
// type and stack at Error level. Neither the error nor the log holds the
// panic value, which may contain a secret.
func Recover(logger *slog.Logger) Middleware {
	return func(next Handler) Handler {
		return HandlerFunc(func(ctx context.Context, ev Event) (err error) {
			defer func() {
				if v := recover(); v != nil {
					pe := &PanicError{Source: ev.Common().TriggerSource, ValueType: fmt.Sprintf("%T", v)}
					logger.LogAttrs(ctx, slog.LevelError, "trigger handler panicked",
						slog.String("triggerSource", string(pe.Source)),
						slog.String("panicType", pe.ValueType),
						slog.String("stack", string(debug.Stack())))
					err = pe
				}
			}()
			return next.HandleTrigger(ctx, ev)
		})
	}
}

// ---- Deadline budget ----

// DefaultDeadlineMargin is the time Deadline keeps in reserve by default to
// encode the response and return it before Cognito or Lambda gives up.
const DefaultDeadlineMargin = 300 * time.Millisecond

// Deadline gives the handler a context that ends margin before the earlier
// of the Lambda deadline and, for synchronous triggers, Cognito's 5-second
// limit, counted from the start of the invocation. Downstream calls that
// honour the context then stop in time for the trigger to answer.
func Deadline(margin time.Duration) Middleware {
	return func(next Handler) Handler {
		return HandlerFunc(func(ctx context.Context, ev Event) error {
			ctx, cancel := context.WithDeadline(ctx, budgetDeadline(ctx, ev.Common(), margin))
			defer cancel()
			return next.HandleTrigger(ctx, ev)
		})
	}
}

func budgetDeadline(ctx context.Context, h *Header, margin time.Duration) time.Time {
	var deadline time.Time
	if t, err := Classify(h.TriggerSource, h.Version); err != nil || t.Synchronous() {
		deadline = time.Now().Add(CognitoTimeout)
	}
	if d, ok := ctx.Deadline(); ok && (deadline.IsZero() || d.Before(deadline)) {
		deadline = d
	}
	if deadline.IsZero() {
		// An asynchronous trigger outside Lambda: no limit to honour but a
		// sane one, so that a hung call still ends.
		deadline = time.Now().Add(15 * time.Minute)
	}
	return deadline.Add(-margin)
}

// Remaining returns the time left before ctx's deadline, or ok=false when
// ctx has none. Use it to size per-call timeouts and to decide whether a
// retry still fits the budget.
func Remaining(ctx context.Context) (d time.Duration, ok bool) {
	deadline, ok := ctx.Deadline()
	if !ok {
		return 0, false
	}
	return time.Until(deadline), true
}
