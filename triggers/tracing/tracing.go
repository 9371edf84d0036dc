package tracing

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync/atomic"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/cognitrig/cognitrig/triggers"
)

// ScopeName is the instrumentation scope of cognitrig's spans.
const ScopeName = "github.com/cognitrig/cognitrig/triggers/tracing"

// Config configures New.
type Config struct {
	// TracerProvider makes the spans. Nil turns tracing off.
	TracerProvider trace.TracerProvider
}

// New returns middleware that starts one span per invocation, as the
// package documentation describes; without a TracerProvider it returns
// each handler unchanged.
func New(cfg Config) triggers.Middleware {
	if cfg.TracerProvider == nil {
		return func(next triggers.Handler) triggers.Handler { return next }
	}
	tracer := cfg.TracerProvider.Tracer(ScopeName)
	served := new(atomic.Bool)
	return func(next triggers.Handler) triggers.Handler {
		return triggers.HandlerFunc(func(ctx context.Context, ev triggers.Event) error {
			h := ev.Common()
			if !trace.SpanContextFromContext(ctx).IsValid() {
				if sc, ok := ParseTraceHeader(traceHeader(ctx)); ok {
					ctx = trace.ContextWithRemoteSpanContext(ctx, sc)
				}
			}
			attrs := []attribute.KeyValue{
				attribute.String("cognito.trigger_source", string(h.TriggerSource)),
				attribute.String("cognito.user_pool_id", h.UserPoolID),
				attribute.String("cognito.client_id", h.CallerContext.ClientID),
				attribute.Bool("faas.coldstart", !served.Swap(true)),
			}
			if lc, ok := lambdacontext.FromContext(ctx); ok && lc.AwsRequestID != "" {
				attrs = append(attrs, attribute.String("faas.invocation_id", lc.AwsRequestID))
			}
			if lambdacontext.FunctionName != "" {
				attrs = append(attrs, attribute.String("faas.name", lambdacontext.FunctionName),
					attribute.String("faas.version", lambdacontext.FunctionVersion))
			}
			ctx, span := tracer.Start(ctx, string(h.TriggerSource),
				trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(attrs...))
			defer span.End()
			err := next.HandleTrigger(ctx, ev)
			var refusal *triggers.Refusal
			switch {
			case err == nil:
			case errors.As(err, &refusal):
				// A deliberate refusal is an answer, not a fault.
				span.SetAttributes(attribute.Bool("cognito.refused", true))
			default:
				span.RecordError(err)
				span.SetStatus(codes.Error, "trigger failed")
			}
			return err
		})
	}
}

// traceHeader returns the invocation's X-Ray trace header: from the
// context, where aws-lambda-go puts it for every invocation, else from the
// environment, which it sets only when invocations do not overlap.
func traceHeader(ctx context.Context) string {
	if s, ok := ctx.Value("x-amzn-trace-id").(string); ok && s != "" {
		return s
	}
	return os.Getenv("_X_AMZN_TRACE_ID")
}

// ParseTraceHeader parses an X-Ray trace header
// ("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1")
// into a remote span context: the Root's 8 hex digits of time and 24 of
// random form the 128-bit trace ID, Parent the 64-bit span ID, Sampled=1
// the sampled flag (0, "?" or absent: not sampled). Fields are separated by
// ";" and may carry spaces around them; other fields (Lineage, Self) are
// ignored. ok is false without a valid Root and Parent.
func ParseTraceHeader(header string) (sc trace.SpanContext, ok bool) {
	var cfg trace.SpanContextConfig
	var haveRoot, haveParent bool
	for field := range strings.SplitSeq(header, ";") {
		key, value, found := strings.Cut(strings.TrimSpace(field), "=")
		if !found {
			continue
		}
		switch key {
		case "Root":
			version, rest, _ := strings.Cut(value, "-")
			epoch, random, _ := strings.Cut(rest, "-")
			if version != "1" || len(epoch) != 8 || len(random) != 24 {
				return trace.SpanContext{}, false
			}
			id, err := trace.TraceIDFromHex(strings.ToLower(epoch + random))
			if err != nil {
				return trace.SpanContext{}, false
			}
			cfg.TraceID, haveRoot = id, true
		case "Parent":
			id, err := trace.SpanIDFromHex(strings.ToLower(value))
			if err != nil {
				return trace.SpanContext{}, false
			}
			cfg.SpanID, haveParent = id, true
		case "Sampled":
			if value == "1" {
				cfg.TraceFlags = trace.FlagsSampled
			}
		}
	}
	if !haveRoot || !haveParent {
		return trace.SpanContext{}, false
	}
	cfg.Remote = true
	sc = trace.NewSpanContext(cfg)
	return sc, sc.IsValid()
}

// Start starts a child span of the span in ctx (the invocation's, under
// New's middleware) for a call out of the function, of kind client, named
// after the call ("dynamodb.PutItem", "ses.SendEmail", "legacy.Lookup").
// Without a span in ctx it returns a no-op span. End the span; record an
// error with End.
func Start(ctx context.Context, name string, attrs ...attribute.KeyValue) (context.Context, trace.Span) {
	tp := trace.SpanFromContext(ctx).TracerProvider()
	return tp.Tracer(ScopeName).Start(ctx, name, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
}

// End records err (if any) on span, sets its status and ends it.
func End(span trace.Span, err error) {
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, "call failed")
	}
	span.End()
}

// Call runs fn inside a child span named name (see Start).
func Call(ctx context.Context, name string, fn func(ctx context.Context) error, attrs ...attribute.KeyValue) error {
	ctx, span := Start(ctx, name, attrs...)
	err := fn(ctx)
	End(span, err)
	return err
}

// Sender wraps a send function, such as a deliver.Sender's Send or a
// messages.EmailSender's SendEmail, so that each send is a child span named
// name. With deliver's adapter:
//
//	sender = deliver.SenderFunc(tracing.Sender("ses.SendEmail", sender.Send))
func Sender[M any](name string, send func(context.Context, M) error) func(context.Context, M) error {
	return func(ctx context.Context, m M) error {
		return Call(ctx, name, func(ctx context.Context) error { return send(ctx, m) })
	}
}
