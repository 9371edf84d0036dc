package authpolicy

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/cognitrig/cognitrig/internal/ddbstore"
)

// DynamoDBAPI is the part of the DynamoDB API that DynamoAuditStore uses
// (PutItem and Query); *dynamodb.Client implements it.
type DynamoDBAPI interface {
	ddbstore.Putter
	ddbstore.Querier
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
	return ddbstore.TableDefinition(name, AuditPartitionKey, AuditSortKey)
}

// DynamoAuditStore is an AuditStore in a DynamoDB table with partition key
// "pk" (S) and sort key "sk" (S), and TTL on "expiresAt" (N). Each record is
// one item written with attribute_not_exists(pk), so a record is never
// overwritten; expired items that TTL has not yet deleted are skipped on
// read.
type DynamoAuditStore struct {
	t   ddbstore.Table[DynamoDBAPI]
	now func() time.Time
}

// NewDynamoAuditStore returns a store on table. now is the clock for expiry;
// nil means time.Now. A nil client or an empty table name is an error.
func NewDynamoAuditStore(client DynamoDBAPI, table string, now func() time.Time) (*DynamoAuditStore, error) {
	t, err := ddbstore.Open("authpolicy: NewDynamoAuditStore", client, table)
	if err != nil {
		return nil, err
	}
	if now == nil {
		now = time.Now
	}
	return &DynamoAuditStore{t: t, now: now}, nil
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
		AuditPartitionKey: ddbstore.S(auditPK(r.UserPoolID, r.UserName)),
		AuditSortKey:      ddbstore.S(fmt.Sprintf("%020d#%s", r.Time.UnixNano(), hex.EncodeToString(suffix[:]))),
		"userPoolId":      ddbstore.S(r.UserPoolID),
		"userName":        ddbstore.S(r.UserName),
		"at":              ddbstore.S(r.Time.UTC().Format(time.RFC3339Nano)),
		"newDevice":       &types.AttributeValueMemberBOOL{Value: r.NewDevice},
		"mfaRequired":     &types.AttributeValueMemberBOOL{Value: r.MFARequired},
		// TTL deletes an item some time after this second; round up so
		// that the item never goes before ExpiresAt.
		AuditTTLAttribute: ddbstore.N(ddbstore.CeilUnix(r.ExpiresAt)),
	}
	for name, v := range map[string]string{"sub": r.Sub, "clientId": r.ClientID, "ip": r.IP, "deviceKey": r.DeviceKey, "riskLevel": r.RiskLevel} {
		if v != "" {
			item[name] = ddbstore.S(v)
		}
	}
	_, err := s.t.API.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:           s.t.TableName(),
		Item:                item,
		ConditionExpression: aws.String("attribute_not_exists(" + AuditPartitionKey + ")"),
	})
	return s.t.Wrap("put audit record", err)
}

// Recent implements AuditStore.
func (s *DynamoAuditStore) Recent(ctx context.Context, userPoolID, userName string, limit int) ([]AuditRecord, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("authpolicy: limit %d; want a positive number", limit)
	}
	now := s.now()
	var out []AuditRecord
	in := &dynamodb.QueryInput{
		TableName:              s.t.TableName(),
		KeyConditionExpression: aws.String(AuditPartitionKey + " = :pk"),
		ExpressionAttributeValues: ddbstore.Item{
			":pk": ddbstore.S(auditPK(userPoolID, userName)),
		},
		ScanIndexForward: aws.Bool(false),
		Limit:            aws.Int32(int32(min(limit*2, 1000))),
		ConsistentRead:   aws.Bool(true),
	}
	for page, err := range ddbstore.QueryPages(ctx, s.t, "query audit records", in) {
		if err != nil {
			return nil, err
		}
		for _, item := range page.Items {
			r, err := decodeAudit(item)
			if err != nil {
				return nil, s.t.Errorf("%w", err)
			}
			if !now.Before(r.ExpiresAt) {
				continue
			}
			out = append(out, r)
			if len(out) == limit {
				return out, nil
			}
		}
	}
	return out, nil
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
	if _, ok := item[AuditTTLAttribute].(*types.AttributeValueMemberN); !ok {
		return r, fmt.Errorf("item %s has no %s attribute", str(AuditSortKey), AuditTTLAttribute)
	}
	sec, ok := ddbstore.Int(item, AuditTTLAttribute)
	if !ok {
		return r, fmt.Errorf("item %s: %s is not a number", str(AuditSortKey), AuditTTLAttribute)
	}
	r.ExpiresAt = time.Unix(sec, 0).UTC()
	return r, nil
}
