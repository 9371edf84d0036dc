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
	if _, err := importcsv.PoolHeader(ctx, nil, "us-east-1_x"); err == nil || !strings.Contains(err.Error(), "API is nil") {
		t.Errorf("PoolHeader without an API: %v", err)
	}
	if _, err := importcsv.Export(ctx, nil, importcsv.Config{Source: src}); err == nil || !strings.Contains(err.Error(), "writer is nil") {
		t.Errorf("Export without a writer: %v", err)
	}
}
