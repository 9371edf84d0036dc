// Package migration serves the Cognito User Migration trigger: users of a
// legacy system move into a user pool the first time they sign in (or ask
// to reset their password), with their password and profile, and without
// anyone noticing.
//
// A Handler verifies the password against a legacy Source
// (UserMigration_Authentication) or looks the user up
// (UserMigration_ForgotPassword), maps legacy fields to Cognito attributes
// with a Mapping, and answers Cognito. An unknown user, a wrong password and
// a user who cannot receive a reset code are refused with one message, so
// that a client cannot learn which names exist.
//
// # Failing fast
//
// Cognito waits 5 seconds for the trigger and then retries, three attempts
// in all: a hung legacy system makes every sign-in hang for 15 seconds.
// Every legacy call therefore runs through a Guard: a sony/gobreaker circuit
// breaker, a per-attempt timeout cut to the deadline budget that
// triggers.Deadline sets, and retries with jittered backoff only while that
// budget allows. Once the breaker opens, sign-ins of legacy users fail at
// once with a clear message (DefaultUnavailableMessage); after
// BreakerConfig.OpenFor a probe goes through, and the first success closes
// the breaker again. Unknown users and wrong passwords are answers, not
// failures: they never open the breaker.
//
// # Sources
//
// MemorySource is the embedded default; sub-packages adapt an OAuth2
// password-grant identity service (httpsource) and a DynamoDB table of
// password hashes (dynamosource). Hashes are verified by package passhash
// (bcrypt, argon2id, scrypt, PBKDF2-SHA256). A Source that also implements
// Enumerator can list its users for the bulk import of those who never sign
// in (package importcsv and `cognitrig migrate csv`).
//
// # Tracking
//
// Each outcome (migrated, not found, wrong password, no verified contact,
// legacy unavailable) is recorded by a Tracker, without the password:
// MemoryTracker here, a DynamoDB table in dynamotracker. Operators read
// progress from it, and the bulk import skips the users it lists as
// migrated. Both implementations pass the suite in migrationtest.
//
// # Metrics and logs
//
// Outcomes, legacy attempts, failures, retries, fast failures, latency and
// breaker transitions are added to the invocation's metrics record
// (triggers.Metrics); breaker transitions are logged when they happen.
// Passwords and tokens reach neither, nor any error or tracking record.
package migration
