// Package customauth is the customauth concern of the deployable functions (CustomAuth),
// composed by package compose. It imports only the AWS service clients
// that the concern calls, so that the function handlers/customauth links no other
// (see compose.Client and compose's linking_test.go).
package customauth
