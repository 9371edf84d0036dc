package pretoken_test

import (
	"testing"

	"github.com/cognitrig/cognitrig/tenancy"
)

// cachedResolver is newResolver in front of a tenancy.Cache on r with the
// default settings.
func cachedResolver(t testing.TB, r tenancy.Reader) *tenancy.Resolver {
	t.Helper()
	c, err := tenancy.NewCache(r, tenancy.CacheConfig{})
	if err != nil {
		t.Fatal(err)
	}
	return newResolver(t, c)
}
