package tenancy

import (
	"testing"

	"github.com/cognitrig/cognitrig/lifecycle/authpolicy"
	"github.com/cognitrig/cognitrig/tenancy"
)

// authpolicy may not import tenancy, so it keeps its own name for the
// tenant attribute; this package imports both and holds them equal (issue
// 12 item 12: they once differed, and every user looked tenant-less to the
// sign-in check).
func TestTenantAttributeIsOneName(t *testing.T) {
	if authpolicy.DefaultTenantAttribute != tenancy.TenantAttribute {
		t.Fatalf("authpolicy.DefaultTenantAttribute = %q, tenancy.TenantAttribute = %q: they must be equal",
			authpolicy.DefaultTenantAttribute, tenancy.TenantAttribute)
	}
}
