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
	cases := []struct {
		name  string
		build func() error
		want  string
	}{
		{"guard without a source", func() error {
			_, err := migration.NewGuard(nil, migration.GuardConfig{})
			return err
		}, "Source is nil"},
		{"guard with a failure ratio above 1", func() error {
			_, err := migration.NewGuard(down{}, migration.GuardConfig{Breaker: migration.BreakerConfig{FailureRatio: 1.5}})
			return err
		}, "FailureRatio"},
		{"guard with a NaN failure ratio", func() error {
			_, err := migration.NewGuard(down{}, migration.GuardConfig{Breaker: migration.BreakerConfig{FailureRatio: math.NaN()}})
			return err
		}, "FailureRatio"},
		{"handler with a failure ratio below 0", func() error {
			_, err := migration.New(migration.Config{Source: down{}, Guard: migration.GuardConfig{Breaker: migration.BreakerConfig{FailureRatio: -0.5}}})
			return err
		}, "FailureRatio"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.build(); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want one that says %q", err, c.want)
			}
		})
	}
	if _, err := migration.NewGuard(down{}, migration.GuardConfig{}); err != nil {
		t.Fatalf("zero GuardConfig: %v", err)
	}
}
