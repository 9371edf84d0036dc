package triggers

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"

	"github.com/aws/aws-lambda-go/lambdacontext"
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
// Cognito's; Problems say what is wrong and how to fix it, and Findings say
// which rule each breaks and how severe it is (see Findings). The client
// never sees this text: the Router shows it the client message instead.
type ResponseError struct {
	Source   TriggerSource
	Problems []string
	Findings []Finding
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

// ---- What the client sees ----

// DefaultClientMessage is what the client sees, with a reference, when a
// trigger fails for any reason other than a Refusal. Set another with
// WithClientMessage.
const DefaultClientMessage = "The request could not be completed. Try again later, or contact support and quote the reference."

// ClientError is the error Router.Invoke returns for every failure that is
// not a Refusal: a failed response check, a store or SDK error, a panic, a
// deadline, a malformed event. Amazon Cognito shows a trigger's error text
// to the caller ("<trigger> failed with error <text>"), so Error returns
// only the router's client message and the reference; the cause, which may
// name tables, ARNs, endpoints or fields, is logged once with the same
// reference (by the Logging middleware when it is in the chain, else by the
// router) and kept for errors.Is and errors.As.
type ClientError struct {
	Message   string // the router's client message
	Reference string // the Lambda request ID, or a generated one outside Lambda
	Cause     error
}

func (e *ClientError) Error() string {
	return fmt.Sprintf("%s (reference %s)", e.Message, e.Reference)
}

// Unwrap returns the cause.
func (e *ClientError) Unwrap() error { return e.Cause }

// hideError is deferred by Router.Invoke. It turns a panic that no
// middleware recovered into a *PanicError, passes a Refusal through with its
// own text only, and replaces any other error by a *ClientError, logging the
// cause with the reference the client sees.
func (r *Router) hideError(ctx context.Context, payload []byte, out *[]byte, err *error) {
	if v := recover(); v != nil {
		h, _ := readHeader(payload)
		pe := &PanicError{Source: h.TriggerSource, ValueType: fmt.Sprintf("%T", v)}
		r.logger.LogAttrs(ctx, slog.LevelError, "trigger handler panicked",
			slog.String("triggerSource", string(pe.Source)),
			slog.String("panicType", pe.ValueType),
			slog.String("stack", string(debug.Stack())))
		*out, *err = nil, pe
	}
	if *err == nil {
		return
	}
	*out, *err = nil, r.clientError(ctx, payload, *err)
}

// clientError maps err to what the client may see; see ClientError.
func (r *Router) clientError(ctx context.Context, payload []byte, err error) error {
	var refusal *Refusal
	if errors.As(err, &refusal) {
		// Only the refusal's own text: a wrapping error's prefix could name
		// internals.
		return refusal
	}
	var ce *ClientError
	if errors.As(err, &ce) {
		return ce // already mapped (a Router invoked by a Router)
	}
	var le *loggedError
	if errors.As(err, &le) {
		// Logging has logged the cause with this reference already.
		return &ClientError{Message: r.clientMessage, Reference: le.reference, Cause: err}
	}
	ce = &ClientError{Message: r.clientMessage, Reference: reference(ctx), Cause: err}
	h, _ := readHeader(payload)
	r.logger.LogAttrs(ctx, slog.LevelError, "trigger failed; the client was shown the client message",
		slog.String("reference", ce.Reference),
		slog.String("triggerSource", string(h.TriggerSource)),
		slog.String("errorType", fmt.Sprintf("%T", err)),
		slog.String("error", err.Error()))
	return ce
}

// loggedError marks a failure that the Logging middleware has logged, with
// the reference it logged, so that the router neither logs it a second
// time nor makes up another reference. It is transparent to errors.Is,
// errors.As and Error.
type loggedError struct {
	err       error
	reference string
}

func (e *loggedError) Error() string { return e.err.Error() }
func (e *loggedError) Unwrap() error { return e.err }

// asLogged returns err marked as logged, keeping the reference of an inner
// Logging middleware if one marked it already.
func asLogged(ctx context.Context, err error) *loggedError {
	if le, ok := err.(*loggedError); ok {
		return le
	}
	return &loggedError{err: err, reference: reference(ctx)}
}

// reference returns the Lambda request ID of ctx, or a random one.
func reference(ctx context.Context) string {
	if lc, ok := lambdacontext.FromContext(ctx); ok && lc.AwsRequestID != "" {
		return lc.AwsRequestID
	}
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read does not fail (Go 1.24+)
	return "local-" + hex.EncodeToString(b[:])
}

// clip bounds untrusted text placed in an error message.
func clip(s string) string {
	const max = 64
	if len(s) > max {
		return s[:max] + "…"
	}
	return s
}
