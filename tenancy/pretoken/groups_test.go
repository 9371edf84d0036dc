package pretoken_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/cognitrig/cognitrig/tenancy/pretoken"
	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

// wireGroups invokes r with payload and returns the groupOverrideDetails
// object of the response as it leaves the function, or "" when the
// response has none. Cognito replaces the user's whole group configuration
// with that object ("Pre token generation Lambda trigger"), so the tests
// compare it whole.
func wireGroups(t *testing.T, r *triggers.Router, payload []byte) string {
	t.Helper()
	out, err := triggertest.Invoke(r, payload, 0)
	if err != nil {
		t.Fatal(err)
	}
	var ev struct {
		Response map[string]map[string]json.RawMessage `json:"response"`
	}
	if err := json.Unmarshal(out, &ev); err != nil {
		t.Fatalf("response %s: %v", out, err)
	}
	for _, details := range ev.Response { // claimsOverrideDetails (V1) or claimsAndScopeOverrideDetails (V2)
		if g, ok := details["groupOverrideDetails"]; ok {
			return string(g)
		}
	}
	return ""
}

// groupEvents are a V1 and a V2 event of jdoe, admin of acme by the
// custom:tenantId attribute, with the given groups and IAM roles.
func groupEvents(t *testing.T, groups, roles []string, preferred any) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, name := range []string{"TokenGeneration_Authentication.v1", "TokenGeneration_Authentication.v2"} {
		out[name] = triggertest.From(t, name).
			Set("userName", "jdoe").
			UserAttribute("custom:tenantId", "acme").
			Set("request.groupConfiguration", map[string]any{
				"groupsToOverride": groups, "iamRolesToOverride": roles, "preferredRole": preferred,
			}).JSON(t)
	}
	return out
}

const (
	acmeAdminARN = "arn:aws:iam::123456789012:role/acme-admin"
	oldRoleARN   = "arn:aws:iam::123456789012:role/pool-default"
)

// Mapping an IAM role keeps the user's groups in both tokens: the override
// carries a copy of them, since Cognito replaces the whole object.
func TestIAMRoleKeepsGroupsOnTheWire(t *testing.T) {
	r := router(newHandler(t, pretoken.Config{IAMRoles: map[string]string{"admin": "arn:aws:iam::123456789012:role/{id}-admin"}}))
	for name, payload := range groupEvents(t, []string{"tenant-acme-admin", "everyone"}, []string{oldRoleARN}, oldRoleARN) {
		got := wireGroups(t, r, payload)
		want := `{"groupsToOverride":["tenant-acme-admin","everyone"],"iamRolesToOverride":["` + acmeAdminARN + `"],"preferredRole":"` + acmeAdminARN + `"}`
		if got != want {
			t.Errorf("%s: groupOverrideDetails = %s\nwant %s (the groups kept)", name, got, want)
		}
	}
	// A user without groups: the copy is the explicit [] that Cognito sent.
	for name, payload := range groupEvents(t, []string{}, []string{}, nil) {
		got := wireGroups(t, r, payload)
		want := `{"groupsToOverride":[],"iamRolesToOverride":["` + acmeAdminARN + `"],"preferredRole":"` + acmeAdminARN + `"}`
		if got != want {
			t.Errorf("%s, no groups: groupOverrideDetails = %s\nwant %s", name, got, want)
		}
	}
}

// With DropOtherTenantGroups, another tenant's group never reaches the
// token, also when it is the user's only group, and the IAM roles stay.
func TestDropOtherTenantGroupsOnTheWire(t *testing.T) {
	r := router(newHandler(t, pretoken.Config{Groups: convention, DropOtherTenantGroups: true}))
	cases := []struct {
		name   string
		groups []string
		want   string // "" for no override at all
	}{
		{"only another tenant's group", []string{"tenant-globex-admin"},
			`{"groupsToOverride":[],"iamRolesToOverride":["` + oldRoleARN + `"],"preferredRole":"` + oldRoleARN + `"}`},
		{"mixed", []string{"tenant-acme-admin", "tenant-globex-viewer", "everyone"},
			`{"groupsToOverride":["tenant-acme-admin","everyone"],"iamRolesToOverride":["` + oldRoleARN + `"],"preferredRole":"` + oldRoleARN + `"}`},
		{"none foreign", []string{"tenant-acme-admin", "everyone"}, ""},
	}
	for _, tc := range cases {
		for name, payload := range groupEvents(t, tc.groups, []string{oldRoleARN}, oldRoleARN) {
			got := wireGroups(t, r, payload)
			if got != tc.want {
				t.Errorf("%s, %s: groupOverrideDetails = %q\nwant %q", tc.name, name, got, tc.want)
			}
			if strings.Contains(got, "globex") {
				t.Errorf("%s, %s: another tenant's group reaches the token: %s", tc.name, name, got)
			}
		}
	}
}

// Both together: foreign groups dropped, the role's IAM role set.
func TestDropGroupsAndMapRoleOnTheWire(t *testing.T) {
	r := router(newHandler(t, pretoken.Config{Groups: convention, DropOtherTenantGroups: true,
		IAMRoles: map[string]string{"*": "arn:aws:iam::123456789012:role/{id}-admin"}}))
	for name, payload := range groupEvents(t, []string{"tenant-globex-admin"}, []string{}, nil) {
		got := wireGroups(t, r, payload)
		want := `{"groupsToOverride":[],"iamRolesToOverride":["` + acmeAdminARN + `"],"preferredRole":"` + acmeAdminARN + `"}`
		if got != want {
			t.Errorf("%s: groupOverrideDetails = %s\nwant %s", name, got, want)
		}
	}
}

// No group configuration: no override, so Cognito keeps the groups.
func TestNoGroupConfigurationNoOverride(t *testing.T) {
	r := router(newHandler(t, pretoken.Config{}))
	for name, payload := range groupEvents(t, []string{"tenant-acme-admin"}, []string{oldRoleARN}, oldRoleARN) {
		if got := wireGroups(t, r, payload); got != "" {
			t.Errorf("%s: groupOverrideDetails = %s, want none", name, got)
		}
	}
}

// The size estimate models Cognito's replacement: an earlier handler's
// override without groups removes cognito:groups, so many groups in the
// request no longer count.
func TestEstimateCountsReplacedGroups(t *testing.T) {
	many := make([]string, 400)
	for i := range many {
		many[i] = "a-rather-long-group-name-" + strings.Repeat("g", 20) + string(rune('a'+i%26))
	}
	h := newHandler(t, pretoken.Config{})
	for _, v2 := range []bool{false, true} {
		var err error
		if v2 {
			ev := triggertest.Decode[triggers.PreTokenGenerationV2Event](t, "TokenGeneration_Authentication.v2")
			ev.Request.GroupConfiguration.GroupsToOverride = many
			// An earlier handler sets the IAM role only: the groups go.
			ev.Response.Details().GroupOverrideDetails = &triggers.GroupOverride{IAMRolesToOverride: []string{acmeAdminARN}}
			err = h.PreTokenGenerationV2(context.Background(), ev)
		} else {
			ev := triggertest.Decode[triggers.PreTokenGenerationV1Event](t, "TokenGeneration_Authentication.v1")
			ev.Request.GroupConfiguration.GroupsToOverride = many
			ev.Response.Details().GroupOverrideDetails = &triggers.GroupOverride{IAMRolesToOverride: []string{acmeAdminARN}}
			err = h.PreTokenGenerationV1(context.Background(), ev)
		}
		if err != nil {
			t.Errorf("v2=%v: %v; the override removes the groups, so the token is small", v2, err)
		}
		// Without the override the same groups are over the budget.
		ev := triggertest.Decode[triggers.PreTokenGenerationV2Event](t, "TokenGeneration_Authentication.v2")
		ev.Request.GroupConfiguration.GroupsToOverride = many
		var tse *pretoken.TokenSizeError
		if err := h.PreTokenGenerationV2(context.Background(), ev); !errors.As(err, &tse) {
			t.Fatalf("400 groups kept: %v, want a TokenSizeError", err)
		}
	}
}

// A client-credentials grant may carry client metadata (the token
// endpoint's aws_client_metadata); the client chooses it, so the tenant
// still comes from the app client's binding, never from the metadata.
func TestClientCredentialsIgnoresClientMetadata(t *testing.T) {
	h := newHandler(t, pretoken.Config{})
	ev := triggertest.Replay[triggers.PreTokenGenerationV2Event](t, router(h), "TokenGeneration_ClientCredentials.v3.client-metadata")
	if ev.Request.ClientMetadata["tenantId"] != "globex" {
		t.Fatalf("the recorded event's metadata: %v", ev.Request.ClientMetadata)
	}
	at := ev.Response.ClaimsAndScopeOverrideDetails.AccessTokenGeneration
	if at.ClaimsToAddOrOverride["tenant_id"] != "acme" || slices.ContainsFunc(at.ScopesToAdd, func(s string) bool { return strings.Contains(s, "globex") }) {
		t.Fatalf("access token %+v: the tenant must be the client's (acme)", at)
	}
}
