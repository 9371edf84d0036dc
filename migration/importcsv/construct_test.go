package importcsv_test

import (
	"context"
	"strings"
	"testing"

	"github.com/cognitrig/cognitrig/migration"
	"github.com/cognitrig/cognitrig/migration/importcsv"
)

// TestEntryPointsRefuseMissingDependencies: a nil client or writer fails
// at once with an error that names it, not with a panic (issue 13 §3).
func TestEntryPointsRefuseMissingDependencies(t *testing.T) {
	ctx := context.Background()
	src, err := migration.NewMemorySource()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		run  func() error
		want string
	}{
		{"PoolHeader without an API", func() error {
			_, err := importcsv.PoolHeader(ctx, nil, "us-east-1_x")
			return err
		}, "API is nil"},
		{"Export without a writer", func() error {
			_, err := importcsv.Export(ctx, nil, importcsv.Config{Source: src})
			return err
		}, "writer is nil"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var err error
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Fatalf("panicked: %v", p)
					}
				}()
				err = c.run()
			}()
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want one that says %q", err, c.want)
			}
		})
	}
}
