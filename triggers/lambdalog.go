package triggers

import (
	"context"
	"log/slog"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/lambdacontext"
)

// Log attribute keys that LogHandler adds to every record logged with an
// invocation's context. requestId is the key of Lambda's own JSON log
// format ("Configuring advanced logging controls for Lambda functions"), so
// a CloudWatch Logs Insights query can join both.
const (
	LogKeyRequestID       = "requestId"       // the Lambda request ID (lambdacontext.LambdaContext.AwsRequestID)
	LogKeyFunctionName    = "functionName"    // AWS_LAMBDA_FUNCTION_NAME
	LogKeyFunctionVersion = "functionVersion" // AWS_LAMBDA_FUNCTION_VERSION, "$LATEST" or a number
	LogKeyColdStart       = "coldStart"       // true on the first invocation that a Logging middleware serves
)

type invocationKey struct{}

// invocation is what Logging knows about the running invocation and puts in
// its context for LogHandler.
type invocation struct {
	coldStart bool
}

// LogHandler wraps h so that every record logged with the context of an
// invocation carries what Lambda operators search by: requestId (the Lambda
// request ID, from lambdacontext.FromContext), functionName and
// functionVersion (lambdacontext.FunctionName and FunctionVersion, omitted
// when empty, as outside Lambda), and coldStart (true on the first
// invocation served by a Logging middleware, false after; present only
// inside Logging). The attributes join the record after its own, inside any
// group opened with WithGroup.
//
// Wrap the handler of the logger that feature packages get, so that their
// lines carry the same fields as the middleware's:
//
//	logger := slog.New(triggers.LogHandler(slog.NewJSONHandler(os.Stdout, nil)))
//
// Logging and Default wrap their logger themselves; wrapping twice adds the
// fields once.
func LogHandler(h slog.Handler) slog.Handler {
	if l, ok := h.(*lambdaHandler); ok {
		return l
	}
	return &lambdaHandler{next: h}
}

type lambdaHandler struct{ next slog.Handler }

func (l *lambdaHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return l.next.Enabled(ctx, level)
}

func (l *lambdaHandler) Handle(ctx context.Context, r slog.Record) error {
	var attrs [4]slog.Attr
	n := 0
	if lc, ok := lambdacontext.FromContext(ctx); ok && lc.AwsRequestID != "" {
		attrs[n] = slog.String(LogKeyRequestID, lc.AwsRequestID)
		n++
	}
	if lambdacontext.FunctionName != "" {
		attrs[n] = slog.String(LogKeyFunctionName, lambdacontext.FunctionName)
		n++
	}
	if lambdacontext.FunctionVersion != "" {
		attrs[n] = slog.String(LogKeyFunctionVersion, lambdacontext.FunctionVersion)
		n++
	}
	if inv, ok := ctx.Value(invocationKey{}).(*invocation); ok {
		attrs[n] = slog.Bool(LogKeyColdStart, inv.coldStart)
		n++
	}
	if n > 0 {
		// The caller may hold the record; Clone keeps its attributes apart.
		r = r.Clone()
		r.AddAttrs(attrs[:n]...)
	}
	return l.next.Handle(ctx, r)
}

func (l *lambdaHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &lambdaHandler{next: l.next.WithAttrs(attrs)}
}

func (l *lambdaHandler) WithGroup(name string) slog.Handler {
	return &lambdaHandler{next: l.next.WithGroup(name)}
}

// MaskUserName is how Logging writes user names by default. User names are
// often e-mail addresses or phone numbers, personal data that a log line
// must not carry in clear: it keeps the first character of the name (and,
// for an e-mail address, of the domain and the top-level domain) and masks
// the rest: "jane.doe@example.com" → "j***@e***.com", "+15555550100" →
// "+***". Correlate lines of one user by the sub attribute, which Logging
// writes beside it.
func MaskUserName(userName string) string {
	if userName == "" {
		return ""
	}
	first := func(s string) string {
		_, n := utf8.DecodeRuneInString(s)
		return s[:n]
	}
	local, domain, isEmail := strings.Cut(userName, "@")
	if !isEmail || local == "" || domain == "" {
		return first(userName) + "***"
	}
	tld := ""
	if i := strings.LastIndexByte(domain, '.'); i > 0 {
		tld = domain[i:]
	}
	return first(local) + "***@" + first(domain) + "***" + tld
}

// eventUserAttributes returns the request's user attributes of events that
// carry them.
func eventUserAttributes(ev Event) Attributes {
	switch e := ev.(type) {
	case *PreSignUpEvent:
		return e.Request.UserAttributes
	case *PostConfirmationEvent:
		return e.Request.UserAttributes
	case *PreAuthenticationEvent:
		return e.Request.UserAttributes
	case *PostAuthenticationEvent:
		return e.Request.UserAttributes
	case *DefineAuthChallengeEvent:
		return e.Request.UserAttributes
	case *CreateAuthChallengeEvent:
		return e.Request.UserAttributes
	case *VerifyAuthChallengeResponseEvent:
		return e.Request.UserAttributes
	case *PreTokenGenerationV1Event:
		return e.Request.UserAttributes
	case *PreTokenGenerationV2Event:
		return e.Request.UserAttributes
	case *CustomMessageEvent:
		return e.Request.UserAttributes
	case *CustomSenderEvent:
		return e.Request.UserAttributes
	}
	return nil
}

// UserSub returns the user's sub (the user's unique, immutable identifier)
// from the event's user attributes, or "" for events that carry none: pre
// sign-up (the user does not exist yet), user migration and inbound
// federation.
func UserSub(ev Event) string {
	return eventUserAttributes(ev)["sub"]
}

// maskedEvent logs an event with its userName replaced by mask(userName).
type maskedEvent struct {
	ev   Event
	mask func(string) string
}

func (m maskedEvent) LogValue() slog.Value {
	v := m.ev.LogValue().Resolve()
	if v.Kind() != slog.KindGroup {
		return v
	}
	attrs := append([]slog.Attr(nil), v.Group()...)
	for i, a := range attrs {
		if a.Key == "userName" {
			attrs[i] = slog.String("userName", m.mask(a.Value.String()))
		}
	}
	return slog.GroupValue(attrs...)
}
