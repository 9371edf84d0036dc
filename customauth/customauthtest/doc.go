// Package customauthtest plays Amazon Cognito's part in a custom
// authentication sign-in, for tests, examples and demos: it invokes the
// DefineAuthChallenge, CreateAuthChallenge and VerifyAuthChallengeResponse
// triggers of a Router in turn, JSON in and JSON out, as Cognito does, and
// keeps the session between rounds.
//
// Events start from the recorded ones of triggertest
// (DefineAuthChallenge_Authentication, CreateAuthChallenge_Authentication,
// VerifyAuthChallengeResponse_Authentication), so they have Cognito's shape.
// Cognito's own password rounds are simulated: SRP_A passes, and
// PASSWORD_VERIFIER passes unless WrongPassword is set or the user does not
// exist (Cognito checks the password against a fake verifier then).
package customauthtest
