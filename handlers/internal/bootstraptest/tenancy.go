package bootstraptest

import (
	"context"
	"testing"
	"time"

	"github.com/cognitrig/cognitrig/internal/dynamotest"
	"github.com/cognitrig/cognitrig/tenancy"
	"github.com/cognitrig/cognitrig/tenancy/dynamostore"
	"github.com/cognitrig/cognitrig/triggers"
)

// The tenancy records of the recorded events: their users' tenant, the
// invitation whose token they carry, and the machine-to-machine client of
// the client-credentials event.
const (
	Tenant          = "acme"
	InvitationToken = "inv-SECRET-cm-7f3a9c"
	InvitedEmail    = "jdoe@example.com"
	M2MClient       = "m2mclient0123456789abcdef"
)

// TenancyTable creates a tenancy table holding the records the recorded
// events need: tenant acme (active), an unused invitation to it with the
// events' token for jdoe@example.com as admin, and the binding of the
// machine-to-machine client to it.
func TenancyTable(t testing.TB) string {
	t.Helper()
	table := Table(t, Tenancy)
	store, err := dynamostore.New(dynamotest.Client(t), table)
	if err != nil {
		t.Fatal(err)
	}
	ctx, now := context.Background(), time.Now()
	for _, err := range []error{
		store.PutTenant(ctx, tenancy.Tenant{ID: Tenant, Name: "Acme", Organisation: "Acme Corporation Ltd", Status: tenancy.StatusActive, Tier: "pro"}),
		store.CreateInvitation(ctx, tenancy.Invitation{ID: tenancy.InvitationID(triggers.Secret(InvitationToken)), TenantID: Tenant, Role: "admin",
			Email: InvitedEmail, CreatedAt: now, ExpiresAt: now.Add(24 * time.Hour)}),
		store.PutClient(ctx, tenancy.Client{ClientID: M2MClient, TenantID: Tenant, Role: "service"}),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return table
}
