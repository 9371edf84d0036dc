// Package tabletest gives tests of package tenancy a ready DynamoDB table
// on the DynamoDB-API server of internal/dynamotest.
package tabletest

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/cognitrig/cognitrig/internal/dynamotest"
	"github.com/cognitrig/cognitrig/tenancy/dynamostore"
)

// Store returns a dynamostore.Store on a new table of its design, with the
// client and table name for tests that look at the items themselves
// (dynamotest.Items). It skips t when no server is configured.
func Store(t testing.TB) (*dynamostore.Store, *dynamodb.Client, string) {
	t.Helper()
	client := dynamotest.Client(t)
	table := dynamotest.CreateTable(t, client, dynamostore.TableDefinition("tenancy"))
	s, err := dynamostore.New(client, table)
	if err != nil {
		t.Fatal(err)
	}
	return s, client, table
}
