package triggers_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

// BenchmarkDispatch compares, on the same recorded pre token generation V2
// event and with the same work (a tenant claim and a scope), a bare
// aws-lambda-go handler with a cognitrig Router behind the default
// middleware (logging at info level, recover, deadline) and response checks.
func BenchmarkDispatch(b *testing.B) {
	payload := triggertest.Load(b, "TokenGeneration_Authentication.v2")
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()

	b.Run("bare", func(b *testing.B) {
		h := lambda.NewHandler(func(_ context.Context, ev events.CognitoEventUserPoolsPreTokenGenV2_0) (events.CognitoEventUserPoolsPreTokenGenV2_0, error) {
			tenant := ev.Request.UserAttributes["custom:tenantId"]
			at := &ev.Response.ClaimsAndScopeOverrideDetails.AccessTokenGeneration
			at.ClaimsToAddOrOverride = map[string]any{"tenant_id": tenant}
			at.ScopesToAdd = []string{"tenant:" + tenant + ":read"}
			return ev, nil
		})
		b.ReportAllocs()
		for b.Loop() {
			if _, err := h.Invoke(ctx, payload); err != nil {
				b.Fatal(err)
			}
		}
	})

	b.Run("cognitrig", func(b *testing.B) {
		logger := slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
		r := triggers.NewRouter(triggers.WithMiddleware(triggers.Default(logger)...))
		r.PreTokenGenerationV2(func(_ context.Context, ev *triggers.PreTokenGenerationV2Event) error {
			tenant := ev.Request.UserAttributes["custom:tenantId"]
			at := ev.Response.Details().AccessToken()
			at.ClaimsToAddOrOverride = map[string]any{"tenant_id": tenant}
			at.ScopesToAdd = []string{"tenant:" + tenant + ":read"}
			return nil
		})
		b.ReportAllocs()
		for b.Loop() {
			if _, err := r.Invoke(ctx, payload); err != nil {
				b.Fatal(err)
			}
		}
	})
}
