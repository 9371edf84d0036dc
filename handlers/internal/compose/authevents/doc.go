// Package authevents is the authevents concern of the deployable functions (AuthEvents),
// composed by package compose. It imports only the AWS service clients
// that the concern calls, so that the function handlers/authevents links no other
// (see compose.Client and compose's linking_test.go).
package authevents
