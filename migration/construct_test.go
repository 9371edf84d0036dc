package migration_test

import (
	"math"
	"strings"
	"testing"

	"github.com/cognitrig/cognitrig/migration"
)

// TestConstructorsRefuseMissingDependencies: a guard without a source, or
// with a failure ratio that can never open the breaker, fails when it is
// built, not at the first migration (issue 13 §3).
func TestConstructorsRefuseMissingDependencies(t *testing.T) {
	ratio := func(r float64) migration.GuardConfig {
		return migration.GuardConfig{Breaker: migration.BreakerConfig{FailureRatio: r}}
	}
	_, noSource := migration.NewGuard(nil, migration.GuardConfig{})
	_, above := migration.NewGuard(down{}, ratio(1.5))
	_, nan := migration.NewGuard(down{}, ratio(math.NaN()))
	_, below := migration.New(migration.Config{Source: down{}, Guard: ratio(-0.5)})
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"guard without a source", noSource, "Source is nil"},
		{"guard with a failure ratio above 1", above, "FailureRatio"},
		{"guard with a NaN failure ratio", nan, "FailureRatio"},
		{"handler with a failure ratio below 0", below, "FailureRatio"},
	}
	for _, c := range cases {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: err = %v, want one that says %q", c.name, c.err, c.want)
		}
	}
	if _, err := migration.NewGuard(down{}, migration.GuardConfig{}); err != nil {
		t.Fatalf("zero GuardConfig: %v", err)
	}
}
