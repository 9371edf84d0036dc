package confirm

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/cognitrig/cognitrig/internal/ddbstore/lease"
)

// DynamoDBAPI is the part of the DynamoDB API that DynamoStore uses
// (PutItem, GetItem, UpdateItem and DeleteItem); *dynamodb.Client
// implements it.
type DynamoDBAPI = lease.API

// Attribute names of the marker table.
const (
	MarkerPartitionKey = lease.PartitionKey // S: "<userPoolId>#<hook>#<user>"
	MarkerTTLAttribute = lease.TTLAttribute // N: Unix seconds; the table's TTL attribute
)

// TableDefinition returns the definition of a marker table for
// DynamoStore: partition key "pk" (S), on-demand billing. Enable TTL on
// MarkerTTLAttribute separately (the CDK table's timeToLiveAttribute).
func TableDefinition(name string) dynamodb.CreateTableInput { return lease.TableDefinition(name) }

// markerKey puts the hook before the user: pool IDs never contain "#",
// hook names are the program's own, and a user name may contain anything.
func markerKey(k Key) string { return k.UserPoolID + "#" + k.Hook + "#" + k.User }

// markerHint names a marker in an error: never the user.
func markerHint(Key) string { return "marker" }

// DynamoStore is a MarkerStore in a DynamoDB table with partition key "pk"
// (S) and TTL on "expiresAt" (N). Every change is one conditional write:
// Begin a PutItem that succeeds only on an absent, expired or abandoned
// (lease over) marker; Finish an UpdateItem on owner; Release a DeleteItem
// on owner. A marker past its expiry counts as absent on every read.
//
// Its methods are MarkerStore's.
type DynamoStore struct{ markers }

var _ MarkerStore = (*DynamoStore)(nil)

// NewDynamoStore returns a store on table. now is the clock; nil means
// time.Now. A nil client or an empty table name is an error.
func NewDynamoStore(client DynamoDBAPI, table string, now func() time.Time) (*DynamoStore, error) {
	wrap := func(s markers) *DynamoStore { return &DynamoStore{s} }
	return lease.NewDynamo(wrap, rules(), "confirm: NewDynamoStore", client, table, now)
}
