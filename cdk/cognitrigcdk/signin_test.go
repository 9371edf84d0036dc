package cognitrigcdk_test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/jsii-runtime-go"

	"github.com/cognitrig/cognitrig/cdk/cognitrigcdk"
)

// TestChoiceSignInAndThreatProtection: choice-based sign-in with every
// first factor on the Plus plan, with threat protection for standard and
// custom authentication; the app client allows USER_AUTH once the owner
// has accepted that it skips the sequence.
func TestChoiceSignInAndThreatProtection(t *testing.T) {
	s := synth(t, cognitrigcdk.Props{
		SMS: true,
		UserPool: cognitrigcdk.UserPoolProps{
			FeaturePlan:            awscognito.FeaturePlan_PLUS,
			ThreatProtection:       awscognito.StandardThreatProtectionMode_FULL_FUNCTION,
			CustomThreatProtection: awscognito.CustomThreatProtectionMode_AUDIT_ONLY,
			ChoiceSignIn: &cognitrigcdk.ChoiceSignInProps{EmailOTP: true, SMSOTP: true, Passkey: true,
				PasskeyRelyingPartyID: "auth.example.com", PasskeyUserVerification: awscognito.PasskeyUserVerification_REQUIRED},
		},
		Client:      cognitrigcdk.ClientProps{AllowSequenceBypass: true},
		Environment: map[string]string{"COGNITRIG_AUTH_SEQUENCE": "password,email-otp"},
	})
	s.template.HasResourceProperties(jsii.String("AWS::Cognito::UserPool"), &map[string]any{
		"UserPoolTier": "PLUS",
		"Policies": map[string]any{"SignInPolicy": map[string]any{
			"AllowedFirstAuthFactors": []any{"PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN"},
		}},
		"WebAuthnRelyingPartyID":   "auth.example.com",
		"WebAuthnUserVerification": "required",
		"UserPoolAddOns":           map[string]any{"AdvancedSecurityMode": "ENFORCED", "AdvancedSecurityAdditionalFlows": map[string]any{"CustomAuthMode": "AUDIT"}},
	})
	found := false
	for _, cl := range s.ofType("AWS::Cognito::UserPoolClient") {
		flows, _ := cl.Properties["ExplicitAuthFlows"].([]any)
		for _, f := range flows {
			found = found || f == "ALLOW_USER_AUTH"
		}
	}
	if !found {
		t.Error("no app client allows ALLOW_USER_AUTH")
	}
}

// A passkey without a relying party ID is what Cognito accepts ("Required:
// No" in WebAuthnConfigurationType): synth must too, and leave it unset.
func TestPasskeyWithoutRelyingPartyID(t *testing.T) {
	s := synth(t, cognitrigcdk.Props{
		UserPool:    cognitrigcdk.UserPoolProps{ChoiceSignIn: &cognitrigcdk.ChoiceSignInProps{Passkey: true}},
		Client:      cognitrigcdk.ClientProps{AllowSequenceBypass: true},
		Environment: map[string]string{"COGNITRIG_AUTH_SEQUENCE": "password,email-otp"},
	})
	for _, p := range s.ofType("AWS::Cognito::UserPool") {
		if _, set := p.Properties["WebAuthnRelyingPartyID"]; set {
			t.Errorf("WebAuthnRelyingPartyID set: %v", p.Properties["WebAuthnRelyingPartyID"])
		}
	}
}
