package cognitrigcdk_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cognitrig/cognitrig/cdk/cognitrigcdk"
)

// idOf returns the logical ID of a construct's CloudFormation resource.
func (s *synthesized) idOf(c interface{ Node() constructs.Node }) string {
	return *s.stack.GetLogicalId(c.Node().DefaultChild().(awscdk.CfnElement))
}

// clientFlows returns each client's ExplicitAuthFlows, by logical ID.
func clientFlows(s *synthesized) map[string][]string {
	out := map[string][]string{}
	for id, cl := range s.ofType("AWS::Cognito::UserPoolClient") {
		flows, _ := cl.Properties["ExplicitAuthFlows"].([]any)
		for _, f := range flows {
			out[id] = append(out[id], fmt.Sprint(f))
		}
		slices.Sort(out[id])
	}
	return out
}

// Issue 12 item 3: with a custom sequence configured (the default
// "email-otp", or password, CAPTCHA and security question), the app client
// allows custom authentication and refresh only: no SRP, no password
// flows, no choice-based sign-in, no managed login. The migration client
// allows USER_PASSWORD_AUTH and refresh only, never the custom sequence,
// and synth warns about its bypass, naming client and flow.
func TestAppClientServesOnlyTheSequence(t *testing.T) {
	s := synth(t, cognitrigcdk.Props{
		Shape:       cognitrigcdk.FunctionPerConcern,
		Migration:   &cognitrigcdk.MigrationProps{},
		Environment: map[string]string{"COGNITRIG_AUTH_SEQUENCE": "password,captcha,security-question"},
		UserPool:    cognitrigcdk.UserPoolProps{DomainPrefix: "example-auth"},
		Client:      cognitrigcdk.ClientProps{CallbackURLs: []string{"https://app.example.com/callback"}},
	})
	flows := clientFlows(s)
	app, mig := s.idOf(s.c.Client), s.idOf(s.c.MigrationClient)
	if want := []string{"ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}; !slices.Equal(flows[app], want) {
		t.Errorf("app client flows %v, want only %v", flows[app], want)
	}
	if want := []string{"ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_PASSWORD_AUTH"}; !slices.Equal(flows[mig], want) {
		t.Errorf("migration client flows %v, want only %v", flows[mig], want)
	}
	for id, cl := range s.ofType("AWS::Cognito::UserPoolClient") {
		// (SupportedIdentityProviders stays [COGNITO], the CDK default: without
		// OAuth flows no managed login page serves the client.)
		for _, prop := range []string{"AllowedOAuthFlows", "AllowedOAuthScopes", "CallbackURLs"} {
			if v, ok := cl.Properties[prop]; ok && v != nil {
				t.Errorf("client %s has %s %v: managed login would sign users in with the password alone", id, prop, v)
			}
		}
		if on, _ := cl.Properties["AllowedOAuthFlowsUserPoolClient"].(bool); on {
			t.Errorf("client %s has OAuth on", id)
		}
	}
	check(t, "migration client warning", func() {
		assertions.Annotations_FromStack(s.stack).HasWarning(jsii.String("*"),
			assertions.Match_StringLikeRegexp(jsii.String(`MigrationClient.*ALLOW_USER_PASSWORD_AUTH.*password,captcha,security-question`)))
	})

	// Issue 12 item 14: without federated linking, the tenancy function
	// may neither list users nor link identities.
	for fn, actions := range policyActions(t, s) {
		for _, a := range []string{"cognito-idp:ListUsers", "cognito-idp:AdminLinkProviderForUser"} {
			if slices.Contains(actions, a) {
				t.Errorf("function %s may %s without federated linking", fn, a)
			}
		}
	}
}

// The documented opt-out lets the app client have the flows asked for;
// a sequence of the password alone has no later step to skip; federated
// linking brings its two permissions to the tenancy function only.
func TestSequenceBypassOptOutAndFederation(t *testing.T) {
	s := synth(t, cognitrigcdk.Props{
		Shape: cognitrigcdk.FunctionPerConcern,
		Client: cognitrigcdk.ClientProps{ExtraAuthFlows: []string{"USER_SRP_AUTH"}, ManagedLogin: true, AllowSequenceBypass: true,
			CallbackURLs: []string{"https://app.example.com/callback"}},
		Environment: map[string]string{"COGNITRIG_FEDERATION_PROVIDERS": "Google"},
	})
	app := s.idOf(s.c.Client)
	if want := []string{"ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"}; !slices.Equal(clientFlows(s)[app], want) {
		t.Errorf("app client flows %v, want %v", clientFlows(s)[app], want)
	}
	if got := fmt.Sprint(s.res[app].Properties["AllowedOAuthFlows"]); got != "[code]" {
		t.Errorf("AllowedOAuthFlows %s, want the code grant with ManagedLogin", got)
	}
	tenancy := s.logicalID(s.c.Functions["tenancy"])
	for fn, actions := range policyActions(t, s) {
		for _, a := range []string{"cognito-idp:ListUsers", "cognito-idp:AdminLinkProviderForUser"} {
			if slices.Contains(actions, a) != (fn == tenancy) {
				t.Errorf("function %s may %s: %v, want only the tenancy function with federated linking", fn, a, slices.Contains(actions, a))
			}
		}
	}
	checkIAM(t, s)
}
