package invitation_test

import (
	"context"
	"fmt"
	"time"

	"github.com/cognitrig/cognitrig/tenancy"
	"github.com/cognitrig/cognitrig/tenancy/invitation"
	"github.com/cognitrig/cognitrig/triggers"
)

func Example() {
	ctx := context.Background()
	store := tenancy.NewMemoryStore()
	_ = store.PutTenant(ctx, tenancy.Tenant{ID: "acme", Name: "Acme", Status: tenancy.StatusActive})

	// An administrator invites jane; the token goes to her by email.
	inv, token, _ := tenancy.NewInvitation("acme", "admin", "jane@example.com", 72*time.Hour, time.Now())
	_ = store.CreateInvitation(ctx, inv)

	h, _ := invitation.New(invitation.Config{Store: store, RequireInvitation: true})
	signUp := func(user, email string) *triggers.PreSignUpEvent {
		ev := &triggers.PreSignUpEvent{}
		ev.TriggerSource, ev.UserName = triggers.PreSignUpSignUp, user
		ev.Request.UserAttributes = triggers.Attributes{"email": email}
		ev.Request.ClientMetadata = triggers.Metadata{"invitationToken": token.Reveal()}
		return ev
	}

	ev := signUp("jane", "jane@example.com")
	fmt.Println(h.PreSignUp(ctx, ev), ev.Response.AutoConfirmUser, ev.Response.AutoVerifyEmail)
	fmt.Println(h.PreSignUp(ctx, signUp("john", "jane@example.com")))

	// At confirmation the claim is bound to jane's sub, and her
	// membership is recorded under it (Config.Cognito, left out here,
	// would then set custom:tenantId and her group).
	claimed, _ := store.ClaimedInvitations(ctx, "jane")
	bound, _ := store.BindInvitation(ctx, tenancy.InvitationBinding{
		InvitationID: claimed[0].ID, UserName: "jane", Sub: "4f1e…-jane", Email: "jane@example.com"})
	fmt.Println(bound.TenantID, bound.Role, bound.BoundSub)
	// Output:
	// <nil> true true
	// This invitation has already been used.
	// acme admin 4f1e…-jane
}
