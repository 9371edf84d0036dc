package customauth_test

import (
	"context"
	"fmt"
	"log"

	"github.com/cognitrig/cognitrig/customauth"
	"github.com/cognitrig/cognitrig/customauth/captcha"
	"github.com/cognitrig/cognitrig/customauth/customauthtest"
	"github.com/cognitrig/cognitrig/customauth/deliver"
	"github.com/cognitrig/cognitrig/customauth/otp"
	"github.com/cognitrig/cognitrig/customauth/records"
	"github.com/cognitrig/cognitrig/customauth/secquestion"
	"github.com/cognitrig/cognitrig/triggers"
)

// The flow of seed 004 - SRP password, then a CAPTCHA, then a security
// question - declared once. The three handlers are derived from it and
// driven through a whole sign-in with the recorded events, Cognito's part
// played by customauthtest. The user answers the question wrong once.
func Example_seedFlow() {
	ctx := context.Background()

	// A CAPTCHA service stand-in; deploy captcha.SiteVerify instead.
	verifier := captcha.VerifierFunc(func(_ context.Context, token string) (bool, error) {
		return token == "solved-captcha-token", nil
	})
	captchaStep, err := captcha.New(captcha.Config{Verifier: verifier, SiteKey: "0x4AAAAsitekey"})
	if err != nil {
		log.Fatal(err)
	}

	// Security questions, enrolled as argon2id hashes (cheap costs here;
	// deploy secquestion.DefaultParams and a DynamoStore).
	cost := secquestion.Params{Time: 1, Memory: 64, Threads: 1, SaltLen: 16, KeyLen: 32}
	questions := &secquestion.MemoryStore{}
	err = secquestion.Enroll(ctx, questions, "us-east-1_EXAMPLE1", "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111",
		"What was the name of your first pet?", "Rex", cost)
	if err != nil {
		log.Fatal(err)
	}
	questionStep, err := secquestion.New(secquestion.Config{
		Store:          questions,
		DecoyQuestions: []string{"What was the name of your first pet?", "In which city were you born?"},
		DecoyKey:       []byte("example-decoy-key-0123456789abcdef"),
		Params:         cost,
	})
	if err != nil {
		log.Fatal(err)
	}

	flow, err := customauth.New(customauth.Sequence{
		Password: true,
		Steps: []customauth.Step{
			{Challenge: captchaStep, MaxAttempts: 3},
			{Challenge: questionStep, MaxAttempts: 3},
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	router := triggers.NewRouter()
	flow.Register(router)

	signIn := &customauthtest.SignIn{
		Router: router,
		Answer: func(p customauthtest.Prompt) string {
			switch {
			case p.Name == "CAPTCHA_CHALLENGE":
				return "solved-captcha-token"
			case p.Attempt == 1:
				return "Max" // wrong
			default:
				return "  rex " // normalised before it is checked
			}
		},
		Observe: func(r customauthtest.Round) { fmt.Println(r) },
	}
	res, err := signIn.Run(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("tokens issued:", res.Tokens)

	// Output:
	// Define session=[] -> SRP_A
	// Define session=[SRP_A:pass] -> PASSWORD_VERIFIER
	// Define session=[SRP_A:pass PASSWORD_VERIFIER:pass] -> CUSTOM_CHALLENGE
	// Create CAPTCHA_CHALLENGE public={challenge:CAPTCHA_CHALLENGE siteKey:0x4AAAAsitekey} private=[challenge]
	// Verify CAPTCHA_CHALLENGE answer=[REDACTED] -> correct
	// Define session=[SRP_A:pass PASSWORD_VERIFIER:pass CUSTOM_CHALLENGE(CAPTCHA_CHALLENGE):pass] -> CUSTOM_CHALLENGE
	// Create SECURITY_QUESTION public={challenge:SECURITY_QUESTION question:What was the name of your first pet?} private=[answerHash challenge]
	// Verify SECURITY_QUESTION answer=[REDACTED] -> wrong
	// Define session=[SRP_A:pass PASSWORD_VERIFIER:pass CUSTOM_CHALLENGE(CAPTCHA_CHALLENGE):pass CUSTOM_CHALLENGE(SECURITY_QUESTION):fail] -> CUSTOM_CHALLENGE
	// Create SECURITY_QUESTION public={challenge:SECURITY_QUESTION question:What was the name of your first pet?} private=[answerHash challenge]
	// Verify SECURITY_QUESTION answer=[REDACTED] -> correct
	// Define session=[SRP_A:pass PASSWORD_VERIFIER:pass CUSTOM_CHALLENGE(CAPTCHA_CHALLENGE):pass CUSTOM_CHALLENGE(SECURITY_QUESTION):fail CUSTOM_CHALLENGE(SECURITY_QUESTION):pass] -> issue tokens
	// tokens issued: true
}

// A passwordless sign-in with a one-time code sent by email. The code's
// record makes Create idempotent, so Cognito's retries send no second code;
// the private parameters carry a MAC of the code, never the code.
func Example_passwordless() {
	ctx := context.Background()

	// An outbox stands in for an ses.Sender; the "user" reads the code from it.
	var inbox []deliver.Message
	outbox := deliver.SenderFunc(func(_ context.Context, m deliver.Message) error {
		inbox = append(inbox, m)
		return nil
	})
	emailCode, err := otp.New(otp.Config{
		Channel: deliver.Email,
		Sender:  outbox,
		Store:   &records.MemoryStore{}, // records.DynamoStore when deployed
		Key:     []byte("example-otp-key-0123456789abcdef-01"),
	})
	if err != nil {
		log.Fatal(err)
	}
	flow, err := customauth.New(customauth.Sequence{
		Steps: []customauth.Step{{Challenge: emailCode, MaxAttempts: 3}},
	})
	if err != nil {
		log.Fatal(err)
	}
	router := triggers.NewRouter()
	flow.Register(router)

	signIn := &customauthtest.SignIn{
		Router: router,
		Answer: func(customauthtest.Prompt) string {
			last := inbox[len(inbox)-1]
			fmt.Printf("       (email to %s: %q)\n", deliver.MaskAddress(last.To), last.Masked())
			return last.Secret.Reveal()
		},
		Observe: func(r customauthtest.Round) { fmt.Println(r) },
	}
	res, err := signIn.Run(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("tokens issued:", res.Tokens, "- emails sent:", len(inbox))

	// Output:
	// Define session=[] -> CUSTOM_CHALLENGE
	// Create EMAIL_OTP public={challenge:EMAIL_OTP channel:EMAIL codeLength:6} private=[challenge exp mac nonce slot]
	//        (email to j***@example.com: "Your sign-in code is [REDACTED]. It expires in 5 minutes.")
	// Verify EMAIL_OTP answer=[REDACTED] -> correct
	// Define session=[CUSTOM_CHALLENGE(EMAIL_OTP):pass] -> issue tokens
	// tokens issued: true - emails sent: 1
}

// Decide is a pure function of the session (and the request's facts): it
// can be checked on session arrays alone.
func ExampleFlow_Decide() {
	flow, err := customauth.New(customauth.Sequence{
		Password: true,
		Steps: []customauth.Step{
			{Challenge: customauth.NewChallenge("CAPTCHA_CHALLENGE", nil, nil), MaxAttempts: 2},
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	srp := triggers.ChallengeResult{ChallengeName: "SRP_A", ChallengeResult: true}
	pw := triggers.ChallengeResult{ChallengeName: "PASSWORD_VERIFIER", ChallengeResult: true}
	wrong := triggers.ChallengeResult{ChallengeName: "CUSTOM_CHALLENGE", ChallengeMetadata: "CAPTCHA_CHALLENGE"}
	right := triggers.ChallengeResult{ChallengeName: "CUSTOM_CHALLENGE", ChallengeMetadata: "CAPTCHA_CHALLENGE", ChallengeResult: true}

	for _, session := range [][]triggers.ChallengeResult{
		{srp, pw},
		{srp, pw, wrong},
		{srp, pw, wrong, right},
		{srp, pw, wrong, wrong},
		{srp, right},
	} {
		d := flow.Decide(session, customauth.Facts{})
		fmt.Println(customauthtest.SessionString(session))
		switch d.Outcome {
		case customauth.NextRound:
			fmt.Printf("  -> %s, attempt %d\n", d.ChallengeName, d.Attempt)
		case customauth.IssueTokens:
			fmt.Println("  -> issue tokens")
		default:
			fmt.Println("  -> fail:", d.Reason)
		}
	}
	// Output:
	// [SRP_A:pass PASSWORD_VERIFIER:pass]
	//   -> CUSTOM_CHALLENGE, attempt 1
	// [SRP_A:pass PASSWORD_VERIFIER:pass CUSTOM_CHALLENGE(CAPTCHA_CHALLENGE):fail]
	//   -> CUSTOM_CHALLENGE, attempt 2
	// [SRP_A:pass PASSWORD_VERIFIER:pass CUSTOM_CHALLENGE(CAPTCHA_CHALLENGE):fail CUSTOM_CHALLENGE(CAPTCHA_CHALLENGE):pass]
	//   -> issue tokens
	// [SRP_A:pass PASSWORD_VERIFIER:pass CUSTOM_CHALLENGE(CAPTCHA_CHALLENGE):fail CUSTOM_CHALLENGE(CAPTCHA_CHALLENGE):fail]
	//   -> fail: attempts exhausted
	// [SRP_A:pass CUSTOM_CHALLENGE(CAPTCHA_CHALLENGE):pass]
	//   -> fail: unexpected round
}
