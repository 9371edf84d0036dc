package records_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/cognitrig/cognitrig/customauth/records"
)

// A missing client or table fails at construction, not at the first
// challenge that needs the store.
func TestNewDynamoStoreChecksItsConfiguration(t *testing.T) {
	for _, c := range []struct {
		name   string
		client records.DynamoAPI
		table  string
		want   string
	}{
		{"nil client", nil, "records", "client is nil"},
		{"nil *dynamodb.Client", (*dynamodb.Client)(nil), "records", "client is nil"},
		{"empty table", dynamodb.New(dynamodb.Options{}), "", "table name is empty"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := records.NewDynamoStore(c.client, c.table)
			if err == nil || s != nil {
				t.Fatalf("NewDynamoStore = %v, %v; want an error", s, err)
			}
			if !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "records: NewDynamoStore: ") {
				t.Errorf("error %q; want it to start with the constructor and say %q", err, c.want)
			}
		})
	}
	if _, err := records.NewDynamoStore(dynamodb.New(dynamodb.Options{}), "records"); err != nil {
		t.Errorf("a client and a table: %v", err)
	}
}
