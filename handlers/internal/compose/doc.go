// Package compose builds the deployable Lambda functions of handlers/* from
// the library, configured by environment variables that the CDK app sets
// and that package config reads and checks.
//
// A Concern loads its settings (config.LoadTenancy and the like) through a
// Deps (the variables' lookup, the AWS SDK configuration and the logger)
// and registers its handlers on a *triggers.Router. Each concern is a package of its own below this one
// (customauth, tenancy, migration, messages, authevents), which imports only
// the AWS service clients it calls and gets them through Client, so that
// this package links none of them and each function links only its own.
// The single function serves every concern on one router; each per-concern
// function serves one. Main is the body of every entry point:
//
//	func main() { compose.Main("authevents", authevents.AuthEvents) }
//
// Every setting is read and checked, and every client and handler is built,
// before the first event: a missing or malformed setting ends the process
// with status 1 and a message that names each bad variable, before the
// Lambda Runtime API is asked for an event. Nothing is built per invocation
// that could be built once.
//
// The functions reach AWS through aws-sdk-go-v2's default configuration, so
// the standard variables apply, AWS_ENDPOINT_URL_<SERVICE> included: the
// tests point the shipped binary at local servers with them, and the binary
// has no test hooks of its own.
package compose
