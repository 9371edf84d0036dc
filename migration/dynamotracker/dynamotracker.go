package dynamotracker

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/cognitrig/cognitrig/internal/ddbstore"
	"github.com/cognitrig/cognitrig/migration"
	"github.com/cognitrig/cognitrig/triggers"
)

// API is the part of *dynamodb.Client that a Tracker uses (GetItem,
// PutItem, UpdateItem, BatchGetItem and Query).
type API interface {
	ddbstore.Getter
	ddbstore.Putter
	ddbstore.Updater
	ddbstore.BatchGetter
	ddbstore.Querier
}

// Names of the table's attributes and index.
const (
	AttrUsername      = "username"
	AttrOutcome       = "outcome"
	AttrTriggerSource = "triggerSource"
	AttrUserPoolID    = "userPoolId"
	AttrAttempts      = "attempts"
	AttrFirstSeen     = "firstSeen"
	AttrLastSeen      = "lastSeen"
	AttrMigratedAt    = "migratedAt"
	AttrExpiresAt     = "expiresAt" // the TTL attribute
	IndexOutcome      = "outcome-lastSeen"
)

// TableDefinition returns the table's definition under name, for tests and
// as the reference of the deployment's table (add TTL on AttrExpiresAt).
func TableDefinition(name string) dynamodb.CreateTableInput {
	in := ddbstore.TableDefinition(name, AttrUsername, "")
	in.AttributeDefinitions = append(in.AttributeDefinitions,
		types.AttributeDefinition{AttributeName: aws.String(AttrOutcome), AttributeType: types.ScalarAttributeTypeS},
		types.AttributeDefinition{AttributeName: aws.String(AttrLastSeen), AttributeType: types.ScalarAttributeTypeN},
	)
	in.GlobalSecondaryIndexes = []types.GlobalSecondaryIndex{{
		IndexName: aws.String(IndexOutcome),
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String(AttrOutcome), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String(AttrLastSeen), KeyType: types.KeyTypeRange},
		},
		Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
	}}
	return in
}

// Config configures a Tracker.
type Config struct {
	Client API    // required
	Table  string // required
	migration.TrackerOptions
}

// Tracker is a migration.Tracker on a DynamoDB table. It is safe for
// concurrent use.
type Tracker struct {
	cfg Config
	t   ddbstore.Table[API]
}

var _ migration.Tracker = (*Tracker)(nil)

// New returns a Tracker.
func New(cfg Config) (*Tracker, error) {
	t, err := ddbstore.Open("dynamotracker: New: Config", cfg.Client, cfg.Table)
	if err != nil {
		return nil, err
	}
	cfg.TrackerOptions = cfg.TrackerOptions.WithDefaults()
	return &Tracker{cfg: cfg, t: t}, nil
}

const maxRounds = 8

// Record implements migration.Tracker; see the package documentation for
// the conditional writes.
func (t *Tracker) Record(ctx context.Context, a migration.Attempt) error {
	if err := a.Check(t.cfg.Now); err != nil {
		return err
	}
	for range maxRounds {
		now := t.cfg.Now().Unix()
		err := t.updateLive(ctx, a, now)
		if !isConditionFailed(err) {
			return t.wrap("record attempt", err)
		}
		err = t.putFresh(ctx, a, now)
		if !isConditionFailed(err) {
			return t.wrap("record attempt", err)
		}
		r, err := t.Get(ctx, a.Username)
		switch {
		case err == nil && r.Outcome == migration.OutcomeMigrated:
			return nil // migrated stays migrated
		case err != nil && !errors.Is(err, migration.ErrNoRecord):
			return err
		}
		// Another writer created or expired the record in between: again.
	}
	return fmt.Errorf("dynamotracker: record attempt for table %s: still contended after %d rounds; try again", t.cfg.Table, maxRounds)
}

func (t *Tracker) updateLive(ctx context.Context, a migration.Attempt, now int64) error {
	r, _ := a.Apply(&migration.Record{}, t.cfg.Retention)
	values := map[string]types.AttributeValue{
		":o":      s(string(a.Outcome)),
		":src":    s(string(a.TriggerSource)),
		":pool":   s(a.UserPoolID),
		":t":      ms(a.At),
		":one":    n(1),
		":mig":    s(string(migration.OutcomeMigrated)),
		":nowSec": n(now),
	}
	var update string
	names := map[string]string{"#u": AttrUsername, "#o": AttrOutcome, "#src": AttrTriggerSource, "#pool": AttrUserPoolID, "#ls": AttrLastSeen, "#att": AttrAttempts, "#exp": AttrExpiresAt}
	if a.Outcome == migration.OutcomeMigrated {
		update = "SET #o = :o, #src = :src, #pool = :pool, #ls = :t, #mig = :t ADD #att :one REMOVE #exp"
		names["#mig"] = AttrMigratedAt
	} else {
		update = "SET #o = :o, #src = :src, #pool = :pool, #ls = :t, #exp = :exp ADD #att :one"
		values[":exp"] = n(r.ExpiresAt.Unix())
	}
	_, err := t.t.API.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 t.t.TableName(),
		Key:                       map[string]types.AttributeValue{AttrUsername: s(a.Username)},
		UpdateExpression:          aws.String(update),
		ConditionExpression:       aws.String("attribute_exists(#u) AND #o <> :mig AND (attribute_not_exists(#exp) OR #exp > :nowSec)"),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: values,
	})
	return err
}

func (t *Tracker) putFresh(ctx context.Context, a migration.Attempt, now int64) error {
	r, _ := a.Apply(nil, t.cfg.Retention)
	_, err := t.t.API.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                 t.t.TableName(),
		Item:                      item(r),
		ConditionExpression:       aws.String("attribute_not_exists(#u) OR #exp <= :nowSec"),
		ExpressionAttributeNames:  map[string]string{"#u": AttrUsername, "#exp": AttrExpiresAt},
		ExpressionAttributeValues: map[string]types.AttributeValue{":nowSec": n(now)},
	})
	return err
}

// Get implements migration.Tracker.
func (t *Tracker) Get(ctx context.Context, username string) (migration.Record, error) {
	it, err := ddbstore.Get(ctx, t.t, "read record", ddbstore.Item{AttrUsername: s(username)})
	if err != nil {
		return migration.Record{}, err
	}
	if len(it) == 0 {
		return migration.Record{}, migration.ErrNoRecord
	}
	r := record(it)
	if r.Expired(t.cfg.Now()) {
		return migration.Record{}, migration.ErrNoRecord
	}
	return r, nil
}

// Migrated implements migration.Tracker with BatchGetItem.
func (t *Tracker) Migrated(ctx context.Context, usernames []string) (map[string]bool, error) {
	out := map[string]bool{}
	seen := map[string]bool{}
	var batch []map[string]types.AttributeValue
	flush := func() error {
		pending := map[string]types.KeysAndAttributes{t.cfg.Table: {
			Keys:                     batch,
			ProjectionExpression:     aws.String("#u, #o"),
			ExpressionAttributeNames: map[string]string{"#u": AttrUsername, "#o": AttrOutcome},
		}}
		batch = nil
		for round := 0; len(pending) > 0; round++ {
			if round == maxRounds {
				return fmt.Errorf("dynamotracker: read migrated users from table %s: keys still unprocessed after %d rounds (throttled); try again", t.cfg.Table, maxRounds)
			}
			if round > 0 {
				if err := sleep(ctx, time.Duration(25<<round)*time.Millisecond); err != nil {
					return err
				}
			}
			res, err := t.t.API.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: pending})
			if err != nil {
				return t.wrap("read migrated users", err)
			}
			for _, it := range res.Responses[t.cfg.Table] {
				if str(it, AttrOutcome) == string(migration.OutcomeMigrated) {
					out[str(it, AttrUsername)] = true
				}
			}
			pending = res.UnprocessedKeys
		}
		return nil
	}
	for _, u := range usernames {
		if u == "" || seen[u] {
			continue
		}
		seen[u] = true
		batch = append(batch, map[string]types.AttributeValue{AttrUsername: s(u)})
		if len(batch) == 100 { // BatchGetItem's limit
			if err := flush(); err != nil {
				return nil, err
			}
		}
	}
	if len(batch) > 0 {
		if err := flush(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (t *Tracker) query(outcome migration.Outcome, count bool) *dynamodb.QueryInput {
	in := &dynamodb.QueryInput{
		TableName:                t.t.TableName(),
		IndexName:                aws.String(IndexOutcome),
		KeyConditionExpression:   aws.String("#o = :o"),
		FilterExpression:         aws.String("attribute_not_exists(#exp) OR #exp > :nowSec"),
		ExpressionAttributeNames: map[string]string{"#o": AttrOutcome, "#exp": AttrExpiresAt},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":o": s(string(outcome)), ":nowSec": n(t.cfg.Now().Unix()),
		},
		ScanIndexForward: aws.Bool(true),
	}
	if count {
		in.Select = types.SelectCount
	}
	return in
}

// Progress implements migration.Tracker with a counting query per outcome.
func (t *Tracker) Progress(ctx context.Context) (map[migration.Outcome]int64, error) {
	out := map[migration.Outcome]int64{}
	for _, o := range migration.Outcomes() {
		for res, err := range ddbstore.QueryPages(ctx, t.t, "count records", t.query(o, true)) {
			if err != nil {
				return nil, err
			}
			if res.Count > 0 {
				out[o] += int64(res.Count)
			}
		}
	}
	return out, nil
}

// List implements migration.Tracker with a paginated query of the index.
func (t *Tracker) List(ctx context.Context, outcome migration.Outcome) iter.Seq2[migration.Record, error] {
	return func(yield func(migration.Record, error) bool) {
		for res, err := range ddbstore.QueryPages(ctx, t.t, "list records", t.query(outcome, false)) {
			if err != nil {
				yield(migration.Record{}, err)
				return
			}
			for _, it := range res.Items {
				if !yield(record(it), nil) {
					return
				}
			}
		}
	}
}

func (t *Tracker) wrap(what string, err error) error { return t.t.Wrap(what, err) }

func isConditionFailed(err error) bool { return ddbstore.ConditionFailed(err) }

func sleep(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

// ---- item encoding ----

func s(v string) types.AttributeValue { return ddbstore.S(v) }
func n(v int64) types.AttributeValue  { return ddbstore.N(v) }
func ms(t time.Time) types.AttributeValue {
	return n(t.UnixMilli())
}

func item(r migration.Record) map[string]types.AttributeValue {
	it := map[string]types.AttributeValue{
		AttrUsername:  s(r.Username),
		AttrOutcome:   s(string(r.Outcome)),
		AttrAttempts:  n(int64(r.Attempts)),
		AttrFirstSeen: ms(r.FirstSeen),
		AttrLastSeen:  ms(r.LastSeen),
	}
	if r.TriggerSource != "" {
		it[AttrTriggerSource] = s(string(r.TriggerSource))
	}
	if r.UserPoolID != "" {
		it[AttrUserPoolID] = s(r.UserPoolID)
	}
	if !r.MigratedAt.IsZero() {
		it[AttrMigratedAt] = ms(r.MigratedAt)
	}
	if !r.ExpiresAt.IsZero() {
		it[AttrExpiresAt] = n(r.ExpiresAt.Unix())
	}
	return it
}

func str(it ddbstore.Item, name string) string        { return ddbstore.Str(it, name) }
func num(it ddbstore.Item, name string) (int64, bool) { return ddbstore.Int(it, name) }

func msTime(it map[string]types.AttributeValue, name string) time.Time {
	if v, ok := num(it, name); ok {
		return time.UnixMilli(v).UTC()
	}
	return time.Time{}
}

func record(it map[string]types.AttributeValue) migration.Record {
	r := migration.Record{
		Username:      str(it, AttrUsername),
		Outcome:       migration.Outcome(str(it, AttrOutcome)),
		TriggerSource: triggers.TriggerSource(str(it, AttrTriggerSource)),
		UserPoolID:    str(it, AttrUserPoolID),
		FirstSeen:     msTime(it, AttrFirstSeen),
		LastSeen:      msTime(it, AttrLastSeen),
		MigratedAt:    msTime(it, AttrMigratedAt),
	}
	if v, ok := num(it, AttrAttempts); ok {
		r.Attempts = int(v)
	}
	if v, ok := num(it, AttrExpiresAt); ok {
		r.ExpiresAt = time.Unix(v, 0).UTC()
	}
	return r
}
