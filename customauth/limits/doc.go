// Package limits keeps each user's sign-in budget for custom
// authentication: a failure budget shared by every challenge whose answer
// depends on the user (one-time code, magic link, security question) and a
// cap on the codes and links delivered to the user.
//
// MaxFailures wrong answers within FailureWindow lock the user out for
// Lockout; every further lockout doubles it, up to MaxLockout, until
// MaxLockout plus twice the longer window have passed since the last
// lockout ended, when it starts again at Lockout. Independently, at
// most MaxSends rounds that deliver a code or a link are allowed per
// SendWindow. While locked, nothing is counted and every charge is refused.
//
// Counts live in fixed windows whose index is part of the attribute name
// ("f" + window index), so that a count never needs a read-reset-write:
// a charge is one UpdateItem with a ConditionExpression, and only the
// charge that starts a lockout makes a second, conditional write. The
// failure count is the sum of the current and the previous window, so a
// window boundary cannot double the budget.
//
// DynamoStore keeps the budget in a DynamoDB table with a string partition
// key "pk" (records.TableDefinition; it can share the challenge table), one
// item per user, keys prefixed "budget#". Its TTL attribute is
// "expiresAt": set it as the table's TTL attribute; reads still check it,
// as TTL deletion lags. MemoryStore keeps the same state in process
// memory; both pass one conformance suite.
package limits
