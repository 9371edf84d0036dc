package triggers_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

// TestFailureLoggedOnce checks that a failure is logged once, with the
// reference the client is shown, whether or not Logging sits in the chain,
// and however many Logging middlewares wrap the handler.
func TestFailureLoggedOnce(t *testing.T) {
	const cause = "dynamodb: GetItem cognitrig-prod-tenants: ProvisionedThroughputExceeded"
	for _, c := range []struct {
		name    string
		logging int // Logging middlewares on the router
		lines   int // lines naming the cause
	}{
		{"router only", 0, 1},
		{"Logging", 1, 1},
		{"Logging twice", 2, 2}, // each Logging logs its own line, one reference
	} {
		t.Run(c.name, func(t *testing.T) {
			var logs bytes.Buffer
			logger := slog.New(slog.NewJSONHandler(&logs, nil))
			opts := []triggers.Option{triggers.WithLogger(logger)}
			for range c.logging {
				opts = append(opts, triggers.WithMiddleware(triggers.Logging(logger)))
			}
			r := triggers.NewRouter(opts...)
			r.PreSignUp(func(context.Context, *triggers.PreSignUpEvent) error { return errors.New(cause) })
			ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-7"})
			_, err := r.Invoke(ctx, triggertest.Load(t, "PreSignUp_SignUp"))
			var ce *triggers.ClientError
			if !errors.As(err, &ce) {
				t.Fatalf("err %T %v, want *triggers.ClientError", err, err)
			}
			if ce.Reference != "req-7" || strings.Contains(err.Error(), "dynamodb") {
				t.Fatalf("client sees %q (reference %q)", err, ce.Reference)
			}
			if got := triggertest.Cause(err); !strings.HasSuffix(got, cause) {
				t.Fatalf("cause %q, want %q", got, cause)
			}
			var n int
			for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
				if strings.Contains(line, "ProvisionedThroughputExceeded") {
					n++
					if !strings.Contains(line, `"req-7"`) {
						t.Errorf("failure line without the reference: %s", line)
					}
				}
			}
			if n != c.lines {
				t.Fatalf("%d lines name the cause, want %d:\n%s", n, c.lines, logs.String())
			}
		})
	}
}

// TestFailureReferenceOutsideLambda checks that, outside Lambda, the
// reference Logging writes is the one the client sees.
func TestFailureReferenceOutsideLambda(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, nil))
	r := triggers.NewRouter(triggers.WithLogger(logger), triggers.WithMiddleware(triggers.Logging(logger)))
	r.PreSignUp(func(context.Context, *triggers.PreSignUpEvent) error { return errors.New("boom") })
	_, err := r.Invoke(context.Background(), triggertest.Load(t, "PreSignUp_SignUp"))
	var ce *triggers.ClientError
	if !errors.As(err, &ce) || !strings.HasPrefix(ce.Reference, "local-") {
		t.Fatalf("err %v", err)
	}
	if strings.Count(logs.String(), ce.Reference) != 1 || strings.Count(logs.String(), "boom") != 1 {
		t.Fatalf("want one line with reference %s:\n%s", ce.Reference, logs.String())
	}
}
