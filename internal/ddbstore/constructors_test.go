package ddbstore_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/cognitrig/cognitrig/customauth/limits"
	"github.com/cognitrig/cognitrig/customauth/records"
	"github.com/cognitrig/cognitrig/customauth/secquestion"
	"github.com/cognitrig/cognitrig/lifecycle/authpolicy"
	"github.com/cognitrig/cognitrig/lifecycle/confirm"
	"github.com/cognitrig/cognitrig/migration/dynamosource"
	"github.com/cognitrig/cognitrig/migration/dynamotracker"
	"github.com/cognitrig/cognitrig/tenancy/dynamostore"
	"github.com/cognitrig/cognitrig/triggers/idempotency"
)

// Every DynamoDB store constructor of the library fails when it is called
// without a client (also a nil *dynamodb.Client in the interface) or a
// table, naming itself and what is missing, rather than at the first event
// that needs the table (issue 13, §3).
func TestEveryStoreConstructorChecksClientAndTable(t *testing.T) {
	for _, c := range []struct {
		prefix string
		new    func(client *dynamodb.Client, table string) error
	}{
		{"records: NewDynamoStore: ", func(c *dynamodb.Client, table string) error { _, err := records.NewDynamoStore(c, table); return err }},
		{"secquestion: NewDynamoStore: ", func(c *dynamodb.Client, table string) error {
			_, err := secquestion.NewDynamoStore(c, table)
			return err
		}},
		{"limits: NewDynamoStore: ", func(c *dynamodb.Client, table string) error {
			_, err := limits.NewDynamoStore(c, table, limits.Limits{})
			return err
		}},
		{"dynamostore: New: ", func(c *dynamodb.Client, table string) error { _, err := dynamostore.New(c, table); return err }},
		{"confirm: NewDynamoStore: ", func(c *dynamodb.Client, table string) error {
			_, err := confirm.NewDynamoStore(c, table, nil)
			return err
		}},
		{"idempotency: NewDynamoStore: ", func(c *dynamodb.Client, table string) error {
			_, err := idempotency.NewDynamoStore(c, table, nil)
			return err
		}},
		{"authpolicy: NewDynamoAuditStore: ", func(c *dynamodb.Client, table string) error {
			_, err := authpolicy.NewDynamoAuditStore(c, table, nil)
			return err
		}},
		{"dynamotracker: New: ", func(c *dynamodb.Client, table string) error {
			_, err := dynamotracker.New(dynamotracker.Config{Client: c, Table: table})
			return err
		}},
		{"dynamosource: New: ", func(c *dynamodb.Client, table string) error {
			_, err := dynamosource.New(dynamosource.Config{Client: c, Table: table})
			return err
		}},
	} {
		name, _, _ := strings.Cut(c.prefix, ":")
		t.Run(name, func(t *testing.T) {
			for _, bad := range []struct {
				client *dynamodb.Client
				table  string
				want   string
			}{
				{nil, "table", "client is nil"},
				{dynamodb.New(dynamodb.Options{}), "", "table name is empty"},
			} {
				err := c.new(bad.client, bad.table)
				if err == nil || !strings.HasPrefix(err.Error(), c.prefix) || !strings.Contains(err.Error(), bad.want) {
					t.Errorf("client %v, table %q: error %v; want one starting %q that says %q", bad.client != nil, bad.table, err, c.prefix, bad.want)
				}
			}
			if err := c.new(dynamodb.New(dynamodb.Options{}), "table"); err != nil {
				t.Errorf("a client and a table: %v", err)
			}
		})
	}
}
