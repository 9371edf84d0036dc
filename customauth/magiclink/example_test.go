package magiclink_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/cognitrig/cognitrig/customauth"
	"github.com/cognitrig/cognitrig/customauth/deliver"
	"github.com/cognitrig/cognitrig/customauth/magiclink"
	"github.com/cognitrig/cognitrig/customauth/records"
	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

// A magic link, trigger by trigger: Create emails a signed link to the
// page that the app names in clientMetadata; the app answers the challenge
// with the link's token, which works once.
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
	// HMACSigner keeps the key in the function; kmssigner keeps it in KMS.
	signer, err := magiclink.NewHMACSigner([]byte("example-link-key-0123456789abcdef-0"))
	if err != nil {
		log.Fatal(err)
	}
	ch, err := magiclink.New(magiclink.Config{
		Signer:  signer,
		Store:   &records.MemoryStore{}, // records.DynamoStore when deployed
		Sender:  sender,
		Pages:   map[string]string{"signin": "https://app.example.com/signin"},
		Subject: "Your sign-in link",
		Body:    "Open this link to sign in: " + deliver.Placeholder,
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
	create.Request.ClientMetadata = triggers.Metadata{"page": "signin"}
	params, err := ch.Create(ctx, create, customauth.Round{Attempt: 1, MaxAttempts: 1})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ch.Name(), "public:", params.Public)
	link := outbox[0].Secret.Reveal()
	page, token, _ := strings.Cut(link, "#")
	fmt.Println("the link opens", page, "with the token in the fragment:", token != "")

	// The user opens the link; the app answers with its token.
	verify, err := triggertest.Event[triggers.VerifyAuthChallengeResponseEvent]("VerifyAuthChallengeResponse_Authentication")
	if err != nil {
		log.Fatal(err)
	}
	now = now.Add(2 * time.Minute)
	for range 2 {
		verify.Request.ChallengeAnswer = triggers.Secret(token)
		correct, err := ch.Verify(ctx, verify)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("answer", verify.Request.ChallengeAnswer, "correct:", correct)
	}

	// A page that is not configured is refused before anything is sent.
	create.Request.ClientMetadata["page"] = "https://evil.example.net/"
	_, err = ch.Create(ctx, create, customauth.Round{Attempt: 1, MaxAttempts: 1})
	fmt.Printf("refused: %v (%v); emails sent: %d\n", err, errors.Is(err, magiclink.ErrPageNotAllowed), len(outbox))

	// Output:
	// email to j***@example.com: Open this link to sign in: [REDACTED]
	// MAGIC_LINK public: map[channel:EMAIL]
	// the link opens https://app.example.com/signin with the token in the fragment: true
	// answer [REDACTED] correct: true
	// answer [REDACTED] correct: false
	// refused: The sign-in link cannot point to that page. (true); emails sent: 1
}
