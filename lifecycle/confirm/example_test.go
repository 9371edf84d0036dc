package confirm_test

import (
	"context"
	"fmt"

	"github.com/cognitrig/cognitrig/lifecycle/confirm"
	"github.com/cognitrig/cognitrig/triggers"
)

func Example() {
	sent := 0
	runner, err := confirm.New(confirm.Config{
		Store: confirm.NewMemoryStore(nil), // confirm.NewDynamoStore in production
		Hooks: []confirm.Hook{{Name: "welcome", Run: func(context.Context, *triggers.PostConfirmationEvent) error {
			sent++
			return nil
		}}},
	})
	if err != nil {
		panic(err)
	}
	ev := &triggers.PostConfirmationEvent{}
	ev.TriggerSource = triggers.PostConfirmationConfirmSignUp
	ev.UserPoolID, ev.UserName = "us-east-1_EXAMPLE", "jdoe"
	ev.Request.UserAttributes = triggers.Attributes{"sub": "1234"}

	for range 3 { // Cognito delivers the event again, and again
		_ = runner.PostConfirmation(context.Background(), ev)
	}
	fmt.Println("welcome messages sent:", sent)
	// Output: welcome messages sent: 1
}
