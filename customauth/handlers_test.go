package customauth_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/cognitrig/cognitrig/customauth"
	"github.com/cognitrig/cognitrig/customauth/cognitogroups"
	"github.com/cognitrig/cognitrig/customauth/customauthtest"
	"github.com/cognitrig/cognitrig/internal/awsfake"
	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

func seedRouter(t testing.TB, opts ...triggers.Option) *triggers.Router {
	r := triggers.NewRouter(opts...)
	seedFlow(t).Register(r)
	return r
}

func TestCreatePicksTheStepFromTheSession(t *testing.T) {
	r := seedRouter(t)
	ev := triggertest.Replay[triggers.CreateAuthChallengeEvent](t, r, "CreateAuthChallenge_Authentication")
	resp := ev.Response
	if resp.ChallengeMetadata != "CAPTCHA_CHALLENGE" {
		t.Fatalf("after the password, metadata = %q, want CAPTCHA_CHALLENGE", resp.ChallengeMetadata)
	}
	if resp.PublicChallengeParameters[customauth.ChallengeParam] != "CAPTCHA_CHALLENGE" || resp.PublicChallengeParameters["prompt"] != "type CAPTCHA_CHALLENGE" {
		t.Fatalf("public = %v", resp.PublicChallengeParameters)
	}
	if resp.PrivateChallengeParameters[customauth.ChallengeParam] != "CAPTCHA_CHALLENGE" || resp.PrivateChallengeParameters["attempt"] != "1" {
		t.Fatalf("private = %v", map[string]string(resp.PrivateChallengeParameters))
	}

	retry := triggertest.From(t, "CreateAuthChallenge_Authentication").
		Append("request.session", map[string]any{"challengeName": "CUSTOM_CHALLENGE", "challengeResult": false, "challengeMetadata": "CAPTCHA_CHALLENGE"}).JSON(t)
	ev = triggertest.Run[triggers.CreateAuthChallengeEvent](t, r, retry)
	if ev.Response.ChallengeMetadata != "CAPTCHA_CHALLENGE" || ev.Response.PrivateChallengeParameters["attempt"] != "2" {
		t.Fatalf("after a wrong answer: %q attempt %q, want CAPTCHA_CHALLENGE attempt 2", ev.Response.ChallengeMetadata, ev.Response.PrivateChallengeParameters["attempt"])
	}

	next := triggertest.From(t, "CreateAuthChallenge_Authentication").
		Append("request.session", map[string]any{"challengeName": "CUSTOM_CHALLENGE", "challengeResult": true, "challengeMetadata": "CAPTCHA_CHALLENGE"}).JSON(t)
	ev = triggertest.Run[triggers.CreateAuthChallengeEvent](t, r, next)
	if ev.Response.ChallengeMetadata != "SECURITY_QUESTION" {
		t.Fatalf("after the captcha: %q, want SECURITY_QUESTION", ev.Response.ChallengeMetadata)
	}
}

func TestCreateOutOfTurnFails(t *testing.T) {
	r := seedRouter(t)
	for name, payload := range map[string][]byte{
		"all passed": triggertest.From(t, "CreateAuthChallenge_Authentication").
			Append("request.session", map[string]any{"challengeName": "CUSTOM_CHALLENGE", "challengeResult": true, "challengeMetadata": "CAPTCHA_CHALLENGE"}).
			Append("request.session", map[string]any{"challengeName": "CUSTOM_CHALLENGE", "challengeResult": true, "challengeMetadata": "SECURITY_QUESTION"}).JSON(t),
		"password round": triggertest.From(t, "CreateAuthChallenge_Authentication").Set("request.session", []any{}).JSON(t),
		"not custom":     triggertest.From(t, "CreateAuthChallenge_Authentication").Set("request.challengeName", "SRP_A").JSON(t),
	} {
		_, err := triggertest.Invoke(r, payload, 0)
		if err == nil || !strings.Contains(triggertest.Cause(err), "customauth:") {
			t.Errorf("%s: err = %v, want a customauth error", name, err)
		}
	}
}

func TestCreateChoosesAnAlternative(t *testing.T) {
	fl, err := customauth.New(customauth.Sequence{Steps: []customauth.Step{{
		Challenge:    stub("EMAIL_OTP"),
		Alternatives: []customauth.Challenge{stub("SMS_OTP")},
		Choose:       customauth.PreferVerified("email", "EMAIL_OTP", "phone_number", "SMS_OTP"),
	}}})
	if err != nil {
		t.Fatal(err)
	}
	r := triggers.NewRouter()
	fl.Register(r)
	email := triggertest.Replay[triggers.CreateAuthChallengeEvent](t, r, "CreateAuthChallenge_Authentication.passwordless")
	if email.Response.ChallengeMetadata != "EMAIL_OTP" {
		t.Fatalf("verified email: %q", email.Response.ChallengeMetadata)
	}
	sms := triggertest.Run[triggers.CreateAuthChallengeEvent](t, r, triggertest.From(t, "CreateAuthChallenge_Authentication.passwordless").
		UserAttribute("email_verified", "false").UserAttribute("phone_number_verified", "true").JSON(t))
	if sms.Response.ChallengeMetadata != "SMS_OTP" {
		t.Fatalf("verified phone only: %q", sms.Response.ChallengeMetadata)
	}
	byMeta := customauth.ByClientMetadata("channel")
	if byMeta(customauth.Facts{ClientMetadata: triggers.Metadata{"channel": "SMS_OTP"}}) != "SMS_OTP" {
		t.Fatal("ByClientMetadata")
	}
}

func flowWith(t *testing.T, ch customauth.Challenge, logger *slog.Logger) *triggers.Router {
	t.Helper()
	fl, err := customauth.New(customauth.Sequence{Steps: []customauth.Step{{Challenge: ch}}, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	r := triggers.NewRouter()
	fl.Register(r)
	return r
}

func TestNilChallengeFuncs(t *testing.T) {
	r := flowWith(t, customauth.NewChallenge("BARE", nil, nil), nil)
	ev := triggertest.Replay[triggers.CreateAuthChallengeEvent](t, r, "CreateAuthChallenge_Authentication.passwordless")
	if ev.Response.ChallengeMetadata != "BARE" || ev.Response.PublicChallengeParameters[customauth.ChallengeParam] != "BARE" {
		t.Fatalf("create: %+v", ev.Response)
	}
	v := triggertest.Run[triggers.VerifyAuthChallengeResponseEvent](t, r, triggertest.From(t, "VerifyAuthChallengeResponse_Authentication").
		Set("request.privateChallengeParameters.challenge", "BARE").JSON(t))
	if v.Response.AnswerCorrect {
		t.Fatal("a nil verify answered right")
	}
}

func TestCreateRefusesReservedKeys(t *testing.T) {
	for _, p := range []customauth.Params{
		{Public: map[string]string{customauth.ChallengeParam: "x"}},
		{Public: map[string]string{"a": "b"}, Private: triggers.SecretMap{customauth.ChallengeParam: "x"}},
	} {
		ch := customauth.NewChallenge("RESERVED", func(context.Context, *triggers.CreateAuthChallengeEvent, customauth.Round) (customauth.Params, error) {
			return p, nil
		}, nil)
		_, err := triggertest.Invoke(flowWith(t, ch, nil), triggertest.Load(t, "CreateAuthChallenge_Authentication.passwordless"), 0)
		if err == nil || !strings.Contains(triggertest.Cause(err), "reserved") {
			t.Errorf("err = %v, want a reserved-key error", err)
		}
	}
}

func TestChallengeErrorsAreUserSafe(t *testing.T) {
	cause := errors.New("dynamodb: table arn:aws:dynamodb:us-east-1:123456789012:table/x is throttled")
	ch := customauth.NewChallenge("BROKEN",
		func(context.Context, *triggers.CreateAuthChallengeEvent, customauth.Round) (customauth.Params, error) {
			return customauth.Params{}, cause
		},
		func(context.Context, *triggers.VerifyAuthChallengeResponseEvent) (bool, error) { return false, cause })
	r := flowWith(t, ch, nil)
	_, err := triggertest.Invoke(r, triggertest.Load(t, "CreateAuthChallenge_Authentication.passwordless"), 0)
	if err == nil || err.Error() != customauth.UnavailableMessage {
		t.Fatalf("Create error = %v, want %q", err, customauth.UnavailableMessage)
	}
	payload := triggertest.From(t, "VerifyAuthChallengeResponse_Authentication").
		Set("request.privateChallengeParameters.challenge", "BROKEN").JSON(t)
	ev, handler, err := r.Decode(payload)
	if err != nil {
		t.Fatal(err)
	}
	err = handler.HandleTrigger(context.Background(), ev)
	if err == nil || err.Error() != customauth.UnavailableMessage || !errors.Is(err, cause) {
		t.Fatalf("Verify error = %v, want %q wrapping the cause", err, customauth.UnavailableMessage)
	}
	refused := triggers.Refuse("Too many attempts.")
	ch = customauth.NewChallenge("REFUSES", func(context.Context, *triggers.CreateAuthChallengeEvent, customauth.Round) (customauth.Params, error) {
		return customauth.Params{}, refused
	}, nil)
	_, err = triggertest.Invoke(flowWith(t, ch, nil), triggertest.Load(t, "CreateAuthChallenge_Authentication.passwordless"), 0)
	if err == nil || err.Error() != "Too many attempts." {
		t.Fatalf("a challenge's own refusal: %v", err)
	}
}

func TestVerifyAnswers(t *testing.T) {
	var calls atomic.Int32
	ch := customauth.NewChallenge("ECHO", nil, func(_ context.Context, ev *triggers.VerifyAuthChallengeResponseEvent) (bool, error) {
		calls.Add(1)
		return ev.Request.ChallengeAnswer.Reveal() == "right", nil
	})
	var logs bytes.Buffer
	r := flowWith(t, ch, slog.New(slog.NewJSONHandler(&logs, nil)))
	verify := func(challenge string, answer any) (bool, error) {
		payload := triggertest.From(t, "VerifyAuthChallengeResponse_Authentication").
			Set("request.privateChallengeParameters.challenge", challenge).
			Set("request.challengeAnswer", answer).JSON(t)
		out, err := triggertest.Invoke(r, payload, 0)
		if err != nil {
			return false, err
		}
		var ev triggers.VerifyAuthChallengeResponseEvent
		if err := json.Unmarshal(out, &ev); err != nil {
			t.Fatal(err)
		}
		return ev.Response.AnswerCorrect, nil
	}
	for name, c := range map[string]struct {
		challenge string
		answer    any
		want      bool
	}{
		"right":             {"ECHO", "right", true},
		"wrong":             {"ECHO", "wrong-SECRET", false},
		"empty":             {"ECHO", "", false},
		"too long":          {"ECHO", strings.Repeat("r", customauth.MaxAnswerLength+1), false},
		"unknown challenge": {"CAPTCHA_CHALLENGE", "right", false},
		"no challenge":      {"", "right", false},
	} {
		got, err := verify(c.challenge, c.answer)
		if err != nil || got != c.want {
			t.Errorf("%s: %v, %v; want %v", name, got, err, c.want)
		}
	}
	if calls.Load() != 2 {
		t.Errorf("the challenge checked %d answers, want 2 (empty, long and unknown answers stop before it)", calls.Load())
	}
	// An answer that is not a JSON string is a malformed event: a clear
	// error that quotes nothing of it.
	for _, bad := range []any{483920, map[string]any{"code": "SECRET-1"}, []any{"SECRET-2"}} {
		_, err := verify("ECHO", bad)
		var de *triggers.DecodeError
		if !errors.As(err, &de) || strings.Contains(err.Error(), "SECRET") || strings.Contains(err.Error(), "483920") {
			t.Errorf("answer %v: err = %v, want a DecodeError without the value", bad, err)
		}
	}
	if strings.Contains(logs.String(), "SECRET") || strings.Contains(logs.String(), "right") {
		t.Fatalf("log holds an answer: %s", logs.String())
	}
	if !strings.Contains(logs.String(), "does not have") {
		t.Fatalf("the unknown challenge was not logged: %s", logs.String())
	}
}

// TestSignInLogsNoSecret drives whole sign-ins through a router with the
// default middleware logging every event at Debug, and checks that no
// secret of the recorded events or of the answers reaches the log.
func TestSignInLogsNoSecret(t *testing.T) {
	var logs, metrics bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	mw := append(triggers.Default(logger), triggers.Metrics(&metrics, "cognitrig"))
	fl, err := customauth.New(customauth.Sequence{
		Password: true,
		Steps: []customauth.Step{
			{Challenge: stub("CAPTCHA_CHALLENGE")},
			{Challenge: stub("SECURITY_QUESTION")},
		},
		Logger: logger,
	})
	if err != nil {
		t.Fatal(err)
	}
	r := triggers.NewRouter(triggers.WithMiddleware(mw...))
	fl.Register(r)
	answers := map[string][]string{
		"CAPTCHA_CHALLENGE": {"captcha_challenge"},
		"SECURITY_QUESTION": {"answer-SECRET-wrong", "security_question"},
	}
	s := &customauthtest.SignIn{Router: r, Answer: func(p customauthtest.Prompt) string {
		return answers[p.Name][p.Attempt-1]
	}}
	res, err := s.Run(context.Background())
	if err != nil || !res.Tokens {
		t.Fatalf("sign-in: %+v, %v", res, err)
	}
	ghost := &customauthtest.SignIn{Router: r, UserNotFound: true, UserName: "nobody@example.com", Answer: func(p customauthtest.Prompt) string { return lower(p.Name) }}
	res, err = ghost.Run(context.Background())
	if err != nil || res.Tokens || !res.Failed {
		t.Fatalf("userNotFound sign-in: %+v, %v; want a failure", res, err)
	}
	out := logs.String()
	for _, secret := range []string{"SECRET", "captcha_challenge", "security_question"} {
		if strings.Contains(out, secret) {
			t.Fatalf("log holds %q:\n%s", secret, out)
		}
	}
	if !strings.Contains(out, "custom authentication failed") || !strings.Contains(out, "wrong password") {
		t.Fatalf("the failed sign-in was not logged with its reason:\n%s", out)
	}
	if !strings.Contains(metrics.String(), customauth.MetricTokensIssued) || !strings.Contains(metrics.String(), customauth.MetricWrongAnswer) {
		t.Fatalf("metrics lack the custom-auth counters: %s", metrics.String())
	}
}

// TestUserNotFoundNeverIssuesTokens drives a passwordless sign-in for a
// user that does not exist with a challenge that does not depend on the
// user (it passes, as a CAPTCHA would): the flow runs to the end, and
// Define fails it instead of issuing tokens.
func TestUserNotFoundNeverIssuesTokens(t *testing.T) {
	var logs bytes.Buffer
	fl, err := customauth.New(customauth.Sequence{
		Steps:  []customauth.Step{{Challenge: stub("CAPTCHA")}, {Challenge: stub("PIN")}},
		Logger: slog.New(slog.NewJSONHandler(&logs, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	r := triggers.NewRouter()
	fl.Register(r)
	answer := func(p customauthtest.Prompt) string { return lower(p.Name) }
	real, err := (&customauthtest.SignIn{Router: r, Answer: answer}).Run(context.Background())
	if err != nil || !real.Tokens {
		t.Fatalf("real user: %+v, %v", real, err)
	}
	ghost, err := (&customauthtest.SignIn{Router: r, UserNotFound: true, UserName: "nobody", Answer: answer}).Run(context.Background())
	if err != nil || ghost.Tokens || !ghost.Failed {
		t.Fatalf("userNotFound: %+v, %v; want failure", ghost, err)
	}
	if customauthtest.SessionString(ghost.Session) != customauthtest.SessionString(real.Session) {
		t.Fatalf("the flows differ: %s / %s", customauthtest.SessionString(ghost.Session), customauthtest.SessionString(real.Session))
	}
	if !strings.Contains(logs.String(), "user not found") {
		t.Fatalf("log: %s", logs.String())
	}
}

// ---- groups ----

// cognitoServer is a local Cognito user-pool API (awsfake.Cognito) holding
// the recorded events' pool with jdoe a member of groups, answering one
// group a page so that a look-up must read every page. Without groups,
// jdoe does not exist: every look-up fails with UserNotFoundException.
func cognitoServer(t *testing.T, groups ...string) *cognitoidentityprovider.Client {
	t.Helper()
	pool := awsfake.NewCognitoPool(t)
	pool.PageSize(1)
	if len(groups) > 0 {
		pool.AddUser(awsfake.CognitoUser{Username: "jdoe", Enabled: true})
	}
	for _, g := range groups {
		pool.AddGroup(awsfake.CognitoGroup{Name: g}, "jdoe")
	}
	return pool.Client()
}

func TestCognitoGroups(t *testing.T) {
	client := cognitoServer(t, "staff", "admins", "ops")
	groups, err := cognitogroups.Lookup{Client: client}.UserGroups(context.Background(), "us-east-1_EXAMPLE1", "jdoe")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(groups, ",") != "staff,admins,ops" {
		t.Fatalf("groups = %v, want both pages", groups)
	}
}

func TestGroupConditions(t *testing.T) {
	seq := func(client *cognitoidentityprovider.Client) *triggers.Router {
		fl, err := customauth.New(customauth.Sequence{
			Groups: cognitogroups.Lookup{Client: client},
			Steps: []customauth.Step{
				{Challenge: stub("ADMIN_CODE"), When: customauth.InGroup("admins")},
				{Challenge: stub("EMAIL_OTP")},
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		r := triggers.NewRouter()
		fl.Register(r)
		return r
	}
	admin := triggertest.Replay[triggers.DefineAuthChallengeEvent](t, seq(cognitoServer(t, "admins")), "DefineAuthChallenge_Authentication")
	create := triggertest.Replay[triggers.CreateAuthChallengeEvent](t, seq(cognitoServer(t, "admins")), "CreateAuthChallenge_Authentication.passwordless")
	if admin.Response.ChallengeName != "CUSTOM_CHALLENGE" || create.Response.ChallengeMetadata != "ADMIN_CODE" {
		t.Fatalf("admin: %+v / %q", admin.Response, create.Response.ChallengeMetadata)
	}
	create = triggertest.Replay[triggers.CreateAuthChallengeEvent](t, seq(cognitoServer(t, "staff")), "CreateAuthChallenge_Authentication.passwordless")
	if create.Response.ChallengeMetadata != "EMAIL_OTP" {
		t.Fatalf("non-admin: %q", create.Response.ChallengeMetadata)
	}
	_, err := triggertest.Invoke(seq(cognitoServer(t)), triggertest.Load(t, "DefineAuthChallenge_Authentication"), 0)
	if err == nil || err.Error() != customauth.UnavailableMessage {
		t.Fatalf("lookup failure: %v, want %q", err, customauth.UnavailableMessage)
	}
	// No lookup for a user that does not exist: the server would fail it.
	ghost := triggertest.Replay[triggers.DefineAuthChallengeEvent](t, seq(cognitoServer(t)), "DefineAuthChallenge_Authentication.user-not-found")
	if ghost.Response.ChallengeName != "CUSTOM_CHALLENGE" {
		t.Fatalf("userNotFound: %+v", ghost.Response)
	}
}
