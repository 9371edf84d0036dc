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

// TestConstructorsRefuseMissingDependencies: a missing reader, group
// convention or step function fails when the value is built, not at the
// first event that needs it (issue 13 §3), with an error that names it.
func TestConstructorsRefuseMissingDependencies(t *testing.T) {
	store := tenancy.NewMemoryStore()
	resolver := func(s tenancy.Step) error {
		_, err := tenancy.NewResolver(tenancy.ResolverConfig{Reader: store, Steps: []tenancy.Step{s}})
		return err
	}
	_, noReader := tenancy.NewCache(nil, tenancy.CacheConfig{})
	// A store constructor's nil on error, passed on when its error was
	// overwritten: a nil pointer in the interface.
	var failedStore *tenancy.MemoryStore
	_, nilStore := tenancy.NewCache(failedStore, tenancy.CacheConfig{})
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"cache without a reader", noReader, "Reader is nil"},
		{"cache with a nil *MemoryStore", nilStore, "Reader is nil"},
		{"resolver with FromGroups(nil)", resolver(tenancy.FromGroups(nil)), "FromGroups(nil)"},
		{"resolver with StepFunc and no function", resolver(tenancy.StepFunc("crm", nil)), `"crm"`},
	}
	for _, c := range cases {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: err = %v, want one that says %q", c.name, c.err, c.want)
		}
	}
	// The zero values with defaults still build.
	if _, err := tenancy.NewCache(store, tenancy.CacheConfig{}); err != nil {
		t.Fatalf("zero CacheConfig: %v", err)
	}
}
