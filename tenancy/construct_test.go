package tenancy_test

import (
	"strings"
	"testing"

	"github.com/cognitrig/cognitrig/tenancy"
)

// newCache builds a Cache in front of r, failing the test on an error.
func newCache(t testing.TB, r tenancy.Reader, cfg tenancy.CacheConfig) *tenancy.Cache {
	t.Helper()
	c, err := tenancy.NewCache(r, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestConstructorsRefuseMissingDependencies: a missing reader or group
// convention fails when the value is built, not at the first event that
// needs it (issue 13 §3), with an error that names what is missing.
func TestConstructorsRefuseMissingDependencies(t *testing.T) {
	store := tenancy.NewMemoryStore()
	cases := []struct {
		name  string
		build func() error
		want  string
	}{
		{"cache without a reader", func() error {
			_, err := tenancy.NewCache(nil, tenancy.CacheConfig{})
			return err
		}, "Reader is nil"},
		{"resolver with FromGroups(nil)", func() error {
			_, err := tenancy.NewResolver(tenancy.ResolverConfig{Reader: store, Steps: []tenancy.Step{tenancy.FromGroups(nil)}})
			return err
		}, "FromGroups(nil)"},
		{"resolver with StepFunc and no function", func() error {
			_, err := tenancy.NewResolver(tenancy.ResolverConfig{Reader: store, Steps: []tenancy.Step{tenancy.StepFunc("crm", nil)}})
			return err
		}, `"crm"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.build()
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want one that says %q", err, c.want)
			}
		})
	}
	// The zero values with defaults still build.
	if _, err := tenancy.NewCache(store, tenancy.CacheConfig{}); err != nil {
		t.Fatalf("zero CacheConfig: %v", err)
	}
}
