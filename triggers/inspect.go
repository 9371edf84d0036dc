package triggers

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Inspection is what Inspect finds in a raw event.
type Inspection struct {
	TriggerSource TriggerSource `json:"triggerSource"`
	Version       string        `json:"version"`
	// Trigger names the event shape, e.g. "PreTokenGeneration(v2/v3)"; empty
	// when the event is not one Cognito sends.
	Trigger string `json:"trigger,omitempty"`
	// Problems lists what is wrong with the event: fields Cognito does not
	// send, fields of the wrong type, a response that breaks Cognito's rules
	// (marked "response (rejected by Cognito)" or "response (ignored by
	// Cognito)").
	Problems []string `json:"problems,omitempty"`
	// Findings are the response's broken rules, with their severity and
	// page; each is also in Problems.
	Findings []Finding `json:"findings,omitempty"`
	// Err is set when the payload is not a Cognito user-pool trigger event
	// at all (not JSON, no or unknown triggerSource, impossible version).
	Err error `json:"-"`
}

// OK reports whether the event is a well-formed Cognito trigger event.
func (in Inspection) OK() bool { return in.Err == nil && len(in.Problems) == 0 }

// NewEvent returns a new, empty event of trigger t's type, or nil for an
// invalid Trigger.
func NewEvent(t Trigger) Event {
	switch t {
	case PreSignUp:
		return new(PreSignUpEvent)
	case PostConfirmation:
		return new(PostConfirmationEvent)
	case PreAuthentication:
		return new(PreAuthenticationEvent)
	case PostAuthentication:
		return new(PostAuthenticationEvent)
	case DefineAuthChallenge:
		return new(DefineAuthChallengeEvent)
	case CreateAuthChallenge:
		return new(CreateAuthChallengeEvent)
	case VerifyAuthChallengeResponse:
		return new(VerifyAuthChallengeResponseEvent)
	case PreTokenGenerationV1:
		return new(PreTokenGenerationV1Event)
	case PreTokenGenerationV2:
		return new(PreTokenGenerationV2Event)
	case UserMigration:
		return new(UserMigrationEvent)
	case CustomMessage:
		return new(CustomMessageEvent)
	case CustomEmailSender, CustomSMSSender:
		return new(CustomSenderEvent)
	case InboundFederation:
		return new(InboundFederationEvent)
	}
	return nil
}

// Inspect says which trigger and version a raw event is and what is wrong
// with it. It accepts any event, including ones recorded elsewhere; it never
// quotes field values, which may be secret.
func Inspect(payload []byte) Inspection {
	var in Inspection
	h, err := readHeader(payload)
	if err != nil {
		in.Err = err
		return in
	}
	in.TriggerSource, in.Version = h.TriggerSource, h.Version
	t, err := Classify(h.TriggerSource, h.Version)
	if err != nil {
		in.Err = err
		return in
	}
	in.Trigger = t.String()
	ev := NewEvent(t)
	if err := json.Unmarshal(payload, ev); err != nil {
		in.Problems = append(in.Problems, decodeError(h.TriggerSource, err).Error())
		return in
	}
	var raw map[string]any
	if err := json.Unmarshal(payload, &raw); err != nil {
		in.Err = decodeError(h.TriggerSource, err)
		return in
	}
	var back map[string]any
	encoded, _ := json.Marshal(ev)
	_ = json.Unmarshal(encoded, &back)
	for _, f := range unknownFields("", raw, back) {
		in.Problems = append(in.Problems, fmt.Sprintf("field %s is not part of the %s event that Cognito documents", f, t))
	}
	c := ev.Common()
	for _, req := range []struct{ name, value string }{
		{"region", c.Region}, {"userPoolId", c.UserPoolID},
	} {
		if req.value == "" {
			in.Problems = append(in.Problems, fmt.Sprintf("field %s is missing or empty", req.name))
		}
	}
	if c.UserName == "" && h.TriggerSource != TokenGenerationClientCredentials {
		in.Problems = append(in.Problems, "field userName is missing or empty")
	}
	if _, ok := raw["request"].(map[string]any); !ok {
		in.Problems = append(in.Problems, "field request is missing")
	}
	// An event as Cognito sends it has an empty response; check only a
	// response that a function has filled in.
	if !isEmptyJSONDeep(raw["response"]) {
		in.Findings = Findings(ev)
		for _, f := range in.Findings {
			in.Problems = append(in.Problems, fmt.Sprintf("response (%s by Cognito, rule %s): %s", f.Severity, f.Rule, f.Problem))
		}
	}
	return in
}

// unknownFields lists the object keys of raw that the typed round trip
// (back) lost: fields the event types do not know.
func unknownFields(path string, raw, back map[string]any) []string {
	var out []string
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		p := k
		if path != "" {
			p = path + "." + k
		}
		b, present := back[k]
		if !present {
			// A known field is dropped only when empty (omitempty), so an
			// absent non-empty value is a field the types do not know.
			if !isEmptyJSON(raw[k]) && !isOpenMap(path) {
				out = append(out, p)
			}
			continue
		}
		if rm, ok := raw[k].(map[string]any); ok {
			if bm, ok := b.(map[string]any); ok && !isOpenMap(p) {
				out = append(out, unknownFields(p, rm, bm)...)
			}
		}
	}
	return out
}

// isOpenMap reports whether the object at path is a free-form map (user
// attributes, metadata, claims) whose keys are data, not schema.
func isOpenMap(path string) bool {
	last := path[strings.LastIndexByte(path, '.')+1:]
	switch last {
	case "userAttributes", "validationData", "clientMetadata", "privateChallengeParameters",
		"publicChallengeParameters", "claimsToAddOrOverride", "tokenResponse", "idToken",
		"userInfo", "samlResponse", "userAttributesToMap":
		return true
	}
	return false
}

func isEmptyJSON(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case map[string]any:
		return len(x) == 0
	case []any:
		return len(x) == 0
	case string:
		return x == ""
	case bool:
		return !x
	case float64:
		return x == 0
	}
	return false
}

func isEmptyJSONDeep(v any) bool {
	switch x := v.(type) {
	case map[string]any:
		for _, e := range x {
			if !isEmptyJSONDeep(e) {
				return false
			}
		}
		return true
	case []any:
		return len(x) == 0
	}
	return isEmptyJSON(v)
}
