package main

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/cognitrig/cognitrig/customauth"
	"github.com/cognitrig/cognitrig/customauth/captcha"
	"github.com/cognitrig/cognitrig/customauth/customauthtest"
	"github.com/cognitrig/cognitrig/customauth/deliver"
	"github.com/cognitrig/cognitrig/customauth/otp"
	"github.com/cognitrig/cognitrig/customauth/records"
	"github.com/cognitrig/cognitrig/triggers"
)

// demoSolvedCaptcha is the one token the local CAPTCHA verifier accepts.
const demoSolvedCaptcha = "demo-solved-captcha-token"

// countingInvoker is the router as customauthtest sees it: it counts every
// invocation (none is expected to fail) and keeps the last one for
// --verbose.
type countingInvoker struct {
	d    *demo
	r    *triggers.Router
	req  []byte
	resp []byte
}

func (c *countingInvoker) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, cognitoTimeout)
	defer cancel()
	out, err := c.r.Invoke(ctx, payload)
	c.d.count(err, answers)
	c.req, c.resp = payload, out
	return out, err
}

// demoCustomAuth signs jdoe in with password, CAPTCHA and a one-time code
// by e-mail (one wrong code first), then shows what a user that does not
// exist gets. customauthtest plays Cognito: it builds the three events
// from the recorded ones and calls the router's Invoke with JSON.
func demoCustomAuth(ctx context.Context, d *demo) error {
	verifier := captcha.VerifierFunc(func(_ context.Context, token string) (bool, error) {
		return token == demoSolvedCaptcha, nil // a local stand-in for the CAPTCHA service
	})
	captchaStep, err := captcha.New(captcha.Config{Verifier: verifier, SiteKey: "0x4AAAA-demo-site-key", Provider: "turnstile"})
	if err != nil {
		return err
	}
	// The local sender keeps the last code, as the user's mailbox would.
	var mailbox deliver.Message
	sent := 0
	sender := deliver.SenderFunc(func(_ context.Context, m deliver.Message) error {
		mailbox = m
		sent++
		return nil
	})
	codeStep, err := otp.New(otp.Config{
		Channel: deliver.Email,
		Sender:  sender,
		Store:   &records.MemoryStore{},
		Key:     []byte("demo-otp-key: load 32+ random bytes from a secret store"),
		Logger:  d.logger,
	})
	if err != nil {
		return err
	}
	flow, err := customauth.New(customauth.Sequence{
		Password: true,
		Steps: []customauth.Step{
			{Challenge: captchaStep, MaxAttempts: 3},
			{Challenge: codeStep, MaxAttempts: 3},
		},
		Logger: d.logger,
	})
	if err != nil {
		return err
	}
	router := triggers.NewRouter(triggers.WithMiddleware(triggers.Default(d.logger)...))
	flow.Register(router)
	inv := &countingInvoker{d: d, r: router}

	var said string // what the simulated user did, for the Verify line
	answer := func(p customauthtest.Prompt) string {
		switch {
		case p.Name == captchaStep.Name():
			said = "the user solves the CAPTCHA"
			return demoSolvedCaptcha
		case p.Attempt == 1:
			said = "the user mistypes the code"
			return "000000"
		default:
			said = "the user types the code from the e-mail"
			return mailbox.Secret.Reveal()
		}
	}
	sentBefore := 0
	observe := func(r customauthtest.Round) {
		switch r.Trigger {
		case customauthtest.Define:
			d.line(defineAction(r.Session), defineAnswer(r.Decision))
		case customauthtest.Create:
			public := maps.Clone(r.Public)
			delete(public, customauth.ChallengeParam) // the name again
			d.line("CreateAuthChallenge (CUSTOM_CHALLENGE)",
				fmt.Sprintf("%s %s, private: %s", r.Challenge, publicString(public), strings.Join(r.PrivateKeys, " ")))
			switch {
			case sent > sentBefore:
				d.note("local sender: e-mail to %s: %q", deliver.MaskAddress(mailbox.To), mailbox.Masked())
				sentBefore = sent
			case r.Challenge == codeStep.Name():
				d.note("no e-mail: the code sent before stays valid (no second send within a minute)")
			}
		case customauthtest.Verify:
			verdict := "wrong"
			if r.Correct {
				verdict = "correct"
			}
			d.line("VerifyAuthChallengeResponse: "+said, verdict)
		}
		d.show(inv.req, inv.resp)
	}

	fmt.Fprintln(d.w, "   jdoe signs in; the client sends SRP_A and the password proof, Cognito checks them")
	res, err := (&customauthtest.SignIn{Router: inv, Answer: answer, Observe: observe}).Run(ctx)
	if err != nil {
		return err
	}
	d.note("=> tokens issued: %v, after %d rounds", res.Tokens, len(res.Session))

	fmt.Fprintln(d.w, "   nobody@example.com, who does not exist (the app client prevents user-existence errors):")
	sentBefore = sent
	res, err = (&customauthtest.SignIn{Router: inv, UserName: "nobody@example.com", UserNotFound: true, Answer: answer, Observe: observe}).Run(ctx)
	if err != nil {
		return err
	}
	d.note("=> tokens issued: %v; e-mails sent: %d; the client cannot tell it from a wrong password", res.Tokens, sent-sentBefore)
	return nil
}

// defineAction says what led Cognito to call DefineAuthChallenge.
func defineAction(session []triggers.ChallengeResult) string {
	if len(session) == 0 {
		return "DefineAuthChallenge, session []"
	}
	parts := make([]string, len(session))
	for i, r := range session {
		name := r.ChallengeName
		if r.ChallengeMetadata != "" {
			name = r.ChallengeMetadata
		}
		if r.ChallengeResult {
			parts[i] = name + "✓"
		} else {
			parts[i] = name + "✗"
		}
	}
	return "DefineAuthChallenge, session [" + strings.Join(parts, " ") + "]"
}

func defineAnswer(r triggers.DefineAuthChallengeResponse) string {
	switch {
	case r.IssueTokens:
		return "issue tokens"
	case r.FailAuthentication:
		return "fail authentication"
	}
	return r.ChallengeName
}

func publicString(m map[string]string) string {
	keys := slices.Sorted(maps.Keys(m))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ":" + m[k]
	}
	return "{" + strings.Join(parts, " ") + "}"
}
