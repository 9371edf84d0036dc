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
// # Response checks
//
// After each handler the Router checks the response against Amazon
// Cognito's documented rules (Findings, Rules). Each rule has a severity:
// Rejected (Cognito fails the operation with this response: the router
// fails the invocation and logs the reason) or Ignored (Cognito documents
// that it ignores or drops this part: the router sends the response
// unchanged and logs one warning naming the rules; RejectIgnored makes it a
// failure, and triggertest fails tests on it unless AllowIgnored). The
// audit, rule by rule:
//
//	rule                                      severity  AWS page
//	presignup.autoverify-email-without-email  rejected  Pre sign-up Lambda trigger
//	presignup.autoverify-phone-without-phone  rejected  Pre sign-up Lambda trigger
//	presignup.admin-create-user-flags         ignored   Pre sign-up Lambda trigger
//	define.tokens-and-failure                 rejected  Define auth challenge Lambda trigger (fails closed)
//	define.no-decision                        rejected  Define auth challenge Lambda trigger
//	define.tokens-for-unknown-user            rejected  Define auth challenge Lambda trigger
//	pretoken.reserved-claim                   ignored   Pre token generation Lambda trigger (claims table)
//	pretoken.group-claim-in-claims            ignored   Pre token generation Lambda trigger (claims table)
//	pretoken.object-in-id-claim               ignored   Pre token generation Lambda trigger (event versions)
//	pretoken.id-token-for-client-credentials  ignored   Pre token generation Lambda trigger
//	pretoken.scope-format                     rejected  Pre token generation Lambda trigger
//	migration.no-attributes                   rejected  Migrate user Lambda trigger
//	migration.final-user-status               rejected  Migrate user Lambda trigger
//	migration.message-action                  rejected  Migrate user Lambda trigger
//	migration.delivery-medium                 rejected  Migrate user Lambda trigger; AdminCreateUser (API Reference)
//	migration.sms-mfa-without-phone           rejected  Migrate user Lambda trigger
//	migration.forgot-password-unverified      rejected  Migrate user Lambda trigger
//	message.code-placeholder                  rejected  Custom message Lambda trigger
//	message.username-placeholder              rejected  Custom message Lambda trigger
//	message.length                            rejected  Custom message Lambda trigger; MessageTemplateType (API Reference)
//	federation.attribute-value-length         rejected  Inbound federation Lambda trigger; Mapping IdP attributes to profiles and tokens
//
// Removed after the audit, because Cognito has no such rule: a
// CUSTOM_CHALLENGE without public parameters (Create auth challenge Lambda
// trigger: the parameters are the function's choice); emailMessage without
// emailSubject (an empty field keeps the pool's subject); issueTokens with
// a leftover challengeName (Cognito issues tokens); suppressing
// cognito:groups, cognito:roles or cognito:preferred_role (the claims table
// allows it); sub in a migrated user's attributes (not on the Migrate user
// page). Changed: the link placeholder stands for the code only in email
// of CustomMessage_SignUp and CustomMessage_ResendCode, where Cognito
// verifies by link; a forgot-password migration needs a verified address,
// not only an address. Not checkable from the event: emailMessage and
// emailSubject need the pool's EmailSendingAccount DEVELOPER (Custom
// message Lambda trigger).
//
// # What the client sees
//
// Cognito shows a trigger's error text to the caller. Router.Invoke returns
// a Refusal's own message, and nothing else: every other failure (a failed
// check, a store or SDK error, a panic, a deadline, a malformed event)
// becomes a *ClientError whose text is the router's client message
// (WithClientMessage, default DefaultClientMessage) and a reference, the
// Lambda request ID. The router logs the full cause with that reference.
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
