package secquestion_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/cognitrig/cognitrig/customauth/secquestion"
)

// A missing client or table fails at construction, not at the first
// enrollment that needs the store.
func TestNewDynamoStoreChecksItsConfiguration(t *testing.T) {
	for _, c := range []struct {
		name   string
		client secquestion.DynamoAPI
		table  string
		want   string
	}{
		{"nil client", nil, "records", "client is nil"},
		{"nil *dynamodb.Client", (*dynamodb.Client)(nil), "records", "client is nil"},
		{"empty table", dynamodb.New(dynamodb.Options{}), "", "table name is empty"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := secquestion.NewDynamoStore(c.client, c.table)
			if err == nil || s != nil {
				t.Fatalf("NewDynamoStore = %v, %v; want an error", s, err)
			}
			if !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "secquestion: NewDynamoStore: ") {
				t.Errorf("error %q; want it to start with the constructor and say %q", err, c.want)
			}
		})
	}
	if _, err := secquestion.NewDynamoStore(dynamodb.New(dynamodb.Options{}), "records"); err != nil {
		t.Errorf("a client and a table: %v", err)
	}
}
