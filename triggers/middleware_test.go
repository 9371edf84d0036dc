package triggers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

func TestDeadlineBudget(t *testing.T) {
	const margin = 250 * time.Millisecond
	var got time.Time
	var hasDeadline bool
	r := triggers.NewRouter(triggers.WithMiddleware(triggers.Deadline(margin)))
	r.PreSignUp(func(ctx context.Context, _ *triggers.PreSignUpEvent) error {
		got, hasDeadline = ctx.Deadline()
		return nil
	})
	r.CustomEmailSender(func(ctx context.Context, _ *triggers.CustomSenderEvent) error {
		got, hasDeadline = ctx.Deadline()
		return nil
	})

	// Lambda allows 30 s, Cognito only 5: the budget ends 5 s - margin from
	// now. slack absorbs a busy scheduler between start and the handler; it
	// is far below the seconds a wrong deadline would be off by.
	const slack = 500 * time.Millisecond
	start := time.Now()
	if _, err := triggertest.Invoke(r, triggertest.Load(t, "PreSignUp_SignUp"), 30*time.Second); err != nil {
		t.Fatal(err)
	}
	if !hasDeadline {
		t.Fatal("handler context has no deadline")
	}
	if limit := start.Add(triggers.CognitoTimeout - margin); got.After(limit.Add(slack)) {
		t.Errorf("deadline %v is later than Cognito's limit less the margin (%v)", got.Sub(start), limit.Sub(start))
	}
	if got.Before(start.Add(triggers.CognitoTimeout - margin - time.Second)) {
		t.Errorf("deadline %v is far earlier than needed", got.Sub(start))
	}

	// Lambda's own deadline is earlier: it wins.
	start = time.Now()
	if _, err := triggertest.Invoke(r, triggertest.Load(t, "PreSignUp_SignUp"), 2*time.Second); err != nil {
		t.Fatal(err)
	}
	if d := got.Sub(start); d > 2*time.Second-margin+slack {
		t.Errorf("deadline %v ignores the Lambda deadline of 2 s", d)
	}

	// A custom sender is asynchronous: Cognito's 5 s do not apply.
	start = time.Now()
	if _, err := triggertest.Invoke(r, triggertest.Load(t, "CustomEmailSender_SignUp"), 30*time.Second); err != nil {
		t.Fatal(err)
	}
	if d := got.Sub(start); d < 29*time.Second {
		t.Errorf("custom sender deadline %v: the 5 s cap of synchronous triggers was applied", d)
	}
}

func TestDeadlineStopsASlowCall(t *testing.T) {
	const margin = 100 * time.Millisecond
	r := triggers.NewRouter(triggers.WithMiddleware(triggers.Deadline(margin)))
	var budget time.Time
	r.PreSignUp(func(ctx context.Context, _ *triggers.PreSignUpEvent) error {
		budget, _ = ctx.Deadline()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Second):
			return nil
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 400*time.Millisecond)
	defer cancel()
	lambdaDeadline, _ := ctx.Deadline()
	_, err := r.Invoke(ctx, triggertest.Load(t, "PreSignUp_SignUp"))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	// The handler was stopped by the budget, a margin before Lambda's own
	// deadline, so there was time left to answer.
	if want := lambdaDeadline.Add(-margin); !budget.Equal(want) {
		t.Errorf("handler deadline %v, want Lambda's less the margin (%v)", budget, want)
	}
	if time.Now().After(lambdaDeadline.Add(5 * time.Second)) {
		t.Error("the slow call ran on to its own end: the deadline did not stop it")
	}
}

func TestRemaining(t *testing.T) {
	if _, ok := triggers.Remaining(context.Background()); ok {
		t.Error("Remaining without a deadline reported ok")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if d, ok := triggers.Remaining(ctx); !ok || d <= 0 || d > time.Minute {
		t.Errorf("Remaining = %v, %v", d, ok)
	}
}

func TestMetricsEmitsEMF(t *testing.T) {
	var out bytes.Buffer
	r := triggers.NewRouter(triggers.WithMiddleware(triggers.Metrics(&out, "cognitrig-test")))
	r.UserMigration(func(ctx context.Context, ev *triggers.UserMigrationEvent) error {
		triggers.AddMetric(ctx, "LegacyCalls", triggers.UnitCount, 2)
		triggers.AddMetric(ctx, "LegacyCalls", triggers.UnitCount, 1)
		if ev.UserName == "fail" {
			return errors.New("boom")
		}
		ev.Response.UserAttributes = map[string]string{"email": "x@example.com"}
		return nil
	})
	if _, err := triggertest.Invoke(r, triggertest.Load(t, "UserMigration_Authentication"), 0); err != nil {
		t.Fatal(err)
	}
	_, _ = triggertest.Invoke(r, triggertest.From(t, "UserMigration_Authentication").Set("userName", "fail").JSON(t), 0)

	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("got %d EMF lines, want 2:\n%s", len(lines), out.String())
	}
	for i, line := range lines {
		var rec struct {
			AWS struct {
				Timestamp         int64
				CloudWatchMetrics []struct {
					Namespace  string
					Dimensions [][]string
					Metrics    []struct{ Name, Unit string }
				}
			} `json:"_aws"`
			TriggerSource string
			Invocations   float64
			Errors        float64
			Duration      float64
			LegacyCalls   float64
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("line %d is not JSON: %v", i, err)
		}
		cw := rec.AWS.CloudWatchMetrics
		if len(cw) != 1 || cw[0].Namespace != "cognitrig-test" || cw[0].Dimensions[0][0] != "TriggerSource" || rec.AWS.Timestamp == 0 {
			t.Fatalf("line %d: bad _aws block: %s", i, line)
		}
		if rec.TriggerSource != "UserMigration_Authentication" || rec.Invocations != 1 || rec.LegacyCalls != 3 {
			t.Errorf("line %d: %s", i, line)
		}
		if wantErr := float64(i); rec.Errors != wantErr {
			t.Errorf("line %d: Errors = %v, want %v", i, rec.Errors, wantErr)
		}
		names := map[string]bool{}
		for _, m := range cw[0].Metrics {
			names[m.Name] = true
		}
		for _, n := range []string{"Invocations", "Errors", "Duration", "LegacyCalls"} {
			if !names[n] {
				t.Errorf("line %d: metric %s not declared", i, n)
			}
		}
		if strings.Contains(line, "SECRET") {
			t.Errorf("line %d: a secret reached the metrics", i)
		}
	}
	// Outside the Metrics middleware AddMetric is a no-op, not a panic.
	triggers.AddMetric(context.Background(), "x", triggers.UnitCount, 1)
}

func TestResponseChecks(t *testing.T) {
	cases := []struct {
		name   string
		event  string
		handle func(triggers.Event)
		want   string // "" means valid
	}{
		{"define: tokens and failure", "DefineAuthChallenge_Authentication", func(e triggers.Event) {
			ev := e.(*triggers.DefineAuthChallengeEvent)
			ev.Response.IssueTokens, ev.Response.FailAuthentication = true, true
		}, "issueTokens and failAuthentication are both true"},
		{"define: no decision", "DefineAuthChallenge_Authentication", func(triggers.Event) {}, "no decision"},
		{"define: tokens for unknown user", "DefineAuthChallenge_Authentication.user-not-found", func(e triggers.Event) {
			e.(*triggers.DefineAuthChallengeEvent).Response.IssueTokens = true
		}, "userNotFound"},
		{"define: next challenge", "DefineAuthChallenge_Authentication", func(e triggers.Event) {
			e.(*triggers.DefineAuthChallengeEvent).Response.ChallengeName = triggers.ChallengeCustom
		}, ""},
		{"presignup: verify missing phone", "PreSignUp_SignUp", func(e triggers.Event) {
			e.(*triggers.PreSignUpEvent).Response.AutoVerifyPhone = true
		}, "no phone_number attribute"},
		{"presignup: verify email", "PreSignUp_SignUp", func(e triggers.Event) {
			ev := e.(*triggers.PreSignUpEvent)
			ev.Response.AutoConfirmUser, ev.Response.AutoVerifyEmail = true, true
		}, ""},
		{"pretoken v2: reserved id claim", "TokenGeneration_Authentication.v2", func(e triggers.Event) {
			e.(*triggers.PreTokenGenerationV2Event).Response.Details().IDToken().ClaimsToAddOrOverride = map[string]any{"sub": "x"}
		}, `claim "sub" cannot be changed`},
		{"pretoken v2: reserved access claim", "TokenGeneration_Authentication.v2", func(e triggers.Event) {
			e.(*triggers.PreTokenGenerationV2Event).Response.Details().AccessToken().ClaimsToSuppress = []string{"client_id"}
		}, `claim "client_id" cannot be changed`},
		{"pretoken v2: cognito groups claim", "TokenGeneration_Authentication.v2", func(e triggers.Event) {
			e.(*triggers.PreTokenGenerationV2Event).Response.Details().IDToken().ClaimsToAddOrOverride = map[string]any{"cognito:groups": []string{"a"}}
		}, "GroupOverrideDetails"},
		{"pretoken v2: object in email_verified", "TokenGeneration_Authentication.v2", func(e triggers.Event) {
			e.(*triggers.PreTokenGenerationV2Event).Response.Details().IDToken().ClaimsToAddOrOverride = map[string]any{"email_verified": map[string]any{"a": 1}}
		}, "may not be a JSON object"},
		{"pretoken v2: scope with space", "TokenGeneration_Authentication.v2", func(e triggers.Event) {
			e.(*triggers.PreTokenGenerationV2Event).Response.Details().AccessToken().ScopesToAdd = []string{"a b"}
		}, "white space"},
		{"pretoken v3: id token for m2m", "TokenGeneration_ClientCredentials.v3", func(e triggers.Event) {
			e.(*triggers.PreTokenGenerationV2Event).Response.Details().IDToken().ClaimsToAddOrOverride = map[string]any{"x": "y"}
		}, "issues no ID token"},
		{"pretoken v2: custom claims", "TokenGeneration_Authentication.v2", func(e triggers.Event) {
			d := e.(*triggers.PreTokenGenerationV2Event).Response.Details()
			d.IDToken().ClaimsToAddOrOverride = map[string]any{"tenant": "acme", "roles": []string{"a"}}
			d.AccessToken().ScopesToAdd = []string{"tenant:acme:read"}
		}, ""},
		{"pretoken v1: reserved claim", "TokenGeneration_Authentication.v1", func(e triggers.Event) {
			e.(*triggers.PreTokenGenerationV1Event).Response.Details().ClaimsToAddOrOverride = map[string]string{"iss": "me"}
		}, `claim "iss" cannot be changed`},
		{"migration: bad status", "UserMigration_Authentication", func(e triggers.Event) {
			ev := e.(*triggers.UserMigrationEvent)
			ev.Response.UserAttributes = map[string]string{"email": "a@b.c"}
			ev.Response.FinalUserStatus = "ACTIVE"
		}, "finalUserStatus"},
		{"migration: SMS without phone", "UserMigration_Authentication", func(e triggers.Event) {
			ev := e.(*triggers.UserMigrationEvent)
			ev.Response.UserAttributes = map[string]string{"email": "a@b.c"}
			ev.Response.DesiredDeliveryMediums = []string{"SMS"}
		}, "no phone_number"},
		{"migration: forgot password without contact", "UserMigration_ForgotPassword", func(e triggers.Event) {
			e.(*triggers.UserMigrationEvent).Response.UserAttributes = map[string]string{"name": "x"}
		}, "cannot deliver the reset code"},
		{"custom message: code placeholder dropped", "CustomMessage_SignUp", func(e triggers.Event) {
			ev := e.(*triggers.CustomMessageEvent)
			ev.Response.EmailSubject, ev.Response.EmailMessage = "Hi", "Welcome!"
		}, "code placeholder"},
		{"custom message: verification by link", "CustomMessage_SignUp", func(e triggers.Event) {
			ev := e.(*triggers.CustomMessageEvent)
			ev.Response.EmailSubject, ev.Response.EmailMessage = "Hi", "Confirm: {##Click Here##}"
		}, ""},
		{"custom message: link placeholder in SMS does not count", "CustomMessage_SignUp", func(e triggers.Event) {
			e.(*triggers.CustomMessageEvent).Response.SMSMessage = "Confirm: {##Click Here##}"
		}, "smsMessage lacks the code placeholder"},
		{"custom message: admin user without user name", "CustomMessage_AdminCreateUser", func(e triggers.Event) {
			ev := e.(*triggers.CustomMessageEvent)
			ev.Response.SMSMessage = "Your password is {####}"
		}, "user name placeholder"},
		{"custom message: ok", "CustomMessage_AdminCreateUser", func(e triggers.Event) {
			ev := e.(*triggers.CustomMessageEvent)
			ev.Response.SMSMessage = "{username} / {####}"
		}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := triggers.NewRouter(triggers.PassThroughUnhandled())
			fn := func(_ context.Context, ev triggers.Event) error { c.handle(ev); return nil }
			r.DefineAuthChallenge(func(ctx context.Context, ev *triggers.DefineAuthChallengeEvent) error { return fn(ctx, ev) })
			r.PreSignUp(func(ctx context.Context, ev *triggers.PreSignUpEvent) error { return fn(ctx, ev) })
			r.PreTokenGenerationV1(func(ctx context.Context, ev *triggers.PreTokenGenerationV1Event) error { return fn(ctx, ev) })
			r.PreTokenGenerationV2(func(ctx context.Context, ev *triggers.PreTokenGenerationV2Event) error { return fn(ctx, ev) })
			r.UserMigration(func(ctx context.Context, ev *triggers.UserMigrationEvent) error { return fn(ctx, ev) })
			r.CustomMessage(func(ctx context.Context, ev *triggers.CustomMessageEvent) error { return fn(ctx, ev) })
			_, err := triggertest.Invoke(r, triggertest.Load(t, c.event), 0)
			if c.want == "" {
				if err != nil {
					t.Fatalf("valid response refused: %v", err)
				}
				return
			}
			var re *triggers.ResponseError
			if !errors.As(err, &re) {
				t.Fatalf("err = %v, want ResponseError", err)
			}
			if !strings.Contains(triggertest.Cause(err), c.want) {
				t.Errorf("error %q lacks %q", triggertest.Cause(err), c.want)
			}
		})
	}
	// The checks can be turned off to reproduce a bad response.
	r := triggers.NewRouter(triggers.WithoutResponseChecks())
	r.DefineAuthChallenge(func(context.Context, *triggers.DefineAuthChallengeEvent) error { return nil })
	if _, err := triggertest.Invoke(r, triggertest.Load(t, "DefineAuthChallenge_Authentication"), 0); err != nil {
		t.Errorf("WithoutResponseChecks: %v", err)
	}
}

// logLines decodes JSON log lines.
func logLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line is not JSON: %v: %s", err, l)
		}
		lines = append(lines, m)
	}
	return lines
}

// invokeAs runs payload through h with a Lambda context of requestID.
func invokeAs(t *testing.T, h triggertest.Invoker, requestID string, payload []byte) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ctx = lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{AwsRequestID: requestID})
	_, err := h.Invoke(ctx, payload)
	return err
}

// TestLogLinesCarryLambdaContext proves that every line of an invocation,
// the middleware's and a handler's own, carries the request ID, the
// function's name and version and the cold-start flag (true on the first
// invocation of each router only), that durations are float milliseconds,
// and that the user is logged by sub and masked name.
func TestLogLinesCarryLambdaContext(t *testing.T) {
	name, version := lambdacontext.FunctionName, lambdacontext.FunctionVersion
	lambdacontext.FunctionName, lambdacontext.FunctionVersion = "cognitrig-test-fn", "7"
	t.Cleanup(func() { lambdacontext.FunctionName, lambdacontext.FunctionVersion = name, version })

	var logs bytes.Buffer
	base := slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})
	feature := slog.New(triggers.LogHandler(base)) // a feature package's logger
	newRouter := func() *triggers.Router {
		r := triggers.NewRouter(triggers.WithMiddleware(triggers.Default(slog.New(base))...))
		r.PostConfirmation(func(ctx context.Context, _ *triggers.PostConfirmationEvent) error {
			feature.InfoContext(ctx, "feature line")
			return nil
		})
		r.PreSignUp(func(ctx context.Context, _ *triggers.PreSignUpEvent) error {
			feature.WarnContext(ctx, "feature line")
			return nil
		})
		return r
	}
	payload := triggertest.From(t, "PostConfirmation_ConfirmSignUp").Set("userName", "jane.doe@example.com").JSON(t)

	r := newRouter()
	for i, id := range []string{"req-1", "req-2"} {
		logs.Reset()
		if err := invokeAs(t, r, id, payload); err != nil {
			t.Fatal(err)
		}
		lines := logLines(t, logs.String())
		if len(lines) != 4 { // request, feature line, response, handled
			t.Fatalf("invocation %d: %d lines, want 4:\n%s", i, len(lines), logs.String())
		}
		for _, l := range lines {
			if l["requestId"] != id || l["functionName"] != "cognitrig-test-fn" || l["functionVersion"] != "7" {
				t.Errorf("invocation %d: line lacks the Lambda fields: %v", i, l)
			}
			if cold, ok := l["coldStart"].(bool); !ok || cold != (i == 0) {
				t.Errorf("invocation %d: coldStart = %v, want %v: %v", i, l["coldStart"], i == 0, l["msg"])
			}
		}
		if strings.Contains(logs.String(), "jane.doe") || strings.Contains(logs.String(), "jane.doe@example.com") {
			t.Errorf("the clear user name reached the log:\n%s", logs.String())
		}
		last := lines[len(lines)-1]
		if last["msg"] != "trigger handled" {
			t.Fatalf("last line %v", last)
		}
		if last["sub"] != "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111" || last["userName"] != "j***@e***.com" {
			t.Errorf("user fields: sub=%v userName=%v", last["sub"], last["userName"])
		}
		if d, ok := last["durationMs"].(float64); !ok || d < 0 || d > 5000 {
			t.Errorf("durationMs = %v (%T), want milliseconds as a number", last["durationMs"], last["durationMs"])
		}
		if _, ok := last["duration"]; ok {
			t.Error("the raw nanosecond duration is still logged")
		}
	}

	// Another router (another function, or a test's own) has its own cold start,
	// whatever trigger comes first.
	logs.Reset()
	if err := invokeAs(t, newRouter(), "req-3", triggertest.Load(t, "PreSignUp_SignUp")); err != nil {
		t.Fatal(err)
	}
	for _, l := range logLines(t, logs.String()) {
		if l["coldStart"] != true || l["requestId"] != "req-3" {
			t.Errorf("new router: %v", l)
		}
	}
}

// TestLoggingUserNameOption shows the user name option at work, and that a
// line logged outside an invocation carries no request fields.
func TestLoggingUserNameOption(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, nil))
	r := triggers.NewRouter(triggers.WithMiddleware(triggers.Logging(logger, triggers.LogUserName(nil))))
	r.PreSignUp(func(context.Context, *triggers.PreSignUpEvent) error { return nil })
	if err := invokeAs(t, r, "req-9", triggertest.Load(t, "PreSignUp_SignUp")); err != nil {
		t.Fatal(err)
	}
	l := logLines(t, logs.String())[0]
	if l["userName"] != "" || l["requestId"] != "req-9" || l["sub"] != "" {
		t.Errorf("line %v", l)
	}
	logs.Reset()
	slog.New(triggers.LogHandler(logger.Handler())).Info("outside")
	if strings.Contains(logs.String(), "requestId") || strings.Contains(logs.String(), "coldStart") {
		t.Errorf("a line outside an invocation has invocation fields: %s", logs.String())
	}
}

func TestMaskUserName(t *testing.T) {
	for in, want := range map[string]string{
		"":                     "",
		"jane.doe@example.com": "j***@e***.com",
		"+15555550100":         "+***",
		"jdoe":                 "j***",
		"élodie@exemple.fr":    "é***@e***.fr",
		"@example.com":         "@***",
		"a@localhost":          "a***@l***",
	} {
		if got := triggers.MaskUserName(in); got != want {
			t.Errorf("MaskUserName(%q) = %q, want %q", in, got, want)
		}
	}
}

// emfRecords decodes EMF lines.
func emfRecords(t *testing.T, out string) []map[string]any {
	t.Helper()
	recs := logLines(t, out)
	for _, r := range recs {
		if _, ok := r["_aws"]; !ok {
			t.Fatalf("not an EMF record: %v", r)
		}
	}
	return recs
}

// TestDefaultWritesMetrics proves that Default includes the Metrics
// middleware, so a feature package's AddMetric reaches the EMF output, and
// that a Metrics middleware added after Default redirects the record
// rather than writing a second one.
func TestDefaultWritesMetrics(t *testing.T) {
	logger := slog.New(slog.DiscardHandler)
	handle := func(ctx context.Context, _ *triggers.PostConfirmationEvent) error {
		triggers.AddMetric(ctx, "PostConfirmationHookRan", triggers.UnitCount, 1)
		return nil
	}
	payload := triggertest.Load(t, "PostConfirmation_ConfirmSignUp")

	var out bytes.Buffer
	r := triggers.NewRouter(triggers.WithMiddleware(triggers.Default(logger, triggers.WithMetrics(&out, ""))...))
	r.PostConfirmation(handle)
	if _, err := triggertest.Invoke(r, payload, 0); err != nil {
		t.Fatal(err)
	}
	recs := emfRecords(t, out.String())
	if len(recs) != 1 || recs[0]["PostConfirmationHookRan"] != 1.0 || recs[0]["Invocations"] != 1.0 {
		t.Fatalf("EMF from Default: %s", out.String())
	}
	if !strings.Contains(out.String(), `"Namespace":"cognitrig"`) {
		t.Errorf("namespace: %s", out.String())
	}

	// In Lambda, Default writes to stdout without being told.
	t.Setenv("AWS_LAMBDA_FUNCTION_NAME", "cognitrig-test-fn")
	stdout := os.Stdout
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	os.Stdout = pw
	r = triggers.NewRouter(triggers.WithMiddleware(triggers.Default(logger)...))
	os.Stdout = stdout
	r.PostConfirmation(handle)
	_, err = triggertest.Invoke(r, payload, 0)
	pw.Close()
	captured, _ := io.ReadAll(pr)
	if err != nil {
		t.Fatal(err)
	}
	if recs := emfRecords(t, string(captured)); len(recs) != 1 || recs[0]["PostConfirmationHookRan"] != 1.0 {
		t.Fatalf("EMF on stdout in Lambda: %q", captured)
	}

	// Default's metrics plus one's own: one record, in one's own writer,
	// with every metric.
	var outer, inner bytes.Buffer
	mw := append(triggers.Default(logger, triggers.WithMetrics(&outer, "")), triggers.Metrics(&inner, "mine"))
	r = triggers.NewRouter(triggers.WithMiddleware(mw...))
	r.PostConfirmation(handle)
	for range 2 {
		if _, err := triggertest.Invoke(r, payload, 0); err != nil {
			t.Fatal(err)
		}
	}
	if outer.Len() != 0 {
		t.Errorf("the outer Metrics wrote too: %s", outer.String())
	}
	if recs := emfRecords(t, inner.String()); len(recs) != 2 || recs[1]["PostConfirmationHookRan"] != 1.0 {
		t.Errorf("inner: %s", inner.String())
	}
}

// The hand-written EMF record is valid JSON for any metric name, and skips
// values JSON cannot carry and names that would overwrite its own fields.
func TestMetricsEncoding(t *testing.T) {
	var out bytes.Buffer
	r := triggers.NewRouter(triggers.WithMiddleware(triggers.Metrics(&out, `ns "quoted"`)))
	r.PostConfirmation(func(ctx context.Context, _ *triggers.PostConfirmationEvent) error {
		triggers.AddMetric(ctx, "Odd \"name\"\\\n\x01é", triggers.UnitCount, 2.5)
		triggers.AddMetric(ctx, "Bad\xff", triggers.UnitCount, 1)
		triggers.AddMetric(ctx, "NotANumber", triggers.UnitCount, math.NaN())
		triggers.AddMetric(ctx, "Invocations", triggers.UnitCount, 5)
		triggers.AddMetric(ctx, "Big", triggers.UnitMilliseconds, 1e21)
		return nil
	})
	if _, err := triggertest.Invoke(r, triggertest.Load(t, "PostConfirmation_ConfirmSignUp"), 0); err != nil {
		t.Fatal(err)
	}
	var rec map[string]any
	if err := json.Unmarshal(out.Bytes(), &rec); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out.String())
	}
	if rec["Odd \"name\"\\\n\x01é"] != 2.5 || rec["Bad\uFFFD"] != 1.0 || rec["Invocations"] != 1.0 || rec["Big"] != 1e21 {
		t.Errorf("record %v", rec)
	}
	if _, ok := rec["NotANumber"]; ok || strings.Contains(out.String(), "NotANumber") {
		t.Errorf("NaN written: %s", out.String())
	}
	aws := rec["_aws"].(map[string]any)["CloudWatchMetrics"].([]any)[0].(map[string]any)
	if aws["Namespace"] != `ns "quoted"` || len(aws["Metrics"].([]any)) != 6 {
		t.Errorf("_aws %v", aws)
	}
}
