package triggers_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

// TestClientSeesOnlyRefusalsOrTheClientMessage drives each kind of failure
// through a router and checks what the client would see (the error text the
// Lambda runtime reports to Cognito) and what the log holds.
func TestClientSeesOnlyRefusalsOrTheClientMessage(t *testing.T) {
	const internal = "dynamodb: PutItem on table cognitrig-prod-tenants in arn:aws:dynamodb:eu-west-1:123456789012 via https://dynamodb.eu-west-1.amazonaws.com: ConditionalCheckFailed"
	cases := []struct {
		name    string
		event   string
		handle  func(ctx context.Context, ev triggers.Event) error
		refusal string // "" when the client message is expected
	}{
		{"refusal", "PreSignUp_SignUp", func(context.Context, triggers.Event) error {
			return triggers.Refuse("Sign-up is by invitation only.")
		}, "Sign-up is by invitation only."},
		{"wrapped refusal", "PreSignUp_SignUp", func(context.Context, triggers.Event) error {
			return fmt.Errorf("tenancy: table cognitrig-prod-tenants: %w", triggers.RefuseBecause(errors.New(internal), "Sign-up is closed."))
		}, "Sign-up is closed."},
		{"store error", "PreSignUp_SignUp", func(context.Context, triggers.Event) error { return errors.New(internal) }, ""},
		{"deadline", "PreSignUp_SignUp", func(ctx context.Context, _ triggers.Event) error {
			return fmt.Errorf("%s: %w", internal, context.DeadlineExceeded)
		}, ""},
		{"panic without Recover", "PreSignUp_SignUp", func(context.Context, triggers.Event) error { panic(internal) }, ""},
		{"failed check", "DefineAuthChallenge_Authentication.user-not-found", func(_ context.Context, ev triggers.Event) error {
			ev.(*triggers.DefineAuthChallengeEvent).Response.IssueTokens = true
			return nil
		}, ""},
		{"decode error", "", nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var logs bytes.Buffer
			r := triggers.NewRouter(triggers.WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))))
			h := func(ctx context.Context, ev triggers.Event) error { return c.handle(ctx, ev) }
			r.PreSignUp(func(ctx context.Context, ev *triggers.PreSignUpEvent) error { return h(ctx, ev) })
			r.DefineAuthChallenge(func(ctx context.Context, ev *triggers.DefineAuthChallengeEvent) error { return h(ctx, ev) })
			payload := []byte(`{"version":"1","triggerSource":"PreSignUp_SignUp","request":{"userAttributes":[]}}`)
			if c.event != "" {
				payload = triggertest.Load(t, c.event)
			}
			_, err := triggertest.Invoke(r, payload, 0)
			if err == nil {
				t.Fatal("no error")
			}
			text := err.Error()
			if c.refusal != "" {
				if text != c.refusal {
					t.Errorf("client sees %q, want the refusal %q", text, c.refusal)
				}
				return
			}
			want := triggers.DefaultClientMessage + " (reference " + triggertest.RequestID + ")"
			if text != want {
				t.Errorf("client sees %q, want %q", text, want)
			}
			for _, leak := range []string{"cognitrig-prod", "arn:", "123456789012", "amazonaws.com", "userNotFound", "triggers:", "panic", "deadline"} {
				if strings.Contains(text, leak) {
					t.Errorf("client text %q leaks %q", text, leak)
				}
			}
			// The log line holds the reference and the full cause.
			if !strings.Contains(logs.String(), `"reference":"`+triggertest.RequestID+`"`) || !strings.Contains(logs.String(), `"level":"ERROR"`) {
				t.Errorf("log lacks the reference: %s", logs.String())
			}
			var ce *triggers.ClientError
			if !errors.As(err, &ce) || ce.Cause == nil || !strings.Contains(logs.String(), jsonEscaped(ce.Cause.Error())) {
				t.Errorf("log lacks the cause %v: %s", ce, logs.String())
			}
		})
	}
}

func jsonEscaped(s string) string {
	return strings.NewReplacer(`"`, `\"`).Replace(s)
}

// TestClientMessageAndReferenceOutsideLambda: WithClientMessage sets the
// text; outside Lambda the reference is generated, and the cause keeps
// errors.Is.
func TestClientMessageAndReferenceOutsideLambda(t *testing.T) {
	r := triggers.NewRouter(triggers.WithClientMessage("Sorry, try later."), triggers.WithLogger(slog.New(slog.DiscardHandler)))
	r.PreSignUp(func(context.Context, *triggers.PreSignUpEvent) error { return context.Canceled })
	_, err := r.Invoke(context.Background(), triggertest.Load(t, "PreSignUp_SignUp"))
	var ce *triggers.ClientError
	if !errors.As(err, &ce) || ce.Message != "Sorry, try later." || !strings.HasPrefix(ce.Reference, "local-") || len(ce.Reference) < 12 {
		t.Fatalf("err = %#v", err)
	}
	if !errors.Is(err, context.Canceled) {
		t.Error("the cause is lost for errors.Is")
	}
	if !strings.HasPrefix(err.Error(), "Sorry, try later. (reference local-") {
		t.Errorf("client sees %q", err)
	}
}

// TestUnknownUserLooksLikeAnyFailure: the failed check of a define response
// for an unknown user reads the same to the client as any internal failure.
func TestUnknownUserLooksLikeAnyFailure(t *testing.T) {
	r := triggers.NewRouter(triggers.WithLogger(slog.New(slog.DiscardHandler)))
	r.DefineAuthChallenge(func(_ context.Context, ev *triggers.DefineAuthChallengeEvent) error {
		if ev.Request.UserNotFound {
			ev.Response.IssueTokens = true
			return nil
		}
		return errors.New("users table unavailable")
	})
	_, unknown := triggertest.Invoke(r, triggertest.Load(t, "DefineAuthChallenge_Authentication.user-not-found"), 0)
	_, known := triggertest.Invoke(r, triggertest.Load(t, "DefineAuthChallenge_Authentication"), 0)
	if unknown == nil || known == nil || unknown.Error() != known.Error() {
		t.Errorf("unknown user %q, known user %q: the client can tell them apart", unknown, known)
	}
}
