package tenancy

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"time"

	"github.com/cognitrig/cognitrig/triggers"
)

// NewInvitationToken returns a new random invitation token: 32 bytes from
// crypto/rand, base64url-encoded (43 characters). Give it to the invited
// person; store only InvitationID(token).
func NewInvitationToken() triggers.Secret {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return triggers.Secret(base64.RawURLEncoding.EncodeToString(b[:]))
}

// InvitationID returns the key under which an invitation is stored: the
// hex SHA-256 of its token. Tokens are 256-bit random values, so the hash
// cannot be reversed or guessed; a leaked table does not leak usable
// tokens.
func InvitationID(token triggers.Secret) string {
	sum := sha256.Sum256([]byte(token.Reveal()))
	return hex.EncodeToString(sum[:])
}

// NewInvitation creates an invitation for email to join tenantID with
// role, valid for validFor from now, and its token. Store the invitation
// with Store.CreateInvitation and send the token to the person.
func NewInvitation(tenantID, role, email string, validFor time.Duration, now time.Time) (Invitation, triggers.Secret, error) {
	token := NewInvitationToken()
	inv := Invitation{
		ID:        InvitationID(token),
		TenantID:  tenantID,
		Role:      role,
		Email:     NormalizeEmail(email),
		CreatedAt: now.Truncate(time.Second),
		ExpiresAt: now.Add(validFor).Truncate(time.Second),
	}
	if err := inv.Validate(); err != nil {
		return Invitation{}, "", err
	}
	return inv, token, nil
}
