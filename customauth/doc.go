// Package customauth derives the three Lambda triggers of Amazon Cognito's
// custom authentication - DefineAuthChallenge, CreateAuthChallenge and
// VerifyAuthChallengeResponse - from one declaration of the challenge
// sequence, so that the three cannot disagree about the state machine.
//
//	flow, err := customauth.New(customauth.Sequence{
//		Password: true, // SRP_A, then PASSWORD_VERIFIER
//		Steps: []customauth.Step{
//			{Challenge: captchaChallenge, MaxAttempts: 3},
//			{Challenge: questionChallenge, MaxAttempts: 3},
//		},
//	})
//	...
//	flow.Register(router) // Define, Create and Verify on a *triggers.Router
//
// # The decision
//
// Flow.Decide is the state machine: a pure function of the session array,
// the facts of the request (user attributes, clientMetadata, groups) and
// userNotFound. It walks the session against the steps whose conditions
// hold. Each round must be the step expected at that point - by challenge
// name, and for custom challenges by challengeMetadata, which Create sets
// to the challenge's Name - a passing round moves on, a failing one counts
// an attempt. The answer is the next challenge, or tokens when the last
// round passed the last step, or failure: a round out of order, an unknown
// name or metadata, a step out of attempts (Step.MaxAttempts), a session
// longer than Sequence.MaxRounds or too short for the steps still ahead, or
// no applicable step at all. Define applies it; Create applies it again to
// learn which step to create (the Create event has the same session), so
// the two always agree. Verify has no session: Create puts the challenge's
// name in the private parameters under ChallengeParam, which the
// client can neither see nor change, and Verify dispatches on it.
//
// A property test checks Decide on hundreds of thousands of random session
// histories per sequence shape, most of which no correct client could
// produce, against an independent model.
//
// # Conditions and alternatives
//
// Step.When makes a step conditional on the Facts (AttributeEquals,
// AttributeVerified, InGroup with Sequence.Groups, ClientMetadataEquals).
// Step.Alternatives offer equally strong challenges for one step, such as a
// code by email or by SMS; Step.Choose picks one per round (PreferVerified,
// ByClientMetadata), and a wrong answer to any counts against the step.
// clientMetadata is set by the client: let it choose between alternatives,
// never skip a step that protects the account. A condition that changes
// in the middle of a sign-in can only fail it, never skip a step: rounds of
// a step that is no longer expected are unexpected rounds.
//
// # Users that do not exist
//
// When the app client prevents user-existence errors, Cognito runs the
// triggers for unknown user names with userNotFound set. The flow then
// looks the same to the client: conditions and choosers see a decoy
// profile (Sequence.DecoyProfiles, by default a user with a verified
// email), chosen per name by a keyed hash, so that the fake flow takes the
// steps and choices of a typical real user; Create returns parameters of
// the same shape after the same kind of work (a decoy record, an imitated
// send) and sends nothing; challenges that depend on the user answer
// wrong, and Define never issues tokens - not even for a session that
// passed every step. Decoys derive from the trimmed, lower-case name
// (NormalizeUserName), so they are the same in every letter case and every
// session. Challenges that do not depend on the user (a CAPTCHA) check as
// usual, so that solving them correctly does not reveal anything either.
//
// # The budget
//
// Define charges each round to the user's budget (Sequence.Budget, package
// limits): a wrong answer to a challenge that depends on the user
// (UserBound: code, link, question) spends the failure budget shared by
// them all, across sessions; a round of a challenge that delivers a code
// or link (Delivering) counts against the send cap. At most one store call
// per round. A user over either limit - and a user that does not exist,
// after the same rounds - is refused with LockedMessage, and no tokens are
// issued during a lockout, even for right answers.
//
// # Ready challenges
//
//   - otp: one-time codes by email or SMS. A code is derived with
//     HMAC-SHA-256 from the random nonce of a challenge record that is
//     created with a conditional put-if-absent, so Cognito's retries of
//     Create (up to three on a cold start) get the same code and send it
//     once; the private parameters carry a MAC of the code and its expiry,
//     never the code; a correct answer consumes the record, wrong answers
//     burn it after a limit. See the package documentation.
//   - magiclink: a signed (HMAC-SHA-256 or any Signer, e.g. KMS), expiring
//     link bound to user pool, app client and user, opening one of the
//     exact configured pages (chosen by key), single-use by a conditional
//     delete of its record.
//   - captcha: a Verifier interface and SiteVerify, the HTTP adapter for
//     siteverify endpoints.
//   - secquestion: questions with answers stored only as argon2id hashes.
//
// Package records holds the challenge records (in memory, or DynamoDB),
// deliver the senders (Amazon SES v2, Amazon SNS, and a development sender
// that logs with the secret masked), and customauthtest plays Cognito's part
// in tests, examples and demos.
//
// # Errors and secrets
//
// An error from a challenge that is not already a user-safe
// triggers.Refusal (a store, sender or CAPTCHA service that fails) reaches
// the client as UnavailableMessage, with the cause kept for the log. Wrong,
// empty, oversized, expired, replayed and forged answers are wrong answers,
// not errors. Nothing here logs an answer, a code, a link or a private
// parameter; the handlers log a failed sign-in's reason and wrong answers by
// challenge name, and add the metrics MetricTokensIssued, MetricFailed and
// MetricWrongAnswer and MetricLocked through triggers.AddMetric.
package customauth
