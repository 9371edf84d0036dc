package triggers_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

// recordingRouter registers a no-op handler for every trigger and records
// which trigger each invocation reached.
func recordingRouter(got *triggers.Trigger, opts ...triggers.Option) *triggers.Router {
	r := triggers.NewRouter(opts...)
	r.PreSignUp(func(context.Context, *triggers.PreSignUpEvent) error { *got = triggers.PreSignUp; return nil })
	r.PostConfirmation(func(context.Context, *triggers.PostConfirmationEvent) error {
		*got = triggers.PostConfirmation
		return nil
	})
	r.PreAuthentication(func(context.Context, *triggers.PreAuthenticationEvent) error {
		*got = triggers.PreAuthentication
		return nil
	})
	r.PostAuthentication(func(context.Context, *triggers.PostAuthenticationEvent) error {
		*got = triggers.PostAuthentication
		return nil
	})
	r.DefineAuthChallenge(func(_ context.Context, ev *triggers.DefineAuthChallengeEvent) error {
		*got = triggers.DefineAuthChallenge
		ev.Response.FailAuthentication = true // a decision is required by the checks
		return nil
	})
	r.CreateAuthChallenge(func(_ context.Context, ev *triggers.CreateAuthChallengeEvent) error {
		*got = triggers.CreateAuthChallenge
		ev.Response.ChallengeMetadata = "TEST"
		return nil
	})
	r.VerifyAuthChallengeResponse(func(context.Context, *triggers.VerifyAuthChallengeResponseEvent) error {
		*got = triggers.VerifyAuthChallengeResponse
		return nil
	})
	r.PreTokenGenerationV1(func(context.Context, *triggers.PreTokenGenerationV1Event) error {
		*got = triggers.PreTokenGenerationV1
		return nil
	})
	r.PreTokenGenerationV2(func(context.Context, *triggers.PreTokenGenerationV2Event) error {
		*got = triggers.PreTokenGenerationV2
		return nil
	})
	r.UserMigration(func(_ context.Context, ev *triggers.UserMigrationEvent) error {
		*got = triggers.UserMigration
		// A forgot-password migration needs a verified address.
		ev.Response.UserAttributes = map[string]string{"email": "jdoe@example.com", "email_verified": "true"}
		return nil
	})
	r.CustomMessage(func(context.Context, *triggers.CustomMessageEvent) error { *got = triggers.CustomMessage; return nil })
	r.CustomEmailSender(func(context.Context, *triggers.CustomSenderEvent) error {
		*got = triggers.CustomEmailSender
		return nil
	})
	r.CustomSMSSender(func(context.Context, *triggers.CustomSenderEvent) error {
		*got = triggers.CustomSMSSender
		return nil
	})
	r.InboundFederation(func(context.Context, *triggers.InboundFederationEvent) error {
		*got = triggers.InboundFederation
		return nil
	})
	return r
}

func TestEveryTriggerSourceClassifies(t *testing.T) {
	want := map[string]triggers.Trigger{
		"PreSignUp_": triggers.PreSignUp, "PostConfirmation_": triggers.PostConfirmation,
		"PreAuthentication_": triggers.PreAuthentication, "PostAuthentication_": triggers.PostAuthentication,
		"DefineAuthChallenge_": triggers.DefineAuthChallenge, "CreateAuthChallenge_": triggers.CreateAuthChallenge,
		"VerifyAuthChallengeResponse_": triggers.VerifyAuthChallengeResponse,
		"UserMigration_":               triggers.UserMigration, "CustomMessage_": triggers.CustomMessage,
		"CustomEmailSender_": triggers.CustomEmailSender, "CustomSMSSender_": triggers.CustomSMSSender,
		"InboundFederation_": triggers.InboundFederation,
	}
	sources := triggers.AllSources()
	if len(sources) != 42 {
		t.Fatalf("AllSources has %d sources, want 42", len(sources))
	}
	names := triggertest.Names()
	for _, s := range sources {
		t.Run(string(s), func(t *testing.T) {
			if !s.Known() {
				t.Fatal("not Known")
			}
			hasRecording := false
			for _, n := range names {
				if n == string(s) || strings.HasPrefix(n, string(s)+".") {
					hasRecording = true
				}
			}
			if !hasRecording {
				t.Errorf("no recorded event for %s under triggertest/testdata/events", s)
			}
			if s.IsPreTokenGeneration() {
				for version, wantT := range map[string]triggers.Trigger{"1": triggers.PreTokenGenerationV1, "2": triggers.PreTokenGenerationV2, "3": triggers.PreTokenGenerationV2} {
					got, err := triggers.Classify(s, version)
					if s == triggers.TokenGenerationClientCredentials && version != "3" {
						var ve *triggers.VersionError
						if !errors.As(err, &ve) {
							t.Errorf("version %s: err = %v, want VersionError", version, err)
						}
						continue
					}
					if err != nil || got != wantT {
						t.Errorf("version %s: Classify = %v, %v; want %v", version, got, err, wantT)
					}
				}
				return
			}
			for prefix, wantT := range want {
				if strings.HasPrefix(string(s), prefix) {
					got, err := triggers.Classify(s, "1")
					if err != nil || got != wantT {
						t.Errorf("Classify = %v, %v; want %v", got, err, wantT)
					}
					return
				}
			}
			t.Errorf("no expectation for %s", s)
		})
	}
}

func TestClassifyRejects(t *testing.T) {
	if _, err := triggers.Classify("", "1"); !errors.Is(err, triggers.ErrNoTriggerSource) {
		t.Errorf("empty source: %v", err)
	}
	var ue *triggers.UnknownSourceError
	if _, err := triggers.Classify("PreSignUp_Teleport", "1"); !errors.As(err, &ue) {
		t.Errorf("unknown source: %v", err)
	}
	var ve *triggers.VersionError
	if _, err := triggers.Classify(triggers.TokenGenerationAuthentication, "2.1"); !errors.As(err, &ve) {
		t.Errorf("unknown version: %v", err)
	}
	if got, err := triggers.Classify(triggers.TokenGenerationAuthentication, "0"); err != nil || got != triggers.PreTokenGenerationV1 {
		t.Errorf("cognito-local's version 0 = %v, %v; want PreTokenGenerationV1", got, err)
	}
}

// TestRecordedEventsRoundTrip proves that each recorded event routes to its
// trigger's handler and that decoding and encoding loses no field.
func TestRecordedEventsRoundTrip(t *testing.T) {
	var got triggers.Trigger
	r := recordingRouter(&got)
	for _, name := range triggertest.Names() {
		t.Run(name, func(t *testing.T) {
			payload := triggertest.Load(t, name)
			var in map[string]any
			if err := json.Unmarshal(payload, &in); err != nil {
				t.Fatal(err)
			}
			want, err := triggers.Classify(triggers.TriggerSource(in["triggerSource"].(string)), in["version"].(string))
			if err != nil {
				t.Fatal(err)
			}
			got = 0
			out, err := triggertest.Invoke(r, payload, 0)
			if err != nil {
				t.Fatalf("Invoke: %v", err)
			}
			if got != want {
				t.Fatalf("routed to %v, want %v", got, want)
			}
			var back map[string]any
			if err := json.Unmarshal(out, &back); err != nil {
				t.Fatal(err)
			}
			// The request must come back exactly; the response may have been
			// filled in by the handler, so only the header and request are compared.
			for _, k := range []string{"version", "triggerSource", "region", "userPoolId", "userName", "callerContext", "request"} {
				if v, ok := in[k]; ok {
					assertSubset(t, k, v, back[k])
				}
			}
		})
	}
}

// assertSubset fails unless every non-null leaf of want is in got.
func assertSubset(t *testing.T, path string, want, got any) {
	t.Helper()
	switch w := want.(type) {
	case nil:
		return
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			if len(w) == 0 && got == nil {
				return // {} and null carry the same information
			}
			t.Errorf("%s: got %T, want object", path, got)
			return
		}
		for k, v := range w {
			assertSubset(t, path+"."+k, v, g[k])
		}
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			t.Errorf("%s: got %v, want %v", path, got, want)
			return
		}
		for i := range w {
			assertSubset(t, fmt.Sprintf("%s.%d", path, i), w[i], g[i])
		}
	default:
		if !reflect.DeepEqual(want, got) {
			t.Errorf("%s: got %v, want %v", path, got, want)
		}
	}
}

func TestHandlerResponseReachesOutput(t *testing.T) {
	r := triggers.NewRouter()
	r.PreTokenGenerationV2(func(_ context.Context, ev *triggers.PreTokenGenerationV2Event) error {
		at := ev.Response.Details().AccessToken()
		at.ClaimsToAddOrOverride = map[string]any{"tenant_id": ev.Request.UserAttributes["custom:tenantId"]}
		at.ScopesToAdd = []string{"tenant:acme:read"}
		return nil
	})
	ev := triggertest.Replay[triggers.PreTokenGenerationV2Event](t, r, "TokenGeneration_Authentication.v2")
	at := ev.Response.ClaimsAndScopeOverrideDetails.AccessTokenGeneration
	if at.ClaimsToAddOrOverride["tenant_id"] != "acme" || at.ScopesToAdd[0] != "tenant:acme:read" {
		t.Fatalf("response = %+v", at)
	}
	if ev.Response.ClaimsAndScopeOverrideDetails.GroupOverrideDetails != nil {
		t.Error("an unset group override must not be sent: Cognito would read it as an override")
	}
}

func TestNoHandler(t *testing.T) {
	r := triggers.NewRouter()
	r.PreSignUp(func(context.Context, *triggers.PreSignUpEvent) error { return nil })
	_, err := triggertest.Invoke(r, triggertest.Load(t, "PostAuthentication_Authentication"), 0)
	var nh *triggers.NoHandlerError
	if !errors.As(err, &nh) {
		t.Fatalf("err = %v, want NoHandlerError", err)
	}
	for _, want := range []string{"PostAuthentication_Authentication", "registered: PreSignUp"} {
		if !strings.Contains(triggertest.Cause(err), want) { // the cause, logged; the client sees the client message
			t.Errorf("error %q does not mention %q", err, want)
		}
	}

	pass := triggers.NewRouter(triggers.PassThroughUnhandled())
	in := triggertest.Load(t, "PostAuthentication_Authentication")
	out, err := triggertest.Invoke(pass, in, 0)
	if err != nil || string(out) != string(in) {
		t.Fatalf("pass-through: err = %v, out changed = %v", err, string(out) != string(in))
	}
}

func TestMalformedEvents(t *testing.T) {
	var got triggers.Trigger
	r := recordingRouter(&got)
	challenge := triggertest.From(t, "VerifyAuthChallengeResponse_Authentication").
		Set("request.challengeAnswer", 987654321).JSON(t)
	cases := []struct {
		name    string
		payload string
		want    string
	}{
		{"empty", ``, "malformed event"},
		{"not json", `{"triggerSource": "PreSignUp_SignUp", oops}`, "invalid JSON at byte"},
		{"array", `[1,2,3]`, "malformed event"},
		{"no trigger source", `{"version":"1","request":{}}`, "no triggerSource"},
		{"unknown trigger source", `{"version":"1","triggerSource":"Nope_Nope"}`, `unknown triggerSource "Nope_Nope"`},
		{"unknown version", `{"version":"x7","triggerSource":"TokenGeneration_Authentication"}`, `version "x7"`},
		{"source not a string", `{"version":"1","triggerSource":42}`, "field triggerSource has a JSON number"},
		{"wrong field type", `{"version":"1","triggerSource":"PreSignUp_SignUp","request":{"userAttributes":[]}}`, "field request.userAttributes has a JSON array"},
		{"numeric answer", string(challenge), "field request.challengeAnswer has a JSON number"},
		{"truncated", `{"version":"1","triggerSource":"PreSignUp_SignUp","request":{`, "malformed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := triggertest.Invoke(r, []byte(c.payload), 0)
			if err == nil {
				t.Fatalf("no error; out = %s", out)
			}
			if !strings.Contains(triggertest.Cause(err), c.want) {
				t.Errorf("error %q does not contain %q", triggertest.Cause(err), c.want)
			}
			if strings.Contains(triggertest.Cause(err), "987654321") {
				t.Errorf("error %q leaks the answer", err)
			}
		})
	}
}

func TestDuplicateAndCaseFoldedKeysDispatchLikeEncodingJSON(t *testing.T) {
	var got triggers.Trigger
	r := recordingRouter(&got)
	base := string(triggertest.Load(t, "PostAuthentication_Authentication"))
	// encoding/json keeps the last duplicate and matches keys without case;
	// dispatch must agree, or a crafted event would reach the wrong handler.
	dup := strings.Replace(base, `"version"`, `"TriggerSource": "PreSignUp_SignUp", "version"`, 1)
	if _, err := triggertest.Invoke(r, []byte(dup), 0); err != nil {
		t.Fatalf("Invoke: %v", err)
	}
	if got != triggers.PostAuthentication {
		t.Fatalf("routed to %v, want PostAuthentication (the last triggerSource)", got)
	}
	nested := triggertest.From(t, "PostAuthentication_Authentication").ClientMetadata("triggerSource", "PreSignUp_SignUp").JSON(t)
	if _, err := triggertest.Invoke(r, nested, 0); err != nil || got != triggers.PostAuthentication {
		t.Fatalf("nested triggerSource: routed to %v, %v", got, err)
	}
}
