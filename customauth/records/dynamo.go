package records

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/cognitrig/cognitrig/internal/ddbstore"
)

// DynamoAPI is the part of the DynamoDB client that DynamoStore uses
// (GetItem, PutItem, UpdateItem and DeleteItem); *dynamodb.Client
// implements it.
type DynamoAPI interface {
	ddbstore.Getter
	ddbstore.Putter
	ddbstore.Updater
	ddbstore.Deleter
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
	t ddbstore.Table[DynamoAPI]
}

// NewDynamoStore returns a DynamoStore on table, made like
// TableDefinition. A nil client or an empty table name is an error.
func NewDynamoStore(client DynamoAPI, table string) (*DynamoStore, error) {
	t, err := ddbstore.Open("records: NewDynamoStore", client, table)
	if err != nil {
		return nil, err
	}
	return &DynamoStore{t: t}, nil
}

func key(slot string) ddbstore.Item { return ddbstore.Item{AttrKey: ddbstore.S(slot)} }

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
	item := ddbstore.Item{
		AttrKey:       ddbstore.S(slot),
		AttrNonce:     ddbstore.S(fresh.Nonce),
		AttrExpiresAt: ddbstore.N(fresh.ExpiresAt.Unix()),
		AttrFailures:  ddbstore.N(int64(fresh.Failures)),
	}
	if !fresh.SentAt.IsZero() {
		item[AttrSentAt] = ddbstore.N(fresh.SentAt.UnixMilli())
	}
	for range openTries {
		_, ok, err := ddbstore.Cond(d.t.API.PutItem(ctx, &dynamodb.PutItemInput{
			TableName:                 d.t.TableName(),
			Item:                      item,
			ConditionExpression:       aws.String("attribute_not_exists(#k) OR #e <= :now"),
			ExpressionAttributeNames:  map[string]string{"#k": AttrKey, "#e": AttrExpiresAt},
			ExpressionAttributeValues: ddbstore.Item{":now": ddbstore.N(now.Unix())},
		}))
		switch {
		case err != nil:
			return Record{}, d.t.Wrap("put record", err)
		case ok:
			return fresh, nil
		}
		item, err := ddbstore.Get(ctx, d.t, "get record", key(slot))
		if err != nil {
			return Record{}, err
		}
		if item != nil {
			r, err := decode(item)
			if err != nil {
				return Record{}, d.t.Errorf("%w", err)
			}
			if r.Live(now) {
				return r, nil
			}
		}
	}
	return Record{}, d.t.Errorf("the slot's record changed %d times during Open; try again", openTries)
}

func decode(item ddbstore.Item) (Record, error) {
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

func number(item ddbstore.Item, name string) (int64, error) {
	v, ok := ddbstore.Int(item, name)
	if !ok {
		return 0, fmt.Errorf("record item has no integer %s", name)
	}
	return v, nil
}

// ClaimSend implements Store with an update conditional on the nonce, the
// expiry and the time of the last send.
func (d *DynamoStore) ClaimSend(ctx context.Context, slot, nonce string, now time.Time, interval time.Duration) (bool, error) {
	if err := checkSlot(slot); err != nil {
		return false, err
	}
	_, ok, err := ddbstore.Cond(d.t.API.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                d.t.TableName(),
		Key:                      key(slot),
		UpdateExpression:         aws.String("SET #s = :now"),
		ConditionExpression:      aws.String("#n = :n AND #e > :nowSec AND (attribute_not_exists(#s) OR #s <= :before)"),
		ExpressionAttributeNames: map[string]string{"#n": AttrNonce, "#e": AttrExpiresAt, "#s": AttrSentAt},
		ExpressionAttributeValues: ddbstore.Item{
			":n":      ddbstore.S(nonce),
			":now":    ddbstore.N(now.UnixMilli()),
			":nowSec": ddbstore.N(now.Unix()),
			":before": ddbstore.N(now.UnixMilli() - interval.Milliseconds()),
		},
	}))
	return ok, d.t.Wrap("claim the send", err)
}

// ReleaseSend implements Store.
func (d *DynamoStore) ReleaseSend(ctx context.Context, slot, nonce string, claimedAt time.Time) error {
	if err := checkSlot(slot); err != nil {
		return err
	}
	_, _, err := ddbstore.Cond(d.t.API.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                d.t.TableName(),
		Key:                      key(slot),
		UpdateExpression:         aws.String("REMOVE #s"),
		ConditionExpression:      aws.String("#n = :n AND #s = :at"),
		ExpressionAttributeNames: map[string]string{"#n": AttrNonce, "#s": AttrSentAt},
		ExpressionAttributeValues: ddbstore.Item{
			":n":  ddbstore.S(nonce),
			":at": ddbstore.N(claimedAt.UnixMilli()),
		},
	}))
	return d.t.Wrap("release the send", err)
}

// Fail implements Store: an atomic increment conditional on the nonce, then
// a conditional delete when the count reaches max.
func (d *DynamoStore) Fail(ctx context.Context, slot, nonce string, max int) (bool, error) {
	if err := checkSlot(slot); err != nil {
		return false, err
	}
	out, ok, err := ddbstore.Cond(d.t.API.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 d.t.TableName(),
		Key:                       key(slot),
		UpdateExpression:          aws.String("ADD #f :one"),
		ConditionExpression:       aws.String("#n = :n"),
		ExpressionAttributeNames:  map[string]string{"#n": AttrNonce, "#f": AttrFailures},
		ExpressionAttributeValues: ddbstore.Item{":n": ddbstore.S(nonce), ":one": ddbstore.N(1)},
		ReturnValues:              types.ReturnValueUpdatedNew,
	}))
	if err != nil || !ok {
		return false, d.t.Wrap("count a wrong answer", err)
	}
	failures, err := number(out.Attributes, AttrFailures)
	if err != nil {
		return false, d.t.Errorf("%w", err)
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
	values := ddbstore.Item{":n": ddbstore.S(nonce)}
	if maxFailures > 0 {
		cond += " AND (attribute_not_exists(#f) OR #f < :maxf)"
		names["#f"] = AttrFailures
		values[":maxf"] = ddbstore.N(int64(maxFailures))
	}
	if !now.IsZero() {
		cond += " AND #e > :now"
		names["#e"] = AttrExpiresAt
		values[":now"] = ddbstore.N(now.Unix())
	}
	_, ok, err := ddbstore.Cond(d.t.API.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                 d.t.TableName(),
		Key:                       key(slot),
		ConditionExpression:       aws.String(cond),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: values,
	}))
	return ok, d.t.Wrap("delete record", err)
}

// TableDefinition returns the definition of a table for DynamoStore (and
// the other customauth stores): a string partition key "pk", on-demand
// billing. Enable TTL on AttrExpiresAt separately (UpdateTimeToLive, or the
// CDK table's timeToLiveAttribute).
func TableDefinition(name string) dynamodb.CreateTableInput {
	return ddbstore.TableDefinition(name, AttrKey, "")
}
