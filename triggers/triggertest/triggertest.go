package triggertest

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/internal/checkmode"
)

//go:embed testdata/events/*.json
var recorded embed.FS

// Names lists the recorded events, sorted. A name is the trigger source,
// optionally followed by a dot and a variant: "PreSignUp_SignUp",
// "TokenGeneration_Authentication.v2", "DefineAuthChallenge_Authentication.after-password".
func Names() []string {
	entries, err := fs.ReadDir(recorded, "testdata/events")
	if err != nil {
		panic(err) // the embedded directory is part of the build
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".json"))
	}
	return names
}

// Raw returns the recorded event called name, as Cognito sent it.
func Raw(name string) ([]byte, error) {
	b, err := recorded.ReadFile(path.Join("testdata/events", name+".json"))
	if err != nil {
		return nil, fmt.Errorf("triggertest: no recorded event %q; see triggertest.Names", name)
	}
	return b, nil
}

// Load returns the recorded event called name, failing t if there is none.
func Load(t testing.TB, name string) []byte {
	t.Helper()
	b, err := Raw(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Decode decodes the recorded event called name into a typed event, such as
// *triggers.PreSignUpEvent.
func Decode[E any](t testing.TB, name string) *E {
	t.Helper()
	ev := new(E)
	payload := Load(t, name)
	if err := CheckType[E](name, payload); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(payload, ev); err != nil {
		t.Fatalf("triggertest: decode %s: %v", name, err)
	}
	return ev
}

// Event is Decode without a testing.TB, for Examples and tools: it
// returns the recorded event called name as a typed event, or an error.
func Event[E any](name string) (*E, error) {
	raw, err := Raw(name)
	if err != nil {
		return nil, err
	}
	if err := CheckType[E](name, raw); err != nil {
		return nil, err
	}
	ev := new(E)
	if err := json.Unmarshal(raw, ev); err != nil {
		return nil, fmt.Errorf("triggertest: decode %s: %w", name, err)
	}
	return ev, nil
}

// Invoker is what a Router is to the Lambda runtime: lambda.Handler.
type Invoker interface {
	Invoke(ctx context.Context, payload []byte) ([]byte, error)
}

// Invoke runs payload through h the way the Lambda runtime does: JSON in,
// JSON out, with a Lambda context (request id, function ARN) and a deadline
// of timeout from now (5 s if zero). It returns the response and the error
// that the runtime would report to Cognito.
//
// A triggers.Router invoked this way also fails on response findings that
// Cognito ignores (triggers.Ignored), so that tests catch a response that
// would not do what it says; wrap h in AllowIgnored to let them through as
// the deployed router does. The error's text is what the client would see;
// errors.Unwrap (or Cause) gives the reason.
func Invoke(h Invoker, payload []byte, timeout time.Duration) ([]byte, error) {
	if timeout == 0 {
		timeout = 5 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	ctx = lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{
		AwsRequestID:       RequestID,
		InvokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:cognitrig-test",
	})
	ctx = checkmode.WithRejectIgnored(ctx, true)
	return h.Invoke(ctx, payload)
}

// RequestID is the Lambda request ID of every invocation by Invoke; a
// router's error reference for the client is this ID.
const RequestID = "00000000-0000-4000-8000-000000000000"

// AllowIgnored returns h, invoked so that response findings Cognito ignores
// pass, as they do in a deployed router (with a logged warning), instead of
// failing the test:
//
//	ev := triggertest.Replay[triggers.PreSignUpEvent](t, triggertest.AllowIgnored(r), "PreSignUp_AdminCreateUser")
func AllowIgnored(h Invoker) Invoker { return allowIgnored{h} }

type allowIgnored struct{ h Invoker }

func (a allowIgnored) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return a.h.Invoke(checkmode.WithRejectIgnored(ctx, false), payload)
}

// Cause describes err with the chain behind the client-visible text that a
// router returns: "client text: cause". Use it in test failure messages.
func Cause(err error) string {
	if err == nil {
		return "<nil>"
	}
	if inner := errors.Unwrap(err); inner != nil {
		return err.Error() + ": " + inner.Error()
	}
	return err.Error()
}

// Replay invokes h with the recorded event called name and decodes the
// response into a typed event, failing t on any error, and before invoking
// when E is not the event's type (see CheckType).
func Replay[E any](t testing.TB, h Invoker, name string) *E {
	t.Helper()
	payload := Load(t, name)
	if err := CheckType[E](name, payload); err != nil {
		t.Fatal(err)
	}
	return Run[E](t, h, payload)
}

// Run invokes h with payload and decodes the response into a typed event,
// failing t on any error, and before invoking when E is not the event's
// type (see CheckType).
func Run[E any](t testing.TB, h Invoker, payload []byte) *E {
	t.Helper()
	if err := CheckType[E]("payload", payload); err != nil {
		t.Fatal(err)
	}
	out, err := Invoke(h, payload, 0)
	if err != nil {
		t.Fatalf("triggertest: invoke: %s", Cause(err))
	}
	ev := new(E)
	if err := json.Unmarshal(out, ev); err != nil {
		t.Fatalf("triggertest: decode response: %v", err)
	}
	return ev
}

// Builder varies a recorded event. Paths are dot-separated keys from the
// top of the event, with numbers for array elements:
// "request.userAttributes.email", "request.session.0.challengeResult".
// Keys that contain dots (SAML attribute URIs) cannot be addressed.
type Builder struct {
	doc map[string]any
	err error
}

// TriggerOf returns the trigger of a raw event, classified from its
// triggerSource and version as the router does (triggers.Classify); it
// fails t when the event is not JSON or its trigger is unknown.
func TriggerOf(t testing.TB, payload []byte) triggers.Trigger {
	t.Helper()
	var h struct {
		TriggerSource triggers.TriggerSource `json:"triggerSource"`
		Version       string                 `json:"version"`
	}
	if err := json.Unmarshal(payload, &h); err != nil {
		t.Fatal(err)
	}
	tr, err := triggers.Classify(h.TriggerSource, h.Version)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// From starts a Builder from the recorded event called name.
func From(t testing.TB, name string) *Builder {
	t.Helper()
	return FromJSON(t, Load(t, name))
}

// FromJSON starts a Builder from any event.
func FromJSON(t testing.TB, payload []byte) *Builder {
	t.Helper()
	b, err := NewBuilder(payload)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// FromRaw starts a Builder from the recorded event called name, for code
// without a testing.TB such as godoc Examples; finish with Bytes.
func FromRaw(name string) (*Builder, error) {
	payload, err := Raw(name)
	if err != nil {
		return nil, err
	}
	return NewBuilder(payload)
}

// NewBuilder starts a Builder from any event.
func NewBuilder(payload []byte) (*Builder, error) {
	b := &Builder{}
	if err := json.Unmarshal(payload, &b.doc); err != nil {
		return nil, fmt.Errorf("triggertest: event is not a JSON object: %w", err)
	}
	return b, nil
}

// Bytes returns the event, or the first error of the steps.
func (b *Builder) Bytes() ([]byte, error) {
	if b.err != nil {
		return nil, b.err
	}
	return json.Marshal(b.doc)
}

// Set sets the value at path, creating objects on the way.
func (b *Builder) Set(path string, value any) *Builder {
	b.walk(path, func(parent any, key string) {
		switch p := parent.(type) {
		case map[string]any:
			p[key] = value
		case []any:
			i, err := strconv.Atoi(key)
			if err != nil || i < 0 || i >= len(p) {
				b.err = fmt.Errorf("triggertest: %s: no element %s", path, key)
				return
			}
			p[i] = value
		default:
			b.err = fmt.Errorf("triggertest: %s: the parent is not an object or array", path)
		}
	})
	return b
}

// Delete removes the value at path.
func (b *Builder) Delete(path string) *Builder {
	b.walk(path, func(parent any, key string) {
		p, ok := parent.(map[string]any)
		if !ok {
			b.err = fmt.Errorf("triggertest: %s: the parent is not an object", path)
			return
		}
		delete(p, key)
	})
	return b
}

// Append appends value to the array at path, creating it if absent.
func (b *Builder) Append(path string, value any) *Builder {
	b.walk(path, func(parent any, key string) {
		p, ok := parent.(map[string]any)
		if !ok {
			b.err = fmt.Errorf("triggertest: %s: not an object field", path)
			return
		}
		arr, _ := p[key].([]any)
		p[key] = append(slices.Clone(arr), value)
	})
	return b
}

// Source sets the triggerSource.
func (b *Builder) Source(source string) *Builder { return b.Set("triggerSource", source) }

// UserAttribute sets one user attribute.
func (b *Builder) UserAttribute(name, value string) *Builder {
	return b.Set("request.userAttributes."+name, value)
}

// ClientMetadata sets one clientMetadata entry.
func (b *Builder) ClientMetadata(key, value string) *Builder {
	return b.Set("request.clientMetadata."+key, value)
}

// JSON returns the event, failing t if a step went wrong.
func (b *Builder) JSON(t testing.TB) []byte {
	t.Helper()
	out, err := b.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func (b *Builder) walk(path string, at func(parent any, key string)) {
	if b.err != nil {
		return
	}
	keys := strings.Split(path, ".")
	var cur any = b.doc
	for _, k := range keys[:len(keys)-1] {
		switch c := cur.(type) {
		case map[string]any:
			next, ok := c[k]
			if !ok || next == nil {
				next = map[string]any{}
				c[k] = next
			}
			cur = next
		case []any:
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(c) {
				b.err = fmt.Errorf("triggertest: %s: no element %s", path, k)
				return
			}
			cur = c[i]
		default:
			b.err = fmt.Errorf("triggertest: %s: %s is not an object or array", path, k)
			return
		}
	}
	at(cur, keys[len(keys)-1])
}
