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
	ms, _ := store.ListMemberships(ctx, "jane")
	fmt.Println(ms[0].TenantID, ms[0].Role)

	fmt.Println(h.PreSignUp(ctx, signUp("john", "jane@example.com")))
	// Output:
	// <nil> true true
	// acme admin
	// This invitation has already been used.
}
