package triggers

import (
	"errors"
	"fmt"
	"strings"
)

// ErrNoTriggerSource is returned for an event without a triggerSource field:
// the payload is not a Cognito user-pool trigger event.
var ErrNoTriggerSource = errors.New("triggers: event has no triggerSource: not a Cognito user-pool trigger event")

// UnknownSourceError is returned for a triggerSource this package does not
// know.
type UnknownSourceError struct {
	Source TriggerSource
}

func (e *UnknownSourceError) Error() string {
	return fmt.Sprintf("triggers: unknown triggerSource %q: not a Cognito user-pool trigger source this version knows (see triggers.AllSources)", clip(string(e.Source)))
}

// VersionError is returned for an event whose version does not fit its
// trigger source.
type VersionError struct {
	Source  TriggerSource
	Version string
	Want    string
}

func (e *VersionError) Error() string {
	return fmt.Sprintf("triggers: %s event has version %q, want %s; check the trigger's LambdaVersion in the user pool's LambdaConfig",
		e.Source, clip(e.Version), e.Want)
}

// NoHandlerError is returned when the router has no handler for an event's
// trigger. Register one, or use PassThroughUnhandled.
type NoHandlerError struct {
	Source     TriggerSource
	Trigger    Trigger
	Registered []Trigger
}

func (e *NoHandlerError) Error() string {
	names := make([]string, len(e.Registered))
	for i, t := range e.Registered {
		names[i] = t.String()
	}
	reg := "none"
	if len(names) > 0 {
		reg = strings.Join(names, ", ")
	}
	return fmt.Sprintf("triggers: no handler for %s (trigger %s); registered: %s. Register a handler for it, or attach this function only to the registered triggers",
		e.Source, e.Trigger, reg)
}

// DecodeError is returned when a payload is not a well-formed event. It
// reports where decoding failed, never the payload's content: payloads carry
// passwords and codes.
type DecodeError struct {
	Source TriggerSource // empty when the header could not be read
	Offset int64         // byte offset of a syntax error, or -1
	Field  string        // the field with a wrong type, if known
	Kind   string        // the JSON kind that was found there, if known
}

func (e *DecodeError) Error() string {
	what := "event"
	if e.Source != "" {
		what = string(e.Source) + " event"
	}
	switch {
	case e.Field != "":
		return fmt.Sprintf("triggers: malformed %s: field %s has a JSON %s of the wrong type", what, e.Field, e.Kind)
	case e.Offset >= 0:
		return fmt.Sprintf("triggers: malformed %s: invalid JSON at byte %d", what, e.Offset)
	default:
		return fmt.Sprintf("triggers: malformed %s: not a JSON object", what)
	}
}

// ResponseError is returned when a handler's response breaks a rule of
// Cognito's; Problems say what is wrong and how to fix it.
type ResponseError struct {
	Source   TriggerSource
	Problems []string
}

func (e *ResponseError) Error() string {
	return fmt.Sprintf("triggers: invalid %s response: %s", e.Source, strings.Join(e.Problems, "; "))
}

// PanicError is returned by Recover when a handler panics. It carries the
// trigger source and the panic value's type, not the value: a panic value
// can hold anything, secrets included. The stack is logged, not returned.
type PanicError struct {
	Source    TriggerSource
	ValueType string
}

func (e *PanicError) Error() string {
	return fmt.Sprintf("triggers: internal error in %s handler (panic of type %s); see the function's log", e.Source, e.ValueType)
}

// clip bounds untrusted text placed in an error message.
func clip(s string) string {
	const max = 64
	if len(s) > max {
		return s[:max] + "…"
	}
	return s
}
