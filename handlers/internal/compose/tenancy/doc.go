// Package tenancy is the tenancy concern of the deployable functions (Tenancy),
// composed by package compose. It imports only the AWS service clients
// that the concern calls, so that the function handlers/tenancy links no other
// (see compose.Client and compose's linking_test.go).
package tenancy
