package authpolicy_test

import (
	"context"
	"strings"
	"testing"
	"time"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/cognitrig/cognitrig/lifecycle/authpolicy"
	"github.com/cognitrig/cognitrig/triggers"
)

// must returns v, and panics on err: for values a test builds from a
// configuration that is valid.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestConstructorsRefuseMissingDependencies: a nil store, client, check or
// function, or an MFA method Cognito does not know, fails when the handler
// is built, not at the first sign-in (issue 13 §3); the error names it.
func TestConstructorsRefuseMissingDependencies(t *testing.T) {
	audit := authpolicy.NewMemoryAuditStore(nil)
	mfaAPI := noMFA{}
	cases := []struct {
		name  string
		build func() error
		want  string
	}{
		{"TenantActive without a status", func() error {
			_, err := authpolicy.TenantActive(nil, authpolicy.TenantConfig{})
			return err
		}, "TenantStatus is nil"},
		{"PreAuthentication with a nil check", func() error {
			_, err := authpolicy.PreAuthentication(authpolicy.ClientAllowList("", "c"), nil)
			return err
		}, "check 1 is nil"},
		{"All with a nil check", func() error {
			_, err := authpolicy.All(nil)
			return err
		}, "check 0 is nil"},
		{"UserAttribute without a function", func() error {
			_, err := authpolicy.UserAttribute("", nil)
			return err
		}, "allow function is nil"},
		{"AuthEventSignals without a client", func() error {
			_, err := authpolicy.AuthEventSignals(nil, time.Minute)
			return err
		}, "AuthEventsAPI is nil"},
		{"AuthEventSignals with no maxAge", func() error {
			_, err := authpolicy.AuthEventSignals(eventsAPI{}, 0)
			return err
		}, "maxAge"},
		{"PostAuthentication with a nil check", func() error {
			_, err := authpolicy.PostAuthentication(authpolicy.PostAuthConfig{Audit: audit, Checks: []triggers.Func[triggers.PostAuthenticationEvent]{nil}})
			return err
		}, "Checks[0] is nil"},
		{"PostAuthentication with MFA and no API", func() error {
			_, err := authpolicy.PostAuthentication(authpolicy.PostAuthConfig{Audit: audit, MFA: &authpolicy.RequireMFA{When: authpolicy.NewDevice()}})
			return err
		}, "MFA.API is nil"},
		{"PostAuthentication with MFA and no signal", func() error {
			_, err := authpolicy.PostAuthentication(authpolicy.PostAuthConfig{Audit: audit, MFA: &authpolicy.RequireMFA{API: mfaAPI}})
			return err
		}, "MFA.When is nil"},
		{"PostAuthentication with an unknown MFA method", func() error {
			_, err := authpolicy.PostAuthentication(authpolicy.PostAuthConfig{Audit: audit, MFA: &authpolicy.RequireMFA{API: mfaAPI, When: authpolicy.NewDevice(), Method: "TOTP"}})
			return err
		}, `"TOTP" is unknown`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.build(); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want one that says %q", err, c.want)
			}
		})
	}
	// No checks is valid: every sign-in passes.
	if _, err := authpolicy.PreAuthentication(); err != nil {
		t.Fatalf("no checks: %v", err)
	}
}

// noMFA and eventsAPI stand in for the Cognito client; the constructors
// under test never call them.
type noMFA struct{}

func (noMFA) AdminSetUserMFAPreference(context.Context, *cip.AdminSetUserMFAPreferenceInput, ...func(*cip.Options)) (*cip.AdminSetUserMFAPreferenceOutput, error) {
	return &cip.AdminSetUserMFAPreferenceOutput{}, nil
}

type eventsAPI struct{}

func (eventsAPI) AdminListUserAuthEvents(context.Context, *cip.AdminListUserAuthEventsInput, ...func(*cip.Options)) (*cip.AdminListUserAuthEventsOutput, error) {
	return &cip.AdminListUserAuthEventsOutput{}, nil
}
