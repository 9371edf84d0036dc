package captcha_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/cognitrig/cognitrig/customauth"
	"github.com/cognitrig/cognitrig/customauth/captcha"
	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

// One CAPTCHA round, trigger by trigger: Create sends the widget's public
// site key to the client, and Verify asks the Verifier about the response
// token that the widget gave the client.
func Example() {
	ctx := context.Background()

	// A stand-in for the CAPTCHA service; deploy a captcha.SiteVerify.
	verifier := captcha.VerifierFunc(func(_ context.Context, token string) (bool, error) {
		return token == "solved-widget-token", nil
	})
	ch, err := captcha.New(captcha.Config{Verifier: verifier, SiteKey: "0x4AAAAsitekey", Provider: "turnstile"})
	if err != nil {
		log.Fatal(err)
	}

	// The recorded events of triggertest stand in for Cognito's.
	create, err := triggertest.Event[triggers.CreateAuthChallengeEvent]("CreateAuthChallenge_Authentication")
	if err != nil {
		log.Fatal(err)
	}
	params, err := ch.Create(ctx, create, customauth.Round{Attempt: 1, MaxAttempts: 3})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ch.Name(), "public:", params.Public, "private:", len(params.Private))

	verify, err := triggertest.Event[triggers.VerifyAuthChallengeResponseEvent]("VerifyAuthChallengeResponse_Authentication")
	if err != nil {
		log.Fatal(err)
	}
	for _, answer := range []string{"solved-widget-token", "a guessed token"} {
		verify.Request.ChallengeAnswer = triggers.Secret(answer)
		correct, err := ch.Verify(ctx, verify)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("answer", verify.Request.ChallengeAnswer, "correct:", correct)
	}

	// Output:
	// CAPTCHA_CHALLENGE public: map[provider:turnstile siteKey:0x4AAAAsitekey] private: 0
	// answer [REDACTED] correct: true
	// answer [REDACTED] correct: false
}

// SiteVerify asks a "siteverify" endpoint (Turnstile, reCAPTCHA, hCaptcha)
// about a token. A local server stands in for the service here.
func ExampleSiteVerify() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		solved := r.PostFormValue("secret") == "site-secret-key" && r.PostFormValue("response") == "solved-widget-token"
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"success":%t,"hostname":"app.example.com"}`, solved)
	}))
	defer srv.Close()

	verifier := &captcha.SiteVerify{
		URL:       srv.URL, // e.g. https://challenges.cloudflare.com/turnstile/v0/siteverify
		Secret:    triggers.Secret("site-secret-key"),
		Hostnames: []string{"app.example.com"},
	}
	fmt.Println("secret:", verifier.Secret)

	ctx := context.Background()
	for _, token := range []string{"solved-widget-token", "a forged token"} {
		ok, err := verifier.VerifyCaptcha(ctx, token)
		if err != nil {
			log.Fatal(err) // the service could not be asked
		}
		fmt.Println("accepted:", ok)
	}

	// Output:
	// secret: [REDACTED]
	// accepted: true
	// accepted: false
}
