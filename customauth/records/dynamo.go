package records

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

// DynamoAPI is the part of the DynamoDB client that DynamoStore uses;
// *dynamodb.Client implements it.
type DynamoAPI interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
}

// Attribute names of a record item in DynamoDB.
const (
	AttrKey       = "pk"        // partition key (S): the slot
	AttrNonce     = "nonce"     // S
	AttrExpiresAt = "expiresAt" // N, Unix seconds: the table's TTL attribute
	AttrSentAt    = "sentAt"    // N, Unix milliseconds
	AttrFailures  = "failures"  // N
)

// DynamoStore is a Store in a DynamoDB table with a string partition key
// named "pk" and no sort key; the slot is the key. Enable TTL on
// "expiresAt" so that DynamoDB deletes dead records; the store checks
// expiry on every read as well, since TTL deletion lags. The table may be
// shared with other customauth stores: their keys have distinct prefixes.
type DynamoStore struct {
	Client DynamoAPI
	Table  string
}

// NewDynamoStore returns a DynamoStore on table.
func NewDynamoStore(client DynamoAPI, table string) *DynamoStore {
	return &DynamoStore{Client: client, Table: table}
}

func isConditionFailed(err error) bool {
	var ccf *types.ConditionalCheckFailedException
	return errors.As(err, &ccf)
}

func key(slot string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{AttrKey: &types.AttributeValueMemberS{Value: slot}}
}

func num(n int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

func str(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }

// openTries bounds Open's put-then-get loop, which repeats only when the
// record it lost to is consumed or expires between the two calls.
const openTries = 3

// Open implements Store: a put conditional on the slot having no live
// record, then, if another record is live, a consistent read of it.
func (d *DynamoStore) Open(ctx context.Context, slot string, fresh Record, now time.Time) (Record, error) {
	if err := checkSlot(slot); err != nil {
		return Record{}, err
	}
	if err := checkFresh(fresh, now); err != nil {
		return Record{}, err
	}
	fresh = normalise(fresh)
	item := map[string]types.AttributeValue{
		AttrKey:       str(slot),
		AttrNonce:     str(fresh.Nonce),
		AttrExpiresAt: num(fresh.ExpiresAt.Unix()),
		AttrFailures:  num(int64(fresh.Failures)),
	}
	if !fresh.SentAt.IsZero() {
		item[AttrSentAt] = num(fresh.SentAt.UnixMilli())
	}
	for range openTries {
		_, err := d.Client.PutItem(ctx, &dynamodb.PutItemInput{
			TableName:                 aws.String(d.Table),
			Item:                      item,
			ConditionExpression:       aws.String("attribute_not_exists(#k) OR #e <= :now"),
			ExpressionAttributeNames:  map[string]string{"#k": AttrKey, "#e": AttrExpiresAt},
			ExpressionAttributeValues: map[string]types.AttributeValue{":now": num(now.Unix())},
		})
		if err == nil {
			return fresh, nil
		}
		if !isConditionFailed(err) {
			return Record{}, fmt.Errorf("records: put record in table %s: %w", d.Table, err)
		}
		out, err := d.Client.GetItem(ctx, &dynamodb.GetItemInput{
			TableName:      aws.String(d.Table),
			Key:            key(slot),
			ConsistentRead: aws.Bool(true),
		})
		if err != nil {
			return Record{}, fmt.Errorf("records: get record from table %s: %w", d.Table, err)
		}
		if out.Item != nil {
			r, err := decode(out.Item)
			if err != nil {
				return Record{}, fmt.Errorf("records: table %s: %w", d.Table, err)
			}
			if r.Live(now) {
				return r, nil
			}
		}
	}
	return Record{}, fmt.Errorf("records: table %s: the slot's record changed %d times during Open; try again", d.Table, openTries)
}

func decode(item map[string]types.AttributeValue) (Record, error) {
	var r Record
	s, ok := item[AttrNonce].(*types.AttributeValueMemberS)
	if !ok || s.Value == "" {
		return r, errors.New("record item has no nonce")
	}
	r.Nonce = s.Value
	exp, err := number(item, AttrExpiresAt)
	if err != nil {
		return r, err
	}
	r.ExpiresAt = time.Unix(exp, 0)
	if _, ok := item[AttrSentAt]; ok {
		sent, err := number(item, AttrSentAt)
		if err != nil {
			return r, err
		}
		r.SentAt = time.UnixMilli(sent)
	}
	if _, ok := item[AttrFailures]; ok {
		f, err := number(item, AttrFailures)
		if err != nil {
			return r, err
		}
		r.Failures = int(f)
	}
	return r, nil
}

func number(item map[string]types.AttributeValue, name string) (int64, error) {
	n, ok := item[name].(*types.AttributeValueMemberN)
	if !ok {
		return 0, fmt.Errorf("record item has no number %s", name)
	}
	v, err := strconv.ParseInt(n.Value, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("record item's %s is not an integer", name)
	}
	return v, nil
}

// ClaimSend implements Store with an update conditional on the nonce, the
// expiry and the time of the last send.
func (d *DynamoStore) ClaimSend(ctx context.Context, slot, nonce string, now time.Time, interval time.Duration) (bool, error) {
	if err := checkSlot(slot); err != nil {
		return false, err
	}
	_, err := d.Client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(d.Table),
		Key:                      key(slot),
		UpdateExpression:         aws.String("SET #s = :now"),
		ConditionExpression:      aws.String("#n = :n AND #e > :nowSec AND (attribute_not_exists(#s) OR #s <= :before)"),
		ExpressionAttributeNames: map[string]string{"#n": AttrNonce, "#e": AttrExpiresAt, "#s": AttrSentAt},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":n":      str(nonce),
			":now":    num(now.UnixMilli()),
			":nowSec": num(now.Unix()),
			":before": num(now.UnixMilli() - interval.Milliseconds()),
		},
	})
	switch {
	case err == nil:
		return true, nil
	case isConditionFailed(err):
		return false, nil
	default:
		return false, fmt.Errorf("records: claim the send in table %s: %w", d.Table, err)
	}
}

// ReleaseSend implements Store.
func (d *DynamoStore) ReleaseSend(ctx context.Context, slot, nonce string, claimedAt time.Time) error {
	if err := checkSlot(slot); err != nil {
		return err
	}
	_, err := d.Client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(d.Table),
		Key:                      key(slot),
		UpdateExpression:         aws.String("REMOVE #s"),
		ConditionExpression:      aws.String("#n = :n AND #s = :at"),
		ExpressionAttributeNames: map[string]string{"#n": AttrNonce, "#s": AttrSentAt},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":n":  str(nonce),
			":at": num(claimedAt.UnixMilli()),
		},
	})
	if err != nil && !isConditionFailed(err) {
		return fmt.Errorf("records: release the send in table %s: %w", d.Table, err)
	}
	return nil
}

// Fail implements Store: an atomic increment conditional on the nonce, then
// a conditional delete when the count reaches max.
func (d *DynamoStore) Fail(ctx context.Context, slot, nonce string, max int) (bool, error) {
	if err := checkSlot(slot); err != nil {
		return false, err
	}
	out, err := d.Client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(d.Table),
		Key:                       key(slot),
		UpdateExpression:          aws.String("ADD #f :one"),
		ConditionExpression:       aws.String("#n = :n"),
		ExpressionAttributeNames:  map[string]string{"#n": AttrNonce, "#f": AttrFailures},
		ExpressionAttributeValues: map[string]types.AttributeValue{":n": str(nonce), ":one": num(1)},
		ReturnValues:              types.ReturnValueUpdatedNew,
	})
	if isConditionFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("records: count a wrong answer in table %s: %w", d.Table, err)
	}
	failures, err := number(out.Attributes, AttrFailures)
	if err != nil {
		return false, fmt.Errorf("records: table %s: %w", d.Table, err)
	}
	if failures < int64(max) {
		return false, nil
	}
	if _, err := d.delete(ctx, slot, nonce, time.Time{}, 0); err != nil {
		return false, err
	}
	return true, nil
}

// Consume implements Store with a delete conditional on the nonce, the
// expiry and the failure count.
func (d *DynamoStore) Consume(ctx context.Context, slot, nonce string, now time.Time, maxFailures int) (bool, error) {
	if err := checkSlot(slot); err != nil {
		return false, err
	}
	if err := checkMax(maxFailures); err != nil {
		return false, err
	}
	return d.delete(ctx, slot, nonce, now, maxFailures)
}

// delete deletes the record if it has nonce and, unless now is zero, has
// not expired at now and, unless maxFailures is zero, has fewer failures.
func (d *DynamoStore) delete(ctx context.Context, slot, nonce string, now time.Time, maxFailures int) (bool, error) {
	cond := "#n = :n"
	names := map[string]string{"#n": AttrNonce}
	values := map[string]types.AttributeValue{":n": str(nonce)}
	if maxFailures > 0 {
		cond += " AND (attribute_not_exists(#f) OR #f < :maxf)"
		names["#f"] = AttrFailures
		values[":maxf"] = num(int64(maxFailures))
	}
	if !now.IsZero() {
		cond += " AND #e > :now"
		names["#e"] = AttrExpiresAt
		values[":now"] = num(now.Unix())
	}
	_, err := d.Client.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                 aws.String(d.Table),
		Key:                       key(slot),
		ConditionExpression:       aws.String(cond),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: values,
	})
	switch {
	case err == nil:
		return true, nil
	case isConditionFailed(err):
		return false, nil
	default:
		return false, fmt.Errorf("records: delete record in table %s: %w", d.Table, err)
	}
}

// TableDefinition returns the definition of a table for DynamoStore (and
// the other customauth stores): a string partition key "pk", on-demand
// billing. Enable TTL on AttrExpiresAt separately (UpdateTimeToLive, or the
// CDK table's timeToLiveAttribute).
func TableDefinition(name string) dynamodb.CreateTableInput {
	return dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String(AttrKey), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String(AttrKey), KeyType: types.KeyTypeHash}},
		BillingMode:          types.BillingModePayPerRequest,
	}
}
