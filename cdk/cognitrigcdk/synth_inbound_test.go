package cognitrigcdk_test

import (
	"slices"
	"testing"

	"github.com/cognitrig/cognitrig/cdk/cognitrigcdk"
)

// TestInboundFederationAndSenderLookup: COGNITRIG_INBOUND_PROVIDERS wires
// the inbound federation trigger (V1_0) to the tenancy function, with the
// invoke permission for the pool; the custom senders may look a user up for
// the account-takeover warning; the per-user limits reach only the
// custom-auth function.
func TestInboundFederationAndSenderLookup(t *testing.T) {
	s := synth(t, cognitrigcdk.Props{
		Shape:         cognitrigcdk.FunctionPerConcern,
		EmailFrom:     "no-reply@example.com",
		CustomSenders: &cognitrigcdk.CustomSendersProps{},
		Environment: map[string]string{
			"COGNITRIG_INBOUND_PROVIDERS": "AcmeSAML=acme",
			"COGNITRIG_AUTH_MAX_FAILURES": "3",
		},
	})
	tenancyID := s.logicalID(s.c.Functions["tenancy"])
	wired, versions := s.triggersOf(t)
	if wired["InboundFederation"] != tenancyID || versions["InboundFederation"] != "V1_0" {
		t.Errorf("InboundFederation → %q (%q), want %q (V1_0)", wired["InboundFederation"], versions["InboundFederation"], tenancyID)
	}
	invokes := 0
	for _, p := range s.ofType("AWS::Lambda::Permission") {
		if getAttArn(p.Properties["FunctionName"]) == tenancyID && p.Properties["Principal"] == "cognito-idp.amazonaws.com" && p.Properties["SourceArn"] != nil {
			invokes++
		}
	}
	if invokes == 0 {
		t.Error("no permission lets the pool invoke the tenancy function")
	}
	actions := policyActions(t, s)
	if got := actions[s.logicalID(s.c.Functions["messages"])]; !slices.Contains(got, "cognito-idp:AdminGetUser") {
		t.Errorf("messages may %v, want cognito-idp:AdminGetUser for the account-takeover warning", got)
	}
	for name, fn := range s.c.Functions {
		env, _ := s.res[s.logicalID(fn)].Properties["Environment"].(map[string]any)
		vars, _ := env["Variables"].(map[string]any)
		_, has := vars["COGNITRIG_AUTH_MAX_FAILURES"]
		if has != (name == "customauth") {
			t.Errorf("%s gets COGNITRIG_AUTH_MAX_FAILURES: %v", name, has)
		}
		_, has = vars["COGNITRIG_INBOUND_PROVIDERS"]
		if has != (name == "tenancy") {
			t.Errorf("%s gets COGNITRIG_INBOUND_PROVIDERS: %v", name, has)
		}
	}
}

// Without the variable no inbound federation trigger is wired.
func TestNoInboundFederationByDefault(t *testing.T) {
	s := synth(t, cognitrigcdk.Props{})
	if wired, _ := s.triggersOf(t); wired["InboundFederation"] != "" {
		t.Errorf("InboundFederation wired without COGNITRIG_INBOUND_PROVIDERS")
	}
}
