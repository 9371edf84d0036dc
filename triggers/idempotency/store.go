package idempotency

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cognitrig/cognitrig/internal/ddbstore/lease"
)

// Claim is the outcome of Store.Begin.
type Claim int

// Claims.
const (
	// Claimed: the caller holds the key and runs the handler.
	Claimed = Claim(lease.Claimed)
	// Done: an attempt handled the event before; skip the handler.
	Done = Claim(lease.Done)
	// Busy: another attempt holds an unexpired lease and runs the handler.
	Busy = Claim(lease.Busy)
)

func (c Claim) String() string { return lease.Name(c, "done") }

// ErrLostClaim is returned by Finish when the caller's lease ended and
// another attempt took the key over (or the record expired).
var ErrLostClaim = errors.New("idempotency: the claim was lost to another attempt")

// Store keeps one record per key with single-item conditional writes: an
// in-progress record (owner, lease) that Finish turns into done and Release
// deletes. A record past its expiry counts as absent on every read, whether
// or not the database has deleted it yet.
type Store interface {
	// Begin claims key for owner for lease, unless the key is done or
	// another owner's lease runs.
	Begin(ctx context.Context, key, owner string, lease time.Duration) (Claim, error)
	// Finish marks key done, kept for keep, if owner still holds it;
	// otherwise it returns ErrLostClaim.
	Finish(ctx context.Context, key, owner string, keep time.Duration) error
	// Release deletes owner's in-progress record of key so that a retry
	// runs the handler. Releasing a claim not held is not an error.
	Release(ctx context.Context, key, owner string) error
}

// records is the one lease store behind MemoryStore and DynamoStore; it
// gives them Store's methods.
type records = lease.Store[string, Claim]

// MemoryStore is a Store in memory, for tests and local runs. Its methods
// are Store's.
type MemoryStore struct{ records }

var _ Store = (*MemoryStore)(nil)

// NewMemoryStore returns an empty store. now is the clock; nil means
// time.Now.
func NewMemoryStore(now func() time.Time) *MemoryStore {
	return &MemoryStore{lease.NewMemory[string, Claim](rules(), now)}
}

func checkArgs(key, owner string, d time.Duration) error {
	if key == "" || owner == "" {
		return errors.New("idempotency: empty key or owner")
	}
	if d <= 0 {
		return fmt.Errorf("idempotency: duration %v; want a positive duration", d)
	}
	return nil
}

// rules are the stores' argument checks and keys. An in-progress record
// that is never finished nor released (its Lambda was stopped) stays an
// hour past its lease before TTL may delete it; the lease, not this,
// decides when another attempt may take over.
func rules() lease.Rules[string] {
	return lease.Rules[string]{
		Idle:        time.Hour,
		Lost:        ErrLostClaim,
		CheckBegin:  checkArgs,
		CheckFinish: checkArgs,
		CheckRelease: func(key, owner string) error {
			if key == "" || owner == "" {
				return errors.New("idempotency: Release needs a key and an owner")
			}
			return nil
		},
		Key:  func(key string) string { return key },
		Hint: keyHint,
	}
}
