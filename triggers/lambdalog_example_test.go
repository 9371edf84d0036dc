package triggers_test

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

// A feature's own log line carries the invocation's request ID and cold
// start, as the middleware's lines do.
func ExampleLogHandler() {
	noTime := func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}
	logger := slog.New(triggers.LogHandler(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{ReplaceAttr: noTime})))
	r := triggers.NewRouter(triggers.WithMiddleware(triggers.Logging(logger, triggers.LogSuccessAt(slog.LevelDebug))))
	r.PostConfirmation(func(ctx context.Context, _ *triggers.PostConfirmationEvent) error {
		logger.InfoContext(ctx, "profile stored")
		return nil
	})
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "8f5e2c1a"})
	payload, _ := triggertest.Raw("PostConfirmation_ConfirmSignUp")
	_, _ = r.Invoke(ctx, payload)
	// Output:
	// {"level":"INFO","msg":"profile stored","requestId":"8f5e2c1a","coldStart":true}
}
