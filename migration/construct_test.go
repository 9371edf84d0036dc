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
	guard := func(src migration.Source, ratio float64) error {
		_, err := migration.NewGuard(src, migration.GuardConfig{Breaker: migration.BreakerConfig{FailureRatio: ratio}})
		return err
	}
	_, below := migration.New(migration.Config{Source: down{}, Guard: migration.GuardConfig{Breaker: migration.BreakerConfig{FailureRatio: -0.5}}})
	for name, got := range map[string]error{
		"guard without a source":                 guard(nil, 0),
		"guard with a nil pointer as its source": guard((*migration.MemorySource)(nil), 0),
		"guard with a failure ratio above 1":     guard(down{}, 1.5),
		"guard with a NaN failure ratio":         guard(down{}, math.NaN()),
		"handler with a failure ratio below 0":   below,
	} {
		want := "FailureRatio"
		if strings.Contains(name, "source") {
			want = "Source is nil"
		}
		if got == nil || !strings.Contains(got.Error(), want) {
			t.Errorf("%s: err = %v, want one that says %q", name, got, want)
		}
	}
	if err := guard(down{}, 0); err != nil {
		t.Fatalf("zero GuardConfig: %v", err)
	}
}
