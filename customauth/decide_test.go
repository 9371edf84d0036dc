package customauth_test

import (
	"errors"
	"testing"

	"github.com/cognitrig/cognitrig/customauth"
	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

func TestDecideSeedFlow(t *testing.T) {
	fl := seedFlow(t)
	captcha := func(ok bool) triggers.ChallengeResult { return custom("CAPTCHA_CHALLENGE", ok) }
	question := func(ok bool) triggers.ChallengeResult { return custom("SECURITY_QUESTION", ok) }
	type want struct {
		outcome customauth.Outcome
		name    string
		step    int
		attempt int
		reason  customauth.Reason
	}
	next := func(name string, step, attempt int) want {
		return want{outcome: customauth.NextRound, name: name, step: step, attempt: attempt}
	}
	failed := func(r customauth.Reason) want { return want{outcome: customauth.Fail, step: -1, reason: r} }
	cases := []struct {
		name     string
		session  []triggers.ChallengeResult
		notFound bool
		want     want
	}{
		{"start", nil, false, next("SRP_A", -1, 1)},
		{"after SRP_A", []triggers.ChallengeResult{srpA}, false, next("PASSWORD_VERIFIER", -1, 1)},
		{"after password", []triggers.ChallengeResult{srpA, password}, false, next("CUSTOM_CHALLENGE", 0, 1)},
		{"wrong password", []triggers.ChallengeResult{srpA, wrongPass}, false, failed(customauth.ReasonPassword)},
		{"failed SRP_A", []triggers.ChallengeResult{fail("SRP_A", "")}, false, failed(customauth.ReasonPassword)},
		{"captcha wrong once", []triggers.ChallengeResult{srpA, password, captcha(false)}, false, next("CUSTOM_CHALLENGE", 0, 2)},
		{"captcha wrong twice", []triggers.ChallengeResult{srpA, password, captcha(false), captcha(false)}, false, next("CUSTOM_CHALLENGE", 0, 3)},
		{"captcha out of attempts", []triggers.ChallengeResult{srpA, password, captcha(false), captcha(false), captcha(false)}, false, failed(customauth.ReasonAttempts)},
		{"after captcha", []triggers.ChallengeResult{srpA, password, captcha(true)}, false, next("CUSTOM_CHALLENGE", 1, 1)},
		{"attempts reset per step", []triggers.ChallengeResult{srpA, password, captcha(false), captcha(false), captcha(true), question(false), question(false)}, false, next("CUSTOM_CHALLENGE", 1, 3)},
		{"all passed", []triggers.ChallengeResult{srpA, password, captcha(true), question(true)}, false, want{outcome: customauth.IssueTokens, step: -1}},
		{"all passed after retries", []triggers.ChallengeResult{srpA, password, captcha(false), captcha(true), question(false), question(false), question(true)}, false, want{outcome: customauth.IssueTokens, step: -1}},
		{"all passed, user not found", []triggers.ChallengeResult{srpA, password, captcha(true), question(true)}, true, failed(customauth.ReasonUserNotFound)},
		{"user not found starts like anyone", nil, true, next("SRP_A", -1, 1)},
		{"skipped password", []triggers.ChallengeResult{captcha(true), question(true)}, false, failed(customauth.ReasonUnexpected)},
		{"skipped SRP_A", []triggers.ChallengeResult{password, captcha(true), question(true)}, false, failed(customauth.ReasonUnexpected)},
		{"skipped captcha", []triggers.ChallengeResult{srpA, password, question(true)}, false, failed(customauth.ReasonUnexpected)},
		{"steps swapped", []triggers.ChallengeResult{srpA, password, question(true), captcha(true)}, false, failed(customauth.ReasonUnexpected)},
		{"captcha twice", []triggers.ChallengeResult{srpA, password, captcha(true), captcha(true)}, false, failed(customauth.ReasonUnexpected)},
		{"unknown metadata", []triggers.ChallengeResult{srpA, password, custom("OTHER", true)}, false, failed(customauth.ReasonUnexpected)},
		{"metadata case differs", []triggers.ChallengeResult{srpA, password, custom("captcha_challenge", true)}, false, failed(customauth.ReasonUnexpected)},
		{"no metadata", []triggers.ChallengeResult{srpA, password, custom("", true)}, false, failed(customauth.ReasonUnexpected)},
		{"unknown challenge name", []triggers.ChallengeResult{srpA, password, pass("SMS_MFA", "")}, false, failed(customauth.ReasonUnexpected)},
		{"round after the end", []triggers.ChallengeResult{srpA, password, captcha(true), question(true), question(true)}, false, failed(customauth.ReasonAfterEnd)},
		{"too many rounds", []triggers.ChallengeResult{srpA, password, captcha(false), captcha(false), captcha(true), question(false), question(false), question(true), question(true)}, false, failed(customauth.ReasonTooManyRounds)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := fl.Decide(c.session, customauth.Facts{UserNotFound: c.notFound})
			got := want{outcome: d.Outcome, name: d.ChallengeName, step: d.Step, attempt: d.Attempt, reason: d.Reason}
			if got != c.want {
				t.Fatalf("Decide = %+v, want %+v", got, c.want)
			}
		})
	}
}

// TestDefineRecordedEvents replays the recorded DefineAuthChallenge events
// through a Router with the seed flow.
func TestDefineRecordedEvents(t *testing.T) {
	r := triggers.NewRouter()
	seedFlow(t).Register(r)
	for name, want := range map[string]triggers.DefineAuthChallengeResponse{
		"DefineAuthChallenge_Authentication":                {ChallengeName: "SRP_A"},
		"DefineAuthChallenge_Authentication.after-srp-a":    {ChallengeName: "PASSWORD_VERIFIER"},
		"DefineAuthChallenge_Authentication.after-password": {ChallengeName: "CUSTOM_CHALLENGE"},
		// Cognito's NEW_PASSWORD_REQUIRED round after the password is not
		// a step: the CAPTCHA comes next.
		"DefineAuthChallenge_Authentication.new-password-required": {ChallengeName: "CUSTOM_CHALLENGE"},
		"DefineAuthChallenge_Authentication.after-captcha":         {ChallengeName: "CUSTOM_CHALLENGE"},
		"DefineAuthChallenge_Authentication.wrong-answer":          {ChallengeName: "CUSTOM_CHALLENGE"},
		"DefineAuthChallenge_Authentication.all-passed":            {IssueTokens: true},
		"DefineAuthChallenge_Authentication.user-not-found":        {ChallengeName: "SRP_A"},
	} {
		ev := triggertest.Replay[triggers.DefineAuthChallengeEvent](t, r, name)
		if ev.Response != want {
			t.Errorf("%s: response %+v, want %+v", name, ev.Response, want)
		}
	}
	// The same all-passed session for a user that does not exist fails.
	payload := triggertest.From(t, "DefineAuthChallenge_Authentication.all-passed").
		Set("request.userNotFound", true).Set("request.userAttributes", map[string]any{}).JSON(t)
	ev := triggertest.Run[triggers.DefineAuthChallengeEvent](t, r, payload)
	if !ev.Response.FailAuthentication || ev.Response.IssueTokens {
		t.Fatalf("userNotFound with every step passed: %+v, want failAuthentication", ev.Response)
	}
}

func TestDecideConditionsAndAlternatives(t *testing.T) {
	fl, err := customauth.New(customauth.Sequence{
		Steps: []customauth.Step{
			{Challenge: stub("CAPTCHA"), When: customauth.ClientMetadataEquals("captcha", "yes")},
			{Challenge: stub("EMAIL_OTP"), Alternatives: []customauth.Challenge{stub("SMS_OTP")},
				Choose: customauth.PreferVerified("email", "EMAIL_OTP", "phone_number", "SMS_OTP")},
			{Challenge: stub("QUESTION"), When: customauth.AttributeEquals("custom:question", "on")},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	withCaptcha := customauth.Facts{ClientMetadata: triggers.Metadata{"captcha": "yes"}}
	plain := customauth.Facts{}
	withQuestion := customauth.Facts{Attributes: triggers.Attributes{"custom:question": "on"}}

	if d := fl.Decide(nil, plain); d.Outcome != customauth.NextRound || d.Step != 1 {
		t.Fatalf("without captcha the first step is the code: %+v", d)
	}
	if d := fl.Decide(nil, withCaptcha); d.Step != 0 {
		t.Fatalf("with captcha the first step is the captcha: %+v", d)
	}
	// Either alternative passes the code step; a failure of one and a pass
	// of the other count as one step.
	for _, s := range [][]triggers.ChallengeResult{
		{custom("EMAIL_OTP", true)},
		{custom("SMS_OTP", true)},
		{custom("EMAIL_OTP", false), custom("SMS_OTP", true)},
	} {
		if d := fl.Decide(s, plain); d.Outcome != customauth.IssueTokens {
			t.Errorf("session %v: %+v, want tokens", s, d)
		}
	}
	if d := fl.Decide([]triggers.ChallengeResult{custom("EMAIL_OTP", false), custom("SMS_OTP", false), custom("EMAIL_OTP", false)}, plain); d.Reason != customauth.ReasonAttempts {
		t.Errorf("alternatives share the attempt limit: %+v", d)
	}
	if d := fl.Decide([]triggers.ChallengeResult{custom("EMAIL_OTP", true)}, withQuestion); d.Step != 2 {
		t.Errorf("the question applies: %+v", d)
	}
	// A condition that turns on after the step's place fails the session
	// rather than letting it skip the step.
	if d := fl.Decide([]triggers.ChallengeResult{custom("EMAIL_OTP", true)}, withCaptcha); d.Outcome != customauth.Fail {
		t.Errorf("captcha skipped: %+v", d)
	}
	// Decide is pure: a user that does not exist follows the conditions
	// on the facts it is given (the handlers give it a decoy profile), so
	// that its flow has the steps of a real user with those facts.
	ghost := customauth.Facts{UserNotFound: true, ClientMetadata: triggers.Metadata{"captcha": "yes"}}
	if d := fl.Decide(nil, ghost); d.Step != 0 {
		t.Errorf("userNotFound skipped the captcha its client metadata asks for: %+v", d)
	}
	if d := fl.Decide([]triggers.ChallengeResult{custom("CAPTCHA", true), custom("EMAIL_OTP", true)}, ghost); d.Outcome != customauth.Fail || d.Reason != customauth.ReasonUserNotFound {
		t.Errorf("userNotFound after the steps of its facts: %+v, want the user-not-found failure", d)
	}
}

func TestDecideNoApplicableStep(t *testing.T) {
	fl, err := customauth.New(customauth.Sequence{
		Steps: []customauth.Step{{Challenge: stub("ONLY"), When: customauth.InGroup("admins")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if d := fl.Decide(nil, customauth.Facts{}); d.Outcome != customauth.Fail || d.Reason != customauth.ReasonNoSteps {
		t.Fatalf("no step applies: %+v, want a failure (never tokens for nothing)", d)
	}
	if d := fl.Decide(nil, customauth.Facts{Groups: []string{"admins"}}); d.Outcome != customauth.NextRound {
		t.Fatalf("in group: %+v", d)
	}
}

func TestNewRejectsBadSequences(t *testing.T) {
	for name, seq := range map[string]customauth.Sequence{
		"empty":               {},
		"nil challenge":       {Steps: []customauth.Step{{}}},
		"nil alternative":     {Steps: []customauth.Step{{Challenge: stub("A"), Alternatives: []customauth.Challenge{nil}}}},
		"duplicate name":      {Steps: []customauth.Step{{Challenge: stub("A")}, {Challenge: stub("A")}}},
		"duplicate alt":       {Steps: []customauth.Step{{Challenge: stub("A"), Alternatives: []customauth.Challenge{stub("A")}}}},
		"bad name":            {Steps: []customauth.Step{{Challenge: stub("has space")}}},
		"empty name":          {Steps: []customauth.Step{{Challenge: stub("")}}},
		"hash in name":        {Steps: []customauth.Step{{Challenge: stub("A#B")}}},
		"negative attempts":   {Steps: []customauth.Step{{Challenge: stub("A"), MaxAttempts: -1}}},
		"too many attempts":   {Steps: []customauth.Step{{Challenge: stub("A"), MaxAttempts: 11}}},
		"max rounds too few":  {Password: true, Steps: []customauth.Step{{Challenge: stub("A")}}, MaxRounds: 2},
		"alternative no name": {Steps: []customauth.Step{{Challenge: stub("A"), Alternatives: []customauth.Challenge{stub("")}}}},
	} {
		if _, err := customauth.New(seq); !errors.Is(err, customauth.ErrInvalidSequence) {
			t.Errorf("%s: err = %v, want ErrInvalidSequence", name, err)
		}
	}
	fl, err := customauth.New(customauth.Sequence{Password: true})
	if err != nil {
		t.Fatalf("password only: %v", err)
	}
	if fl.MaxRounds() != 2 {
		t.Fatalf("password-only MaxRounds = %d, want 2", fl.MaxRounds())
	}
}

func TestDecideLeavesTheSessionAlone(t *testing.T) {
	fl := seedFlow(t)
	s := []triggers.ChallengeResult{srpA, password, custom("CAPTCHA_CHALLENGE", false)}
	before := append([]triggers.ChallengeResult(nil), s...)
	fl.Decide(s, customauth.Facts{})
	for i := range s {
		if s[i] != before[i] {
			t.Fatal("Decide changed the session")
		}
	}
}

func TestOutcomeAndReasonStrings(t *testing.T) {
	if customauth.Fail.String() != "fail" || customauth.NextRound.String() != "next round" || customauth.IssueTokens.String() != "issue tokens" {
		t.Error("Outcome strings")
	}
	if customauth.ReasonAttempts.String() != "attempts exhausted" || customauth.Reason(200).String() != "unknown" {
		t.Error("Reason strings")
	}
}
