// Package migration is the migration concern of the deployable functions (Migration),
// composed by package compose. It imports only the AWS service clients
// that the concern calls, so that the function handlers/migration links no other
// (see compose.Client and compose's linking_test.go).
package migration
