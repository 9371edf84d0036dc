package customauth_test

import (
	"context"
	"testing"

	"github.com/cognitrig/cognitrig/customauth"
	"github.com/cognitrig/cognitrig/triggers"
)

// stub is a challenge whose right answer is its own name in lower case.
func stub(name string) customauth.Challenge {
	return customauth.NewChallenge(name,
		func(_ context.Context, ev *triggers.CreateAuthChallengeEvent, r customauth.Round) (customauth.Params, error) {
			return customauth.Params{
				Public:  map[string]string{"prompt": "type " + name},
				Private: triggers.SecretMap{"attempt": string(rune('0' + r.Attempt))},
			}, nil
		},
		func(_ context.Context, ev *triggers.VerifyAuthChallengeResponseEvent) (bool, error) {
			return ev.Request.ChallengeAnswer.Reveal() == lower(name), nil
		})
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// seedFlow is the flow of seed 004: SRP password, CAPTCHA, security question.
func seedFlow(t testing.TB) *customauth.Flow {
	t.Helper()
	fl, err := customauth.New(customauth.Sequence{
		Password: true,
		Steps: []customauth.Step{
			{Challenge: stub("CAPTCHA_CHALLENGE"), MaxAttempts: 3},
			{Challenge: stub("SECURITY_QUESTION"), MaxAttempts: 3},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return fl
}

func pass(name, meta string) triggers.ChallengeResult {
	return triggers.ChallengeResult{ChallengeName: name, ChallengeResult: true, ChallengeMetadata: meta}
}

func fail(name, meta string) triggers.ChallengeResult {
	return triggers.ChallengeResult{ChallengeName: name, ChallengeResult: false, ChallengeMetadata: meta}
}

var (
	srpA      = pass(triggers.ChallengeSRPA, "")
	password  = pass(triggers.ChallengePasswordVerifier, "")
	wrongPass = fail(triggers.ChallengePasswordVerifier, "")
)

func custom(meta string, ok bool) triggers.ChallengeResult {
	return triggers.ChallengeResult{ChallengeName: triggers.ChallengeCustom, ChallengeResult: ok, ChallengeMetadata: meta}
}
