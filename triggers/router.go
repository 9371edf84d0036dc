package triggers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
)

// Handler handles one decoded trigger event: it reads the request and fills
// in the response of the event, in place. Middleware wraps Handlers.
type Handler interface {
	HandleTrigger(ctx context.Context, event Event) error
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(ctx context.Context, event Event) error

// HandleTrigger calls f.
func (f HandlerFunc) HandleTrigger(ctx context.Context, event Event) error { return f(ctx, event) }

// Middleware wraps a Handler, as net/http middleware wraps an http.Handler.
type Middleware func(Handler) Handler

// Func is the typed handler of one trigger. E is the trigger's event type,
// such as PreSignUpEvent; the handler fills in event.Response. A returned
// error fails the operation, and its text is shown to the client.
type Func[E any] func(ctx context.Context, event *E) error

// Router serves one Lambda function for many triggers: it reads the
// triggerSource (and, for pre token generation, the version) of each event,
// decodes the event into its type and calls the handler registered for the
// trigger, through the router's middleware.
//
// Router implements lambda.Handler, so lambda.Start(router) runs it without
// reflection. Register handlers before the first Invoke; a Router is safe
// for concurrent use once it serves.
type Router struct {
	middleware  []Middleware
	handlers    [numTriggers]Handler
	decoders    [numTriggers]*codec
	passThrough bool
	noChecks    bool

	// Response checks and what the client sees (see Findings, ClientError).
	logger        *slog.Logger
	rejectIgnored bool
	clientMessage string
}

// Option configures a Router.
type Option func(*Router)

// WithMiddleware adds middleware around every handler registered afterwards.
// The first middleware is the outermost.
func WithMiddleware(mw ...Middleware) Option {
	return func(r *Router) { r.middleware = append(r.middleware, mw...) }
}

// PassThroughUnhandled makes the router return events of triggers without a
// handler unchanged, instead of failing them with a NoHandlerError.
func PassThroughUnhandled() Option {
	return func(r *Router) { r.passThrough = true }
}

// WithoutResponseChecks turns off the checks of responses against Cognito's
// rules (see CheckResponse). Use it only to reproduce a bad response.
func WithoutResponseChecks() Option {
	return func(r *Router) { r.noChecks = true }
}

// WithLogger sets the logger of the router's own lines: the warning for a
// response with findings that Cognito ignores, and the cause of every error
// hidden from the client. The default is slog.Default().
func WithLogger(logger *slog.Logger) Option {
	return func(r *Router) {
		if logger != nil {
			r.logger = logger
		}
	}
}

// RejectIgnored makes a response with findings that Cognito ignores (see
// Ignored) fail the invocation, as one with rejected findings does. Without
// it such a response goes to Cognito unchanged and the router logs one
// warning that names the rules.
func RejectIgnored() Option {
	return func(r *Router) { r.rejectIgnored = true }
}

// WithClientMessage sets the text the client sees, followed by a reference,
// when a trigger fails for a reason other than a Refusal (see ClientError).
// Cognito shows it to the caller; keep it short and free of detail. The
// default is DefaultClientMessage; an empty message keeps the default.
func WithClientMessage(message string) Option {
	return func(r *Router) {
		if message != "" {
			r.clientMessage = message
		}
	}
}

// NewRouter returns a Router with no handlers.
func NewRouter(opts ...Option) *Router {
	r := &Router{logger: slog.Default(), clientMessage: DefaultClientMessage}
	for _, o := range opts {
		o(r)
	}
	return r
}

// Registered lists the triggers that have a handler.
func (r *Router) Registered() []Trigger {
	var out []Trigger
	for t := Trigger(1); t < numTriggers; t++ {
		if r.handlers[t] != nil {
			out = append(out, t)
		}
	}
	return out
}

// Handles reports whether the router has a handler for t.
func (r *Router) Handles(t Trigger) bool {
	return t > 0 && t < numTriggers && r.handlers[t] != nil
}

// PreSignUp registers the handler of PreSignUp_* events.
func (r *Router) PreSignUp(h Func[PreSignUpEvent]) { register(r, PreSignUp, h) }

// PostConfirmation registers the handler of PostConfirmation_* events.
func (r *Router) PostConfirmation(h Func[PostConfirmationEvent]) { register(r, PostConfirmation, h) }

// PreAuthentication registers the handler of PreAuthentication_* events.
func (r *Router) PreAuthentication(h Func[PreAuthenticationEvent]) {
	register(r, PreAuthentication, h)
}

// PostAuthentication registers the handler of PostAuthentication_* events.
func (r *Router) PostAuthentication(h Func[PostAuthenticationEvent]) {
	register(r, PostAuthentication, h)
}

// DefineAuthChallenge registers the handler of DefineAuthChallenge_* events.
func (r *Router) DefineAuthChallenge(h Func[DefineAuthChallengeEvent]) {
	register(r, DefineAuthChallenge, h)
}

// CreateAuthChallenge registers the handler of CreateAuthChallenge_* events.
func (r *Router) CreateAuthChallenge(h Func[CreateAuthChallengeEvent]) {
	register(r, CreateAuthChallenge, h)
}

// VerifyAuthChallengeResponse registers the handler of
// VerifyAuthChallengeResponse_* events.
func (r *Router) VerifyAuthChallengeResponse(h Func[VerifyAuthChallengeResponseEvent]) {
	register(r, VerifyAuthChallengeResponse, h)
}

// PreTokenGenerationV1 registers the handler of version-1 TokenGeneration_*
// events (ID token only).
func (r *Router) PreTokenGenerationV1(h Func[PreTokenGenerationV1Event]) {
	register(r, PreTokenGenerationV1, h)
}

// PreTokenGenerationV2 registers the handler of version-2 and version-3
// TokenGeneration_* events (ID and access tokens; client credentials in v3).
func (r *Router) PreTokenGenerationV2(h Func[PreTokenGenerationV2Event]) {
	register(r, PreTokenGenerationV2, h)
}

// UserMigration registers the handler of UserMigration_* events.
func (r *Router) UserMigration(h Func[UserMigrationEvent]) { register(r, UserMigration, h) }

// CustomMessage registers the handler of CustomMessage_* events.
func (r *Router) CustomMessage(h Func[CustomMessageEvent]) { register(r, CustomMessage, h) }

// CustomEmailSender registers the handler of CustomEmailSender_* events.
func (r *Router) CustomEmailSender(h Func[CustomSenderEvent]) { register(r, CustomEmailSender, h) }

// CustomSMSSender registers the handler of CustomSMSSender_* events.
func (r *Router) CustomSMSSender(h Func[CustomSenderEvent]) { register(r, CustomSMSSender, h) }

// InboundFederation registers the handler of InboundFederation_* events.
func (r *Router) InboundFederation(h Func[InboundFederationEvent]) {
	register(r, InboundFederation, h)
}

// register installs a typed handler for t, wrapped in the response checks
// and the router's middleware. A second registration for t replaces the first.
func register[E any, P interface {
	*E
	Event
}](r *Router, t Trigger, h func(context.Context, P) error) {
	if h == nil {
		panic(fmt.Sprintf("triggers: nil handler for %s", t))
	}
	r.decoders[t] = newCodec[E, P]()
	checks := !r.noChecks
	var base Handler = HandlerFunc(func(ctx context.Context, ev Event) error {
		if err := h(ctx, ev.(P)); err != nil {
			return err
		}
		if checks {
			return r.checkResponse(ctx, ev)
		}
		return nil
	})
	for i := len(r.middleware) - 1; i >= 0; i-- {
		base = r.middleware[i](base)
	}
	r.handlers[t] = base
}

// Invoke handles one raw event as the Lambda runtime delivers it and returns
// the event with its response filled in. It implements lambda.Handler.
//
// The answer is the received bytes with only the top-level "response" value
// replaced by the handler's response (added if the event has none): fields
// this package does not know, nulls and JSON types reach Cognito as they
// came. A response the handler left empty (every field zero, nil or empty)
// is not encoded at all, nor one the handler did not change: the received
// value goes back, so an untouched InboundFederation response stays {}.
//
// A failure returns a *Refusal as the handler made it, or else a
// *ClientError whose text is the router's client message and a reference.
func (r *Router) Invoke(ctx context.Context, payload []byte) (res []byte, err error) {
	defer r.hideError(ctx, payload, &res, &err)
	ev, handler, c, t, err := r.decode(payload)
	if err != nil {
		if errors.Is(err, errPassThrough) {
			return payload, nil
		}
		return nil, err
	}
	resp := c.response(ev)
	wasEmpty := isEmptyValue(resp)
	var before []byte
	if !wasEmpty && t.spliceable() {
		// Cognito sends empty responses; for any other, remember its
		// encoding to tell whether the handler changed it.
		if before, err = json.Marshal(resp.Addr().Interface()); err != nil {
			return nil, fmt.Errorf("triggers: encode %s response: %w", ev.Common().TriggerSource, err)
		}
	}
	if err := handler.HandleTrigger(ctx, ev); err != nil {
		return nil, err
	}
	if !t.spliceable() {
		// Unusual top level (escaped or case-folded keys): encode the
		// whole event, as encoding/json reads it.
		out, err := json.Marshal(ev)
		if err != nil {
			return nil, fmt.Errorf("triggers: encode %s response: %w", ev.Common().TriggerSource, err)
		}
		return out, nil
	}
	if wasEmpty && isEmptyValue(resp) {
		return payload, nil
	}
	enc, err := json.Marshal(resp.Addr().Interface())
	if err != nil {
		return nil, fmt.Errorf("triggers: encode %s response: %w", ev.Common().TriggerSource, err)
	}
	if before != nil && bytes.Equal(enc, before) {
		return payload, nil
	}
	return splice(payload, &t, enc), nil
}

// splice returns payload with the response value replaced by enc, or with
// a "response" member added before the closing brace.
func splice(payload []byte, t *top, enc []byte) []byte {
	if t.respStart >= 0 {
		out := make([]byte, 0, len(payload)-(t.respEnd-t.respStart)+len(enc))
		out = append(out, payload[:t.respStart]...)
		out = append(out, enc...)
		return append(out, payload[t.respEnd:]...)
	}
	const key = `"response":`
	out := make([]byte, 0, len(payload)+len(key)+len(enc)+1)
	out = append(out, payload[:t.closing]...)
	if t.members > 0 {
		out = append(out, ',')
	}
	out = append(out, key...)
	out = append(out, enc...)
	return append(out, payload[t.closing:]...)
}

var errPassThrough = errors.New("triggers: pass through")

// Decode decodes a raw event into its typed form and returns it with the
// handler that would serve it (middleware included). It fails as Invoke
// would for a malformed event or a trigger without a handler.
func (r *Router) Decode(payload []byte) (Event, Handler, error) {
	ev, h, _, _, err := r.decode(payload)
	return ev, h, err
}

func (r *Router) decode(payload []byte) (Event, Handler, *codec, top, error) {
	// Fast path: the header from the first members. If the decoded event
	// disagrees (a later duplicate or case-folded key), dispatch again by
	// the full top-level scan, which reads keys as encoding/json does.
	// Errors, pass-through included, are rare: they too are decided by the
	// full scan.
	if h, ok := peekHeader(payload); ok {
		ev, handler, c, t, err := r.decodeAs(payload, h)
		if err == nil {
			return ev, handler, c, t, nil
		}
	}
	h, err := readHeader(payload)
	if err != nil {
		return nil, nil, nil, top{}, err
	}
	ev, handler, c, t, err := r.decodeAs(payload, h)
	if errors.Is(err, errAmbiguous) {
		err = &DecodeError{Source: h.TriggerSource, Offset: -1, Field: "triggerSource", Kind: "ambiguous"}
	}
	return ev, handler, c, t, err
}

var errAmbiguous = errors.New("triggers: header and event disagree")

// decodeAs dispatches payload by the header h and decodes it; the event
// must carry the same header, or the error is errAmbiguous.
func (r *Router) decodeAs(payload []byte, h header) (Event, Handler, *codec, top, error) {
	t := top{header: h, respStart: -1, respEnd: -1}
	tr, err := Classify(h.TriggerSource, h.Version)
	if err != nil {
		var unknown *UnknownSourceError
		if r.passThrough && errors.As(err, &unknown) {
			// A trigger source newer than this package: Cognito expects
			// the event back; an unchanged event is the empty answer.
			return nil, nil, nil, t, errPassThrough
		}
		return nil, nil, nil, t, err
	}
	if r.handlers[tr] == nil {
		if r.passThrough {
			return nil, nil, nil, t, errPassThrough
		}
		return nil, nil, nil, t, &NoHandlerError{Source: h.TriggerSource, Trigger: tr, Registered: r.Registered()}
	}
	c := r.decoders[tr]
	ev, err := c.decode(payload, &t)
	if err != nil {
		return nil, nil, nil, t, asDecodeError(h.TriggerSource, err)
	}
	// The header scans and the decoder agree on every input the scans
	// accept; this guards the dispatch against any case where they do not.
	if eh := ev.Common(); eh.TriggerSource != h.TriggerSource || eh.Version != h.Version {
		return nil, nil, nil, t, errAmbiguous
	}
	if tr == PreTokenGenerationV2 && versionAbove3(h.Version) {
		r.logger.LogAttrs(context.Background(), slog.LevelWarn,
			"triggers: pre token generation event version above 3, decoded as the version 2/3 shape; fields of the newer version are kept on the wire but not in the event type",
			slog.String("triggerSource", string(h.TriggerSource)), slog.String("version", clip(h.Version)))
	}
	return ev, r.handlers[tr], c, t, nil
}
