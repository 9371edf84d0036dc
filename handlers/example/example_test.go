package example_test

import (
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/cognitrig/cognitrig/handlers/example"
	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

// The package's first doc line says what it is and where the real
// handlers are: `go doc` and pkg.go.dev show it first.
func TestDocSaysItIsAnIllustration(t *testing.T) {
	src, err := os.ReadFile("example.go")
	if err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(string(src), "\n")
	if !strings.Contains(first, "minimal illustration") {
		t.Errorf("first doc line %q does not say it is a minimal illustration", first)
	}
	doc := string(src[:strings.Index(string(src), "package example")])
	for _, pkg := range []string{"customauth", "tenancy", "migration"} {
		if !strings.Contains(doc, pkg) {
			t.Errorf("package doc does not point to %s", pkg)
		}
	}
}

// The example's custom authentication counts wrong codes, not rounds: a
// session that passed the password and the code issues tokens, three wrong
// codes fail.
func TestDefineAuthChallenge(t *testing.T) {
	r := example.NewRouter(slog.New(slog.DiscardHandler), example.DefaultConfig())
	define := func(session ...triggers.ChallengeResult) triggers.DefineAuthChallengeResponse {
		t.Helper()
		b := triggertest.From(t, "DefineAuthChallenge_Authentication").Set("request.session", session)
		return triggertest.Run[triggers.DefineAuthChallengeEvent](t, r, b.JSON(t)).Response
	}
	srp := triggers.ChallengeResult{ChallengeName: triggers.ChallengeSRPA, ChallengeResult: true}
	pw := triggers.ChallengeResult{ChallengeName: triggers.ChallengePasswordVerifier, ChallengeResult: true}
	wrong := triggers.ChallengeResult{ChallengeName: triggers.ChallengeCustom, ChallengeMetadata: "DEMO_CODE"}
	right := triggers.ChallengeResult{ChallengeName: triggers.ChallengeCustom, ChallengeMetadata: "DEMO_CODE", ChallengeResult: true}

	if got := define(srp, pw, wrong, right); !got.IssueTokens || got.FailAuthentication {
		t.Errorf("password, a wrong code, the right code: %+v, want tokens", got)
	}
	if got := define(srp, pw, wrong, wrong); got.ChallengeName != triggers.ChallengeCustom || got.IssueTokens || got.FailAuthentication {
		t.Errorf("two wrong codes: %+v, want another code", got)
	}
	if got := define(wrong, wrong, wrong); !got.FailAuthentication || got.IssueTokens {
		t.Errorf("three wrong codes: %+v, want failure", got)
	}
	ev := triggertest.Replay[triggers.DefineAuthChallengeEvent](t, r, "DefineAuthChallenge_Authentication.user-not-found")
	if !ev.Response.FailAuthentication || ev.Response.IssueTokens {
		t.Errorf("user not found: %+v", ev.Response)
	}
}
