package tenancy_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/cognitrig/cognitrig/tenancy"
	"github.com/cognitrig/cognitrig/triggers"
)

func resolverStore(t *testing.T) *tenancy.MemoryStore {
	t.Helper()
	ctx := context.Background()
	s := tenancy.NewMemoryStore()
	for _, tn := range []tenancy.Tenant{
		{ID: "acme", Name: "Acme", Organisation: "Acme Corporation", Status: tenancy.StatusActive, Tier: "pro"},
		{ID: "globex", Name: "Globex", Status: tenancy.StatusActive, Tier: "free"},
		{ID: "initech", Name: "Initech", Status: tenancy.StatusSuspended},
	} {
		if err := s.PutTenant(ctx, tn); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range []tenancy.Membership{
		{Sub: "sub-member-only", UserName: "member-only", TenantID: "globex", Role: "viewer", Permissions: []string{"reports"}},
		{Sub: "sub-attr-and-member", UserName: "attr-and-member", TenantID: "acme", Role: "owner", Permissions: []string{"billing"}},
		{Sub: "sub-two-tenants", UserName: "two-tenants", TenantID: "acme", Role: "member"},
		{Sub: "sub-two-tenants", UserName: "two-tenants", TenantID: "globex", Role: "member"},
	} {
		if err := s.PutMembership(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.PutClient(ctx, tenancy.Client{ClientID: "m2m-acme", TenantID: "acme", Role: "service"}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutClient(ctx, tenancy.Client{ClientID: "m2m-initech", TenantID: "initech", Role: "service"}); err != nil {
		t.Fatal(err)
	}
	return s
}

func newResolver(t *testing.T, r tenancy.Reader) *tenancy.Resolver {
	t.Helper()
	res, err := tenancy.NewResolver(tenancy.ResolverConfig{
		Reader: r,
		Steps: []tenancy.Step{
			tenancy.FromAttribute(tenancy.TenantAttribute),
			tenancy.FromGroups(tenancy.MustParseGroupConvention("tenant-{id}-{role}")),
			tenancy.FromMemberships(),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestResolve(t *testing.T) {
	res := newResolver(t, resolverStore(t))
	attr := func(id string) triggers.Attributes { return triggers.Attributes{"custom:tenantId": id} }
	for _, tc := range []struct {
		name   string
		user   tenancy.User
		tenant string
		role   string
		perms  []string
		source string
	}{
		{"attribute, role from group", tenancy.User{Name: "u1", Sub: "sub-u1", Attributes: attr("acme"), Groups: []string{"everyone", "tenant-acme-admin"}}, "acme", "admin", nil, "attribute"},
		{"attribute, role from membership", tenancy.User{Name: "attr-and-member", Sub: "sub-attr-and-member", Attributes: attr("acme")}, "acme", "owner", []string{"billing"}, "attribute"},
		{"attribute, default role", tenancy.User{Name: "u2", Sub: "sub-u2", Attributes: attr("acme")}, "acme", "member", nil, "attribute"},
		{"attribute wins over groups of another tenant", tenancy.User{Name: "u3", Sub: "sub-u3", Attributes: attr("acme"), Groups: []string{"tenant-globex-admin"}}, "acme", "member", nil, "attribute"},
		{"groups", tenancy.User{Name: "u4", Sub: "sub-u4", Groups: []string{"tenant-globex-viewer"}}, "globex", "viewer", nil, "groups"},
		{"groups, one tenant, two roles: first listed", tenancy.User{Name: "u5", Sub: "sub-u5", Groups: []string{"tenant-globex-editor", "tenant-globex-viewer"}}, "globex", "editor", nil, "groups"},
		{"membership", tenancy.User{Name: "member-only", Sub: "sub-member-only"}, "globex", "viewer", []string{"reports"}, "membership"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := res.Resolve(context.Background(), tc.user)
			if err != nil {
				t.Fatal(err)
			}
			if got.Tenant.ID != tc.tenant || got.Role != tc.role || !slices.Equal(got.Permissions, tc.perms) || got.Source != tc.source {
				t.Fatalf("Resolve = tenant %s role %s perms %v source %s; want %s %s %v %s",
					got.Tenant.ID, got.Role, got.Permissions, got.Source, tc.tenant, tc.role, tc.perms, tc.source)
			}
		})
	}
}

func TestResolveRefusals(t *testing.T) {
	store := resolverStore(t)
	r := &countingReader{Reader: store}
	res := newResolver(t, r)
	for _, tc := range []struct {
		name   string
		user   tenancy.User
		reason error
		reads  int64 // tenant reads expected
	}{
		{"no tenant", tenancy.User{Name: "stranger", Sub: "sub-stranger", Groups: []string{"everyone"}}, tenancy.ErrNoTenant, 0},
		{"unknown tenant", tenancy.User{Name: "u", Sub: "sub-u", Attributes: triggers.Attributes{"custom:tenantId": "umbrella"}}, tenancy.ErrUnknownTenant, 1},
		{"invalid tenant ID: no read", tenancy.User{Name: "u", Sub: "sub-u", Attributes: triggers.Attributes{"custom:tenantId": "../../etc"}}, tenancy.ErrUnknownTenant, 0},
		{"suspended tenant", tenancy.User{Name: "u", Sub: "sub-u", Groups: []string{"tenant-initech-admin"}}, tenancy.ErrTenantSuspended, 1},
		{"groups of two tenants", tenancy.User{Name: "u", Sub: "sub-u", Groups: []string{"tenant-acme-admin", "tenant-globex-admin"}}, tenancy.ErrAmbiguousTenant, 0},
		{"memberships of two tenants", tenancy.User{Name: "two-tenants", Sub: "sub-two-tenants"}, tenancy.ErrAmbiguousTenant, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := r.tenants.Load()
			_, err := res.Resolve(context.Background(), tc.user)
			var refusal *triggers.Refusal
			if !errors.As(err, &refusal) || !errors.Is(err, tc.reason) {
				t.Fatalf("Resolve = %v, want a refusal for %v", err, tc.reason)
			}
			// The message is for the user: no internal names, no IDs.
			if strings.Contains(refusal.Message, "tenancy") || strings.Contains(refusal.Message, "umbrella") || !strings.HasSuffix(refusal.Message, ".") {
				t.Fatalf("message %q is not a user-safe sentence", refusal.Message)
			}
			if n := r.tenants.Load() - before; n != tc.reads {
				t.Fatalf("%d tenant reads, want %d", n, tc.reads)
			}
		})
	}
}

type failingReader struct{ tenancy.Reader }

func (failingReader) ListMemberships(context.Context, string) ([]tenancy.Membership, error) {
	return nil, errors.New("throttled")
}

func TestResolveStoreFailure(t *testing.T) {
	res := newResolver(t, failingReader{resolverStore(t)})
	_, err := res.Resolve(context.Background(), tenancy.User{Name: "u", Sub: "sub-u"})
	var refusal *triggers.Refusal
	if err == nil || errors.As(err, &refusal) || !strings.Contains(err.Error(), "throttled") || !strings.Contains(err.Error(), "membership") {
		t.Fatalf("Resolve = %v, want the store's failure, not a refusal", err)
	}
	// The same failure while completing a role also surfaces.
	_, err = res.Resolve(context.Background(), tenancy.User{Name: "u", Sub: "sub-u", Attributes: triggers.Attributes{"custom:tenantId": "acme"}})
	if err == nil || !strings.Contains(err.Error(), "resolve role") {
		t.Fatalf("Resolve = %v, want the failure of the role lookup", err)
	}
}

func TestResolveClient(t *testing.T) {
	res := newResolver(t, resolverStore(t))
	got, err := res.ResolveClient(context.Background(), "m2m-acme")
	if err != nil || got.Tenant.ID != "acme" || got.Role != "service" || got.Source != "client" {
		t.Fatalf("ResolveClient = %+v, %v", got, err)
	}
	for id, reason := range map[string]error{"m2m-unknown": tenancy.ErrUnknownClient, "m2m-initech": tenancy.ErrTenantSuspended} {
		_, err := res.ResolveClient(context.Background(), id)
		var refusal *triggers.Refusal
		if !errors.As(err, &refusal) || !errors.Is(err, reason) {
			t.Fatalf("ResolveClient(%s) = %v, want a refusal for %v", id, err, reason)
		}
	}
}

func TestNewResolverErrors(t *testing.T) {
	for _, cfg := range []tenancy.ResolverConfig{
		{},
		{Reader: tenancy.NewMemoryStore(), Steps: []tenancy.Step{{}}},
		{Reader: tenancy.NewMemoryStore(), DefaultRole: "not a role"},
	} {
		if _, err := tenancy.NewResolver(cfg); err == nil || !strings.Contains(err.Error(), "ResolverConfig") {
			t.Errorf("NewResolver(%+v) = %v, want an error naming the field", cfg, err)
		}
	}
}

func TestStepFunc(t *testing.T) {
	byEmailDomain := tenancy.StepFunc("email-domain", func(_ context.Context, _ tenancy.Reader, u tenancy.User) ([]tenancy.Match, error) {
		if strings.HasSuffix(u.Attributes["email"], "@acme.example") {
			return []tenancy.Match{{TenantID: "acme", Role: "member"}}, nil
		}
		return nil, nil
	})
	res, err := tenancy.NewResolver(tenancy.ResolverConfig{Reader: resolverStore(t), Steps: []tenancy.Step{byEmailDomain}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := res.Resolve(context.Background(), tenancy.User{Name: "x", Sub: "sub-x", Attributes: triggers.Attributes{"email": "x@acme.example"}})
	if err != nil || got.Tenant.ID != "acme" || got.Source != "email-domain" || byEmailDomain.Name() != "email-domain" {
		t.Fatalf("Resolve = %+v, %v", got, err)
	}
}

func ExampleResolver() {
	ctx := context.Background()
	store := tenancy.NewMemoryStore()
	_ = store.PutTenant(ctx, tenancy.Tenant{ID: "acme", Name: "Acme", Status: tenancy.StatusActive, Tier: "pro"})
	_ = store.PutTenant(ctx, tenancy.Tenant{ID: "initech", Name: "Initech", Status: tenancy.StatusSuspended})

	cache, _ := tenancy.NewCache(store, tenancy.CacheConfig{})
	resolver, _ := tenancy.NewResolver(tenancy.ResolverConfig{
		Reader: cache,
		Steps: []tenancy.Step{
			tenancy.FromAttribute(tenancy.TenantAttribute),
			tenancy.FromGroups(tenancy.MustParseGroupConvention("tenant-{id}-{role}")),
			tenancy.FromMemberships(),
		},
	})

	r, _ := resolver.Resolve(ctx, tenancy.User{
		Name:       "jdoe",
		Attributes: triggers.Attributes{"custom:tenantId": "acme"},
		Groups:     []string{"tenant-acme-admin"},
	})
	fmt.Println(r.Tenant.ID, r.Tenant.Tier, r.Role, r.Source)

	_, err := resolver.Resolve(ctx, tenancy.User{Name: "peter", Sub: "sub-peter", Groups: []string{"tenant-initech-member"}})
	fmt.Println(err)
	// Output:
	// acme pro admin attribute
	// Your organisation's account is suspended. Contact your administrator.
}

// A member is deleted and someone else signs up under the same user name
// (Cognito frees it): the newcomer has a new sub and must inherit neither
// the tenant nor the role. Memberships are found by sub, never by name.
func TestReusedUserNameInheritsNothing(t *testing.T) {
	ctx := context.Background()
	s := tenancy.NewMemoryStore()
	if err := s.PutTenant(ctx, tenancy.Tenant{ID: "acme", Status: tenancy.StatusActive}); err != nil {
		t.Fatal(err)
	}
	const oldSub, newSub = "0f6b1c1e-0000-4000-8000-00000000aaaa", "7d1e2f30-0000-4000-8000-00000000bbbb"
	if err := s.PutMembership(ctx, tenancy.Membership{Sub: oldSub, UserName: "jane", TenantID: "acme", Role: "admin"}); err != nil {
		t.Fatal(err)
	}
	res, err := tenancy.NewResolver(tenancy.ResolverConfig{Reader: newCache(t, s, tenancy.CacheConfig{})})
	if err != nil {
		t.Fatal(err)
	}
	// The original member still resolves, by the sub in the attributes.
	got, err := res.Resolve(ctx, tenancy.User{Name: "jane", Attributes: triggers.Attributes{"sub": oldSub}})
	if err != nil || got.Tenant.ID != "acme" || got.Role != "admin" {
		t.Fatalf("the member: %+v, %v", got, err)
	}
	// The newcomer with the same name gets nothing.
	_, err = res.Resolve(ctx, tenancy.User{Name: "jane", Attributes: triggers.Attributes{"sub": newSub}})
	if !errors.Is(err, tenancy.ErrNoTenant) {
		t.Fatalf("newcomer named jane: error %v, want a refusal for ErrNoTenant", err)
	}
	// And a user without a sub is never looked up by name.
	_, err = res.Resolve(ctx, tenancy.User{Name: "jane"})
	if !errors.Is(err, tenancy.ErrNoTenant) {
		t.Fatalf("jane without a sub: error %v, want ErrNoTenant", err)
	}
}
