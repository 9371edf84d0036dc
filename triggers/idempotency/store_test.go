package idempotency_test

import (
	"testing"
	"time"

	"github.com/cognitrig/cognitrig/internal/dynamotest"
	"github.com/cognitrig/cognitrig/triggers/idempotency"
	"github.com/cognitrig/cognitrig/triggers/idempotency/storetest"
)

func TestMemoryStore(t *testing.T) {
	storetest.Run(t, func(_ *testing.T, now func() time.Time) idempotency.Store {
		return idempotency.NewMemoryStore(now)
	})
}

// dynamoStore returns a DynamoStore on a new table of the test server.
func dynamoStore(t *testing.T, now func() time.Time) *idempotency.DynamoStore {
	t.Helper()
	client := dynamotest.Client(t)
	table := dynamotest.CreateTable(t, client, idempotency.TableDefinition("idempotency"))
	s, err := idempotency.NewDynamoStore(client, table, now)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestDynamoStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T, now func() time.Time) idempotency.Store {
		return dynamoStore(t, now)
	})
}

func TestNewDynamoStoreNeedsClientAndTable(t *testing.T) {
	if _, err := idempotency.NewDynamoStore(nil, "t", nil); err == nil {
		t.Error("nil client accepted")
	}
}
