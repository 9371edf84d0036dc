package ddbstore

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/cognitrig/cognitrig/internal/nilcheck"
)

// The one-method parts of *dynamodb.Client that stores use. A store's
// exported client interface embeds the ones it calls, so that a test fake
// implements only those.
type (
	// Getter reads one item.
	Getter interface {
		GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	}
	// Putter writes one item.
	Putter interface {
		PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	}
	// Updater changes one item.
	Updater interface {
		UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	}
	// Deleter deletes one item.
	Deleter interface {
		DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	}
	// Querier queries a partition or an index (the SDK's own interface).
	Querier = dynamodb.QueryAPIClient
	// Scanner scans a table (the SDK's own interface).
	Scanner = dynamodb.ScanAPIClient
	// BatchGetter reads up to 100 items.
	BatchGetter interface {
		BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
	}
)

// Item is a DynamoDB item.
type Item = map[string]types.AttributeValue

// Table is a DynamoDB table seen through API, a client of type C (a store's
// client interface). Its errors start with the owner it was opened for.
type Table[C any] struct {
	API   C
	name  string
	owner string
}

// Open checks client and table for owner, the package (and constructor)
// that starts every error text, e.g. "records: NewDynamoStore". A nil client
// (a nil interface or a nil pointer in one) or an empty table name fails
// here rather than at the first event that needs the table. The name is not
// checked further: DynamoDB also accepts a table ARN.
func Open[C any](owner string, client C, table string) (Table[C], error) {
	if nilcheck.Is(client) {
		return Table[C]{}, fmt.Errorf("%s: the DynamoDB client is nil; pass a *dynamodb.Client (dynamodb.NewFromConfig) or another implementation", owner)
	}
	if table == "" {
		return Table[C]{}, fmt.Errorf("%s: the table name is empty; pass the name (or ARN) of the DynamoDB table", owner)
	}
	pkg, _, _ := strings.Cut(owner, ":")
	return Table[C]{API: client, name: table, owner: pkg}, nil
}

// Name is the table's name.
func (t Table[C]) Name() string { return t.name }

// TableName is the table's name for an input's TableName.
func (t Table[C]) TableName() *string { return aws.String(t.name) }

// Wrap names the package, the operation (a phrase such as "put record")
// and the table in err; nil stays nil. op must never hold a key value.
func (t Table[C]) Wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %s in table %s: %w", t.owner, op, t.name, err)
}

// Errorf is an error about the table's contents: "pkg: table NAME: ...".
func (t Table[C]) Errorf(format string, args ...any) error {
	return fmt.Errorf("%s: table %s: %w", t.owner, t.name, fmt.Errorf(format, args...))
}

// ConditionFailed reports whether err is a failed ConditionExpression.
func ConditionFailed(err error) bool {
	var ccf *types.ConditionalCheckFailedException
	return errors.As(err, &ccf)
}

// Cond takes the results of a conditional single-item write and tells
// whether it was written: a failed condition is (zero, false, nil), another
// error (zero, false, err). Use as ddbstore.Cond(api.PutItem(ctx, in)).
func Cond[T any](out T, err error) (T, bool, error) {
	var zero T
	switch {
	case err == nil:
		return out, true, nil
	case ConditionFailed(err):
		return zero, false, nil
	default:
		return zero, false, err
	}
}

// Get reads the item at key with a strongly consistent read; an absent item
// is nil. Errors are wrapped with op.
func Get[C Getter](ctx context.Context, t Table[C], op string, key Item) (Item, error) {
	out, err := t.API.GetItem(ctx, &dynamodb.GetItemInput{TableName: t.TableName(), Key: key, ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, t.Wrap(op, err)
	}
	return out.Item, nil
}

// TableDefinition is the CreateTable input of a table named name with a
// string partition key and, unless sortKey is "", a string sort key, billed
// on demand. TTL is not part of CreateTable: enable it separately
// (UpdateTimeToLive, or the CDK table's timeToLiveAttribute).
func TableDefinition(name, partitionKey, sortKey string) dynamodb.CreateTableInput {
	in := dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String(partitionKey), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String(partitionKey), KeyType: types.KeyTypeHash}},
		BillingMode:          types.BillingModePayPerRequest,
	}
	if sortKey != "" {
		in.AttributeDefinitions = append(in.AttributeDefinitions, types.AttributeDefinition{AttributeName: aws.String(sortKey), AttributeType: types.ScalarAttributeTypeS})
		in.KeySchema = append(in.KeySchema, types.KeySchemaElement{AttributeName: aws.String(sortKey), KeyType: types.KeyTypeRange})
	}
	return in
}

// S is a string attribute value.
func S(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

// N is a number attribute value.
func N(v int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(v, 10)}
}

// Str is item's string attribute name, or "" when it is absent or not a
// string.
func Str(item Item, name string) string {
	if v, ok := item[name].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

// Int is item's number attribute name as an integer; ok is false when it
// is absent, not a number or not an integer.
func Int(item Item, name string) (v int64, ok bool) {
	n, ok := item[name].(*types.AttributeValueMemberN)
	if !ok {
		return 0, false
	}
	v, err := strconv.ParseInt(n.Value, 10, 64)
	return v, err == nil
}

// CeilUnix is t in Unix seconds, rounded up: the TTL value of an item that
// must not expire before t.
func CeilUnix(t time.Time) int64 {
	sec := t.Unix()
	if t.Nanosecond() > 0 {
		sec++
	}
	return sec
}

// Live reports whether item's TTL attribute ttl (Unix seconds) is after
// now. An absent item, or one without a readable TTL, is not live.
func Live(item Item, ttl string, now time.Time) bool {
	exp, ok := Int(item, ttl)
	return ok && exp > now.Unix()
}

// QueryPages runs in page by page (it sets in.ExclusiveStartKey), until a
// page has no LastEvaluatedKey, an error (wrapped with op), or the caller
// stops.
func QueryPages[C Querier](ctx context.Context, t Table[C], op string, in *dynamodb.QueryInput) iter.Seq2[*dynamodb.QueryOutput, error] {
	return pages(t.Wrap, op, func() (*dynamodb.QueryOutput, error) { return t.API.Query(ctx, in) },
		func(o *dynamodb.QueryOutput) Item { return o.LastEvaluatedKey }, func(k Item) { in.ExclusiveStartKey = k })
}

// ScanPages is QueryPages for a Scan.
func ScanPages[C Scanner](ctx context.Context, t Table[C], op string, in *dynamodb.ScanInput) iter.Seq2[*dynamodb.ScanOutput, error] {
	return pages(t.Wrap, op, func() (*dynamodb.ScanOutput, error) { return t.API.Scan(ctx, in) },
		func(o *dynamodb.ScanOutput) Item { return o.LastEvaluatedKey }, func(k Item) { in.ExclusiveStartKey = k })
}

// pages yields next's pages until one has no last key, next fails (the
// error wrapped with op) or the caller stops; start sets where the next
// page starts.
func pages[O any](wrap func(string, error) error, op string, next func() (*O, error), last func(*O) Item, start func(Item)) iter.Seq2[*O, error] {
	return func(yield func(*O, error) bool) {
		for {
			page, err := next()
			if err != nil {
				yield(nil, wrap(op, err))
				return
			}
			if !yield(page, nil) || len(last(page)) == 0 {
				return
			}
			start(last(page))
		}
	}
}
