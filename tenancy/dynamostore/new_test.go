package dynamostore_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/cognitrig/cognitrig/tenancy/dynamostore"
)

// A missing client or table fails at construction, not at the first event
// that needs the store.
func TestNewChecksItsConfiguration(t *testing.T) {
	for _, c := range []struct {
		name  string
		api   dynamostore.API
		table string
		want  string
	}{
		{"nil client", nil, "tenancy", "client is nil"},
		{"nil *dynamodb.Client", (*dynamodb.Client)(nil), "tenancy", "client is nil"},
		{"empty table", dynamodb.New(dynamodb.Options{}), "", "table name is empty"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := dynamostore.New(c.api, c.table)
			if err == nil || s != nil {
				t.Fatalf("New = %v, %v; want an error", s, err)
			}
			if !strings.HasPrefix(err.Error(), "dynamostore: New: ") || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q; want it to start with the constructor and say %q", err, c.want)
			}
		})
	}
	if _, err := dynamostore.New(dynamodb.New(dynamodb.Options{}), "tenancy"); err != nil {
		t.Errorf("a client and a table: %v", err)
	}
}
