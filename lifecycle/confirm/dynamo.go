package confirm

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

// Attribute names of the marker table.
const (
	MarkerPartitionKey = "pk"        // S: "<userPoolId>#<hook>#<user>"
	MarkerTTLAttribute = "expiresAt" // N: Unix seconds; the table's TTL attribute
)

// TableDefinition returns the definition of a marker table for
// DynamoStore: partition key "pk" (S), on-demand billing. Enable TTL on
// MarkerTTLAttribute separately (the CDK table's timeToLiveAttribute).
func TableDefinition(name string) dynamodb.CreateTableInput {
	return dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String(MarkerPartitionKey), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String(MarkerPartitionKey), KeyType: types.KeyTypeHash}},
		BillingMode:          types.BillingModePayPerRequest,
	}
}

// DynamoStore is a MarkerStore in a DynamoDB table with partition key "pk"
// (S) and TTL on "expiresAt" (N). Every change is one conditional write:
// Begin a PutItem that succeeds only on an absent, expired or abandoned
// (lease over) marker; Finish an UpdateItem on owner; Release a DeleteItem
// on owner.
type DynamoStore struct {
	client DynamoDBAPI
	table  string
	now    func() time.Time
}

// NewDynamoStore returns a store on table. now is the clock; nil means
// time.Now.
func NewDynamoStore(client DynamoDBAPI, table string, now func() time.Time) (*DynamoStore, error) {
	if client == nil || table == "" {
		return nil, errors.New("confirm: NewDynamoStore needs a client and a table name")
	}
	if now == nil {
		now = time.Now
	}
	return &DynamoStore{client: client, table: table, now: now}, nil
}

func markerKey(k Key) map[string]types.AttributeValue {
	// The hook sits before the user: pool IDs never contain "#", hook names
	// are the program's own, and a user name may contain anything.
	return map[string]types.AttributeValue{
		MarkerPartitionKey: &types.AttributeValueMemberS{Value: k.UserPoolID + "#" + k.Hook + "#" + k.User},
	}
}

func num(n int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

func ceilUnix(t time.Time) int64 {
	sec := t.Unix()
	if t.Nanosecond() > 0 {
		sec++
	}
	return sec
}

// Begin implements MarkerStore.
func (s *DynamoStore) Begin(ctx context.Context, k Key, owner string, lease time.Duration) (Claim, error) {
	if err := checkClaimArgs(k, owner, lease); err != nil {
		return 0, err
	}
	now := s.now()
	item := markerKey(k)
	item["state"] = &types.AttributeValueMemberS{Value: "running"}
	item["owner"] = &types.AttributeValueMemberS{Value: owner}
	item["leaseUntil"] = num(now.Add(lease).UnixMilli())
	item[MarkerTTLAttribute] = num(ceilUnix(now.Add(runningKeep(lease))))
	_, err := s.client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(s.table),
		Item:      item,
		ConditionExpression: aws.String("attribute_not_exists(" + MarkerPartitionKey + ") OR " +
			MarkerTTLAttribute + " <= :nowSec OR (#state = :running AND leaseUntil <= :nowMs)"),
		ExpressionAttributeNames: map[string]string{"#state": "state"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":nowSec":  num(now.Unix()),
			":nowMs":   num(now.UnixMilli()),
			":running": &types.AttributeValueMemberS{Value: "running"},
		},
	})
	if err == nil {
		return Claimed, nil
	}
	var ccf *types.ConditionalCheckFailedException
	if !errors.As(err, &ccf) {
		return 0, fmt.Errorf("confirm: claim marker in %s: %w", s.table, err)
	}
	// Someone holds the marker: done, or running under a live lease.
	out, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.table), Key: markerKey(k), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return 0, fmt.Errorf("confirm: read marker in %s: %w", s.table, err)
	}
	if st, ok := out.Item["state"].(*types.AttributeValueMemberS); ok && st.Value == "done" {
		return AlreadyDone, nil
	}
	// Running, or deleted in between (its owner released it): report busy,
	// and the caller leaves the hook to that attempt or the next.
	return Busy, nil
}

// Finish implements MarkerStore.
func (s *DynamoStore) Finish(ctx context.Context, k Key, owner string, keep time.Duration) error {
	if err := checkFinishArgs(k, owner, keep); err != nil {
		return err
	}
	_, err := s.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(s.table),
		Key:                      markerKey(k),
		UpdateExpression:         aws.String("SET #state = :done, " + MarkerTTLAttribute + " = :exp REMOVE leaseUntil"),
		ConditionExpression:      aws.String("#owner = :owner AND #state = :running"),
		ExpressionAttributeNames: map[string]string{"#state": "state", "#owner": "owner"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":done":    &types.AttributeValueMemberS{Value: "done"},
			":running": &types.AttributeValueMemberS{Value: "running"},
			":owner":   &types.AttributeValueMemberS{Value: owner},
			":exp":     num(ceilUnix(s.now().Add(keep))),
		},
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return ErrLostClaim
	}
	if err != nil {
		return fmt.Errorf("confirm: mark done in %s: %w", s.table, err)
	}
	return nil
}

// Release implements MarkerStore.
func (s *DynamoStore) Release(ctx context.Context, k Key, owner string) error {
	if err := k.validate(); err != nil {
		return err
	}
	_, err := s.client.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                aws.String(s.table),
		Key:                      markerKey(k),
		ConditionExpression:      aws.String("#owner = :owner AND #state = :running"),
		ExpressionAttributeNames: map[string]string{"#state": "state", "#owner": "owner"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":owner":   &types.AttributeValueMemberS{Value: owner},
			":running": &types.AttributeValueMemberS{Value: "running"},
		},
	})
	var ccf *types.ConditionalCheckFailedException
	if err != nil && !errors.As(err, &ccf) {
		return fmt.Errorf("confirm: release marker in %s: %w", s.table, err)
	}
	return nil
}
