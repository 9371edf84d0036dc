package triggertest_test

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/cognitrig/cognitrig/customauth/deliver"
	"github.com/cognitrig/cognitrig/lifecycle/messages"
	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

// The recorder fits the sender interfaces of the feature packages.
var (
	_ deliver.Sender       = new(triggertest.Recorder[deliver.Message])
	_ messages.EmailSender = new(triggertest.Recorder[messages.Email])
	_ messages.SMSSender   = new(triggertest.Recorder[messages.SMS])
)

func TestExpectRefusal(t *testing.T) {
	r := triggers.NewRouter()
	r.PreSignUp(func(_ context.Context, ev *triggers.PreSignUpEvent) error {
		switch ev.Request.UserAttributes["name"] {
		case "refuse":
			return triggers.RefuseBecause(errors.New("domain blocked"), "Sign-up is closed.")
		case "wrapped":
			return errors.Join(errors.New("context"), triggers.Refuse("Sign-up is closed."))
		case "fail":
			return errors.New("Sign-up is closed.")
		}
		return nil
	})
	at := func(name string) []byte {
		return triggertest.From(t, "PreSignUp_SignUp").UserAttribute("name", name).JSON(t)
	}
	if failed, msg := run(func(t testing.TB) {
		_, err := triggertest.Invoke(r, at("refuse"), 0)
		if ref := triggertest.ExpectRefusal(t, err, "Sign-up is closed."); ref.Reason == nil {
			t.Error("no reason")
		}
	}); failed {
		t.Errorf("a refusal with the text failed: %s", msg)
	}
	// A refusal wrapped in another error: the router shows the client only
	// the refusal's own text, so the expectation holds.
	if failed, msg := run(func(t testing.TB) {
		_, err := triggertest.Invoke(r, at("wrapped"), 0)
		triggertest.ExpectRefusal(t, err, "Sign-up is closed.")
	}); failed {
		t.Errorf("a wrapped refusal: %s", msg)
	}
	for name, want := range map[string]string{
		"refuse": "the client sees", // right type, other text
		"fail":   "want a refusal",  // same text, but a failure, not a refusal
		"ok":     "want a refusal",
	} {
		text := "Sign-up is closed."
		if name == "refuse" {
			text = "Sign-up is open."
		}
		failed, msg := run(func(t testing.TB) {
			_, err := triggertest.Invoke(r, at(name), 0)
			triggertest.ExpectRefusal(t, err, text)
		})
		if !failed || !strings.Contains(msg, want) {
			t.Errorf("%s: failed=%v %q, want %q", name, failed, msg, want)
		}
	}
}

func TestRecorder(t *testing.T) {
	var rec triggertest.Recorder[deliver.Message]
	var s deliver.Sender = &rec
	if err := s.Send(context.Background(), deliver.Message{To: "a@example.com", Secret: "123456"}); err != nil {
		t.Fatal(err)
	}
	if m := rec.Only(t); m.To != "a@example.com" || m.Secret.Reveal() != "123456" {
		t.Errorf("recorded %+v", m)
	}
	rec.FailWith(errors.New("throttled"))
	if err := s.Send(context.Background(), deliver.Message{}); err == nil {
		t.Error("FailWith did not fail")
	}
	if len(rec.Sent()) != 1 {
		t.Error("a failed send was recorded")
	}
	rec.FailWith(nil)
	if err := s.Send(context.Background(), deliver.Message{To: "b@example.com"}); err != nil || rec.Last(t).To != "b@example.com" {
		t.Errorf("send after FailWith(nil) = %v, last %+v", err, rec.Last(t))
	}
	if failed, _ := run(func(t testing.TB) { rec.Only(t) }); !failed {
		t.Error("Only with two messages passed")
	}
	rec.Reset()
	if len(rec.Sent()) != 0 {
		t.Error("Reset")
	}
	if failed, _ := run(func(t testing.TB) { rec.Last(t) }); !failed {
		t.Error("Last with no message passed")
	}
	var sms triggertest.Recorder[messages.SMS]
	_ = sms.SendSMS(context.Background(), messages.SMS{To: "+15555550100", Text: "code"})
	if sms.Only(t).To != "+15555550100" {
		t.Error("SendSMS")
	}
}

func TestEMF(t *testing.T) {
	var emf triggertest.EMF
	r := triggers.NewRouter(triggers.WithMiddleware(triggers.Default(slog.New(slog.DiscardHandler), triggers.WithMetrics(&emf, "ns"))...))
	r.PostConfirmation(func(ctx context.Context, _ *triggers.PostConfirmationEvent) error {
		triggers.AddMetric(ctx, "PostConfirmationHookRan", triggers.UnitCount, 1)
		return nil
	})
	for range 2 {
		if _, err := triggertest.Invoke(r, triggertest.Load(t, "PostConfirmation_ConfirmSignUp"), 0); err != nil {
			t.Fatal(err)
		}
	}
	recs := emf.Records(t)
	if len(recs) != 2 || recs[0].Namespace != "ns" || recs[0].Dimensions["TriggerSource"] != "PostConfirmation_ConfirmSignUp" || recs[0].Units["Duration"] != "Milliseconds" {
		t.Fatalf("records %+v", recs)
	}
	emf.Expect(t, "PostConfirmationHookRan", 2)
	emf.Expect(t, "Invocations", 2)
	if failed, _ := run(func(t testing.TB) { emf.Expect(t, "PostConfirmationHookRan", 1) }); !failed {
		t.Error("a wrong sum passed")
	}
	var bad triggertest.EMF
	_, _ = bad.Write([]byte(`{"Invocations":1}` + "\n"))
	if failed, _ := run(func(t testing.TB) { bad.Records(t) }); !failed {
		t.Error("a line without _aws passed")
	}
}

func TestExpectNoSecrets(t *testing.T) {
	payload := triggertest.Load(t, "VerifyAuthChallengeResponse_Authentication")
	logger, log := triggertest.NewLog(slog.LevelDebug)
	r := triggers.NewRouter(triggers.WithMiddleware(triggers.Logging(logger)))
	r.VerifyAuthChallengeResponse(func(ctx context.Context, ev *triggers.VerifyAuthChallengeResponseEvent) error {
		logger.InfoContext(ctx, "checked", "answer", ev.Request.ChallengeAnswer) // a Secret: masked
		ev.Response.AnswerCorrect = true
		return nil
	})
	if _, err := triggertest.Invoke(r, payload, 0); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "trigger request") || !strings.Contains(log.String(), `"requestId"`) {
		t.Fatalf("nothing logged: %s", log.String())
	}
	log.ExpectNoSecrets(t, payload)

	// A leak is caught, in full or in part.
	secret := triggertest.Secrets(payload)[0]
	for _, leak := range []string{secret, secret[len(secret)/2:]} {
		_, l := triggertest.NewLog(slog.LevelInfo)
		_, _ = l.Write([]byte(leak))
		if failed, _ := run(func(t testing.TB) { l.ExpectNoSecrets(t, payload) }); !failed {
			t.Errorf("leak %q… not caught", leak[:4])
		}
	}
	// An event without secrets proves nothing and says so.
	if failed, msg := run(func(t testing.TB) { log.ExpectNoSecrets(t, []byte(`{"a":"b"}`)) }); !failed || !strings.Contains(msg, "prove nothing") {
		t.Errorf("no secrets: %v %s", failed, msg)
	}
}

func TestStringValues(t *testing.T) {
	got := triggertest.StringValues([]byte(`{"a":"x","b":{"c":["y",1,true,{"d":"z"}]},"e":null}`))
	slices.Sort(got)
	if !slices.Equal(got, []string{"x", "y", "z"}) {
		t.Errorf("StringValues = %q, want x, y, z", got)
	}
	if got := triggertest.StringValues([]byte(`not json`)); got != nil {
		t.Errorf("StringValues of no JSON = %q", got)
	}
}
