// Package idempotency runs the side effect of a retried trigger once.
//
// Amazon Cognito invokes every trigger but the custom senders synchronously
// and, when the function errs or does not answer within 5 seconds, invokes
// it again, up to three attempts in all ("Customizing user pool workflows
// with Lambda triggers", Amazon Cognito Developer Guide). Lambda retries the
// asynchronous custom email and SMS senders twice after an error ("Invoking
// a Lambda function asynchronously", AWS Lambda Developer Guide). A
// post-confirmation hook that writes a record, a post-authentication audit
// entry or a sent e-mail would then happen up to three times.
//
// New returns a triggers.Middleware that keys each guarded event by its
// identity (see Key), claims the key in a Store before the handler runs,
// and records completion after it: a retry of a completed event returns
// without running the handler, and a duplicate that arrives while the first
// still runs waits for it (polling the store within its own deadline)
// instead of running beside it.
//
//	store, _ := idempotency.NewDynamoStore(client, "cognitrig-idempotency", nil)
//	guard, _ := idempotency.New(idempotency.Config{Store: store})
//	r := triggers.NewRouter(triggers.WithMiddleware(append(triggers.Default(logger), guard)...))
//
// Only triggers whose response carries nothing are guarded, so that
// skipping the handler of a retry returns what the first attempt returned:
// post confirmation, post authentication and the custom email and SMS
// senders. Other events pass through.
//
// # Records
//
// A Store keeps one record per key, with single-item conditional writes
// (DynamoStore: PutItem, UpdateItem, DeleteItem, each with a condition):
//
//   - Begin writes an in-progress record owned by the attempt, with a lease
//     as long as the handler may run (its context's deadline, plus a
//     second), unless the key is done or another attempt's lease runs.
//   - Finish turns the attempt's record into done, kept for Keep.
//   - Release deletes the attempt's in-progress record when the handler
//     failed, so that the retry runs the side effect.
//
// Every record carries an expiry (DynamoStore: attribute "expiresAt", Unix
// seconds, the table's TTL attribute). DynamoDB deletes expired items
// only eventually, so every read also checks the expiry: an expired record
// counts as absent. MemoryStore and DynamoStore pass the same conformance
// suite (package storetest).
//
// # Metrics
//
// IdempotentReplays (Count) counts retries answered from a done record;
// IdempotentInProgress (Count) counts duplicates that found another attempt
// running.
package idempotency
