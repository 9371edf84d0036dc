// Package confirm runs post-confirmation hooks (a welcome email, a tenant
// membership record) once per confirmed user, however often Cognito
// delivers the event.
//
// Cognito retries a trigger that fails or takes longer than five seconds,
// and the first attempt may still be running when the retry arrives. A
// Runner therefore guards each hook with a marker per (user pool, user,
// hook) in a MarkerStore, changed only by single-item conditional writes:
//
//   - Begin claims the marker for this attempt with a lease, unless the hook
//     is done or another attempt's lease is live;
//   - Finish marks it done when the hook succeeded: later deliveries skip it;
//   - Release drops the claim when the hook failed: the handler fails, and
//     Cognito's retry runs that hook again (and skips the ones that are done).
//
// A hook therefore never runs twice after it succeeded; it may run again
// after a failure, or after its Lambda was killed mid-way once the lease
// has passed. MemoryStore serves tests and local runs; DynamoStore keeps
// markers in DynamoDB with a TTL attribute, expiry checked on read too.
package confirm
