package limits

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
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
}

// Attribute names of a budget item.
const (
	AttrKey         = "pk"        // S: "budget#" + user key
	AttrExpiresAt   = "expiresAt" // N, Unix seconds: the table's TTL attribute
	AttrLockedUntil = "lu"        // N, Unix seconds
	AttrLevel       = "lv"        // N: lockouts so far
	// Failure and send counts are "f" and "s" followed by the index of
	// their window (Unix time / window length).
)

// KeyPrefix starts the partition key of every budget item, apart from the
// other customauth items that may share the table.
const KeyPrefix = "budget#"

// DynamoStore is a Store in a DynamoDB table; see the package
// documentation for the item.
type DynamoStore struct {
	client DynamoAPI
	table  string
	limits Limits
}

// NewDynamoStore returns a DynamoStore on table with l (zero fields are
// defaults).
func NewDynamoStore(client DynamoAPI, table string, l Limits) (*DynamoStore, error) {
	if err := l.Check(); err != nil {
		return nil, err
	}
	if client == nil || table == "" {
		return nil, errors.New("limits: DynamoStore needs a client and a table")
	}
	return &DynamoStore{client: client, table: table, limits: l.WithDefaults()}, nil
}

func isConditionFailed(err error) bool {
	var ccf *types.ConditionalCheckFailedException
	return errors.As(err, &ccf)
}

func num(n int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

func (d *DynamoStore) key(key string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{AttrKey: &types.AttributeValueMemberS{Value: KeyPrefix + key}}
}

func fName(w int64) string { return "f" + strconv.FormatInt(w, 10) }
func sName(w int64) string { return "s" + strconv.FormatInt(w, 10) }

// number reads a number attribute; a missing one is 0.
func number(item map[string]types.AttributeValue, name string) (int64, error) {
	av, ok := item[name]
	if !ok {
		return 0, nil
	}
	n, ok := av.(*types.AttributeValueMemberN)
	if !ok {
		return 0, fmt.Errorf("budget item's %s is not a number", name)
	}
	v, err := strconv.ParseInt(n.Value, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("budget item's %s is not an integer", name)
	}
	return v, nil
}

// state is what Spend needs of an item; an expired item reads as empty.
type state struct{ failed, lockedUntil, level int64 }

func (d *DynamoStore) decode(item map[string]types.AttributeValue, now time.Time) (state, error) {
	var st state
	exp, err := number(item, AttrExpiresAt)
	if err != nil || exp <= now.Unix() {
		return st, err // TTL deletion lags: an expired item is no item
	}
	fw := window(now, d.limits.FailureWindow)
	for _, name := range []string{fName(fw), fName(fw - 1)} {
		n, err := number(item, name)
		if err != nil {
			return st, err
		}
		st.failed += n
	}
	if st.lockedUntil, err = number(item, AttrLockedUntil); err != nil {
		return st, err
	}
	if st.level, err = number(item, AttrLevel); err != nil {
		return st, err
	}
	if st.lockedUntil+int64(d.limits.memory()/time.Second) <= now.Unix() {
		st.level = 0 // the last lockout is long over: start again at Lockout
	}
	return st, nil
}

func (st state) locked(now time.Time, l Limits) bool {
	return st.lockedUntil > now.Unix() || st.failed >= int64(l.MaxFailures)
}

// Spend implements Store: an empty charge is one consistent GetItem; a
// charge is one UpdateItem conditional on the user not being locked (and,
// for a delivery, on the send count being under the cap), whose old values
// tell whether this failure starts a lockout; only then a second
// UpdateItem sets the lockout.
func (d *DynamoStore) Spend(ctx context.Context, key string, c Charge, now time.Time) (bool, error) {
	if err := checkKey(key); err != nil {
		return false, err
	}
	l := d.limits
	if c == (Charge{}) {
		out, err := d.client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(d.table), Key: d.key(key), ConsistentRead: aws.Bool(true)})
		if err != nil {
			return false, fmt.Errorf("limits: read the budget from table %s: %w", d.table, err)
		}
		st, err := d.decode(out.Item, now)
		if err != nil {
			return false, fmt.Errorf("limits: table %s: %w", d.table, err)
		}
		return !st.locked(now, l), nil
	}
	fw, sw := window(now, l.FailureWindow), window(now, l.SendWindow)
	names := map[string]string{"#x": AttrExpiresAt, "#lu": AttrLockedUntil}
	values := map[string]types.AttributeValue{":exp": num(now.Add(l.memory()).Unix()), ":now": num(now.Unix())}
	add, remove := "", ""
	cond := "(attribute_not_exists(#lu) OR #lu <= :now)"
	if c.Failure {
		names["#f"], names["#fo"] = fName(fw), fName(fw-2)
		values[":one"] = num(1)
		add += ", #f :one"
		remove += ", #fo"
	}
	if c.Delivery {
		names["#s"], names["#so"] = sName(sw), sName(sw-1)
		values[":one"], values[":maxSends"] = num(1), num(int64(l.MaxSends))
		add += ", #s :one"
		remove += ", #so"
		cond += " AND (attribute_not_exists(#s) OR #s < :maxSends)"
	}
	out, err := d.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(d.table),
		Key:                       d.key(key),
		UpdateExpression:          aws.String("SET #x = :exp ADD " + add[2:] + " REMOVE " + remove[2:]),
		ConditionExpression:       aws.String(cond),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: values,
		ReturnValues:              types.ReturnValueAllOld,
	})
	if isConditionFailed(err) {
		if c.Failure && c.Delivery {
			// Over the send cap, or locked: the failure still counts.
			_, err := d.Spend(ctx, key, Charge{Failure: true}, now)
			return false, err
		}
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("limits: charge the budget in table %s: %w", d.table, err)
	}
	old, err := d.decode(out.Attributes, now)
	if err != nil {
		return false, fmt.Errorf("limits: table %s: %w", d.table, err)
	}
	if old.locked(now, l) {
		return false, nil // a lockout that another charge is setting
	}
	if !c.Failure || old.failed+1 < int64(l.MaxFailures) {
		return true, nil
	}
	// This failure spends the budget: lock out, unless a concurrent
	// charge did already, and start the count again for afterwards.
	_, err = d.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(d.table),
		Key:                      d.key(key),
		UpdateExpression:         aws.String("SET #lu = :until, #lv = :lv REMOVE #f, #fp"),
		ConditionExpression:      aws.String("attribute_not_exists(#lu) OR #lu <= :now"),
		ExpressionAttributeNames: map[string]string{"#lu": AttrLockedUntil, "#lv": AttrLevel, "#f": fName(fw), "#fp": fName(fw - 1)},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":until": num(now.Add(l.lockout(old.level)).Unix()),
			":lv":    num(old.level + 1),
			":now":   num(now.Unix()),
		},
	})
	if err != nil && !isConditionFailed(err) {
		return false, fmt.Errorf("limits: lock the user out in table %s: %w", d.table, err)
	}
	return false, nil
}
