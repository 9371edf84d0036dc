package customauth_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cognitrig/cognitrig/customauth"
)

// The flow "password,captcha,email-otp" as a Mermaid state diagram. The
// challenges here are stand-ins with the names of the ready ones
// (captcha.DefaultName, otp's default "EMAIL_OTP").
func ExampleFlow_Mermaid() {
	flow, err := customauth.New(customauth.Sequence{
		Password: true,
		Steps: []customauth.Step{
			{Challenge: customauth.NewChallenge("CAPTCHA_CHALLENGE", nil, nil), MaxAttempts: 3},
			{Challenge: customauth.NewChallenge("EMAIL_OTP", nil, nil), MaxAttempts: 3},
		},
	})
	if err != nil {
		panic(err)
	}
	fmt.Print(flow.Mermaid())
	// Output:
	// stateDiagram-v2
	//     state "SRP_A" as s0
	//     state "PASSWORD_VERIFIER" as s1
	//     state "CAPTCHA_CHALLENGE (up to 3 attempts)" as s2
	//     state "EMAIL_OTP (up to 3 attempts)" as s3
	//     state "issue tokens" as tokens
	//     state "fail authentication" as failed
	//     [*] --> s0
	//     s0 --> s1: pass
	//     s0 --> failed: wrong password
	//     s1 --> s2: pass
	//     s1 --> failed: wrong password
	//     s2 --> s3: pass
	//     s2 --> s2: wrong, attempts left
	//     s2 --> failed: wrong, attempt 3 of 3
	//     s3 --> tokens: pass
	//     s3 --> s3: wrong, attempts left
	//     s3 --> failed: wrong, attempt 3 of 3
	//     tokens --> [*]
	//     failed --> [*]
	//     note right of failed
	//         also: a round out of order or unknown,
	//         more than 8 rounds in the session,
	//         and, instead of tokens, a user that does not exist
	//     end note
}

// Conditional steps get an edge for each case, alternatives share a state,
// and a single-attempt step has no loop.
func TestMermaidConditionsAndAlternatives(t *testing.T) {
	stub := func(name string) customauth.Challenge { return customauth.NewChallenge(name, nil, nil) }
	flow, err := customauth.New(customauth.Sequence{
		Steps: []customauth.Step{
			{Challenge: stub("CAPTCHA"), When: customauth.ClientMetadataEquals("captcha", "yes"), MaxAttempts: 1},
			{Challenge: stub("EMAIL_OTP"), Alternatives: []customauth.Challenge{stub("SMS_OTP")}},
			{Challenge: stub("QUESTION"), When: customauth.AttributeEquals("custom:q", "yes")},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := flow.Mermaid()
	for _, want := range []string{
		`state "CAPTCHA (1 attempt), conditional" as s0`,
		`state "EMAIL_OTP or SMS_OTP (up to 3 attempts)" as s1`,
		"[*] --> s0: if it applies\n",
		"[*] --> s1: skipping CAPTCHA\n",
		"s0 --> failed: wrong\n",
		"s1 --> s2: pass, if it applies\n",
		"s1 --> tokens: pass, skipping QUESTION\n",
		"s2 --> tokens: pass\n",
		"more than 7 rounds",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("diagram lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "s0 --> s0") {
		t.Errorf("a one-attempt step loops:\n%s", got)
	}

	// Only conditional steps: when none applies, nothing was proven.
	only, err := customauth.New(customauth.Sequence{Steps: []customauth.Step{
		{Challenge: stub("CAPTCHA"), When: customauth.ClientMetadataEquals("captcha", "yes")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if got := only.Mermaid(); !strings.Contains(got, "[*] --> failed: skipping CAPTCHA, no step applies\n") {
		t.Errorf("diagram lacks the no-step failure:\n%s", got)
	}
}
