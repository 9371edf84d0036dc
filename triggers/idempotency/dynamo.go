package idempotency

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/cognitrig/cognitrig/internal/ddbstore/lease"
)

// DynamoDBAPI is the part of the DynamoDB API that DynamoStore uses
// (PutItem, GetItem, UpdateItem and DeleteItem); *dynamodb.Client
// implements it.
type DynamoDBAPI = lease.API

// Attribute names of the idempotency table.
const (
	PartitionKey = lease.PartitionKey // S: the key (see Key)
	TTLAttribute = lease.TTLAttribute // N: Unix seconds; the table's TTL attribute
)

// TableDefinition returns the definition of a table for DynamoStore:
// partition key "pk" (S), on-demand billing. Enable TTL on TTLAttribute
// separately (the CDK table's timeToLiveAttribute).
func TableDefinition(name string) dynamodb.CreateTableInput { return lease.TableDefinition(name) }

// DynamoStore is a Store in a DynamoDB table with partition key "pk" (S)
// and TTL on "expiresAt" (N). Items also hold "state" (S: "running" or
// "done"), "owner" (S) and, while running, "leaseUntil" (N, Unix
// milliseconds). Every change is one conditional write: Begin a PutItem
// that succeeds only on an absent, expired or abandoned (lease over)
// record; Finish an UpdateItem on owner; Release a DeleteItem on owner.
// Its methods are Store's.
type DynamoStore struct{ records }

var _ Store = (*DynamoStore)(nil)

// NewDynamoStore returns a store on table. now is the clock; nil means
// time.Now. A nil client or an empty table name is an error.
func NewDynamoStore(client DynamoDBAPI, table string, now func() time.Time) (*DynamoStore, error) {
	wrap := func(s records) *DynamoStore { return &DynamoStore{s} }
	return lease.NewDynamo(wrap, rules(), "idempotency: NewDynamoStore", client, table, now)
}

// keyHint names a key in an error without the user: pool and trigger
// source only.
func keyHint(key string) string {
	n := 0
	for i := range len(key) {
		if key[i] == '#' {
			n++
			if n == 2 {
				return "key " + key[:i] + "#…"
			}
		}
	}
	return "a key"
}
