// Package sendercode encrypts one-time codes as Cognito hands them to the
// custom sender triggers, for tests of the functions that decrypt them.
// It is apart from bootstraptest so that only the tests that need the AWS
// Encryption SDK link it.
package sendercode
