package tenancy_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cognitrig/cognitrig/tenancy"
)

func TestGroupConvention(t *testing.T) {
	for _, tc := range []struct {
		pattern, group, tenant, role string
		ok                           bool
	}{
		{"tenant-{id}", "tenant-acme", "acme", "", true},
		{"tenant-{id}", "tenant-acme-corp", "acme-corp", "", true},
		{"tenant-{id}", "tenants-acme", "", "", false},
		{"tenant-{id}", "tenant-", "", "", false},
		{"tenant-{id}", "everyone", "", "", false},
		{"tenant-{id}-{role}", "tenant-acme-admin", "acme", "admin", true},
		{"tenant-{id}-{role}", "tenant-acme-corp-admin", "acme-corp", "admin", true},
		{"tenant-{id}-{role}", "tenant-acme", "", "", false},
		{"tenant-{id}-{role}", "tenant-acme-", "", "", false},
		{"tenant-{id}-{role}", "tenant--admin", "", "", false},
		{"{role}@{id}", "admin@acme", "acme", "admin", true},
		{"{role}@{id}", "admin@acme@x", "", "", false}, // '@' is not in a tenant ID
		{"org:{id}", "org:acme corp", "", "", false},
		{"{id}.users", "acme.users", "acme", "", true},
	} {
		g, err := tenancy.ParseGroupConvention(tc.pattern)
		if err != nil {
			t.Fatal(err)
		}
		id, role, ok := g.Match(tc.group)
		if id != tc.tenant || role != tc.role || ok != tc.ok {
			t.Errorf("%s.Match(%q) = %q, %q, %v; want %q, %q, %v", tc.pattern, tc.group, id, role, ok, tc.tenant, tc.role, tc.ok)
		}
		if tc.ok {
			name, err := g.Name(tc.tenant, tc.role)
			if err != nil || name != tc.group {
				t.Errorf("%s.Name(%q, %q) = %q, %v; want %q", tc.pattern, tc.tenant, tc.role, name, err, tc.group)
			}
		}
	}
}

func TestGroupConventionErrors(t *testing.T) {
	for _, p := range []string{"", "tenant", "tenant-{id}-{id}", "{id}{role}", "t-{id}-{role}-{role}", "tenant {id}"} {
		if _, err := tenancy.ParseGroupConvention(p); err == nil {
			t.Errorf("ParseGroupConvention(%q) succeeded, want an error", p)
		}
	}
	g := tenancy.MustParseGroupConvention("tenant-{id}-{role}")
	for _, tc := range [][2]string{{"acme", ""}, {"acme", "super-admin"}, {"", "admin"}, {"a b", "admin"}} {
		if _, err := g.Name(tc[0], tc[1]); err == nil {
			t.Errorf("Name(%q, %q) succeeded, want an error", tc[0], tc[1])
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("MustParseGroupConvention of a bad pattern did not panic")
		}
	}()
	tenancy.MustParseGroupConvention("no placeholder")
}

func ExampleGroupConvention() {
	g := tenancy.MustParseGroupConvention("tenant-{id}-{role}")
	id, role, ok := g.Match("tenant-acme-corp-admin")
	fmt.Println(id, role, ok)
	name, _ := g.Name("globex", "viewer")
	fmt.Println(name)
	_, _, ok = g.Match("everyone")
	fmt.Println(ok, strings.Contains(g.String(), "{role}"))
	// Output:
	// acme-corp admin true
	// tenant-globex-viewer
	// false true
}
