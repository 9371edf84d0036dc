package dynamotracker_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/cognitrig/cognitrig/internal/dynamotest"
	"github.com/cognitrig/cognitrig/migration"
	"github.com/cognitrig/cognitrig/migration/dynamotracker"
	"github.com/cognitrig/cognitrig/migration/migrationtest"
)

func newTracker(t *testing.T, opts migration.TrackerOptions) *dynamotracker.Tracker {
	t.Helper()
	client := dynamotest.Client(t)
	table := dynamotest.CreateTable(t, client, dynamotracker.TableDefinition("migration-tracking"))
	waitActive(t, client, table)
	tr, err := dynamotracker.New(dynamotracker.Config{Client: client, Table: table, TrackerOptions: opts})
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// waitActive waits until the table and its index are ACTIVE: the test
// server may report them CREATING for a moment after CreateTable.
func waitActive(t *testing.T, client *dynamodb.Client, table string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, err := client.DescribeTable(context.Background(), &dynamodb.DescribeTableInput{TableName: aws.String(table)})
		if err == nil && out.Table.TableStatus == types.TableStatusActive {
			active := true
			for _, g := range out.Table.GlobalSecondaryIndexes {
				active = active && g.IndexStatus == types.IndexStatusActive
			}
			if active {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("table %s not active after 10s: %v", table, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
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
