// Package migrationtest holds what the tests of package migration and its
// adapters share: the conformance suites that every Source and Tracker
// implementation must pass (TestSource, TestTracker), a fixture of legacy
// users with a hash of each supported algorithm, a fake clock, and
// IdentityService, a local OAuth2 identity service on httptest that can be
// made slow, hung, failing or flapping.
package migrationtest
