// Package tabletest gives tests of package tenancy a ready DynamoDB table
// on the DynamoDB-API server of internal/dynamotest.
package tabletest

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/cognitrig/cognitrig/internal/dynamotest"
	"github.com/cognitrig/cognitrig/tenancy/dynamostore"
)

// New creates a throw-away table of dynamostore's design and waits until
// it is ACTIVE (dynalite answers ResourceNotFound while a table is being
// created). It skips t when no server is configured.
func New(t testing.TB) (*dynamodb.Client, string) {
	t.Helper()
	client := dynamotest.Client(t)
	table := dynamotest.CreateTable(t, client, dynamostore.TableDefinition("tenancy"))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		out, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
		if err == nil && out.Table.TableStatus == types.TableStatusActive {
			return client, table
		}
		select {
		case <-ctx.Done():
			t.Fatalf("table %s did not become ACTIVE: %v", table, err)
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// Store returns a dynamostore.Store on a new table, with the client and
// table name for tests that look at the items themselves.
func Store(t testing.TB) (*dynamostore.Store, *dynamodb.Client, string) {
	t.Helper()
	client, table := New(t)
	return dynamostore.New(client, table), client, table
}

// Items returns every item of table, for tests that prove that nothing
// was written.
func Items(t testing.TB, client *dynamodb.Client, table string) []map[string]types.AttributeValue {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var items []map[string]types.AttributeValue
	in := &dynamodb.ScanInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true)}
	for {
		out, err := client.Scan(ctx, in)
		if err != nil {
			t.Fatalf("scan %s: %v", table, err)
		}
		items = append(items, out.Items...)
		if len(out.LastEvaluatedKey) == 0 {
			return items
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}
