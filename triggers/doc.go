// Package triggers serves Amazon Cognito user-pool Lambda triggers: typed
// events for every trigger source, one Router per Lambda function that
// dispatches on triggerSource (and on version for pre token generation),
// composable Middleware, and checks of each response against Cognito's rules.
//
// A function registers a typed handler per trigger and hands the router to
// lambda.Start, which calls its Invoke method directly:
//
//	r := triggers.NewRouter(triggers.WithMiddleware(triggers.Default(logger)...))
//	r.PreSignUp(func(ctx context.Context, ev *triggers.PreSignUpEvent) error {
//		ev.Response.AutoConfirmUser = false
//		return nil
//	})
//	lambda.Start(r)
//
// A handler fills in event.Response in place. An error fails the operation
// and Cognito shows its text to the client: return Refuse("message") for a
// deliberate, user-safe refusal.
//
// # Secrets
//
// Passwords, challenge answers, codes, private challenge parameters, tokens
// and client metadata arrive in fields of types that mask themselves
// (Secret, SecretMap, Metadata; Attributes masks personal data). They print
// and log as [REDACTED]; only JSON encoding, which Cognito needs, carries
// the value. Errors from this package never quote a payload.
//
// # Deadlines
//
// Cognito waits CognitoTimeout (5 s) for a synchronous trigger, then retries
// up to three attempts in all. The Deadline middleware ends the handler's
// context a margin before that limit (or the Lambda deadline, if earlier), so
// downstream calls that honour ctx stop in time.
//
// The triggertest package replays recorded events through a Router in tests.
package triggers
