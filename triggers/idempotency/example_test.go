package idempotency_test

import (
	"context"
	"fmt"

	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/idempotency"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

// Cognito retries a post confirmation whose first attempt it gave up on;
// the welcome e-mail goes out once.
func ExampleNew() {
	guard, _ := idempotency.New(idempotency.Config{Store: idempotency.NewMemoryStore(nil)})
	r := triggers.NewRouter(triggers.WithMiddleware(triggers.Deadline(triggers.DefaultDeadlineMargin), guard))
	sent := 0
	r.PostConfirmation(func(context.Context, *triggers.PostConfirmationEvent) error {
		sent++ // send the welcome e-mail
		return nil
	})
	payload, _ := triggertest.Raw("PostConfirmation_ConfirmSignUp")
	for range 3 {
		_, _ = triggertest.Invoke(r, payload, 0)
	}
	fmt.Println("welcome e-mails:", sent)
	// Output: welcome e-mails: 1
}
