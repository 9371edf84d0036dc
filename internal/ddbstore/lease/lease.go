// Package lease is the one implementation of a claim-once record with a
// lease, in memory and in DynamoDB, behind lifecycle/confirm's MarkerStore
// and triggers/idempotency's Store (the second was derived from the first).
//
// A key's record is absent, running (an owner and a lease) or done. Begin
// claims an absent, expired or abandoned (lease over) record; Finish turns
// the owner's running record into done, kept for a while; Release deletes
// the owner's running record. A record past its expiry counts as absent on
// every read, whether or not DynamoDB's TTL has deleted it yet. In DynamoDB
// every change is one single-item conditional write.
package lease

import (
	"context"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/cognitrig/cognitrig/internal/ddbstore"
)

// State is the outcome of Begin; the callers' claim types have the same
// values.
type State int

// States.
const (
	Claimed State = iota + 1 // the caller holds the key
	Done                     // an attempt finished before
	Busy                     // another owner's lease runs
)

// Name is c's name, the callers' Claim.String: done names Done.
func Name[C ~int](c C, done string) string {
	switch State(c) {
	case Claimed:
		return "claimed"
	case Done:
		return done
	case Busy:
		return "busy"
	default:
		return "invalid"
	}
}

// Attribute names of a lease table's items.
const (
	PartitionKey = "pk"        // S: the key
	TTLAttribute = "expiresAt" // N: Unix seconds; the table's TTL attribute
)

// TableDefinition is the CreateTable input of a lease table: partition key
// "pk" (S), on-demand billing. Enable TTL on TTLAttribute separately.
func TableDefinition(name string) dynamodb.CreateTableInput {
	return ddbstore.TableDefinition(name, PartitionKey, "")
}

// API is the part of *dynamodb.Client that a DynamoDB lease store uses.
type API interface {
	ddbstore.Putter
	ddbstore.Getter
	ddbstore.Updater
	ddbstore.Deleter
}

// Rules are what a caller of this package decides.
type Rules[K comparable] struct {
	// Idle is how long past its lease a running record that is never
	// finished nor released (its Lambda was stopped) stays before TTL may
	// delete it; the lease, not this, decides when another attempt may take
	// over.
	Idle time.Duration
	// Lost is Finish's error when the caller's claim was lost.
	Lost error
	// CheckBegin, CheckFinish and CheckRelease check the arguments first.
	CheckBegin   func(k K, owner string, lease time.Duration) error
	CheckFinish  func(k K, owner string, keep time.Duration) error
	CheckRelease func(k K, owner string) error
	// Key is k's partition key value in DynamoDB.
	Key func(k K) string
	// Hint names k in an error without a user or any secret.
	Hint func(k K) string
}

type backend[K comparable] interface {
	begin(ctx context.Context, k K, owner string, lease time.Duration) (State, error)
	finish(ctx context.Context, k K, owner string, keep time.Duration) error
	release(ctx context.Context, k K, owner string) error
}

// Store is a lease store in memory or in DynamoDB; C is the caller's claim
// type.
type Store[K comparable, C ~int] struct {
	r Rules[K]
	b backend[K]
}

// Begin claims k for owner for lease, unless k is done or another owner's
// lease runs.
func (s Store[K, C]) Begin(ctx context.Context, k K, owner string, lease time.Duration) (C, error) {
	if err := s.r.CheckBegin(k, owner, lease); err != nil {
		return 0, err
	}
	st, err := s.b.begin(ctx, k, owner, lease)
	return C(st), err
}

// Finish marks k done, kept for keep, if owner still holds it; otherwise it
// returns Rules.Lost.
func (s Store[K, C]) Finish(ctx context.Context, k K, owner string, keep time.Duration) error {
	if err := s.r.CheckFinish(k, owner, keep); err != nil {
		return err
	}
	return s.b.finish(ctx, k, owner, keep)
}

// Release deletes owner's running record of k; releasing a claim not held
// is not an error.
func (s Store[K, C]) Release(ctx context.Context, k K, owner string) error {
	if err := s.r.CheckRelease(k, owner); err != nil {
		return err
	}
	return s.b.release(ctx, k, owner)
}

func clock(now func() time.Time) func() time.Time {
	if now == nil {
		return time.Now
	}
	return now
}

// ---- memory ----

type memory[K comparable] struct {
	r       *Rules[K]
	now     func() time.Time
	mu      sync.Mutex
	records map[K]memRecord
}

type memRecord struct {
	done       bool
	owner      string
	leaseUntil time.Time
	expiresAt  time.Time
}

// NewMemory returns an empty store in memory; now is the clock, nil means
// time.Now.
func NewMemory[K comparable, C ~int](r Rules[K], now func() time.Time) Store[K, C] {
	return Store[K, C]{r: r, b: &memory[K]{r: &r, now: clock(now), records: map[K]memRecord{}}}
}

func (m *memory[K]) begin(ctx context.Context, k K, owner string, lease time.Duration) (State, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	if r, ok := m.records[k]; ok && now.Before(r.expiresAt) {
		if r.done {
			return Done, nil
		}
		if now.Before(r.leaseUntil) {
			return Busy, nil
		}
	}
	m.records[k] = memRecord{owner: owner, leaseUntil: now.Add(lease), expiresAt: now.Add(lease + m.r.Idle)}
	return Claimed, nil
}

func (m *memory[K]) finish(ctx context.Context, k K, owner string, keep time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	r, ok := m.records[k]
	if !ok || r.done || r.owner != owner || !now.Before(r.expiresAt) {
		return m.r.Lost
	}
	m.records[k] = memRecord{done: true, owner: owner, expiresAt: now.Add(keep)}
	return nil
}

func (m *memory[K]) release(ctx context.Context, k K, owner string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if r, ok := m.records[k]; ok && !r.done && r.owner == owner {
		delete(m.records, k)
	}
	return nil
}

// ---- DynamoDB ----

// Items also hold "state" (S: "running" or "done"), "owner" (S) and, while
// running, "leaseUntil" (N, Unix milliseconds).
type dynamo[K comparable] struct {
	r   *Rules[K]
	t   ddbstore.Table[API]
	now func() time.Time
}

// NewDynamo returns wrap of a store on table, made like TableDefinition.
// ctor (such as "confirm: NewDynamoStore") starts the errors; now is the
// clock, nil means time.Now. A nil client or an empty table name is an
// error, and then wrap is not called.
func NewDynamo[T any, K comparable, C ~int](wrap func(Store[K, C]) T, r Rules[K], ctor string, client API, table string, now func() time.Time) (T, error) {
	t, err := ddbstore.Open(ctor, client, table)
	if err != nil {
		var zero T
		return zero, err
	}
	return wrap(Store[K, C]{r: r, b: &dynamo[K]{r: &r, t: t, now: clock(now)}}), nil
}

func (d *dynamo[K]) key(k K) ddbstore.Item {
	return ddbstore.Item{PartitionKey: ddbstore.S(d.r.Key(k))}
}

// Values of the "state" attribute.
const (
	stateRunning = "running"
	stateDone    = "done"
)

func (d *dynamo[K]) begin(ctx context.Context, k K, owner string, lease time.Duration) (State, error) {
	now := d.now()
	item := d.key(k)
	item["state"] = ddbstore.S(stateRunning)
	item["owner"] = ddbstore.S(owner)
	item["leaseUntil"] = ddbstore.N(now.Add(lease).UnixMilli())
	item[TTLAttribute] = ddbstore.N(ddbstore.CeilUnix(now.Add(lease + d.r.Idle)))
	_, ok, err := ddbstore.Cond(d.t.API.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: d.t.TableName(),
		Item:      item,
		// TTL deletes late: an expired record counts as absent here.
		ConditionExpression: aws.String("attribute_not_exists(" + PartitionKey + ") OR " +
			TTLAttribute + " <= :nowSec OR (#state = :running AND leaseUntil <= :nowMs)"),
		ExpressionAttributeNames: map[string]string{"#state": "state"},
		ExpressionAttributeValues: ddbstore.Item{
			":nowSec":  ddbstore.N(now.Unix()),
			":nowMs":   ddbstore.N(now.UnixMilli()),
			":running": ddbstore.S(stateRunning),
		},
	}))
	switch {
	case err != nil:
		return 0, d.wrap("claim", k, "", err)
	case ok:
		return Claimed, nil
	}
	// Someone holds the key: done, or running under a live lease.
	got, err := ddbstore.Get(ctx, d.t, "read "+d.r.Hint(k), d.key(k))
	if err != nil {
		return 0, err
	}
	// Check the expiry here too: the record may have expired since the
	// write's condition saw it.
	if ddbstore.Str(got, "state") == stateDone && ddbstore.Live(got, TTLAttribute, d.now()) {
		return Done, nil
	}
	// Running, or deleted in between (its owner released it): busy; the
	// caller asks again.
	return Busy, nil
}

func (d *dynamo[K]) finish(ctx context.Context, k K, owner string, keep time.Duration) error {
	now := d.now()
	_, ok, err := ddbstore.Cond(d.t.API.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                d.t.TableName(),
		Key:                      d.key(k),
		UpdateExpression:         aws.String("SET #state = :done, " + TTLAttribute + " = :exp REMOVE leaseUntil"),
		ConditionExpression:      aws.String("#owner = :owner AND #state = :running AND " + TTLAttribute + " > :nowSec"),
		ExpressionAttributeNames: map[string]string{"#state": "state", "#owner": "owner"},
		ExpressionAttributeValues: ddbstore.Item{
			":done":    ddbstore.S(stateDone),
			":running": ddbstore.S(stateRunning),
			":owner":   ddbstore.S(owner),
			":nowSec":  ddbstore.N(now.Unix()),
			":exp":     ddbstore.N(ddbstore.CeilUnix(now.Add(keep))),
		},
	}))
	if err == nil && !ok {
		return d.r.Lost
	}
	return d.wrap("mark", k, " done", err)
}

// wrap names the operation on k, building the hint only for an error:
// Finish and Release run on every confirmation and invocation.
func (d *dynamo[K]) wrap(verb string, k K, after string, err error) error {
	if err == nil {
		return nil
	}
	return d.t.Wrap(verb+" "+d.r.Hint(k)+after, err)
}

func (d *dynamo[K]) release(ctx context.Context, k K, owner string) error {
	_, _, err := ddbstore.Cond(d.t.API.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                d.t.TableName(),
		Key:                      d.key(k),
		ConditionExpression:      aws.String("#owner = :owner AND #state = :running"),
		ExpressionAttributeNames: map[string]string{"#state": "state", "#owner": "owner"},
		ExpressionAttributeValues: ddbstore.Item{
			":owner":   ddbstore.S(owner),
			":running": ddbstore.S(stateRunning),
		},
	}))
	return d.wrap("release", k, "", err)
}
