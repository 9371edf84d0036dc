package pretoken_test

import (
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
