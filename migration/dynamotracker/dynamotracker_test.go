package dynamotracker_test

import (
	"context"
	"testing"

	"github.com/cognitrig/cognitrig/internal/dynamotest"
	"github.com/cognitrig/cognitrig/migration"
	"github.com/cognitrig/cognitrig/migration/dynamotracker"
	"github.com/cognitrig/cognitrig/migration/migrationtest"
)

func newTracker(t *testing.T, opts migration.TrackerOptions) *dynamotracker.Tracker {
	t.Helper()
	client := dynamotest.Client(t)
	table := dynamotest.CreateTable(t, client, dynamotracker.TableDefinition("migration-tracking"))
	tr, err := dynamotracker.New(dynamotracker.Config{Client: client, Table: table, TrackerOptions: opts})
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func TestConformance(t *testing.T) {
	migrationtest.TestTracker(t, func(t *testing.T, opts migration.TrackerOptions) migration.Tracker {
		return newTracker(t, opts)
	})
}

func TestConfigErrors(t *testing.T) {
	if _, err := dynamotracker.New(dynamotracker.Config{}); err == nil {
		t.Fatal("no client and table accepted")
	}
}

func TestMissingTableIsAnError(t *testing.T) {
	client := dynamotest.Client(t)
	tr, _ := dynamotracker.New(dynamotracker.Config{Client: client, Table: "no-such-tracking-table"})
	ctx := context.Background()
	if err := tr.Record(ctx, migration.Attempt{Username: "alice", Outcome: migration.OutcomeMigrated}); err == nil {
		t.Fatal("Record into a missing table succeeded")
	}
	if _, err := tr.Migrated(ctx, []string{"alice"}); err == nil {
		t.Fatal("Migrated on a missing table succeeded")
	}
	if _, err := tr.Progress(ctx); err == nil {
		t.Fatal("Progress on a missing table succeeded")
	}
	for _, err := range tr.List(ctx, migration.OutcomeMigrated) {
		if err == nil {
			t.Fatal("List on a missing table yielded a record")
		}
	}
}
