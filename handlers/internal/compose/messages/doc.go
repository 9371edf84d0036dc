// Package messages is the messages concern of the deployable functions (Messages),
// composed by package compose. It imports only the AWS service clients
// that the concern calls, so that the function handlers/messages links no other
// (see compose.Client and compose's linking_test.go).
package messages
