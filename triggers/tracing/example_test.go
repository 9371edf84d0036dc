package tracing_test

import (
	"context"
	"fmt"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/tracing"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

// One span per invocation, and a child span for the store call a handler
// makes.
func ExampleNew() {
	exporter := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exporter))
	r := triggers.NewRouter(triggers.WithMiddleware(tracing.New(tracing.Config{TracerProvider: tp})))
	r.PostConfirmation(func(ctx context.Context, _ *triggers.PostConfirmationEvent) error {
		return tracing.Call(ctx, "dynamodb.PutItem", func(ctx context.Context) error {
			return nil // store the new user's profile
		})
	})
	payload, _ := triggertest.Raw("PostConfirmation_ConfirmSignUp")
	_, _ = triggertest.Invoke(r, payload, 0)
	for _, s := range exporter.GetSpans() {
		fmt.Println(s.Name, s.SpanKind)
	}
	// Output:
	// dynamodb.PutItem client
	// PostConfirmation_ConfirmSignUp server
}
