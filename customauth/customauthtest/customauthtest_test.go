package customauthtest_test

import (
	"context"
	"strings"
	"testing"

	"github.com/cognitrig/cognitrig/customauth/customauthtest"
	"github.com/cognitrig/cognitrig/triggers"
)

func router(define func(*triggers.DefineAuthChallengeEvent) error) *triggers.Router {
	r := triggers.NewRouter(triggers.WithoutResponseChecks())
	r.DefineAuthChallenge(func(_ context.Context, ev *triggers.DefineAuthChallengeEvent) error { return define(ev) })
	r.CreateAuthChallenge(func(_ context.Context, ev *triggers.CreateAuthChallengeEvent) error {
		ev.Response.ChallengeMetadata = "ECHO"
		ev.Response.PublicChallengeParameters = map[string]string{"say": "hello"}
		ev.Response.PrivateChallengeParameters = triggers.SecretMap{"want": "hello"}
		return nil
	})
	r.VerifyAuthChallengeResponse(func(_ context.Context, ev *triggers.VerifyAuthChallengeResponseEvent) error {
		ev.Response.AnswerCorrect = ev.Request.ChallengeAnswer.Reveal() == ev.Request.PrivateChallengeParameters["want"]
		return nil
	})
	return r
}

func TestRunPlaysCognito(t *testing.T) {
	var sawNotFound bool
	r := router(func(ev *triggers.DefineAuthChallengeEvent) error {
		sawNotFound = ev.Request.UserNotFound
		switch n := len(ev.Request.Session); {
		case n == 0:
			ev.Response.ChallengeName = "CUSTOM_CHALLENGE"
		case ev.Request.Session[n-1].ChallengeResult:
			ev.Response.IssueTokens = true
		case n < 2:
			ev.Response.ChallengeName = "CUSTOM_CHALLENGE"
		default:
			ev.Response.FailAuthentication = true
		}
		return nil
	})
	var lines []string
	s := &customauthtest.SignIn{
		Router: r,
		Answer: func(p customauthtest.Prompt) string {
			if p.Attempt == 1 {
				return "wrong"
			}
			return p.Public["say"]
		},
		Observe: func(r customauthtest.Round) { lines = append(lines, r.String()) },
	}
	res, err := s.Run(context.Background())
	if err != nil || !res.Tokens || len(res.Session) != 2 {
		t.Fatalf("%+v, %v", res, err)
	}
	want := []string{
		"Define session=[] -> CUSTOM_CHALLENGE",
		"Create ECHO public={say:hello} private=[want]",
		"Verify ECHO answer=[REDACTED] -> wrong",
		"Define session=[CUSTOM_CHALLENGE(ECHO):fail] -> CUSTOM_CHALLENGE",
		"Create ECHO public={say:hello} private=[want]",
		"Verify ECHO answer=[REDACTED] -> correct",
		"Define session=[CUSTOM_CHALLENGE(ECHO):fail CUSTOM_CHALLENGE(ECHO):pass] -> issue tokens",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Fatalf("rounds:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	s.UserNotFound = true
	s.Observe = nil
	if _, err := s.Run(context.Background()); err != nil || !sawNotFound {
		t.Fatalf("userNotFound not passed on: %v", err)
	}
}

func TestRunErrors(t *testing.T) {
	ctx := context.Background()
	if _, err := (&customauthtest.SignIn{}).Run(ctx); err == nil {
		t.Error("no router: no error")
	}
	answer := func(customauthtest.Prompt) string { return "" }
	unknown := router(func(ev *triggers.DefineAuthChallengeEvent) error { ev.Response.ChallengeName = "SMS_MFA"; return nil })
	if _, err := (&customauthtest.SignIn{Router: unknown, Answer: answer}).Run(ctx); err == nil || !strings.Contains(err.Error(), "SMS_MFA") {
		t.Errorf("unknown challenge: %v", err)
	}
	endless := router(func(ev *triggers.DefineAuthChallengeEvent) error { ev.Response.ChallengeName = "SRP_A"; return nil })
	if _, err := (&customauthtest.SignIn{Router: endless, Answer: answer, MaxRounds: 5}).Run(ctx); err == nil || !strings.Contains(err.Error(), "5 rounds") {
		t.Errorf("endless flow: %v", err)
	}
	failing := router(func(*triggers.DefineAuthChallengeEvent) error { return triggers.Refuse("no") })
	if _, err := (&customauthtest.SignIn{Router: failing, Answer: answer}).Run(ctx); err == nil || !strings.Contains(err.Error(), "no") {
		t.Errorf("trigger error: %v", err)
	}
	wrongPassword := router(func(ev *triggers.DefineAuthChallengeEvent) error {
		switch n := len(ev.Request.Session); {
		case n == 0:
			ev.Response.ChallengeName = "SRP_A"
		case n == 1:
			ev.Response.ChallengeName = "PASSWORD_VERIFIER"
		default:
			ev.Response.FailAuthentication = !ev.Request.Session[1].ChallengeResult
			ev.Response.IssueTokens = ev.Request.Session[1].ChallengeResult
		}
		return nil
	})
	res, err := (&customauthtest.SignIn{Router: wrongPassword, Answer: answer, WrongPassword: true}).Run(ctx)
	if err != nil || !res.Failed {
		t.Errorf("wrong password: %+v, %v", res, err)
	}
}
