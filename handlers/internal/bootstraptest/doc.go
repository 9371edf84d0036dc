// Package bootstraptest tests the shipped `bootstrap` binaries of handlers/*:
// it builds an entry point once per test binary, as Lambda builds it (static,
// lambda.norpc, trimmed) but for the host's architecture, runs it under a
// local Lambda Runtime API (internal/lambdart) with the AWS SDK pointed at
// local servers through AWS_ENDPOINT_URL_<SERVICE>, and checks that a bad
// configuration ends it before it asks for an event.
//
// The binary has no test hooks: everything here reaches it through the
// environment and the Runtime API, as Lambda does. It is built without the
// race detector whatever the test's flags: the binary under test is the
// binary that ships.
package bootstraptest
