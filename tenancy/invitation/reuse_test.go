package invitation_test

import (
	"context"
	"errors"
	"testing"

	"github.com/cognitrig/cognitrig/internal/awsfake"
	"github.com/cognitrig/cognitrig/tenancy"
	"github.com/cognitrig/cognitrig/tenancy/invitation"
	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

// TestReusedUserNameAttack is issue 12 item 6, as an attacker plays it
// against the handlers as Cognito calls them. jdoe is invited to acme as
// admin, signs up and is confirmed; later her user is deleted, which
// frees the user name. Mallory signs up as "jdoe" with her own address
// (self sign-up, no invitation) and is confirmed. She must get no tenant
// and no role: not from the membership records, not from a re-used
// invitation.
func TestReusedUserNameAttack(t *testing.T) {
	stores(t, func(t *testing.T, fx *fixture) {
		ctx := context.Background()
		cog := awsfake.NewCognitoPool(t)
		h := newHandler(t, fx.store, invitation.Config{Cognito: cog.Client()})
		r := triggers.NewRouter()
		h.Register(r)
		resolver, err := tenancy.NewResolver(tenancy.ResolverConfig{Reader: fx.store}) // attribute, then memberships
		if err != nil {
			t.Fatal(err)
		}
		const janeSub, mallorySub = "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111", "99999999-8888-4777-8666-555544443333"

		// jdoe: invited sign-up, then confirmation (the recorded event's sub).
		cog.AddUser(awsfake.CognitoUser{Username: "jdoe", Attributes: map[string]string{"email": "jdoe@example.com", "sub": janeSub}, Status: "CONFIRMED", Enabled: true})
		if _, err := triggertest.Invoke(r, signUp(t, fx.token).JSON(t), 0); err != nil {
			t.Fatalf("invited sign-up: %v", err)
		}
		if _, err := triggertest.Invoke(r, triggertest.Load(t, "PostConfirmation_ConfirmSignUp"), 0); err != nil {
			t.Fatalf("invited confirmation: %v", err)
		}
		got, err := resolver.Resolve(ctx, tenancy.User{Name: "jdoe", Attributes: triggers.Attributes{"sub": janeSub}})
		if err != nil || got.Tenant.ID != "acme" || got.Role != "admin" {
			t.Fatalf("the invited member resolves to %+v, %v; want acme admin", got, err)
		}

		// jdoe is deleted (with her attributes and groups); mallory takes
		// the name with a self sign-up and her own, verified address.
		cog.AddUser(awsfake.CognitoUser{Username: "jdoe", Attributes: map[string]string{"email": "mallory@example.com", "sub": mallorySub}, Status: "CONFIRMED", Enabled: true})
		plain := triggertest.From(t, "PreSignUp_SignUp").Delete("request.clientMetadata").UserAttribute("email", "mallory@example.com").JSON(t)
		if _, err := triggertest.Invoke(r, plain, 0); err != nil {
			t.Fatalf("mallory's sign-up: %v", err)
		}
		confirmMallory := triggertest.From(t, "PostConfirmation_ConfirmSignUp").
			UserAttribute("sub", mallorySub).UserAttribute("email", "mallory@example.com").JSON(t)
		if _, err := triggertest.Invoke(r, confirmMallory, 0); err != nil {
			t.Fatalf("mallory's confirmation: %v", err)
		}
		if u, _ := cog.User("jdoe"); u.Attributes["custom:tenantId"] != "" {
			t.Fatalf("mallory was given custom:tenantId %q", u.Attributes["custom:tenantId"])
		}
		got, err = resolver.Resolve(ctx, tenancy.User{Name: "jdoe", Attributes: triggers.Attributes{"sub": mallorySub, "email": "mallory@example.com"}})
		if !errors.Is(err, tenancy.ErrNoTenant) {
			t.Fatalf("mallory as jdoe resolves to %+v, %v; want a refusal: no tenant", got, err)
		}

		// Nor can she reuse the invitation under the old name, even with
		// the token and the invited address.
		_, err = triggertest.Invoke(r, signUp(t, fx.token).JSON(t), 0)
		if !errors.Is(err, tenancy.ErrInvitationUsed) {
			t.Fatalf("a new jdoe signing up with the bound invitation: %v, want 'already been used'", err)
		}
		confirmAgain := triggertest.From(t, "PostConfirmation_ConfirmSignUp").UserAttribute("sub", mallorySub).JSON(t)
		if _, err := triggertest.Invoke(r, confirmAgain, 0); err != nil {
			t.Fatalf("a new jdoe confirming with the invited address: %v", err)
		}
		if _, err := resolver.Resolve(ctx, tenancy.User{Name: "jdoe", Attributes: triggers.Attributes{"sub": mallorySub}}); !errors.Is(err, tenancy.ErrNoTenant) {
			t.Fatalf("after a confirmation with the invited address, mallory resolves: %v", err)
		}
	})
}
