package tenancy_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cognitrig/cognitrig/tenancy"
)

func TestInvitationCheck(t *testing.T) {
	now := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	inv, _, err := tenancy.NewInvitation("acme", "admin", " Jane@Example.COM", time.Hour, now)
	if err != nil {
		t.Fatal(err)
	}
	used := inv
	used.UsedBy = "jane"
	for _, tc := range []struct {
		name  string
		inv   tenancy.Invitation
		email string
		user  string
		at    time.Time
		want  error
	}{
		{"valid, email compared normalised", inv, "JANE@example.com ", "jane", now, nil},
		{"last valid second", inv, "jane@example.com", "jane", inv.ExpiresAt.Add(-time.Nanosecond), nil},
		{"at expiry", inv, "jane@example.com", "jane", inv.ExpiresAt, tenancy.ErrInvitationExpired},
		{"wrong email", inv, "john@example.com", "john", now, tenancy.ErrInvitationEmail},
		{"used by another", used, "jane@example.com", "mallory", now, tenancy.ErrInvitationUsed},
		{"held by the same user: a retry", used, "jane@example.com", "jane", now, nil},
	} {
		if err := tc.inv.Check(tc.email, tc.user, tc.at); !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
			t.Errorf("%s: Check = %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestNewInvitation(t *testing.T) {
	now := time.Now()
	a, tokA, err := tenancy.NewInvitation("acme", "admin", "jane@example.com", 72*time.Hour, now)
	if err != nil {
		t.Fatal(err)
	}
	b, tokB, _ := tenancy.NewInvitation("acme", "admin", "jane@example.com", 72*time.Hour, now)
	if tokA == tokB || a.ID == b.ID {
		t.Fatal("two invitations share a token")
	}
	if len(tokA.Reveal()) != 43 || a.ID != tenancy.InvitationID(tokA) || strings.Contains(a.ID, tokA.Reveal()) {
		t.Fatalf("token %d chars, ID %q: want a 43-char token and its hash as ID", len(tokA.Reveal()), a.ID)
	}
	if fmt.Sprint(tokA) != "[REDACTED]" {
		t.Fatal("a token prints its value")
	}
	for _, bad := range [][3]string{{"", "admin", "x@example.com"}, {"acme", "", "x@example.com"}, {"acme", "admin", "not-an-email"}} {
		if _, _, err := tenancy.NewInvitation(bad[0], bad[1], bad[2], time.Hour, now); err == nil {
			t.Errorf("NewInvitation(%q) succeeded, want an error", bad)
		}
	}
}

func TestValidateID(t *testing.T) {
	for _, ok := range []string{"acme", "a", "acme-corp", "acme_2.eu", strings.Repeat("a", 64)} {
		if err := tenancy.ValidateID("tenant ID", ok); err != nil {
			t.Errorf("ValidateID(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", "-acme", "acme corp", "acme:read", "a#b", "a/b", strings.Repeat("a", 65), "ünï"} {
		err := tenancy.ValidateID("tenant ID", bad)
		if err == nil || !strings.Contains(err.Error(), "tenant ID") {
			t.Errorf("ValidateID(%q) = %v, want an error naming the kind", bad, err)
		}
	}
}
