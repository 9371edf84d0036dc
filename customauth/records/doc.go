// Package records keeps the one live challenge record of each slot - a
// (user pool, user, challenge) - for challenges that send a secret: the
// random nonce from which a one-time code or a magic link is derived, its
// expiry, when it was last sent and how many wrong answers it has had.
//
// The record makes those challenges idempotent and single-use across Lambda
// instances: a retried CreateAuthChallenge finds the live record and derives
// the same code from its nonce (Open), only one of several concurrent
// invocations sends it (ClaimSend), a correct answer consumes it (Consume,
// a conditional delete) and wrong answers burn it after a limit (Fail).
//
// A record holds no secret: the code or link is a keyed MAC of the nonce,
// and the key is not in the store.
//
// MemoryStore serves tests and local runs; DynamoStore is for deployment.
// Both pass one conformance suite.
package records
