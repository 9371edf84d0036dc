package authpolicy

import (
	"bytes"
	"context"
	"encoding/json"
	"net/netip"
)

// Invoker is what a triggers.Router is to the Lambda runtime
// (lambda.Handler).
type Invoker interface {
	Invoke(ctx context.Context, payload []byte) ([]byte, error)
}

type invokerFunc func(ctx context.Context, payload []byte) ([]byte, error)

func (f invokerFunc) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return f(ctx, payload)
}

type sourceIPKey struct{}

// WithSourceIP wraps the function's handler so that checks and audit
// records can use the source IP that Cognito puts in the raw event's
// request.userContextData (field ipAddress, or sourceIp), when threat
// protection collects it. The documented pre- and post-authentication
// events do not list that field and triggers' typed events do not carry
// it, so this reads it from the payload before the router decodes it:
//
//	lambda.Start(authpolicy.WithSourceIP(router))
//
// IPFromContext and ContextSignals read what it found.
func WithSourceIP(next Invoker) Invoker {
	return invokerFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
		if a, ok := userContextIP(payload); ok {
			ctx = context.WithValue(ctx, sourceIPKey{}, a)
		}
		return next.Invoke(ctx, payload)
	})
}

// ContextWithSourceIP returns ctx carrying addr as the source IP, as
// WithSourceIP does; for tests and other entry points.
func ContextWithSourceIP(ctx context.Context, addr netip.Addr) context.Context {
	return context.WithValue(ctx, sourceIPKey{}, addr.Unmap())
}

// SourceIP returns the source IP that WithSourceIP found.
func SourceIP(ctx context.Context) (netip.Addr, bool) {
	a, ok := ctx.Value(sourceIPKey{}).(netip.Addr)
	return a, ok && a.IsValid()
}

func userContextIP(payload []byte) (netip.Addr, bool) {
	// Most events carry no userContextData: a byte search spares them a
	// second decode (the router decodes every event once).
	if !bytes.Contains(payload, []byte(`"userContextData"`)) {
		return netip.Addr{}, false
	}
	var ev struct {
		Request struct {
			UserContextData struct {
				IPAddress string          `json:"ipAddress"`
				SourceIP  json.RawMessage `json:"sourceIp"`
			} `json:"userContextData"`
		} `json:"request"`
	}
	if json.Unmarshal(payload, &ev) != nil {
		return netip.Addr{}, false // the router reports the malformed event
	}
	u := ev.Request.UserContextData
	if a, ok := parseAddr(u.IPAddress); ok {
		return a, true
	}
	// sourceIp appears as a string or, as in API Gateway's identity, a list.
	var one string
	if json.Unmarshal(u.SourceIP, &one) == nil {
		return parseAddr(one)
	}
	var many []string
	if json.Unmarshal(u.SourceIP, &many) == nil && len(many) > 0 {
		return parseAddr(many[0])
	}
	return netip.Addr{}, false
}
