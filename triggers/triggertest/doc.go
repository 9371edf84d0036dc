// Package triggertest is a test kit for Cognito triggers: a recorded event
// for every trigger source (several variants where shapes differ), builders
// that vary them, and helpers that invoke a triggers.Router the way the
// Lambda runtime does, JSON in and JSON out.
//
// A test of one's own pre sign-up handler is one line:
//
//	ev := triggertest.Replay[triggers.PreSignUpEvent](t, router, "PreSignUp_SignUp")
//
// The recorded events follow the shapes of the Amazon Cognito Developer
// Guide's trigger pages; secret fields hold distinctive values (containing
// "SECRET") so that tests can prove those values never reach a log.
package triggertest
