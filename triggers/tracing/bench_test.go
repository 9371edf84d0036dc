package tracing_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/tracing"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

// BenchmarkDispatch extends triggers.BenchmarkDispatch (same recorded pre
// token generation V2 event, same work) with the default middleware as
// deployed (metrics included, to io.Discard) and the tracing middleware
// off (no provider) and on (the OpenTelemetry SDK with a batch processor
// and an exporter that drops the spans, under an X-Ray trace header).
func BenchmarkDispatch(b *testing.B) {
	payload := triggertest.Load(b, "TokenGeneration_Authentication.v2")
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	//lint:ignore SA1029 the key aws-lambda-go uses.
	ctx = context.WithValue(ctx, "x-amzn-trace-id", header)
	logger := slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
	handle := func(_ context.Context, ev *triggers.PreTokenGenerationV2Event) error {
		tenant := ev.Request.UserAttributes["custom:tenantId"]
		at := ev.Response.Details().AccessToken()
		at.ClaimsToAddOrOverride = map[string]any{"tenant_id": tenant}
		at.ScopesToAdd = []string{"tenant:" + tenant + ":read"}
		return nil
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(tracetest.NewNoopExporter()))
	defer func() { _ = tp.Shutdown(context.Background()) }()
	for _, c := range []struct {
		name  string
		extra []triggers.Middleware
	}{
		{"default", nil},
		{"tracing-off", []triggers.Middleware{tracing.New(tracing.Config{})}},
		{"tracing-on", []triggers.Middleware{tracing.New(tracing.Config{TracerProvider: tp})}},
	} {
		b.Run(c.name, func(b *testing.B) {
			mw := append(triggers.Default(logger, triggers.WithMetrics(io.Discard, "")), c.extra...)
			r := triggers.NewRouter(triggers.WithMiddleware(mw...))
			r.PreTokenGenerationV2(handle)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := r.Invoke(ctx, payload); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
