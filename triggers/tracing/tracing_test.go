package tracing_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/tracing"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

const header = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"

func attrs(s sdktrace.ReadOnlySpan) map[attribute.Key]attribute.Value {
	m := map[attribute.Key]attribute.Value{}
	for _, kv := range s.Attributes() {
		m[kv.Key] = kv.Value
	}
	return m
}

// invoke runs payload with a Lambda context and the runtime's trace header.
func invoke(r *triggers.Router, requestID, traceHeader string, payload []byte) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ctx = lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{AwsRequestID: requestID})
	if traceHeader != "" {
		//lint:ignore SA1029 the key aws-lambda-go uses.
		ctx = context.WithValue(ctx, "x-amzn-trace-id", traceHeader)
	}
	_, err := r.Invoke(ctx, payload)
	return err
}

// TestSpanPerInvocation: one server span per invocation, a child of the
// Lambda trace header's X-Ray trace, with the trigger's attributes, and a
// child span for a call the handler makes.
func TestSpanPerInvocation(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	r := triggers.NewRouter(triggers.WithMiddleware(tracing.New(tracing.Config{TracerProvider: tp})))
	r.PostConfirmation(func(ctx context.Context, _ *triggers.PostConfirmationEvent) error {
		return tracing.Call(ctx, "dynamodb.PutItem", func(context.Context) error { return nil })
	})
	r.PreSignUp(func(ctx context.Context, ev *triggers.PreSignUpEvent) error {
		switch ev.Request.UserAttributes["name"] {
		case "refuse":
			return triggers.Refuse("Sign-up is closed.")
		case "fail":
			send := tracing.Sender("ses.SendEmail", func(context.Context, string) error { return errors.New("throttled") })
			return send(ctx, "hello")
		}
		return nil
	})

	if err := invoke(r, "req-1", header, triggertest.Load(t, "PostConfirmation_ConfirmSignUp")); err != nil {
		t.Fatal(err)
	}
	spans := exp.GetSpans().Snapshots()
	if len(spans) != 2 {
		t.Fatalf("%d spans, want the invocation and its call", len(spans))
	}
	call, inv := spans[0], spans[1] // ended first: the call
	if inv.Name() != "PostConfirmation_ConfirmSignUp" || inv.SpanKind() != trace.SpanKindServer {
		t.Errorf("invocation span %q kind %v", inv.Name(), inv.SpanKind())
	}
	if got := inv.SpanContext().TraceID().String(); got != "5759e988bd862e3fe1be46a994272793" {
		t.Errorf("trace ID %s is not the X-Ray root", got)
	}
	if got := inv.Parent().SpanID().String(); got != "53995c3f42cd8ad8" || !inv.Parent().IsRemote() {
		t.Errorf("parent %s (remote %v), want the X-Ray parent", got, inv.Parent().IsRemote())
	}
	a := attrs(inv)
	if a["cognito.trigger_source"].AsString() != "PostConfirmation_ConfirmSignUp" ||
		a["cognito.user_pool_id"].AsString() != "us-east-1_EXAMPLE1" ||
		a["cognito.client_id"].AsString() == "" ||
		a["faas.invocation_id"].AsString() != "req-1" || !a["faas.coldstart"].AsBool() {
		t.Errorf("attributes %v", a)
	}
	if call.Name() != "dynamodb.PutItem" || call.Parent().SpanID() != inv.SpanContext().SpanID() || call.SpanKind() != trace.SpanKindClient {
		t.Errorf("call span %q, parent %v", call.Name(), call.Parent().SpanID())
	}
	for _, s := range spans {
		for _, kv := range s.Attributes() {
			if kv.Value.Type() == attribute.STRING && (kv.Value.AsString() == "jdoe" || kv.Value.AsString() == "jdoe@example.com") {
				t.Errorf("span %s records the user: %v", s.Name(), kv)
			}
		}
	}

	// A refusal is an answer; a failure is an error, on the call and the
	// invocation. Without a header the span starts a trace of its own.
	exp.Reset()
	_ = invoke(r, "req-2", "", triggertest.From(t, "PreSignUp_SignUp").UserAttribute("name", "refuse").JSON(t))
	_ = invoke(r, "req-3", "Root=garbage;Parent=zz", triggertest.From(t, "PreSignUp_SignUp").UserAttribute("name", "fail").JSON(t))
	spans = exp.GetSpans().Snapshots()
	if len(spans) != 3 {
		t.Fatalf("%d spans", len(spans))
	}
	refused, sendSpan, failed := spans[0], spans[1], spans[2]
	if !attrs(refused)["cognito.refused"].AsBool() || refused.Status().Code == codes.Error || attrs(refused)["faas.coldstart"].AsBool() {
		t.Errorf("refusal span: status %v attrs %v", refused.Status(), attrs(refused))
	}
	if refused.Parent().IsValid() || failed.Parent().IsValid() {
		t.Error("a span without a valid header has a parent")
	}
	if failed.Status().Code != codes.Error || sendSpan.Status().Code != codes.Error || sendSpan.Name() != "ses.SendEmail" {
		t.Errorf("failure: %v / %s %v", failed.Status(), sendSpan.Name(), sendSpan.Status())
	}
}

// Off: the middleware hands the handler back, and helpers make no-op spans.
func TestOffUnlessConfigured(t *testing.T) {
	var h triggers.Handler = triggers.HandlerFunc(func(ctx context.Context, _ triggers.Event) error {
		if trace.SpanFromContext(ctx).SpanContext().IsValid() {
			t.Error("a span without a provider")
		}
		return tracing.Call(ctx, "x", func(context.Context) error { return nil })
	})
	wrapped := tracing.New(tracing.Config{})(h)
	if _, same := wrapped.(triggers.HandlerFunc); !same {
		t.Fatalf("off: the handler was wrapped (%T)", wrapped)
	}
	if err := wrapped.HandleTrigger(context.Background(), triggertest.Decode[triggers.PreSignUpEvent](t, "PreSignUp_SignUp")); err != nil {
		t.Fatal(err)
	}
}

func TestParseTraceHeader(t *testing.T) {
	sc, ok := tracing.ParseTraceHeader(" Root=1-5759E988-BD862E3FE1BE46A994272793 ; Parent=53995c3f42cd8ad8; Sampled=1;Lineage=a87bd80c:1")
	if !ok || sc.TraceID().String() != "5759e988bd862e3fe1be46a994272793" || sc.SpanID().String() != "53995c3f42cd8ad8" || !sc.IsSampled() || !sc.IsRemote() {
		t.Errorf("parsed %v %v", sc, ok)
	}
	if sc, ok := tracing.ParseTraceHeader("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=?"); !ok || sc.IsSampled() {
		t.Errorf("deferred sampling: %v %v", sc, ok)
	}
	for _, bad := range []string{
		"",
		"Root=1-5759e988-bd862e3fe1be46a994272793",                         // no parent
		"Parent=53995c3f42cd8ad8;Sampled=1",                                // no root
		"Root=2-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8", // version
		"Root=1-5759e98-bd862e3fe1be46a9942727930;Parent=53995c3f42cd8ad8", // lengths
		"Root=1-5759e988-bd862e3fe1be46a99427279g;Parent=53995c3f42cd8ad8", // hex
		"Root=1-00000000-000000000000000000000000;Parent=53995c3f42cd8ad8", // zero trace
		"Root=1-5759e988-bd862e3fe1be46a994272793;Parent=0000000000000000", // zero span
		"Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad",  // short span
		"RootX=1-5759e988-bd862e3fe1be46a994272793;ParentX=53995c3f42cd8ad8",
	} {
		if _, ok := tracing.ParseTraceHeader(bad); ok {
			t.Errorf("%q parsed", bad)
		}
	}
}

// Outside the context, the header comes from _X_AMZN_TRACE_ID, which the
// runtime sets when invocations do not overlap.
func TestTraceHeaderFromEnvironment(t *testing.T) {
	t.Setenv("_X_AMZN_TRACE_ID", header)
	exp := tracetest.NewInMemoryExporter()
	r := triggers.NewRouter(triggers.WithMiddleware(tracing.New(tracing.Config{TracerProvider: sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))})))
	r.PreSignUp(func(context.Context, *triggers.PreSignUpEvent) error { return nil })
	if err := invoke(r, "req-1", "", triggertest.Load(t, "PreSignUp_SignUp")); err != nil {
		t.Fatal(err)
	}
	spans := exp.GetSpans().Snapshots()
	if len(spans) != 1 || spans[0].SpanContext().TraceID().String() != "5759e988bd862e3fe1be46a994272793" || !spans[0].SpanContext().IsSampled() {
		t.Fatalf("spans %v", spans)
	}
}
