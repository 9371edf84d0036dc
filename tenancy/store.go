package tenancy

import "context"

// Reader looks up what token generation needs. Store implements it, and
// so does Cache, which puts a per-container cache in front of a Reader.
//
// Slices in returned values must not be modified: a Cache shares them
// between callers.
type Reader interface {
	// GetTenant returns the tenant with id, or an error wrapping
	// ErrNotFound.
	GetTenant(ctx context.Context, id string) (Tenant, error)
	// ListMemberships returns the memberships of the user with sub (the
	// user's immutable ID, never the user name), ordered by tenant ID;
	// none is not an error.
	ListMemberships(ctx context.Context, sub string) ([]Membership, error)
	// GetClient returns the binding of an app client to a tenant, or an
	// error wrapping ErrNotFound.
	GetClient(ctx context.Context, clientID string) (Client, error)
}

// Store keeps tenants, memberships, invitations, client bindings and the
// audit records of linked identities. MemoryStore is the embedded
// default; package dynamostore keeps them in DynamoDB. Both pass the
// conformance suite in package storetest.
//
// Every method honours ctx and checks its input before writing.
type Store interface {
	Reader

	// PutTenant creates or replaces a tenant.
	PutTenant(ctx context.Context, t Tenant) error
	// PutMembership creates or replaces the membership of
	// (m.Sub, m.TenantID). Putting the same membership twice is
	// harmless, which makes it safe to retry.
	PutMembership(ctx context.Context, m Membership) error
	// PutClient creates or replaces the binding of an app client.
	PutClient(ctx context.Context, c Client) error

	// CreateInvitation stores a new, unused invitation; if one with the
	// same ID exists, it returns an error wrapping ErrExists.
	CreateInvitation(ctx context.Context, inv Invitation) error
	// GetInvitation returns the invitation with id (InvitationID of its
	// token), expired or not, or an error wrapping ErrNotFound.
	GetInvitation(ctx context.Context, id string) (Invitation, error)
	// ClaimInvitation binds an invitation to c.UserName in one atomic,
	// conditional write: the invitation must exist, be unexpired at c.Now,
	// be unused or already held by c.UserName, and be for c.Email. Of many
	// concurrent claims by different users exactly one succeeds; the
	// others get ErrInvitationUsed. Failures wrap ErrNotFound or the error
	// that Invitation.Check gives. It returns the claimed invitation.
	//
	// Before the claim it records the attempt under c.UserName, so that
	// ClaimedInvitations finds it when the user is confirmed; a record
	// whose claim failed is harmless (BindInvitation checks the holder).
	ClaimInvitation(ctx context.Context, c InvitationClaim) (Invitation, error)
	// ClaimedInvitations returns the invitations that claims under
	// userName recorded, whoever holds them now, newest claim first;
	// none is not an error.
	ClaimedInvitations(ctx context.Context, userName string) ([]Invitation, error)
	// BindInvitation binds a claimed invitation to the sub of the user who
	// claimed it, in one atomic, conditional write (see
	// Invitation.CheckBinding): it must be held by b.UserName, be for
	// b.Email, and be bound to no sub or to b.Sub already. Failures wrap
	// ErrNotFound, ErrInvitationUsed or ErrInvitationEmail. It returns the
	// bound invitation.
	BindInvitation(ctx context.Context, b InvitationBinding) (Invitation, error)
	// ReleaseInvitation undoes a claim by userName, so that the invitation
	// can be used again. It is a no-op if userName does not hold it, or if
	// the claim is bound to a sub already.
	ReleaseInvitation(ctx context.Context, id, userName string) error

	// RecordLink stores the audit record of a linked identity unless one
	// exists for the same (ProviderName, ProviderUserID); it returns the
	// record that is stored, which is the earlier one on a repeat.
	RecordLink(ctx context.Context, l Link) (Link, error)
	// GetLink returns the audit record of a linked identity, or an error
	// wrapping ErrNotFound.
	GetLink(ctx context.Context, providerName, providerUserID string) (Link, error)
}
