package triggers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/cognitrig/cognitrig/handlers/example"
	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

// TestLoggingRedactsEverySecret runs every recorded event through the
// example handlers with logging at debug level, in both slog formats, and
// proves that no secret value (nor a long fragment of one) reaches the log.
func TestLoggingRedactsEverySecret(t *testing.T) {
	var secretCount int
	for _, format := range []string{"json", "text"} {
		var logs bytes.Buffer
		opts := &slog.HandlerOptions{Level: slog.LevelDebug}
		var h slog.Handler = slog.NewJSONHandler(&logs, opts)
		if format == "text" {
			h = slog.NewTextHandler(&logs, opts)
		}
		logger := slog.New(h)
		r := example.NewRouter(logger, example.DefaultConfig(),
			triggers.WithMiddleware(triggers.Default(logger)...))
		for _, name := range triggertest.Names() {
			payload := triggertest.Load(t, name)
			if !json.Valid(payload) {
				t.Fatalf("%s: not JSON", name)
			}
			secrets := triggertest.Secrets(payload) // walks the raw JSON: does not rely on the types it checks
			secretCount += len(secrets)
			logs.Reset()
			_, err := triggertest.Invoke(r, payload, 0)
			if err != nil {
				var refusal *triggers.Refusal
				if !errors.As(err, &refusal) {
					t.Errorf("%s: %v", name, err)
				}
			}
			if !strings.Contains(logs.String(), "trigger request") {
				t.Fatalf("%s (%s): the event was not logged at debug level; the test would prove nothing", name, format)
			}
			for _, s := range secrets {
				if strings.Contains(logs.String(), s) || strings.Contains(logs.String(), s[len(s)/2:]) {
					t.Errorf("%s (%s): secret %q reached the log", name, format, s[:8]+"…")
				}
			}
		}
	}
	if secretCount < 50 {
		t.Fatalf("only %d secrets in the recorded events; the recorded set lost its secret markers", secretCount)
	}
}

func TestSecretTypesMaskEveryFormat(t *testing.T) {
	s := triggers.Secret("hunter2-SECRET")
	m := triggers.SecretMap{"answer": "hunter2-SECRET"}
	md := triggers.Metadata{"invitationToken": "hunter2-SECRET"}
	attrs := triggers.Attributes{"email": "hunter2-SECRET@example.com", "email_verified": "true", "sub": "abc"}
	for _, v := range []any{s, m, md, attrs, &s, struct{ P triggers.Secret }{s}} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
			out := fmt.Sprintf(verb, v)
			if strings.Contains(out, "hunter2") || strings.Contains(out, "68756e74657232") {
				t.Errorf("fmt %s of %T = %s", verb, v, out)
			}
		}
	}
	if got := fmt.Sprint(attrs); !strings.Contains(got, "email_verified:true") || !strings.Contains(got, "sub:abc") {
		t.Errorf("Attributes should show non-identifying values: %s", got)
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "s", s, "m", m, "md", md, "a", attrs)
	if strings.Contains(buf.String(), "hunter2") {
		t.Errorf("slog leaked: %s", buf.String())
	}
	// The wire format must carry the value: Cognito needs it.
	b, _ := json.Marshal(struct {
		S triggers.Secret
		M triggers.SecretMap
	}{s, m})
	if !strings.Contains(string(b), `"S":"hunter2-SECRET"`) || !strings.Contains(string(b), `"answer":"hunter2-SECRET"`) {
		t.Errorf("JSON lost the value: %s", b)
	}
	if s.Reveal() != "hunter2-SECRET" {
		t.Error("Reveal")
	}
}

func TestMaskedCopiesAndMasks(t *testing.T) {
	ev := triggertest.Decode[triggers.VerifyAuthChallengeResponseEvent](t, "VerifyAuthChallengeResponse_Authentication")
	masked, err := triggers.Masked(ev)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(masked)
	if strings.Contains(string(b), "SECRET") {
		t.Errorf("Masked left a secret: %s", b)
	}
	if !strings.Contains(string(b), `"challengeAnswer":"[REDACTED]"`) {
		t.Errorf("Masked output: %s", b)
	}
	if ev.Request.ChallengeAnswer.Reveal() != "ans-SECRET-483920" {
		t.Error("Masked changed the original")
	}
}

func TestRecoverHidesThePanicValue(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	r := triggers.NewRouter(triggers.WithMiddleware(triggers.Default(logger)...))
	r.UserMigration(func(_ context.Context, ev *triggers.UserMigrationEvent) error {
		panic("cannot verify " + ev.Request.Password.Reveal())
	})
	_, err := triggertest.Invoke(r, triggertest.Load(t, "UserMigration_Authentication"), 0)
	var pe *triggers.PanicError
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v, want PanicError", err)
	}
	if strings.Contains(err.Error(), "Tr0ub4dor") || strings.Contains(logs.String(), "Tr0ub4dor") {
		t.Errorf("the panic value leaked: err=%q logs=%s", err, logs.String())
	}
	if !strings.Contains(logs.String(), "trigger handler panicked") || !strings.Contains(logs.String(), "UserMigration_Authentication") {
		t.Errorf("panic not logged: %s", logs.String())
	}
	if !strings.Contains(triggertest.Cause(err), "UserMigration_Authentication") {
		t.Errorf("error does not name the trigger: %v", err)
	}
}

func TestLoggingLevels(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, nil)) // Info
	r := triggers.NewRouter(triggers.WithMiddleware(triggers.Logging(logger)))
	r.PreSignUp(func(_ context.Context, ev *triggers.PreSignUpEvent) error {
		if ev.Request.UserAttributes["name"] == "refuse" {
			return triggers.RefuseBecause(errors.New("blocked domain"), "Sign-up is closed.")
		}
		if ev.Request.UserAttributes["name"] == "fail" {
			return errors.New("store unavailable")
		}
		return nil
	})
	cases := map[string]string{
		"ok":     `"level":"INFO","msg":"trigger handled"`,
		"refuse": `"level":"INFO","msg":"trigger refused"`,
		"fail":   `"level":"ERROR","msg":"trigger failed"`,
	}
	for name, want := range cases {
		logs.Reset()
		payload := triggertest.From(t, "PreSignUp_SignUp").UserAttribute("name", name).JSON(t)
		_, _ = triggertest.Invoke(r, payload, 0)
		if !strings.Contains(logs.String(), want) {
			t.Errorf("%s: log %s lacks %s", name, logs.String(), want)
		}
		if strings.Contains(logs.String(), "trigger request") {
			t.Errorf("%s: whole event logged at info level", name)
		}
	}
}

// TestLoggingMasksUserNames: user names are often e-mail addresses; no
// recorded event's user name reaches the middleware's lines in clear, at
// Debug level (whole events) or Info, and the lines carry the masked form
// instead. (The example handlers' own lines are theirs to mind.)
func TestLoggingMasksUserNames(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	r := example.NewRouter(logger, example.DefaultConfig(), triggers.WithMiddleware(triggers.Default(logger)...))
	checked := 0
	for _, name := range triggertest.Names() {
		var h struct {
			UserName string `json:"userName"`
		}
		payload := triggertest.Load(t, name)
		if err := json.Unmarshal(payload, &h); err != nil {
			t.Fatal(err)
		}
		logs.Reset()
		_, _ = triggertest.Invoke(r, payload, 0)
		if len(h.UserName) < 4 {
			continue
		}
		checked++
		var middleware strings.Builder
		for _, line := range strings.Split(logs.String(), "\n") {
			if strings.Contains(line, `"msg":"trigger `) {
				middleware.WriteString(line + "\n")
			}
		}
		if strings.Contains(middleware.String(), h.UserName) {
			t.Errorf("%s: user name %q… logged in clear", name, h.UserName[:2])
		}
		if !strings.Contains(middleware.String(), `"userName":"`+triggers.MaskUserName(h.UserName)+`"`) {
			t.Errorf("%s: no masked user name in the log", name)
		}
	}
	if checked < 40 {
		t.Fatalf("only %d events had a user name to check", checked)
	}
}
