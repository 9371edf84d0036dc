// Package lifecycle groups ready-made handlers for the Cognito triggers
// around a user's life in a pool, each in a subpackage with one job:
//
//   - messages: custom-message templates per trigger source and locale,
//     checked for Cognito's placeholders when they are built, and the
//     custom email and SMS senders that render them and deliver through
//     Amazon SES or Amazon SNS.
//   - messages/esdk: decryption of the code that Cognito sends to the custom
//     senders, with the AWS Encryption SDK.
//   - authpolicy: composable pre-authentication checks, and post-authentication
//     audit records with a hook that requires MFA after a risky sign-in.
//   - confirm: post-confirmation hooks that run once per confirmed user,
//     however often Cognito delivers the event.
//
// Each handler has the signature that triggers.Router expects, so that a
// function wires them with one line each:
//
//	r.CustomMessage(catalog.CustomMessage)
//	r.PreAuthentication(preAuth) // preAuth, err := authpolicy.PreAuthentication(checks...)
//	r.PostConfirmation(runner.PostConfirmation)
package lifecycle
