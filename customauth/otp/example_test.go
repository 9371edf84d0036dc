package otp_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/cognitrig/cognitrig/customauth"
	"github.com/cognitrig/cognitrig/customauth/deliver"
	"github.com/cognitrig/cognitrig/customauth/otp"
	"github.com/cognitrig/cognitrig/customauth/records"
	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

// An email code, trigger by trigger: Create sends the code once, even when
// Cognito retries it; Verify counts a wrong answer, accepts the right one
// once, and refuses it after that.
func Example() {
	ctx := context.Background()
	now := time.Date(2030, 1, 1, 9, 0, 0, 0, time.UTC) // a fixed clock

	// An outbox stands in for an ses.Sender; it prints what it sends, masked.
	var outbox []deliver.Message
	sender := deliver.SenderFunc(func(_ context.Context, m deliver.Message) error {
		fmt.Printf("email to %s: %s\n", deliver.MaskAddress(m.To), m.Masked())
		outbox = append(outbox, m)
		return nil
	})
	ch, err := otp.New(otp.Config{
		Channel: deliver.Email,
		Sender:  sender,
		Store:   &records.MemoryStore{}, // records.DynamoStore when deployed
		Key:     []byte("example-otp-key-0123456789abcdef-01"),
		Now:     func() time.Time { return now },
	})
	if err != nil {
		log.Fatal(err)
	}

	// The recorded events of triggertest stand in for Cognito's.
	create, err := triggertest.Event[triggers.CreateAuthChallengeEvent]("CreateAuthChallenge_Authentication.passwordless")
	if err != nil {
		log.Fatal(err)
	}
	round := customauth.Round{Attempt: 1, MaxAttempts: 3}
	params, err := ch.Create(ctx, create, round)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := ch.Create(ctx, create, round); err != nil { // Cognito's retry
		log.Fatal(err)
	}
	fmt.Println(ch.Name(), "public:", params.Public)
	fmt.Println("private:", params.Private)
	fmt.Println("emails sent:", len(outbox))

	// Verify gets the private parameters from Cognito, and the user's
	// answer: here the code from the email, and a wrong one first.
	verify, err := triggertest.Event[triggers.VerifyAuthChallengeResponseEvent]("VerifyAuthChallengeResponse_Authentication")
	if err != nil {
		log.Fatal(err)
	}
	verify.Request.PrivateChallengeParameters = params.Private
	code := outbox[0].Secret.Reveal()
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	now = now.Add(30 * time.Second)
	for _, answer := range []string{wrong, code, code} {
		verify.Request.ChallengeAnswer = triggers.Secret(answer)
		correct, err := ch.Verify(ctx, verify)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("answer", verify.Request.ChallengeAnswer, "correct:", correct)
	}

	// Output:
	// email to j***@example.com: Your sign-in code is [REDACTED]. It expires in 5 minutes.
	// EMAIL_OTP public: map[channel:EMAIL codeLength:6]
	// private: map[exp:[REDACTED] mac:[REDACTED] nonce:[REDACTED] slot:[REDACTED]]
	// emails sent: 1
	// answer [REDACTED] correct: false
	// answer [REDACTED] correct: true
	// answer [REDACTED] correct: false
}
