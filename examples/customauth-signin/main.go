// Command customauth-signin shows one custom-authentication sign-in with
// the handlers that cognitrig's customauth package derives from a single
// declaration of the seed's flow: SRP password, then a CAPTCHA, then a
// security question. It prints every DefineAuthChallenge,
// CreateAuthChallenge and VerifyAuthChallengeResponse round, secrets
// masked; then it shows what a user that does not exist gets.
//
// It runs offline: a triggers.Router with in-memory stores, recorded
// Cognito events, and a local stand-in for the CAPTCHA service.
//
//	go run ./examples/customauth-signin
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/cognitrig/cognitrig/customauth"
	"github.com/cognitrig/cognitrig/customauth/captcha"
	"github.com/cognitrig/cognitrig/customauth/customauthtest"
	"github.com/cognitrig/cognitrig/customauth/secquestion"
	"github.com/cognitrig/cognitrig/triggers"
)

const (
	userPool    = "us-east-1_EXAMPLE1"                   // as in the recorded events
	userSub     = "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111" // jdoe's sub
	solvedToken = "demo-solved-captcha-token"
)

// localCaptcha stands in for a siteverify service: one token passes.
type localCaptcha struct{}

func (localCaptcha) VerifyCaptcha(_ context.Context, token string) (bool, error) {
	return token == solvedToken, nil
}

// prefixWriter indents the log lines under the rounds. slog handlers write
// one record per Write.
type prefixWriter struct {
	w      io.Writer
	prefix string
}

func (p prefixWriter) Write(b []byte) (int, error) {
	if _, err := io.WriteString(p.w, p.prefix); err != nil {
		return 0, err
	}
	return p.w.Write(b)
}

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "customauth-signin:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, w io.Writer) error {
	// Log lines of the flow (a failed sign-in, a wrong answer) go to the
	// same output, without times, to show that they carry no secret.
	logger := slog.New(slog.NewTextHandler(prefixWriter{w, "         log: "}, &slog.HandlerOptions{
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey && len(groups) == 0 {
				return slog.Attr{}
			}
			return a
		},
	}))

	captchaStep, err := captcha.New(captcha.Config{Verifier: localCaptcha{}, SiteKey: "0x4AAAA-demo-site-key", Provider: "turnstile"})
	if err != nil {
		return err
	}
	questions := &secquestion.MemoryStore{}
	if err := secquestion.Enroll(ctx, questions, userPool, userSub, "What was the name of your first pet?", "Rex", secquestion.DefaultParams()); err != nil {
		return err
	}
	questionStep, err := secquestion.New(secquestion.Config{
		Store:          questions,
		DecoyQuestions: []string{"What was the name of your first pet?", "In which city were you born?", "What was your first school?"},
		DecoyKey:       []byte("demo-decoy-key: load 32+ random bytes from a secret store"),
		Logger:         logger,
	})
	if err != nil {
		return err
	}

	// The whole flow, declared once.
	flow, err := customauth.New(customauth.Sequence{
		Password: true,
		Steps: []customauth.Step{
			{Challenge: captchaStep, MaxAttempts: 3},
			{Challenge: questionStep, MaxAttempts: 3},
		},
		Logger: logger,
	})
	if err != nil {
		return err
	}
	router := triggers.NewRouter(triggers.WithMiddleware(triggers.Recover(logger), triggers.Deadline(triggers.DefaultDeadlineMargin)))
	flow.Register(router)

	fmt.Fprintln(w, "cognitrig customauth: SRP password -> CAPTCHA -> security question, from one declaration")
	fmt.Fprintln(w)

	answers := func(wrongFirst bool) func(customauthtest.Prompt) string {
		return func(p customauthtest.Prompt) string {
			switch {
			case p.Name == captchaStep.Name():
				return solvedToken
			case wrongFirst && p.Attempt == 1:
				return "Max"
			default:
				return " rex "
			}
		}
	}
	show := func(r customauthtest.Round) { fmt.Fprintln(w, "  "+r.String()) }

	fmt.Fprintln(w, "1. jdoe signs in and answers the security question wrong once:")
	res, err := (&customauthtest.SignIn{Router: router, Answer: answers(true), Observe: show}).Run(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "  => tokens issued: %v\n\n", res.Tokens)

	fmt.Fprintln(w, "2. a user that does not exist (the app client prevents user-existence errors):")
	fmt.Fprintln(w, "   Cognito fails the password against a fake verifier; the flow fails as for a wrong password")
	res, err = (&customauthtest.SignIn{Router: router, UserName: "nobody@example.com", UserNotFound: true, Answer: answers(false), Observe: show}).Run(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "  => tokens issued: %v\n", res.Tokens)
	return nil
}
