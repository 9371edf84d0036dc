package invitation_test

import (
	"context"
	"strings"
	"testing"

	"github.com/cognitrig/cognitrig/internal/awsfake"
	"github.com/cognitrig/cognitrig/tenancy"
	"github.com/cognitrig/cognitrig/tenancy/invitation"
	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

var groups = tenancy.MustParseGroupConvention("tenant-{id}-{role}")

// invited signs jdoe up with the fixture's invitation and returns the
// handler, with the Cognito fake holding the new user.
func invited(t *testing.T, cfg invitation.Config) (*invitation.Handler, *awsfake.CognitoPool, tenancy.Store) {
	t.Helper()
	fx := newFixture(t, tenancy.NewMemoryStore(), func() string { return "" })
	cog := awsfake.NewCognitoPool(t)
	cog.AddUser(awsfake.CognitoUser{Username: "jdoe", Attributes: map[string]string{"email": "jdoe@example.com"}, Status: "CONFIRMED", Enabled: true})
	cfg.Cognito = cog.Client()
	h := newHandler(t, fx.store, cfg)
	ev := triggertest.Decode[triggers.PreSignUpEvent](t, "PreSignUp_SignUp")
	ev.Request.ClientMetadata = triggers.Metadata{"invitationToken": fx.token.Reveal()}
	if err := h.PreSignUp(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	return h, cog, fx.store
}

func confirm(t *testing.T) *triggers.PostConfirmationEvent {
	return triggertest.Decode[triggers.PostConfirmationEvent](t, "PostConfirmation_ConfirmSignUp")
}

func TestPostConfirmation(t *testing.T) {
	h, cog, store := invited(t, invitation.Config{Groups: groups, CreateGroups: true})
	r := triggers.NewRouter()
	h.Register(r)
	payload := triggertest.Load(t, "PostConfirmation_ConfirmSignUp")
	// Cognito may deliver the event more than once.
	for range 3 {
		if _, err := triggertest.Invoke(r, payload, 0); err != nil {
			t.Fatal(err)
		}
	}
	u, _ := cog.User("jdoe")
	if u.Attributes["custom:tenantId"] != "acme" {
		t.Fatalf("custom:tenantId = %q, want acme", u.Attributes["custom:tenantId"])
	}
	members, ok := cog.Members("tenant-acme-admin")
	if !ok || len(members) != 1 || members[0] != "jdoe" {
		t.Fatalf("group tenant-acme-admin: %v (exists %v), want [jdoe]", members, ok)
	}
	if n := cog.Calls("CreateGroup"); n != 1 {
		t.Fatalf("%d CreateGroup calls, want 1", n)
	}

	// The user now resolves to the tenant from the attribute and group.
	res, _ := tenancy.NewResolver(tenancy.ResolverConfig{Reader: store, Steps: []tenancy.Step{
		tenancy.FromAttribute(tenancy.TenantAttribute), tenancy.FromGroups(groups)}})
	got, err := res.Resolve(context.Background(), tenancy.User{Name: "jdoe", Attributes: triggers.Attributes(u.Attributes), Groups: []string{"tenant-acme-admin"}})
	if err != nil || got.Tenant.ID != "acme" || got.Role != "admin" {
		t.Fatalf("Resolve after provisioning = %+v, %v", got, err)
	}
}

func TestPostConfirmationSkips(t *testing.T) {
	h, cog, _ := invited(t, invitation.Config{Groups: groups})
	cog.AddGroup(awsfake.CognitoGroup{Name: "tenant-acme-admin"})
	ctx := context.Background()

	// Attribute already set by an earlier attempt: no update call.
	ev := confirm(t)
	ev.Request.UserAttributes["custom:tenantId"] = "acme"
	if err := h.PostConfirmation(ctx, ev); err != nil {
		t.Fatal(err)
	}
	if n := cog.Calls("AdminUpdateUserAttributes"); n != 0 {
		t.Fatalf("%d attribute updates for a user who has the attribute", n)
	}

	// A different tenant is never overwritten.
	ev = confirm(t)
	ev.Request.UserAttributes["custom:tenantId"] = "globex"
	err := h.PostConfirmation(ctx, ev)
	if err == nil || !strings.Contains(err.Error(), "left unchanged") || cog.Calls("AdminUpdateUserAttributes") != 0 {
		t.Fatalf("conflicting tenant: %v", err)
	}

	// A forgotten-password confirmation and an uninvited user: no calls.
	before := cog.Calls("AdminAddUserToGroup")
	fp := confirm(t)
	fp.TriggerSource = triggers.PostConfirmationConfirmForgotPassword
	stranger := confirm(t)
	stranger.UserName = "stranger"
	for _, ev := range []*triggers.PostConfirmationEvent{fp, stranger} {
		if err := h.PostConfirmation(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	if cog.Calls("AdminAddUserToGroup") != before || cog.Calls("AdminUpdateUserAttributes") != 0 {
		t.Fatal("post-confirmation called Cognito for a user it has nothing to do for")
	}
}

func TestPostConfirmationFailures(t *testing.T) {
	ctx := context.Background()
	// The group does not exist and may not be created.
	h, cog, _ := invited(t, invitation.Config{Groups: groups})
	err := h.PostConfirmation(ctx, confirm(t))
	if err == nil || !strings.Contains(err.Error(), "tenant-acme-admin") || !strings.Contains(err.Error(), "ResourceNotFoundException") {
		t.Fatalf("missing group: %v, want an error naming the group", err)
	}
	if n := cog.Calls("CreateGroup"); n != 0 {
		t.Fatalf("%d CreateGroup calls without CreateGroups", n)
	}

	// A throttled call fails the attempt; the retry completes it.
	h, cog, _ = invited(t, invitation.Config{Groups: groups, CreateGroups: true})
	cog.FailNext("AdminAddUserToGroup", "TooManyRequestsException", "Rate exceeded")
	if err := h.PostConfirmation(ctx, confirm(t)); err == nil || !strings.Contains(err.Error(), "TooManyRequests") {
		t.Fatalf("throttled: %v", err)
	}
	if err := h.PostConfirmation(ctx, confirm(t)); err != nil {
		t.Fatalf("retry: %v", err)
	}
	if m, _ := cog.Members("tenant-acme-admin"); len(m) != 1 {
		t.Fatalf("after the retry members = %v", m)
	}

	// An immutable attribute cannot be set: the error says what to change.
	h, cog, _ = invited(t, invitation.Config{})
	cog.FailNext("AdminUpdateUserAttributes", "NotAuthorizedException", "Cannot modify an already provided immutable attribute")
	if err := h.PostConfirmation(ctx, confirm(t)); err == nil || !strings.Contains(err.Error(), "mutable") {
		t.Fatalf("immutable attribute: %v", err)
	}

	// Without a Cognito client, a clear error.
	fx := newFixture(t, tenancy.NewMemoryStore(), func() string { return "" })
	h = newHandler(t, fx.store, invitation.Config{})
	ev := triggertest.Decode[triggers.PreSignUpEvent](t, "PreSignUp_SignUp")
	ev.Request.ClientMetadata = triggers.Metadata{"invitationToken": fx.token.Reveal()}
	_ = h.PreSignUp(ctx, ev)
	if err := h.PostConfirmation(ctx, confirm(t)); err == nil || !strings.Contains(err.Error(), "Config.Cognito") {
		t.Fatalf("no Cognito client: %v", err)
	}
}
