package idempotency

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// DynamoDBAPI is the part of the DynamoDB API that DynamoStore uses;
// *dynamodb.Client implements it.
type DynamoDBAPI interface {
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
}

// Attribute names of the idempotency table.
const (
	PartitionKey = "pk"        // S: the key (see Key)
	TTLAttribute = "expiresAt" // N: Unix seconds; the table's TTL attribute
)

// TableDefinition returns the definition of a table for DynamoStore:
// partition key "pk" (S), on-demand billing. Enable TTL on TTLAttribute
// separately (the CDK table's timeToLiveAttribute).
func TableDefinition(name string) dynamodb.CreateTableInput {
	return dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String(PartitionKey), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String(PartitionKey), KeyType: types.KeyTypeHash}},
		BillingMode:          types.BillingModePayPerRequest,
	}
}

// DynamoStore is a Store in a DynamoDB table with partition key "pk" (S)
// and TTL on "expiresAt" (N). Items also hold "state" (S: "running" or
// "done"), "owner" (S) and, while running, "leaseUntil" (N, Unix
// milliseconds). Every change is one conditional write: Begin a PutItem
// that succeeds only on an absent, expired or abandoned (lease over)
// record; Finish an UpdateItem on owner; Release a DeleteItem on owner.
type DynamoStore struct {
	client DynamoDBAPI
	table  string
	now    func() time.Time
}

// NewDynamoStore returns a store on table. now is the clock; nil means
// time.Now.
func NewDynamoStore(client DynamoDBAPI, table string, now func() time.Time) (*DynamoStore, error) {
	if client == nil || table == "" {
		return nil, errors.New("idempotency: NewDynamoStore needs a client and a table name")
	}
	if now == nil {
		now = time.Now
	}
	return &DynamoStore{client: client, table: table, now: now}, nil
}

func itemKey(key string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{PartitionKey: &types.AttributeValueMemberS{Value: key}}
}

func num(n int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

func str(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }

// ceilUnix rounds up to whole seconds, so that a record never expires
// before its time.
func ceilUnix(t time.Time) int64 {
	sec := t.Unix()
	if t.Nanosecond() > 0 {
		sec++
	}
	return sec
}

// Begin implements Store.
func (s *DynamoStore) Begin(ctx context.Context, key, owner string, lease time.Duration) (Claim, error) {
	if err := checkArgs(key, owner, lease); err != nil {
		return 0, err
	}
	now := s.now()
	item := itemKey(key)
	item["state"] = str("running")
	item["owner"] = str(owner)
	item["leaseUntil"] = num(now.Add(lease).UnixMilli())
	item[TTLAttribute] = num(ceilUnix(now.Add(inProgressKeep(lease))))
	_, err := s.client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(s.table),
		Item:      item,
		// TTL deletes late: an expired record counts as absent here.
		ConditionExpression: aws.String("attribute_not_exists(" + PartitionKey + ") OR " +
			TTLAttribute + " <= :nowSec OR (#state = :running AND leaseUntil <= :nowMs)"),
		ExpressionAttributeNames: map[string]string{"#state": "state"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":nowSec":  num(now.Unix()),
			":nowMs":   num(now.UnixMilli()),
			":running": str("running"),
		},
	})
	if err == nil {
		return Claimed, nil
	}
	var ccf *types.ConditionalCheckFailedException
	if !errors.As(err, &ccf) {
		return 0, fmt.Errorf("idempotency: claim %s in table %s: %w", keyHint(key), s.table, err)
	}
	// Someone holds the key: done, or running under a live lease.
	out, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.table), Key: itemKey(key), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return 0, fmt.Errorf("idempotency: read %s in table %s: %w", keyHint(key), s.table, err)
	}
	st, _ := out.Item["state"].(*types.AttributeValueMemberS)
	exp, _ := out.Item[TTLAttribute].(*types.AttributeValueMemberN)
	if st != nil && st.Value == "done" && exp != nil {
		// Check the expiry here too: the record may have expired since
		// the write's condition saw it.
		if sec, err := strconv.ParseInt(exp.Value, 10, 64); err == nil && sec > s.now().Unix() {
			return Done, nil
		}
	}
	// Running, or deleted in between (its owner released it): busy; the
	// caller asks again.
	return Busy, nil
}

// Finish implements Store.
func (s *DynamoStore) Finish(ctx context.Context, key, owner string, keep time.Duration) error {
	if err := checkArgs(key, owner, keep); err != nil {
		return err
	}
	now := s.now()
	_, err := s.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(s.table),
		Key:                      itemKey(key),
		UpdateExpression:         aws.String("SET #state = :done, " + TTLAttribute + " = :exp REMOVE leaseUntil"),
		ConditionExpression:      aws.String("#owner = :owner AND #state = :running AND " + TTLAttribute + " > :nowSec"),
		ExpressionAttributeNames: map[string]string{"#state": "state", "#owner": "owner"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":done":    str("done"),
			":running": str("running"),
			":owner":   str(owner),
			":nowSec":  num(now.Unix()),
			":exp":     num(ceilUnix(now.Add(keep))),
		},
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return ErrLostClaim
	}
	if err != nil {
		return fmt.Errorf("idempotency: mark %s done in table %s: %w", keyHint(key), s.table, err)
	}
	return nil
}

// Release implements Store.
func (s *DynamoStore) Release(ctx context.Context, key, owner string) error {
	if key == "" || owner == "" {
		return errors.New("idempotency: Release needs a key and an owner")
	}
	_, err := s.client.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                aws.String(s.table),
		Key:                      itemKey(key),
		ConditionExpression:      aws.String("#owner = :owner AND #state = :running"),
		ExpressionAttributeNames: map[string]string{"#state": "state", "#owner": "owner"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":owner":   str(owner),
			":running": str("running"),
		},
	})
	var ccf *types.ConditionalCheckFailedException
	if err != nil && !errors.As(err, &ccf) {
		return fmt.Errorf("idempotency: release %s in table %s: %w", keyHint(key), s.table, err)
	}
	return nil
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
