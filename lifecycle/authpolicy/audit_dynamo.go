package authpolicy

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// DynamoDBAPI is the part of the DynamoDB API that DynamoAuditStore uses;
// *dynamodb.Client implements it.
type DynamoDBAPI interface {
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

// Attribute names of the audit table.
const (
	AuditPartitionKey = "pk"        // S: "<userPoolId>#<userName>"
	AuditSortKey      = "sk"        // S: zero-padded Unix nanoseconds of the sign-in, "#", random suffix
	AuditTTLAttribute = "expiresAt" // N: Unix seconds; the table's TTL attribute
)

// AuditTableDefinition returns the definition of an audit table for
// DynamoAuditStore: partition key "pk" (S), sort key "sk" (S), on-demand
// billing. Enable TTL on AuditTTLAttribute separately (the CDK table's
// timeToLiveAttribute).
func AuditTableDefinition(name string) dynamodb.CreateTableInput {
	return dynamodb.CreateTableInput{
		TableName: aws.String(name),
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String(AuditPartitionKey), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String(AuditSortKey), AttributeType: types.ScalarAttributeTypeS},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String(AuditPartitionKey), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String(AuditSortKey), KeyType: types.KeyTypeRange},
		},
		BillingMode: types.BillingModePayPerRequest,
	}
}

// DynamoAuditStore is an AuditStore in a DynamoDB table with partition key
// "pk" (S) and sort key "sk" (S), and TTL on "expiresAt" (N). Each record is
// one item written with attribute_not_exists(pk), so a record is never
// overwritten; expired items that TTL has not yet deleted are skipped on
// read.
type DynamoAuditStore struct {
	client DynamoDBAPI
	table  string
	now    func() time.Time
}

// NewDynamoAuditStore returns a store on table. now is the clock for expiry;
// nil means time.Now.
func NewDynamoAuditStore(client DynamoDBAPI, table string, now func() time.Time) (*DynamoAuditStore, error) {
	if client == nil || table == "" {
		return nil, errors.New("authpolicy: NewDynamoAuditStore needs a client and a table name")
	}
	if now == nil {
		now = time.Now
	}
	return &DynamoAuditStore{client: client, table: table, now: now}, nil
}

func auditPK(pool, user string) string { return pool + "#" + user }

// Put implements AuditStore.
func (s *DynamoAuditStore) Put(ctx context.Context, r AuditRecord) error {
	if err := r.Validate(); err != nil {
		return err
	}
	var suffix [6]byte
	_, _ = rand.Read(suffix[:])
	item := map[string]types.AttributeValue{
		AuditPartitionKey: &types.AttributeValueMemberS{Value: auditPK(r.UserPoolID, r.UserName)},
		AuditSortKey:      &types.AttributeValueMemberS{Value: fmt.Sprintf("%020d#%s", r.Time.UnixNano(), hex.EncodeToString(suffix[:]))},
		"userPoolId":      &types.AttributeValueMemberS{Value: r.UserPoolID},
		"userName":        &types.AttributeValueMemberS{Value: r.UserName},
		"at":              &types.AttributeValueMemberS{Value: r.Time.UTC().Format(time.RFC3339Nano)},
		"newDevice":       &types.AttributeValueMemberBOOL{Value: r.NewDevice},
		"mfaRequired":     &types.AttributeValueMemberBOOL{Value: r.MFARequired},
		// TTL deletes an item some time after this second; round up so
		// that the item never goes before ExpiresAt.
		AuditTTLAttribute: &types.AttributeValueMemberN{Value: strconv.FormatInt(ceilUnix(r.ExpiresAt), 10)},
	}
	for name, v := range map[string]string{"sub": r.Sub, "clientId": r.ClientID, "ip": r.IP, "deviceKey": r.DeviceKey, "riskLevel": r.RiskLevel} {
		if v != "" {
			item[name] = &types.AttributeValueMemberS{Value: v}
		}
	}
	_, err := s.client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:           aws.String(s.table),
		Item:                item,
		ConditionExpression: aws.String("attribute_not_exists(" + AuditPartitionKey + ")"),
	})
	if err != nil {
		return fmt.Errorf("authpolicy: put audit record in %s: %w", s.table, err)
	}
	return nil
}

func ceilUnix(t time.Time) int64 {
	sec := t.Unix()
	if t.Nanosecond() > 0 {
		sec++
	}
	return sec
}

// Recent implements AuditStore.
func (s *DynamoAuditStore) Recent(ctx context.Context, userPoolID, userName string, limit int) ([]AuditRecord, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("authpolicy: limit %d; want a positive number", limit)
	}
	now := s.now()
	var out []AuditRecord
	var start map[string]types.AttributeValue
	for {
		page, err := s.client.Query(ctx, &dynamodb.QueryInput{
			TableName:              aws.String(s.table),
			KeyConditionExpression: aws.String(AuditPartitionKey + " = :pk"),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":pk": &types.AttributeValueMemberS{Value: auditPK(userPoolID, userName)},
			},
			ScanIndexForward:  aws.Bool(false),
			Limit:             aws.Int32(int32(min(limit*2, 1000))),
			ExclusiveStartKey: start,
			ConsistentRead:    aws.Bool(true),
		})
		if err != nil {
			return nil, fmt.Errorf("authpolicy: query audit records in %s: %w", s.table, err)
		}
		for _, item := range page.Items {
			r, err := decodeAudit(item)
			if err != nil {
				return nil, fmt.Errorf("authpolicy: audit table %s: %w", s.table, err)
			}
			if !now.Before(r.ExpiresAt) {
				continue
			}
			out = append(out, r)
			if len(out) == limit {
				return out, nil
			}
		}
		if len(page.LastEvaluatedKey) == 0 {
			return out, nil
		}
		start = page.LastEvaluatedKey
	}
}

func decodeAudit(item map[string]types.AttributeValue) (AuditRecord, error) {
	str := func(name string) string {
		if v, ok := item[name].(*types.AttributeValueMemberS); ok {
			return v.Value
		}
		return ""
	}
	boolean := func(name string) bool {
		v, ok := item[name].(*types.AttributeValueMemberBOOL)
		return ok && v.Value
	}
	r := AuditRecord{
		UserPoolID: str("userPoolId"), UserName: str("userName"), Sub: str("sub"), ClientID: str("clientId"),
		IP: str("ip"), DeviceKey: str("deviceKey"), RiskLevel: str("riskLevel"),
		NewDevice: boolean("newDevice"), MFARequired: boolean("mfaRequired"),
	}
	at, err := time.Parse(time.RFC3339Nano, str("at"))
	if err != nil {
		return r, fmt.Errorf("item %s has no valid at attribute", str(AuditSortKey))
	}
	r.Time = at
	n, ok := item[AuditTTLAttribute].(*types.AttributeValueMemberN)
	if !ok {
		return r, fmt.Errorf("item %s has no %s attribute", str(AuditSortKey), AuditTTLAttribute)
	}
	sec, err := strconv.ParseInt(n.Value, 10, 64)
	if err != nil {
		return r, fmt.Errorf("item %s: %s is not a number", str(AuditSortKey), AuditTTLAttribute)
	}
	r.ExpiresAt = time.Unix(sec, 0).UTC()
	return r, nil
}
