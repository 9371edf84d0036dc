package triggers_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

// One Router serves every trigger of a function; lambda.Start(r) runs it.
func ExampleRouter() {
	r := triggers.NewRouter()
	r.PreSignUp(func(_ context.Context, ev *triggers.PreSignUpEvent) error {
		if !strings.HasSuffix(ev.Request.UserAttributes["email"], "@example.com") {
			return triggers.Refuse("Sign-up is by invitation only.")
		}
		ev.Response.AutoConfirmUser = true
		ev.Response.AutoVerifyEmail = true
		return nil
	})
	// lambda.Start(r) in main; here, a recorded event in and JSON out:
	payload, _ := triggertest.Raw("PreSignUp_SignUp")
	out, err := r.Invoke(context.Background(), payload)
	fmt.Println(err, strings.Contains(string(out), `"autoConfirmUser":true`))

	// Any failure but a Refusal reaches the client as the router's client
	// message and a reference (the Lambda request ID); the cause is logged
	// with that reference.
	_, err = r.Invoke(context.Background(), []byte(`{"version":"1","triggerSource":"PostAuthentication_Authentication"}`))
	var ce *triggers.ClientError
	fmt.Println(errors.As(err, &ce), ce.Message == triggers.DefaultClientMessage)
	fmt.Println(ce.Cause)
	// Output:
	// <nil> true
	// true true
	// triggers: no handler for PostAuthentication_Authentication (trigger PostAuthentication); registered: PreSignUp. Register a handler for it, or attach this function only to the registered triggers
}

// Secrets print and log masked; only JSON encoding, which Cognito needs,
// carries the value.
func ExampleSecret() {
	password := triggers.Secret("correct horse battery staple")
	fmt.Println(password)
	fmt.Printf("%#v\n", password)
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	}))
	logger.Info("migrating", "password", password)
	// Output:
	// [REDACTED]
	// [REDACTED]
	// level=INFO msg=migrating password=[REDACTED]
}

// Middleware is func(Handler) Handler, as in net/http; the trigger's common
// fields are at hand through Event.Common.
func ExampleMiddleware() {
	onlyOurPool := func(next triggers.Handler) triggers.Handler {
		return triggers.HandlerFunc(func(ctx context.Context, ev triggers.Event) error {
			if ev.Common().UserPoolID != "us-east-1_EXAMPLE1" {
				return fmt.Errorf("event from unexpected user pool %s", ev.Common().UserPoolID)
			}
			return next.HandleTrigger(ctx, ev)
		})
	}
	r := triggers.NewRouter(triggers.WithMiddleware(onlyOurPool))
	r.PostAuthentication(func(context.Context, *triggers.PostAuthenticationEvent) error { return nil })
	payload, _ := triggertest.Raw("PostAuthentication_Authentication")
	_, err := r.Invoke(context.Background(), payload)
	fmt.Println(err)
	// Output:
	// <nil>
}
