// Package e2e runs the shipped Lambda handlers end to end: real bootstrap
// binaries behind a local Lambda Invoke API (internal/lambdart), driven by
// cognito-local, a third-party Cognito emulator, through the aws-sdk-go-v2
// Cognito client, with DynamoDB state in dynalite. Everything listens on
// 127.0.0.1 and stops when the tests end, pass or fail.
//
// cognito-local 5.3.0 calls PreSignUp, PostConfirmation, PostAuthentication,
// PreTokenGeneration (version 1 only), UserMigration and CustomMessage, and
// supports USER_PASSWORD_AUTH. It has no custom authentication, no SRP and no
// pre token generation V2/V3: those triggers are covered by the Runtime-API
// tests of the shipped binaries in handlers/.
package e2e
