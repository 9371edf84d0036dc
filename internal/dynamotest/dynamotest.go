// Package dynamotest connects tests to the DynamoDB-API server that
// `make test` starts (dynalite on 127.0.0.1, address in
// COGNITRIG_DYNAMODB_ENDPOINT) and creates throw-away tables on it.
//
// Without the variable, DynamoDB tests are skipped (plain `go test`); with
// it set and the server unreachable, they fail loudly.
package dynamotest

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// EnvEndpoint names the variable that holds the server's URL.
const EnvEndpoint = "COGNITRIG_DYNAMODB_ENDPOINT"

// Client returns a client for the test server, skipping t when EnvEndpoint
// is unset and failing it when the server does not answer.
func Client(t testing.TB) *dynamodb.Client {
	t.Helper()
	endpoint := os.Getenv(EnvEndpoint)
	if endpoint == "" {
		t.Skipf("%s is not set: run `make test` to test against a DynamoDB-API server", EnvEndpoint)
	}
	if !strings.HasPrefix(endpoint, "http://127.0.0.1:") && !strings.HasPrefix(endpoint, "http://localhost:") {
		t.Fatalf("%s=%q: tests talk only to a server on 127.0.0.1", EnvEndpoint, endpoint)
	}
	client := dynamodb.New(dynamodb.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(endpoint),
		Credentials:      credentials.NewStaticCredentialsProvider("test", "test", ""),
		RetryMaxAttempts: 1,
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := client.ListTables(ctx, &dynamodb.ListTablesInput{}); err != nil {
		t.Fatalf("%s=%s is set but the server does not answer: %v", EnvEndpoint, endpoint, err)
	}
	return client
}

var tableSeq atomic.Int64

// CreateTable creates a table from in, with a unique name that starts with
// in.TableName, on-demand billing, and deletion when t ends. It returns the
// name once the table and its global secondary indexes are ACTIVE.
func CreateTable(t testing.TB, client *dynamodb.Client, in dynamodb.CreateTableInput) string {
	t.Helper()
	name := fmt.Sprintf("%s-%d-%d", aws.ToString(in.TableName), time.Now().UnixNano(), tableSeq.Add(1))
	in.TableName = aws.String(name)
	in.BillingMode = types.BillingModePayPerRequest
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := client.CreateTable(ctx, &in); err != nil {
		t.Fatalf("create table %s: %v", name, err)
	}
	// dynalite answers CreateTable before the table, and then its indexes,
	// are ACTIVE; the SDK's TableExistsWaiter looks at the table only.
	for delay := 10 * time.Millisecond; !active(ctx, client, name); delay = min(2*delay, 200*time.Millisecond) {
		select {
		case <-ctx.Done():
			t.Fatalf("table %s and its indexes did not become active within 10 s", name)
		case <-time.After(delay):
		}
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, _ = client.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(name)})
	})
	return name
}

// active reports whether table and all its global secondary indexes are
// ACTIVE.
func active(ctx context.Context, client *dynamodb.Client, table string) bool {
	out, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
	if err != nil || out.Table.TableStatus != types.TableStatusActive {
		return false
	}
	for _, g := range out.Table.GlobalSecondaryIndexes {
		if g.IndexStatus != types.IndexStatusActive {
			return false
		}
	}
	return true
}

// Items returns every item of table (a consistent scan, all pages), for
// tests that look at what was written, or prove that nothing was.
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
