package triggers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// codecs compiles the decoder of every trigger's event type, as register does.
func codecs() [numTriggers]*codec {
	var c [numTriggers]*codec
	c[PreSignUp] = newCodec[PreSignUpEvent]()
	c[PostConfirmation] = newCodec[PostConfirmationEvent]()
	c[PreAuthentication] = newCodec[PreAuthenticationEvent]()
	c[PostAuthentication] = newCodec[PostAuthenticationEvent]()
	c[DefineAuthChallenge] = newCodec[DefineAuthChallengeEvent]()
	c[CreateAuthChallenge] = newCodec[CreateAuthChallengeEvent]()
	c[VerifyAuthChallengeResponse] = newCodec[VerifyAuthChallengeResponseEvent]()
	c[PreTokenGenerationV1] = newCodec[PreTokenGenerationV1Event]()
	c[PreTokenGenerationV2] = newCodec[PreTokenGenerationV2Event]()
	c[UserMigration] = newCodec[UserMigrationEvent]()
	c[CustomMessage] = newCodec[CustomMessageEvent]()
	c[CustomEmailSender] = newCodec[CustomSenderEvent]()
	c[CustomSMSSender] = newCodec[CustomSenderEvent]()
	c[InboundFederation] = newCodec[InboundFederationEvent]()
	return c
}

// agreeWithEncodingJSON checks the decoder against encoding/json on one
// payload: where encoding/json decodes it, the decoder must too, to the
// same value. (The decoder accepts more: scalars in attribute maps.)
func agreeWithEncodingJSON(t *testing.T, cs *[numTriggers]*codec, payload []byte) {
	t.Helper()
	h, err := readHeader(payload)
	if err != nil {
		return
	}
	tr, err := Classify(h.TriggerSource, h.Version)
	if err != nil {
		return
	}
	want := NewEvent(tr)
	jsonErr := json.Unmarshal(payload, want)
	got, err := cs[tr].decode(payload, nil)
	if jsonErr != nil {
		if err == nil {
			// Only leniency may make the decoder accept more: the same
			// payload must then decode with the attribute maps' own rules.
			var te *json.UnmarshalTypeError
			if !errors.As(jsonErr, &te) {
				t.Fatalf("decoder accepts a payload encoding/json finds malformed: %v", jsonErr)
			}
		}
		return
	}
	if err != nil {
		t.Fatalf("decoder fails (%v) where encoding/json decodes", err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("decoder and encoding/json disagree:\n got %#v\nwant %#v", got, want)
	}
}

func TestDecoderAgreesWithEncodingJSON(t *testing.T) {
	cs := codecs()
	files, _ := filepath.Glob("triggertest/testdata/events/*.json")
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(filepath.Base(file), func(t *testing.T) { agreeWithEncodingJSON(t, &cs, b) })
	}
	for _, s := range []string{
		`{"triggerSource":"PreSignUp_SignUp","version":"1","request":{"userAttributes":{"a":"x","a":"y"},"USERATTRIBUTES":{"b":"\u00e9"}}}`,
		`{"triggerSource":"PreSignUp_SignUp","version":"1","Request":{"validationData":null,"clientMetadata":{}},"response":{"autoConfirmUser":true,"autoConfirmUser":null}}`,
		`{"triggerSource":"DefineAuthChallenge_Authentication","version":"1","request":{"session":[{"challengeName":"SRP_A","challengeResult":true},null,{}]}}`,
		`{"triggerSource":"TokenGeneration_Authentication","version":"2","request":{"scopes":["a",null,"\ud83d\ude00"],"groupConfiguration":{"preferredRole":"r"}},"response":{"claimsAndScopeOverrideDetails":{"idTokenGeneration":{"claimsToAddOrOverride":{"n":1.5,"o":{"x":[1]}}}}}}`,
		"{\"triggerSource\":\"PreSignUp_SignUp\",\"version\":\"1\",\"userName\":\"bad\xffutf8\\n\"}",
		`{"triggerSource":"PreSignUp_SignUp","version":"1","request":{"userAttributes":{"a":1}}}`,
		`{"triggerSource":"VerifyAuthChallengeResponse_Authentication","version":"1","request":{"challengeAnswer":7}}`,
	} {
		agreeWithEncodingJSON(t, &cs, []byte(s))
	}
}

func TestDecoderRejectsWhatEncodingJSONRejects(t *testing.T) {
	cs := codecs()
	for _, s := range []string{
		`{"triggerSource":"PreSignUp_SignUp","version":"1","x":[1,}`,
		`{"triggerSource":"PreSignUp_SignUp","version":"1","x":01}`,
		`{"triggerSource":"PreSignUp_SignUp","version":"1","x":"\x"}`,
		`{"triggerSource":"PreSignUp_SignUp","version":"1","x":tru}`,
		`{"triggerSource":"PreSignUp_SignUp","version":"1","x":[}`,
		`{"triggerSource":"PreSignUp_SignUp","version":"1","x":{"a" 1}}`,
		`{"triggerSource":"PreSignUp_SignUp","version":"1"} {}`,
		`{"triggerSource":"PreSignUp_SignUp","version":"1","x":1.}`,
		`{"triggerSource":"PreSignUp_SignUp","version":"1","x":"a` + "\x01" + `"}`,
		`{"triggerSource":"PreSignUp_SignUp","version":"1","request":{"userAttributes":{"a":[1]}}}`,
		`{"triggerSource":"PreSignUp_SignUp","version":"1","request":{"userAttributes":{"code":{"SECRET":1}}}}`,
	} {
		if _, err := cs[PreSignUp].decode([]byte(s), nil); err == nil {
			t.Errorf("decoder accepts %s", s)
		} else if strings.Contains(asDecodeError(PreSignUpSignUp, err).Error(), "SECRET") {
			t.Errorf("error quotes the payload: %v", err)
		}
		if json.Valid([]byte(s)) && !strings.Contains(s, "userAttributes") {
			t.Errorf("test input is valid JSON: %s", s)
		}
	}
	deep := strings.Repeat("[", 10001) + strings.Repeat("]", 10001)
	if _, err := cs[PreSignUp].decode([]byte(`{"triggerSource":"PreSignUp_SignUp","x":`+deep+`}`), nil); err == nil {
		t.Error("decoder accepts nesting beyond encoding/json's limit")
	}
}

// noopAnswer runs payload through a router with no-op handlers and no
// checks and reports whether the answer is byte for byte the payload.
func noopAnswer(t *testing.T, r *Router, payload []byte) (same bool, ok bool) {
	out, err := r.Invoke(context.Background(), payload)
	if err != nil {
		return false, false
	}
	return bytes.Equal(out, payload), true
}

func newNoopRouter() *Router {
	r := NewRouter(WithoutResponseChecks())
	noop := func(context.Context, Event) error { return nil }
	for tr := Trigger(1); tr < numTriggers; tr++ {
		r.handlers[tr] = HandlerFunc(noop)
	}
	c := codecs()
	r.decoders = c
	return r
}
