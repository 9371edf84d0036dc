package customauth_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/cognitrig/cognitrig/customauth"
	"github.com/cognitrig/cognitrig/customauth/customauthtest"
	"github.com/cognitrig/cognitrig/triggers"
)

// TestAttackEnumerationStepsAndChoices (issue 12, item 8): an attacker
// compares the flow of a name it knows exists with that of a made-up name,
// answering wrong throughout. A conditional step (a question only for
// users with "custom:mfa" on) and the email/SMS choice (the verified
// address) must look the same: the fake flow takes the steps and choices of
// a typical user, not every step and the first channel.
func TestAttackEnumerationStepsAndChoices(t *testing.T) {
	fl, err := customauth.New(customauth.Sequence{
		Steps: []customauth.Step{
			{Challenge: stub("QUESTION"), When: customauth.AttributeEquals("custom:mfa", "on")},
			{Challenge: stub("SMS_OTP"), Alternatives: []customauth.Challenge{stub("EMAIL_OTP")},
				Choose: customauth.PreferVerified("email", "EMAIL_OTP", "phone_number", "SMS_OTP")},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	r := triggers.NewRouter()
	fl.Register(r)
	trace := func(s customauthtest.SignIn) string {
		var b strings.Builder
		s.Router = r
		s.Answer = func(customauthtest.Prompt) string { return "wrong" }
		s.Observe = func(rd customauthtest.Round) {
			if rd.Trigger == customauthtest.Create {
				fmt.Fprintf(&b, "%s%v ", rd.Challenge, rd.PrivateKeys)
			}
		}
		res, err := s.Run(context.Background())
		fmt.Fprintf(&b, "tokens=%v failed=%v err=%v", res.Tokens, res.Failed, err)
		return b.String()
	}
	// A typical user: a verified email, no question.
	real := trace(customauthtest.SignIn{Attributes: map[string]string{"sub": "s-1", "email": "a@example.com", "email_verified": "true"}})
	for _, name := range []string{"nobody@example.com", "NOBODY@example.com"} {
		if ghost := trace(customauthtest.SignIn{UserName: name, UserNotFound: true}); ghost != real {
			t.Fatalf("unknown %s:\n  %s\nreal user:\n  %s", name, ghost, real)
		}
	}
	// Client metadata that names a channel is honoured alike.
	byClient, err := customauth.New(customauth.Sequence{Steps: []customauth.Step{{Challenge: stub("EMAIL_OTP"),
		Alternatives: []customauth.Challenge{stub("SMS_OTP")}, Choose: customauth.ByClientMetadata("channel")}}})
	if err != nil {
		t.Fatal(err)
	}
	r = triggers.NewRouter()
	byClient.Register(r)
	meta := map[string]string{"channel": "SMS_OTP"}
	real = trace(customauthtest.SignIn{ClientMetadata: meta})
	if ghost := trace(customauthtest.SignIn{UserName: "nobody", UserNotFound: true, ClientMetadata: meta}); ghost != real || !strings.Contains(real, "SMS_OTP") {
		t.Fatalf("unknown: %s\nreal: %s", ghost, real)
	}
}
