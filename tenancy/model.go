package tenancy

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Status is the state of a tenant's account.
type Status string

// Tenant statuses. Only an active tenant's users get tokens.
const (
	StatusActive    Status = "ACTIVE"
	StatusSuspended Status = "SUSPENDED"
)

// Tenant is an organisation that shares the user pool with others.
type Tenant struct {
	ID           string // short, stable identifier; see ValidateID
	Name         string // display name, e.g. "Acme"
	Organisation string // legal or billing organisation, e.g. "Acme Corporation Ltd"
	Status       Status
	Tier         string // plan, e.g. "free", "pro", "enterprise"
}

// Active reports whether the tenant's users may sign in.
func (t Tenant) Active() bool { return t.Status == StatusActive }

// Membership says that a user belongs to a tenant, with a role.
//
// It is keyed by the user's sub (Cognito's immutable, never reused user
// ID), not by the user name: a user name is freed when its user is
// deleted and can be taken by someone else, who must not inherit the
// membership.
type Membership struct {
	Sub          string // the user's sub attribute: the key
	UserName     string // the Cognito user name when the membership was made; informational only
	TenantID     string
	Role         string
	Permissions  []string
	InvitationID string // the invitation that created the membership, if any
	CreatedAt    time.Time
}

// Invitation lets one person, identified by email address, join a tenant
// with a role. Its token is given to the person and never stored: the
// store keeps only ID, the token's hash (see InvitationID).
type Invitation struct {
	ID        string // InvitationID(token)
	TenantID  string
	Role      string
	Email     string // NormalizeEmail of the invited address
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedBy    string // user name that claimed the invitation; empty while unused
	UsedAt    time.Time
	// BoundSub is the sub of the user that the claim was bound to at
	// confirmation (Store.BindInvitation); empty until then. Once set, no
	// other user, even one with the same user name, can bind it.
	BoundSub string
}

// Expired reports whether the invitation has expired at now. Stores keep
// times to the second, so expiry is compared in whole seconds: an
// invitation is valid while now is before ExpiresAt.
func (i Invitation) Expired(now time.Time) bool {
	return now.Unix() >= i.ExpiresAt.Unix()
}

// Check reports why userName, signing up with email at now, may not claim
// the invitation: ErrInvitationUsed, ErrInvitationExpired or
// ErrInvitationEmail, in that order; or nil. A claim by the user who
// already holds the invitation is allowed, so that a retried sign-up
// succeeds again. Stores and handlers share this one rule.
func (i Invitation) Check(email, userName string, now time.Time) error {
	switch {
	case i.UsedBy != "" && i.UsedBy != userName:
		return ErrInvitationUsed
	case i.Expired(now):
		return ErrInvitationExpired
	case i.Email != NormalizeEmail(email):
		return ErrInvitationEmail
	}
	return nil
}

// InvitationClaim is a request to bind an invitation to a new user.
type InvitationClaim struct {
	InvitationID string
	Email        string // the address the user signs up with
	UserName     string
	Now          time.Time
}

// InvitationBinding is a request to bind a claimed invitation to the sub
// of the user who claimed it, once Cognito has created and confirmed the
// user (pre sign-up knows only the user name; post confirmation knows the
// sub).
type InvitationBinding struct {
	InvitationID string
	UserName     string // must be the invitation's UsedBy
	Sub          string // the confirmed user's sub
	Email        string // the confirmed user's email; must be the invited address
}

// CheckBinding reports why b may not bind the invitation: ErrInvitationUsed
// when another user name holds it or another sub is bound to it, and
// ErrInvitationEmail when b.Email is not the invited address; or nil.
// Binding again to the same sub is allowed, so that a retried
// confirmation succeeds again. Stores and handlers share this one rule.
func (i Invitation) CheckBinding(b InvitationBinding) error {
	switch {
	case i.UsedBy == "" || i.UsedBy != b.UserName:
		return ErrInvitationUsed
	case i.BoundSub != "" && i.BoundSub != b.Sub:
		return ErrInvitationUsed
	case i.Email != NormalizeEmail(b.Email):
		return ErrInvitationEmail
	}
	return nil
}

// Validate checks the binding's user name and sub before a store writes.
func (b InvitationBinding) Validate() error {
	if err := validateName("user name", b.UserName); err != nil {
		return err
	}
	return validateName("sub", b.Sub)
}

// Client binds an app client that uses the client-credentials grant
// (machine to machine) to a tenant.
type Client struct {
	ClientID string
	TenantID string
	Role     string
}

// Link is the audit record of a federated identity linked to an existing
// user (see AdminLinkProviderForUser).
type Link struct {
	ProviderName    string // identity provider name in the user pool, e.g. "Google"
	ProviderUserID  string // the provider's subject for the user
	UserPoolID      string
	DestinationUser string // the existing user name the identity was linked to
	LinkedAt        time.Time
}

// Errors of stores and resolution. Stores wrap them with %w; test with
// errors.Is.
var (
	// ErrNotFound: no tenant, invitation, client or link with that key.
	ErrNotFound = errors.New("tenancy: not found")
	// ErrExists: an invitation with that ID exists already.
	ErrExists = errors.New("tenancy: already exists")

	ErrInvitationUsed    = errors.New("tenancy: invitation already used by another user")
	ErrInvitationExpired = errors.New("tenancy: invitation expired")
	ErrInvitationEmail   = errors.New("tenancy: invitation was sent to a different email address")

	// Reasons of the refusals that resolution returns.
	ErrNoTenant        = errors.New("tenancy: user belongs to no tenant")
	ErrAmbiguousTenant = errors.New("tenancy: user belongs to several tenants and none is chosen")
	ErrUnknownTenant   = errors.New("tenancy: tenant does not exist")
	ErrTenantSuspended = errors.New("tenancy: tenant is suspended")
	ErrUnknownClient   = errors.New("tenancy: app client is bound to no tenant")
)

// validID reports whether s is 1 to 64 ASCII letters, digits, '_', '.' or
// '-', starting with a letter or digit. Identifiers of tenants and roles
// appear in scopes (tenant:{id}:read), group names and keys, so they are
// kept to a safe alphabet. (A loop, not a regexp: it runs on every sign-in.)
func validID(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case (c == '_' || c == '.' || c == '-') && i > 0:
		default:
			return false
		}
	}
	return true
}

// ValidateID checks a tenant ID or role: 1 to 64 letters, digits, '_', '.'
// or '-', starting with a letter or digit.
func ValidateID(kind, id string) error {
	if !validID(id) {
		return fmt.Errorf("tenancy: invalid %s %q: use 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit", kind, clip(id))
	}
	return nil
}

// validateName checks a user name, client ID, provider name or subject:
// non-empty and at most 256 bytes (Cognito's limits are lower).
func validateName(kind, s string) error {
	if s == "" || len(s) > 256 {
		return fmt.Errorf("tenancy: invalid %s: must be 1 to 256 bytes", kind)
	}
	return nil
}

// Validate checks the tenant's fields before it is stored.
func (t Tenant) Validate() error {
	if err := ValidateID("tenant ID", t.ID); err != nil {
		return err
	}
	if t.Status != StatusActive && t.Status != StatusSuspended {
		return fmt.Errorf("tenancy: tenant %s: status %q is not ACTIVE or SUSPENDED", t.ID, clip(string(t.Status)))
	}
	return nil
}

// Validate checks the membership's fields before it is stored.
func (m Membership) Validate() error {
	if err := validateName("sub", m.Sub); err != nil {
		return err
	}
	if len(m.UserName) > 256 {
		return errors.New("tenancy: invalid user name: must be at most 256 bytes")
	}
	if err := ValidateID("tenant ID", m.TenantID); err != nil {
		return err
	}
	return ValidateID("role", m.Role)
}

// Validate checks the invitation's fields before it is stored.
func (i Invitation) Validate() error {
	if len(i.ID) != 64 || strings.Trim(i.ID, "0123456789abcdef") != "" {
		return errors.New("tenancy: invitation ID must be InvitationID(token), 64 lowercase hex digits")
	}
	if err := ValidateID("tenant ID", i.TenantID); err != nil {
		return err
	}
	if err := ValidateID("role", i.Role); err != nil {
		return err
	}
	if i.Email == "" || i.Email != NormalizeEmail(i.Email) || !strings.Contains(i.Email, "@") {
		return errors.New("tenancy: invitation email must be a normalised address (NormalizeEmail)")
	}
	if i.ExpiresAt.IsZero() {
		return errors.New("tenancy: invitation has no expiry; set ExpiresAt")
	}
	return nil
}

// Validate checks the client binding before it is stored.
func (c Client) Validate() error {
	if err := validateName("client ID", c.ClientID); err != nil {
		return err
	}
	if err := ValidateID("tenant ID", c.TenantID); err != nil {
		return err
	}
	return ValidateID("role", c.Role)
}

// Validate checks the link record before it is stored.
func (l Link) Validate() error {
	if err := validateName("provider name", l.ProviderName); err != nil {
		return err
	}
	if err := validateName("provider user ID", l.ProviderUserID); err != nil {
		return err
	}
	return validateName("destination user", l.DestinationUser)
}

// NormalizeEmail returns the form in which invitations keep and compare
// email addresses: trimmed and lower-case.
func NormalizeEmail(email string) string {
	return strings.ToLower(strings.TrimSpace(email))
}

// clip bounds untrusted text placed in an error message.
func clip(s string) string {
	const max = 64
	if len(s) > max {
		return s[:max] + "…"
	}
	return s
}
