// Package otp is a customauth challenge that sends a one-time code by email
// or SMS and checks the answer.
//
// # How a code is made, re-used and checked
//
// Cognito may run CreateAuthChallenge up to three times for one round (a
// cold start, a slow call), and a user who starts the sign-in again should
// not get a flood of different codes. So the code is not drawn per call.
// Each (user pool, user, challenge) has one live record in a records.Store,
// created with a conditional put-if-absent: it holds a 128-bit nonce from
// crypto/rand and an expiry. The code is derived from the nonce with
// HMAC-SHA-256 under a key that only the function has (digits by rejection
// sampling, so every code is equally likely). A retried Create finds the
// same record and so the same code; a conditional update of the record's
// send time lets only one invocation send it, and sends again only after
// ResendAfter.
//
// The record holds no code; neither do the private challenge parameters,
// which carry the record's slot and nonce, the expiry, and a MAC over the
// code and the expiry. Verify recomputes that MAC over the answer and
// compares in constant time (crypto/subtle). A correct answer consumes the
// record with a conditional delete, so a code works once; a wrong answer is
// counted on the record, which is deleted after MaxGuesses of them, so
// restarting the sign-in does not give an attacker more guesses at the same
// code.
//
// For a user that does not exist, or without a verified address, Create
// returns parameters of the same shape, sends nothing and stores nothing,
// and Verify answers wrong.
package otp
