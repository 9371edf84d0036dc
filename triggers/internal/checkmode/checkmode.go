// Package checkmode carries, in a context, whether a triggers.Router should
// fail an invocation whose response has findings that Amazon Cognito
// ignores. triggertest sets it for every invocation (tests fail on ignored
// findings by default) without importing triggers.
package checkmode

import "context"

type key struct{}

// WithRejectIgnored returns ctx marked to reject (true) or let through
// (false) responses with ignored findings.
func WithRejectIgnored(ctx context.Context, reject bool) context.Context {
	return context.WithValue(ctx, key{}, reject)
}

// RejectIgnored reports the mark of ctx; false when ctx has none.
func RejectIgnored(ctx context.Context) bool {
	v, _ := ctx.Value(key{}).(bool)
	return v
}
