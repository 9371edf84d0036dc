// Package ddbstore holds what the DynamoDB stores of the feature packages
// share: the one-method client interfaces that each store's exported client
// interface is made of, a Table that checks its client and name at
// construction and wraps errors with the table and the operation, the
// table definition builder behind every exported TableDefinition, single-item
// conditional writes that tell a failed condition from an error, attribute
// value helpers, TTL values and the expiry check on read, and paginated
// Query and Scan.
//
// It sits below the feature packages (and below triggers/idempotency) and
// imports only the standard library and the AWS SDK, so every store may use
// it without importing another feature (ARCHITECTURE.md, "Rules").
//
// Errors name the package, the operation and the table, never a key value:
// keys hold user names, and an operation's error may reach a log line.
//
// TTL: DynamoDB deletes an expired item some time after its TTL attribute's
// second, not at it ("Using time to live (TTL) in DynamoDB": items are
// typically deleted within a few days of expiry), so every read checks the
// expiry itself (Live), and every conditional write treats an expired item
// as absent.
package ddbstore
