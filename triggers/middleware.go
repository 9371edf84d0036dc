package triggers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"sync/atomic"
	"time"
)

// Default returns the middleware that every deployed function should have,
// outermost first: Logging, Recover, Deadline with DefaultDeadlineMargin,
// and Metrics, so that the metrics of the feature packages (AddMetric; see
// Metrics for their names) reach CloudWatch without extra wiring. The
// logger's handler is wrapped with LogHandler.
//
// Metrics go as CloudWatch embedded metric format to os.Stdout, in
// namespace DefaultNamespace, when the process runs in Lambda
// (AWS_LAMBDA_FUNCTION_NAME is set when Default is called); elsewhere, as in
// tests and the CLI, nowhere unless WithMetrics says where.
func Default(logger *slog.Logger, opts ...DefaultOption) []Middleware {
	var cfg defaultConfig
	if os.Getenv("AWS_LAMBDA_FUNCTION_NAME") != "" {
		cfg.metrics, cfg.namespace = os.Stdout, DefaultNamespace
	}
	for _, o := range opts {
		o(&cfg)
	}
	logger = slog.New(LogHandler(logger.Handler()))
	mw := []Middleware{Logging(logger, cfg.log...), Recover(logger), Deadline(DefaultDeadlineMargin)}
	if cfg.metrics != nil {
		mw = append(mw, Metrics(cfg.metrics, cfg.namespace))
	}
	return mw
}

// DefaultNamespace is the CloudWatch namespace of Default's metrics.
const DefaultNamespace = "cognitrig"

// DefaultOption configures Default.
type DefaultOption func(*defaultConfig)

type defaultConfig struct {
	metrics   io.Writer
	namespace string
	log       []LogOption
}

// WithMetrics makes Default write its metrics to w in namespace (the
// DefaultNamespace if empty), in Lambda and elsewhere alike. A nil w turns
// the metrics off.
func WithMetrics(w io.Writer, namespace string) DefaultOption {
	return func(c *defaultConfig) {
		if namespace == "" {
			namespace = DefaultNamespace
		}
		c.metrics, c.namespace = w, namespace
	}
}

// WithLogOptions passes opts to Default's Logging middleware.
func WithLogOptions(opts ...LogOption) DefaultOption {
	return func(c *defaultConfig) { c.log = append(c.log, opts...) }
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

// RefuseBecause is Refuse with a reason kept for logs and errors.Is; the
// client sees only message.
func RefuseBecause(reason error, message string) error {
	return &Refusal{Message: message, Reason: reason}
}

// Refusef is RefuseBecause under its former name, which suggested a format
// string it never took.
//
// Deprecated: use RefuseBecause.
func Refusef(reason error, message string) error { return RefuseBecause(reason, message) }

func (r *Refusal) Error() string { return r.Message }

// Unwrap returns the reason.
func (r *Refusal) Unwrap() error { return r.Reason }

// ---- Logging ----

// LogOption configures Logging.
type LogOption func(*logConfig)

type logConfig struct {
	success  slog.Level
	events   slog.Level
	userName func(string) string
}

// LogSuccessAt sets the level of the one line logged for each successful
// invocation. The default is Info.
func LogSuccessAt(level slog.Level) LogOption { return func(c *logConfig) { c.success = level } }

// LogEventsAt sets the level at which whole events (request before, response
// after) are logged, with every secret masked. The default is Debug.
func LogEventsAt(level slog.Level) LogOption { return func(c *logConfig) { c.events = level } }

// LogUserName sets how Logging writes the event's user name, in its own
// lines and in the whole events it logs. The default is MaskUserName; a
// function of one's own may, say, hash the name with a key. A nil mask
// leaves the name out (""). User names are often e-mail addresses: do not
// log them in clear at Info.
func LogUserName(mask func(userName string) string) LogOption {
	return func(c *logConfig) {
		if mask == nil {
			mask = func(string) string { return "" }
		}
		c.userName = mask
	}
}

// Logging logs each invocation with log/slog: one line with the trigger's
// common fields, the user's sub and masked user name (see LogUserName), the
// outcome and durationMs, the handler's time in milliseconds (float); at
// Debug level also the whole event before and after the handler. Secrets
// are masked by their types (Secret, SecretMap, Metadata, Attributes),
// never by matching key names.
//
// The logger's handler is wrapped with LogHandler, and the handler's
// context tells LogHandler whether this is the cold start: every line
// logged with that context, by Logging or by a handler whose logger is
// wrapped with LogHandler, carries requestId, functionName, functionVersion
// and coldStart. The cold start is the first invocation that this Logging
// middleware (one per router) serves.
//
// The success line has the message "trigger handled"; a *Refusal logs
// "trigger refused" at Info with its message, any other error "trigger
// failed" at Error with the reference the client is shown (see
// ClientError): the router then logs the failure no second time.
func Logging(logger *slog.Logger, opts ...LogOption) Middleware {
	cfg := logConfig{success: slog.LevelInfo, events: slog.LevelDebug, userName: MaskUserName}
	for _, o := range opts {
		o(&cfg)
	}
	logger = slog.New(LogHandler(logger.Handler()))
	// One flag per Logging call, shared by every trigger it wraps: the
	// router's first invocation, whatever its trigger, is the cold start.
	served := new(atomic.Bool)
	return func(next Handler) Handler {
		return HandlerFunc(func(ctx context.Context, ev Event) error {
			ctx = context.WithValue(ctx, invocationKey{}, &invocation{coldStart: !served.Swap(true)})
			if logger.Enabled(ctx, cfg.events) {
				logger.LogAttrs(ctx, cfg.events, "trigger request", slog.Any("event", maskedEvent{ev, cfg.userName}))
			}
			start := time.Now()
			err := next.HandleTrigger(ctx, ev)
			elapsed := time.Since(start)
			level, msg := cfg.success, "trigger handled"
			var outcome []slog.Attr
			var refusal *Refusal
			switch {
			case err == nil:
				if logger.Enabled(ctx, cfg.events) {
					logger.LogAttrs(ctx, cfg.events, "trigger response", slog.Any("event", maskedEvent{ev, cfg.userName}))
				}
			case errors.As(err, &refusal):
				level, msg = slog.LevelInfo, "trigger refused"
				outcome = []slog.Attr{slog.String("message", refusal.Message), slog.Any("reason", refusal.Reason)}
			default:
				level, msg = slog.LevelError, "trigger failed"
				// The router would log the failure again with the reference
				// it shows the client; this line carries that reference
				// instead, and the router, seeing loggedError, stays quiet.
				le := asLogged(ctx, err)
				err = le
				outcome = []slog.Attr{
					slog.String("reference", le.reference),
					slog.String("errorType", fmt.Sprintf("%T", le.err)),
					slog.String("error", le.err.Error())}
			}
			if logger.Enabled(ctx, level) {
				h := ev.Common()
				attrs := make([]slog.Attr, 0, 9)
				attrs = append(attrs,
					slog.String("triggerSource", string(h.TriggerSource)),
					slog.String("userPoolId", h.UserPoolID),
					slog.String("clientId", h.CallerContext.ClientID),
					slog.String("sub", UserSub(ev)),
					slog.String("userName", cfg.userName(h.UserName)))
				attrs = append(attrs, outcome...)
				attrs = append(attrs, slog.Float64("durationMs", Milliseconds(elapsed)))
				logger.LogAttrs(ctx, level, msg, attrs...)
			}
			return err
		})
	}
}

// Milliseconds returns d in milliseconds, with microsecond precision: the
// unit of durations in cognitrig's logs and metrics.
func Milliseconds(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// ---- Recover ----

// Recover turns a panic in a handler into a *PanicError and logs the panic's
// type and stack at Error level. Neither the error nor the log holds the
// panic value, which may contain a secret.
func Recover(logger *slog.Logger) Middleware {
	logger = slog.New(LogHandler(logger.Handler()))
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
