package triggers_test

import (
	"context"
	"testing"

	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

// The recorded sender and token events are shaped as Cognito sends them
// (each names its source in NAME.source.md beside it).
func TestRecordedEventsAsCognitoSendsThem(t *testing.T) {
	// Account takeover: null code, null client metadata, the sign-in's
	// attributes (DefinitelyTyped/DefinitelyTyped#52111).
	for _, name := range []string{"CustomEmailSender_AccountTakeOverNotification", "CustomSMSSender_AccountTakeOverNotification"} {
		ev := triggertest.Decode[triggers.CustomSenderEvent](t, name)
		if !ev.Request.Code.IsZero() || ev.Request.ClientMetadata != nil {
			t.Errorf("%s: code or client metadata set: %+v", name, ev.Request)
		}
		for _, attr := range []string{"EVENT_ID", "USER_NAME", "IP_ADDRESS", "LOGIN_TIME", "CITY", "COUNTRY", "DEVICE_NAME",
			"ACCOUNT_TAKE_OVER_ACTION", "FEEDBACK_TOKEN", "ONE_CLICK_LINK_VALID", "ONE_CLICK_LINK_INVALID"} {
			if ev.Request.UserAttributes[attr] == "" {
				t.Errorf("%s: no %s", name, attr)
			}
		}
		if _, ok := ev.Request.UserAttributes["email"]; ok {
			t.Errorf("%s: the event carries an email address; Cognito's does not", name)
		}
	}
	// Client metadata only where the operation passes it.
	for name, want := range map[string]bool{
		"CustomEmailSender_Authentication": false, "CustomSMSSender_Authentication": false,
		"CustomEmailSender_SignUp": true, "CustomSMSSender_AdminCreateUser": true,
	} {
		ev := triggertest.Decode[triggers.CustomSenderEvent](t, name)
		if got := ev.Request.ClientMetadata != nil; got != want {
			t.Errorf("%s: client metadata %v, want %v", name, got, want)
		}
	}
	for _, name := range []string{"TokenGeneration_HostedAuth.v1"} {
		if ev := triggertest.Decode[triggers.PreTokenGenerationV1Event](t, name); ev.Request.ClientMetadata != nil {
			t.Errorf("%s: client metadata on a managed-login sign-in", name)
		}
	}
	for _, name := range []string{"TokenGeneration_HostedAuth.v2", "TokenGeneration_HostedAuth.v3"} {
		if ev := triggertest.Decode[triggers.PreTokenGenerationV2Event](t, name); ev.Request.ClientMetadata != nil {
			t.Errorf("%s: client metadata on a managed-login sign-in", name)
		}
	}
	cc := triggertest.Decode[triggers.PreTokenGenerationV2Event](t, "TokenGeneration_ClientCredentials.v3.client-metadata")
	if cc.Version != "3" || cc.TriggerSource != triggers.TokenGenerationClientCredentials || cc.Request.ClientMetadata["environment"] != "prod" {
		t.Errorf("client credentials with client metadata: %+v", cc.Request)
	}
}

// A define-auth session that contains NEW_PASSWORD_REQUIRED (a user created
// by an administrator, in a custom flow) decodes and passes the router
// with a handler that issues tokens after it.
func TestDefineAuthSessionWithNewPasswordRequired(t *testing.T) {
	const name = "DefineAuthChallenge_Authentication.new-password-required"
	r := triggers.NewRouter()
	var seen []string
	r.DefineAuthChallenge(func(_ context.Context, ev *triggers.DefineAuthChallengeEvent) error {
		for _, c := range ev.Request.Session {
			seen = append(seen, c.ChallengeName)
		}
		ev.Response.IssueTokens = true
		return nil
	})
	ev := triggertest.Replay[triggers.DefineAuthChallengeEvent](t, r, name)
	if len(seen) != 3 || seen[2] != "NEW_PASSWORD_REQUIRED" || !ev.Request.Session[2].ChallengeResult {
		t.Fatalf("session %v", seen)
	}
	if !ev.Response.IssueTokens {
		t.Fatal("tokens not issued")
	}
}

// Define rounds that Cognito runs within InitiateAuth carry no client
// metadata (the API reference, InitiateAuth, ClientMetadata); rounds after
// RespondToAuthChallenge do.
func TestRecordedDefineRoundsClientMetadata(t *testing.T) {
	for name, want := range map[string]bool{
		"DefineAuthChallenge_Authentication":                       false,
		"DefineAuthChallenge_Authentication.after-srp-a":           false,
		"DefineAuthChallenge_Authentication.user-not-found":        false,
		"DefineAuthChallenge_Authentication.after-password":        true,
		"DefineAuthChallenge_Authentication.new-password-required": true,
	} {
		ev := triggertest.Decode[triggers.DefineAuthChallengeEvent](t, name)
		if got := ev.Request.ClientMetadata != nil; got != want {
			t.Errorf("%s: client metadata %v, want %v", name, got, want)
		}
	}
}
