package secquestion_test

import (
	"context"
	"fmt"
	"log"
	"strings"

	"github.com/cognitrig/cognitrig/customauth"
	"github.com/cognitrig/cognitrig/customauth/secquestion"
	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

// A security question, trigger by trigger: the user enrolls a question and
// an answer (stored as an argon2id hash); Create asks the question and
// passes the hash on privately; Verify checks the normalised answer.
func Example() {
	ctx := context.Background()
	// Cheap argon2id costs keep the example fast; deploy
	// secquestion.DefaultParams.
	cost := secquestion.Params{Time: 1, Memory: 64, Threads: 1, SaltLen: 16, KeyLen: 32}

	store := &secquestion.MemoryStore{} // secquestion.DynamoStore when deployed
	// The user key is the user's sub (customauth.UserKey).
	err := secquestion.Enroll(ctx, store, "us-east-1_EXAMPLE1", "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111",
		"What was the name of your first pet?", triggers.Secret("Rex"), cost)
	if err != nil {
		log.Fatal(err)
	}
	ch, err := secquestion.New(secquestion.Config{
		Store:          store,
		DecoyQuestions: []string{"What was the name of your first pet?", "In which city were you born?"},
		DecoyKey:       []byte("example-decoy-key-0123456789abcdef"),
		Params:         cost,
	})
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
	fmt.Println(ch.Name(), "public:", params.Public)

	verify, err := triggertest.Event[triggers.VerifyAuthChallengeResponseEvent]("VerifyAuthChallengeResponse_Authentication")
	if err != nil {
		log.Fatal(err)
	}
	verify.Request.PrivateChallengeParameters = params.Private
	for _, answer := range []string{"Max", "  rex "} {
		verify.Request.ChallengeAnswer = triggers.Secret(answer)
		correct, err := ch.Verify(ctx, verify)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("answer", verify.Request.ChallengeAnswer, "correct:", correct)
	}

	// Output:
	// SECURITY_QUESTION public: map[question:What was the name of your first pet?]
	// answer [REDACTED] correct: false
	// answer [REDACTED] correct: true
}

// Hash stores the normalised answer as a salted argon2id hash in the PHC
// string format, with its costs; Check compares an answer with it.
func ExampleHash() {
	cost := secquestion.Params{Time: 1, Memory: 64, Threads: 1, SaltLen: 16, KeyLen: 32}
	encoded, err := secquestion.Hash(triggers.Secret("Rex"), cost)
	if err != nil {
		log.Fatal(err)
	}
	// The salt and the hash after the costs are random.
	fmt.Println(strings.HasPrefix(encoded, "$argon2id$v=19$m=64,t=1,p=1$"))
	for _, answer := range []string{" REX", "Max"} {
		ok, err := secquestion.Check(triggers.Secret(answer), encoded)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(ok)
	}

	// Output:
	// true
	// true
	// false
}

func ExampleNormalize() {
	fmt.Printf("%q\n", secquestion.Normalize("  New   YORK "))

	// Output:
	// "new york"
}
