// Package tracing traces trigger invocations with OpenTelemetry: one span
// per invocation, a child of the Lambda function's X-Ray trace, and child
// spans for the calls a handler makes (stores, senders, legacy services).
//
// It is off unless configured: New without a TracerProvider returns
// middleware that adds nothing to the handler (no span, no allocation), and
// Start and Call under it make no-op spans. With a provider, typically the
// OpenTelemetry SDK exporting through the AWS Distro for OpenTelemetry
// collector layer, each invocation records a span:
//
//	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter))
//	r := triggers.NewRouter(triggers.WithMiddleware(
//		append(triggers.Default(logger), tracing.New(tracing.Config{TracerProvider: tp}))...))
//
// The span is named after the trigger source ("PreSignUp_SignUp"), of kind
// server, with the attributes
//
//	cognito.trigger_source  the event's triggerSource
//	cognito.user_pool_id    the event's userPoolId
//	cognito.client_id       the event's callerContext.clientId
//	faas.invocation_id      the Lambda request ID
//	faas.name, faas.version the function's name and version
//	faas.coldstart          true on the first invocation of the middleware
//	cognito.refused         true when the handler refused (a *triggers.Refusal)
//
// and status Error, with the error recorded, when the handler failed. No
// user name, attribute or secret is recorded.
//
// # Parent
//
// Lambda passes the X-Ray trace header of each invocation to the runtime in
// the Lambda-Runtime-Trace-Id header ("Using the Lambda runtime API for
// custom runtimes"); aws-lambda-go keeps it in the context under
// "x-amzn-trace-id" and, when one invocation runs at a time, in the
// environment variable _X_AMZN_TRACE_ID. Its form is
//
//	Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1
//
// ("Tracing header", AWS X-Ray Developer Guide). The span's parent is the
// span the context already holds, if any; else the header's Root (the
// trace ID without the "1-" version and the dash) and Parent, with its
// Sampled flag. A header that does not parse is ignored: the span starts a
// new trace.
//
// # Child spans
//
// Start and Call make child spans of the invocation's span for a call out
// of the function; Sender wraps a send function. The idempotency
// middleware (package triggers/idempotency) traces its store calls this
// way: idempotency.Begin, idempotency.Finish, idempotency.Release.
package tracing
