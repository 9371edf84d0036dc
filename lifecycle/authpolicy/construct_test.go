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
	post := func(cfg authpolicy.PostAuthConfig) error {
		cfg.Audit = audit
		_, err := authpolicy.PostAuthentication(cfg)
		return err
	}
	_, tenantActive := authpolicy.TenantActive(nil, authpolicy.TenantConfig{})
	_, preAuth := authpolicy.PreAuthentication(must(authpolicy.ClientAllowList("", "c")), nil)
	_, firstIP := authpolicy.FirstIP(authpolicy.IPFromContext(), nil)
	_, merge := authpolicy.MergeSignals(nil)
	_, anyOf := authpolicy.AnyOf(authpolicy.NewDevice(), nil)
	_, noClients := authpolicy.ClientAllowList("")
	_, emptyClient := authpolicy.ClientAllowList("", "web", "")
	_, all := authpolicy.All(nil)
	_, userAttribute := authpolicy.UserAttribute("", nil)
	_, noEventsAPI := authpolicy.AuthEventSignals(nil, time.Minute)
	_, noMaxAge := authpolicy.AuthEventSignals(eventsAPI{}, 0)
	// A constructor's result on error: not == nil, yet unusable.
	_, nilClient := authpolicy.AuthEventSignals((*cip.Client)(nil), time.Minute)
	_, nilStatus := authpolicy.TenantActive(authpolicy.TenantStatusFunc(nil), authpolicy.TenantConfig{})
	_, nilAudit := authpolicy.PostAuthentication(authpolicy.PostAuthConfig{Audit: (*authpolicy.DynamoAuditStore)(nil)})
	for _, c := range []struct {
		name string
		err  error
		want string
	}{
		{"TenantActive without a status", tenantActive, "TenantStatus is nil"},
		{"PreAuthentication with a nil check", preAuth, "check 1 is nil"},
		{"All with a nil check", all, "check 0 is nil"},
		{"FirstIP with a nil source", firstIP, "source 1 is nil"},
		{"MergeSignals with a nil source", merge, "source 0 is nil"},
		{"AnyOf with a nil signal", anyOf, "signal 1 is nil"},
		{"ClientAllowList without clients", noClients, "no app client IDs"},
		{"ClientAllowList with an empty client", emptyClient, "app client ID 1 is empty"},
		{"UserAttribute without a function", userAttribute, "allow function is nil"},
		{"AuthEventSignals without a client", noEventsAPI, "AuthEventsAPI is nil"},
		{"AuthEventSignals with no maxAge", noMaxAge, "maxAge"},
		{"AuthEventSignals with a nil *Client", nilClient, "AuthEventsAPI is nil"},
		{"TenantActive with a nil TenantStatusFunc", nilStatus, "TenantStatus is nil"},
		{"PostAuthentication with a nil *DynamoAuditStore", nilAudit, "Audit is nil"},
		{"PostAuthentication with a nil check", post(authpolicy.PostAuthConfig{Checks: []triggers.Func[triggers.PostAuthenticationEvent]{nil}}), "Checks[0] is nil"},
		{"PostAuthentication with MFA and no API", post(authpolicy.PostAuthConfig{MFA: &authpolicy.RequireMFA{When: authpolicy.NewDevice()}}), "MFA.API is nil"},
		// What a failed constructor hands back: a nil *Client in the interface.
		{"PostAuthentication with MFA and a nil client", post(authpolicy.PostAuthConfig{MFA: &authpolicy.RequireMFA{API: (*cip.Client)(nil), When: authpolicy.NewDevice()}}), "MFA.API is nil"},
		{"PostAuthentication with MFA and no signal", post(authpolicy.PostAuthConfig{MFA: &authpolicy.RequireMFA{API: mfaAPI}}), "MFA.When is nil"},
		{"PostAuthentication with an unknown MFA method", post(authpolicy.PostAuthConfig{MFA: &authpolicy.RequireMFA{API: mfaAPI, When: authpolicy.NewDevice(), Method: "TOTP"}}), `"TOTP" is unknown`},
	} {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: err = %v, want one that says %q", c.name, c.err, c.want)
		}
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
