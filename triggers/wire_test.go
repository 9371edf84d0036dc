package triggers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

// noopRouter has a handler for every trigger that does nothing.
func noopRouter(opts ...triggers.Option) *triggers.Router {
	r := triggers.NewRouter(append([]triggers.Option{triggers.WithoutResponseChecks()}, opts...)...)
	r.PreSignUp(func(context.Context, *triggers.PreSignUpEvent) error { return nil })
	r.PostConfirmation(func(context.Context, *triggers.PostConfirmationEvent) error { return nil })
	r.PreAuthentication(func(context.Context, *triggers.PreAuthenticationEvent) error { return nil })
	r.PostAuthentication(func(context.Context, *triggers.PostAuthenticationEvent) error { return nil })
	r.DefineAuthChallenge(func(context.Context, *triggers.DefineAuthChallengeEvent) error { return nil })
	r.CreateAuthChallenge(func(context.Context, *triggers.CreateAuthChallengeEvent) error { return nil })
	r.VerifyAuthChallengeResponse(func(context.Context, *triggers.VerifyAuthChallengeResponseEvent) error { return nil })
	r.PreTokenGenerationV1(func(context.Context, *triggers.PreTokenGenerationV1Event) error { return nil })
	r.PreTokenGenerationV2(func(context.Context, *triggers.PreTokenGenerationV2Event) error { return nil })
	r.UserMigration(func(context.Context, *triggers.UserMigrationEvent) error { return nil })
	r.CustomMessage(func(context.Context, *triggers.CustomMessageEvent) error { return nil })
	r.CustomEmailSender(func(context.Context, *triggers.CustomSenderEvent) error { return nil })
	r.CustomSMSSender(func(context.Context, *triggers.CustomSenderEvent) error { return nil })
	r.InboundFederation(func(context.Context, *triggers.InboundFederationEvent) error { return nil })
	return r
}

// TestRecordedEventsReplayByteForByte: a router whose handlers do nothing
// answers every recorded event with exactly the bytes it received, through
// the default middleware too.
func TestRecordedEventsReplayByteForByte(t *testing.T) {
	logger := slog.New(slog.DiscardHandler)
	for name, r := range map[string]*triggers.Router{
		"bare":    noopRouter(),
		"default": noopRouter(triggers.WithMiddleware(triggers.Default(logger)...)),
	} {
		for _, ev := range triggertest.Names() {
			t.Run(name+"/"+ev, func(t *testing.T) {
				in := triggertest.Load(t, ev)
				out, err := triggertest.Invoke(r, in, 0)
				if err != nil {
					t.Fatalf("Invoke: %v", err)
				}
				if !bytes.Equal(out, in) {
					t.Fatalf("output differs from input:\n in: %s\nout: %s", in, out)
				}
			})
		}
	}
}

// outsideResponse splits an answer around its top-level response value, by
// decoding it: everything but the response must be as received.
func outsideResponse(t *testing.T, payload []byte) (rest map[string]json.RawMessage, response json.RawMessage) {
	t.Helper()
	if err := json.Unmarshal(payload, &rest); err != nil {
		t.Fatalf("not a JSON object: %v\n%s", err, payload)
	}
	response = rest["response"]
	delete(rest, "response")
	return rest, response
}

// TestUnknownFieldsNullsAndTypesSurvive: fields the types do not know,
// nulls and non-string values reach Cognito byte for byte when the handler
// sets a response; only the response value changes.
func TestUnknownFieldsNullsAndTypesSurvive(t *testing.T) {
	in := []byte(`{"version":"1","triggerSource":"PreSignUp_SignUp","region":"us-east-1","userPoolId":"us-east-1_EXAMPLE1",
"userName":"jdoe","callerContext":{"awsSdkVersion":"aws-sdk-unknown-unknown","clientId":"1example23456789abcdefghij","newField":[1,2.50,{"x":null}]},
"request":{"userAttributes":{"email":"jdoe@example.com","email_verified":true,"custom:score":12.50e0,"custom:none":null},
"validationData":null,"futureRequestField":{"nested":[true,false,null]}},
"response":{"autoConfirmUser":false,"autoVerifyPhone":false,"autoVerifyEmail":false},"futureTopLevel":"\u00e9\/x"}`)
	r := triggers.NewRouter()
	var seen triggers.Attributes
	r.PreSignUp(func(_ context.Context, ev *triggers.PreSignUpEvent) error {
		seen = ev.Request.UserAttributes
		ev.Response.AutoConfirmUser = true
		return nil
	})
	out, err := triggertest.Invoke(r, in, 0)
	if err != nil {
		t.Fatalf("Invoke: %v", err)
	}
	wantOut := bytes.Replace(in, []byte(`{"autoConfirmUser":false,"autoVerifyPhone":false,"autoVerifyEmail":false}`),
		[]byte(`{"autoConfirmUser":true,"autoVerifyEmail":false,"autoVerifyPhone":false}`), 1)
	if !bytes.Equal(out, wantOut) {
		t.Fatalf("answer is not the request with only the response replaced:\n got: %s\nwant: %s", out, wantOut)
	}
	if seen["email_verified"] != "true" || seen["custom:score"] != "12.50e0" || seen["custom:none"] != "" {
		t.Errorf("typed read of JSON-typed attributes = %v", map[string]string(seen))
	}
	if v, ok := seen.Bool("email_verified"); !v || !ok {
		t.Errorf(`Bool("email_verified") = %v, %v`, v, ok)
	}
}

// TestResponseAddedWhenAbsent: an event without a response key gets one.
func TestResponseAddedWhenAbsent(t *testing.T) {
	r := triggers.NewRouter()
	r.PreSignUp(func(_ context.Context, ev *triggers.PreSignUpEvent) error {
		ev.Response.AutoConfirmUser = true
		return nil
	})
	for in, want := range map[string]string{
		`{"version":"1","triggerSource":"PreSignUp_SignUp","request":{"userAttributes":{}}}`: `{"version":"1","triggerSource":"PreSignUp_SignUp","request":{"userAttributes":{}},"response":{"autoConfirmUser":true,"autoVerifyEmail":false,"autoVerifyPhone":false}}`,
		"{\"triggerSource\":\"PreSignUp_SignUp\",\"version\":\"1\" }\n":                      "{\"triggerSource\":\"PreSignUp_SignUp\",\"version\":\"1\" ,\"response\":{\"autoConfirmUser\":true,\"autoVerifyEmail\":false,\"autoVerifyPhone\":false}}\n",
	} {
		out, err := triggertest.Invoke(r, []byte(in), 0)
		if err != nil {
			t.Fatalf("Invoke: %v", err)
		}
		if string(out) != want {
			t.Errorf("got  %s\nwant %s", out, want)
		}
	}
}

// TestCustomMessageUnsetFieldsStayUnset: a handler that sets only the
// email body must not send an empty subject or SMS text, which Cognito
// would use instead of the pool's own ("Custom message Lambda trigger").
func TestCustomMessageUnsetFieldsStayUnset(t *testing.T) {
	// The response checks are issue 11 part 1's; this is about the wire.
	r := triggers.NewRouter(triggers.WithoutResponseChecks())
	r.CustomMessage(func(_ context.Context, ev *triggers.CustomMessageEvent) error {
		ev.Response.EmailMessage = "Your code is " + ev.Request.CodeParameter.Reveal()
		return nil
	})
	out, err := triggertest.Invoke(r, triggertest.Load(t, "CustomMessage_ForgotPassword"), 0)
	if err != nil {
		t.Fatalf("Invoke: %v", err)
	}
	_, resp := outsideResponse(t, out)
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(resp, &fields); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"emailSubject", "smsMessage"} {
		if v, ok := fields[k]; ok && string(v) != "null" {
			t.Errorf("%s = %s, want absent or null", k, v)
		}
	}
	if !strings.Contains(string(fields["emailMessage"]), "Your code is") {
		t.Errorf("emailMessage = %s", fields["emailMessage"])
	}
}

// TestInboundFederationUntouchedKeepsEmptyObject: {} keeps every attribute
// ("Inbound federation Lambda trigger"); a handler that reads the event and
// sets nothing must send {} back, not null.
func TestInboundFederationUntouchedKeepsEmptyObject(t *testing.T) {
	r := triggers.NewRouter()
	var verified bool
	r.InboundFederation(func(_ context.Context, ev *triggers.InboundFederationEvent) error {
		verified, _ = ev.Request.Attributes.IDToken.Bool("email_verified")
		return nil
	})
	for _, name := range []string{"InboundFederation_ExternalProvider.oidc", "InboundFederation_ExternalProvider.oidc-typed-claims"} {
		in := triggertest.Load(t, name)
		out, err := triggertest.Invoke(r, in, 0)
		if err != nil {
			t.Fatalf("%s: Invoke: %v", name, err)
		}
		_, resp := outsideResponse(t, out)
		var compact bytes.Buffer
		if err := json.Compact(&compact, resp); err != nil || compact.String() != `{"userAttributesToMap":{}}` {
			t.Errorf("%s: response = %s, want userAttributesToMap {}", name, resp)
		}
		if !bytes.Equal(out, in) {
			t.Errorf("%s: answer differs from the request", name)
		}
	}
	if !verified {
		t.Error("boolean email_verified claim did not read as true")
	}
}

// TestTypedClaimsDecode: the claims of a provider's ID token keep their
// JSON text, and read typed.
func TestTypedClaimsDecode(t *testing.T) {
	var got *triggers.InboundFederationEvent
	r := triggers.NewRouter()
	r.InboundFederation(func(_ context.Context, ev *triggers.InboundFederationEvent) error {
		got = ev
		ev.Response.UserAttributesToMap = map[string]string{"email": ev.Request.Attributes.IDToken["email"]}
		return nil
	})
	out, err := triggertest.Invoke(r, triggertest.Load(t, "InboundFederation_ExternalProvider.oidc-typed-claims"), 0)
	if err != nil {
		t.Fatalf("Invoke: %v", err)
	}
	id := got.Request.Attributes.IDToken
	if exp, ok := id.Int("exp"); !ok || exp != 1767225600 {
		t.Errorf(`Int("exp") = %d, %v`, exp, ok)
	}
	if _, ok := id.Int("email"); ok {
		t.Error(`Int("email") ok for a non-number`)
	}
	if id["nonce"] != "" || id["email_verified"] != "true" {
		t.Errorf("idToken = %v", map[string]string(id))
	}
	if got.Request.Attributes.TokenResponse["expires_in"] != "3600" {
		t.Error("numeric expires_in not kept as its JSON text")
	}
	rest, resp := outsideResponse(t, out)
	in, _ := outsideResponse(t, triggertest.Load(t, "InboundFederation_ExternalProvider.oidc-typed-claims"))
	if !bytes.Equal(rest["request"], in["request"]) {
		t.Error("request changed on the way out")
	}
	if string(resp) != `{"userAttributesToMap":{"email":"rsmith@example.com"}}` {
		t.Errorf("response = %s", resp)
	}
}

// TestEncodingJSONReadsTypedAttributes: the attribute types decode JSON
// scalars with encoding/json too (triggertest.Decode, other tools).
func TestEncodingJSONReadsTypedAttributes(t *testing.T) {
	ev := triggertest.Decode[triggers.CustomMessageEvent](t, "CustomMessage_VerifyUserAttribute.guide-boolean-attributes")
	if !ev.Request.UserAttributes.Verified("phone_number") || ev.Request.UserAttributes.Verified("email") {
		t.Errorf("userAttributes = %v", map[string]string(ev.Request.UserAttributes))
	}
	var a triggers.Attributes
	err := json.Unmarshal([]byte(`{"code":"SECRET-123","SECRET-key":{"x":1}}`), &a)
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) || te.Value != "object" {
		t.Fatalf("object value: err = %v, want a type error", err)
	}
	if strings.Contains(err.Error(), "SECRET") {
		t.Errorf("error %q quotes a value", err)
	}
}

func TestUnknownSourcePassesThrough(t *testing.T) {
	in := []byte(`{"version":"1","triggerSource":"PreSignUp_Teleport","request":{"userAttributes":{"a":true}},"response":{}}`)
	out, err := triggertest.Invoke(noopRouter(triggers.PassThroughUnhandled()), in, 0)
	if err != nil || !bytes.Equal(out, in) {
		t.Fatalf("pass-through of an unknown source: out = %s, err = %v", out, err)
	}
	var ue *triggers.UnknownSourceError
	if _, err := triggertest.Invoke(noopRouter(), in, 0); !errors.As(err, &ue) {
		t.Fatalf("without PassThroughUnhandled: err = %v, want UnknownSourceError", err)
	}
	if _, err := triggertest.Invoke(noopRouter(triggers.PassThroughUnhandled()), []byte(`{"version":"1"}`), 0); !errors.Is(err, triggers.ErrNoTriggerSource) {
		t.Fatalf("no triggerSource with PassThroughUnhandled: err = %v, want ErrNoTriggerSource", err)
	}
}

// TestPreTokenVersionAboveThree: a newer event version is read as the
// version 2/3 shape, with a warning, instead of failing every sign-in.
func TestPreTokenVersionAboveThree(t *testing.T) {
	var logs bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, nil)))
	defer slog.SetDefault(old)

	in := triggertest.From(t, "TokenGeneration_Authentication.v3").Set("version", "4").
		Set("request.newInV4", map[string]any{"x": 1}).JSON(t)
	r := triggers.NewRouter()
	r.PreTokenGenerationV2(func(_ context.Context, ev *triggers.PreTokenGenerationV2Event) error {
		ev.Response.Details().AccessToken().ScopesToAdd = []string{"tenant:acme:read"}
		return nil
	})
	out, err := triggertest.Invoke(r, in, 0)
	if err != nil {
		t.Fatalf("Invoke: %v", err)
	}
	rest, resp := outsideResponse(t, out)
	if !strings.Contains(string(resp), "tenant:acme:read") || !strings.Contains(string(rest["request"]), "newInV4") {
		t.Errorf("answer = %s", out)
	}
	if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "version=4") {
		t.Errorf("no warning logged: %q", logs.String())
	}
	for _, v := range []string{"2.1", "x", "04", "-5", ""} {
		if _, err := triggers.Classify(triggers.TokenGenerationAuthentication, v); err == nil {
			t.Errorf("version %q accepted", v)
		}
	}
	if got, err := triggers.Classify(triggers.TokenGenerationClientCredentials, "12"); err != nil || got != triggers.PreTokenGenerationV2 {
		t.Errorf("client credentials version 12 = %v, %v", got, err)
	}
}

// TestUnchangedNonEmptyResponseKeptVerbatim: a response that arrives with
// values (not what Cognito sends, but an emulator might) and that the
// handler leaves as is goes back as received, unknown fields included.
func TestUnchangedNonEmptyResponseKeptVerbatim(t *testing.T) {
	in := []byte(`{"version":"1","triggerSource":"PreSignUp_SignUp","request":{},"response":{"autoConfirmUser":true, "extra":1}}`)
	out, err := triggertest.Invoke(noopRouter(), in, 0)
	if err != nil || !bytes.Equal(out, in) {
		t.Fatalf("out = %s, err = %v", out, err)
	}
}
