package limits

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/cognitrig/cognitrig/internal/ddbstore"
)

// DynamoAPI is the part of the DynamoDB client that DynamoStore uses
// (GetItem and UpdateItem); *dynamodb.Client implements it.
type DynamoAPI interface {
	ddbstore.Getter
	ddbstore.Updater
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
	t      ddbstore.Table[DynamoAPI]
	limits Limits
}

// NewDynamoStore returns a DynamoStore on table with l (zero fields are
// defaults). A nil client or an empty table name is an error.
func NewDynamoStore(client DynamoAPI, table string, l Limits) (*DynamoStore, error) {
	if err := l.Check(); err != nil {
		return nil, err
	}
	t, err := ddbstore.Open("limits: NewDynamoStore", client, table)
	if err != nil {
		return nil, err
	}
	return &DynamoStore{t: t, limits: l.WithDefaults()}, nil
}

func (d *DynamoStore) key(key string) ddbstore.Item {
	return ddbstore.Item{AttrKey: ddbstore.S(KeyPrefix + key)}
}

func fName(w int64) string { return "f" + strconv.FormatInt(w, 10) }
func sName(w int64) string { return "s" + strconv.FormatInt(w, 10) }

// number reads a number attribute; a missing one is 0.
func number(item ddbstore.Item, name string) (int64, error) {
	if _, ok := item[name]; !ok {
		return 0, nil
	}
	v, ok := ddbstore.Int(item, name)
	if !ok {
		return 0, fmt.Errorf("budget item's %s is not an integer", name)
	}
	return v, nil
}

// state is what Spend needs of an item; an expired item reads as empty.
type state struct{ failed, lockedUntil, level int64 }

func (d *DynamoStore) decode(item ddbstore.Item, now time.Time) (state, error) {
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
		item, err := ddbstore.Get(ctx, d.t, "read the budget", d.key(key))
		if err != nil {
			return false, err
		}
		st, err := d.decode(item, now)
		if err != nil {
			return false, d.t.Errorf("%w", err)
		}
		return !st.locked(now, l), nil
	}
	fw, sw := window(now, l.FailureWindow), window(now, l.SendWindow)
	names := map[string]string{"#x": AttrExpiresAt, "#lu": AttrLockedUntil}
	values := ddbstore.Item{":exp": ddbstore.N(now.Add(l.memory()).Unix()), ":now": ddbstore.N(now.Unix())}
	add, remove := "", ""
	cond := "(attribute_not_exists(#lu) OR #lu <= :now)"
	if c.Failure {
		names["#f"], names["#fo"] = fName(fw), fName(fw-2)
		values[":one"] = ddbstore.N(1)
		add += ", #f :one"
		remove += ", #fo"
	}
	if c.Delivery {
		names["#s"], names["#so"] = sName(sw), sName(sw-1)
		values[":one"], values[":maxSends"] = ddbstore.N(1), ddbstore.N(int64(l.MaxSends))
		add += ", #s :one"
		remove += ", #so"
		cond += " AND (attribute_not_exists(#s) OR #s < :maxSends)"
	}
	out, ok, err := ddbstore.Cond(d.t.API.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 d.t.TableName(),
		Key:                       d.key(key),
		UpdateExpression:          aws.String("SET #x = :exp ADD " + add[2:] + " REMOVE " + remove[2:]),
		ConditionExpression:       aws.String(cond),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: values,
		ReturnValues:              types.ReturnValueAllOld,
	}))
	if err == nil && !ok {
		if c.Failure && c.Delivery {
			// Over the send cap, or locked: the failure still counts.
			_, err := d.Spend(ctx, key, Charge{Failure: true}, now)
			return false, err
		}
		return false, nil
	}
	if err != nil {
		return false, d.t.Wrap("charge the budget", err)
	}
	old, err := d.decode(out.Attributes, now)
	if err != nil {
		return false, d.t.Errorf("%w", err)
	}
	if old.locked(now, l) {
		return false, nil // a lockout that another charge is setting
	}
	if !c.Failure || old.failed+1 < int64(l.MaxFailures) {
		return true, nil
	}
	// This failure spends the budget: lock out, unless a concurrent
	// charge did already, and start the count again for afterwards.
	_, _, err = ddbstore.Cond(d.t.API.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                d.t.TableName(),
		Key:                      d.key(key),
		UpdateExpression:         aws.String("SET #lu = :until, #lv = :lv REMOVE #f, #fp"),
		ConditionExpression:      aws.String("attribute_not_exists(#lu) OR #lu <= :now"),
		ExpressionAttributeNames: map[string]string{"#lu": AttrLockedUntil, "#lv": AttrLevel, "#f": fName(fw), "#fp": fName(fw - 1)},
		ExpressionAttributeValues: ddbstore.Item{
			":until": ddbstore.N(now.Add(l.lockout(old.level)).Unix()),
			":lv":    ddbstore.N(old.level + 1),
			":now":   ddbstore.N(now.Unix()),
		},
	}))
	return false, d.t.Wrap("lock the user out", err)
}
