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
// the breaker again. Only outages count against the breaker: no answer, a
// timeout, a 5xx, the legacy system refusing our own client. Unknown
// users, wrong passwords and refusals about one user (ErrRefused: a locked
// account, an over-long password, a per-user rate limit) are answers (see
// IsAnswer): they are never retried and never open the breaker, since
// anyone can provoke them for any name. Guard.State returns a BreakerState
// and errors wrap ErrBreakerOpen, so callers need not import gobreaker.
//
// # What the client controls
//
// The user name and the password of the event are the client's. The name is
// escaped into a legacy look-up URL (httpsource), never trusted to be a
// legacy user until the Source returns one, and never kept as typed: until
// then, tracking records and log lines hold only NameDigest, an
// HMAC-SHA256 under Config.NameKey. Unknown names are verified against a
// stand-in hash with the cost of the legacy hashes, so they answer as
// slowly as wrong passwords. Legacy fields never set the tenant attribute
// of package tenancy nor Config.DenyAttributes (DefaultDenyAttributes).
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
// Each outcome (migrated, not found, wrong password, refused, no verified
// contact, legacy unavailable) is recorded by a Tracker, without the
// password, under the legacy username or a NameDigest (see Attempt):
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
