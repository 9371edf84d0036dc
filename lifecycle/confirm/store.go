package confirm

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cognitrig/cognitrig/internal/ddbstore/lease"
)

// Key names the marker of one hook for one user of one pool.
type Key struct {
	UserPoolID string
	User       string // the user's sub, or user name when it has none
	Hook       string
}

func (k Key) validate() error {
	if k.UserPoolID == "" || k.User == "" || k.Hook == "" {
		return fmt.Errorf("confirm: incomplete marker key (pool %q, user %q, hook %q)", k.UserPoolID, k.User, k.Hook)
	}
	return nil
}

// Claim is the outcome of MarkerStore.Begin.
type Claim int

// Claims: the states of the one lease store behind confirm and
// idempotency.
const (
	// Claimed: the caller holds the marker and runs the hook.
	Claimed = Claim(lease.Claimed)
	// AlreadyDone: the hook ran to completion before; do nothing.
	AlreadyDone = Claim(lease.Done)
	// Busy: another attempt holds an unexpired claim and is running the hook.
	Busy = Claim(lease.Busy)
)

// ErrLostClaim is returned by Finish when the caller's claim expired and
// another attempt took the marker over.
var ErrLostClaim = errors.New("confirm: the claim on the marker was lost to another attempt")

func (c Claim) String() string { return lease.Name(c, "already done") }

// MarkerStore keeps one marker per Key, with conditional single-item
// writes: a claim (state running, owner, lease) that Finish turns into done
// and Release drops.
type MarkerStore interface {
	// Begin claims k for owner for lease, unless it is done or another
	// owner's lease is still running. An expired marker counts as absent.
	Begin(ctx context.Context, k Key, owner string, lease time.Duration) (Claim, error)
	// Finish marks k done, kept for keep, if owner still holds the claim.
	Finish(ctx context.Context, k Key, owner string, keep time.Duration) error
	// Release drops owner's claim on k so that a later attempt runs the
	// hook again. Releasing a claim not held is not an error.
	Release(ctx context.Context, k Key, owner string) error
}

// markers is the one lease store behind MemoryStore and DynamoStore; it
// gives them MarkerStore's methods.
type markers = lease.Store[Key, Claim]

// MemoryStore is a MarkerStore in memory, for tests and local runs. Its
// methods are MarkerStore's.
type MemoryStore struct{ markers }

var _ MarkerStore = (*MemoryStore)(nil)

// NewMemoryStore returns an empty store. now is the clock; nil means
// time.Now.
func NewMemoryStore(now func() time.Time) *MemoryStore {
	return &MemoryStore{lease.NewMemory[Key, Claim](rules(), now)}
}

// rules are the marker stores' arguments checks and keys. A running marker
// that is never finished nor released (its Lambda was killed) stays 24 hours
// past its lease before TTL may delete it; the lease, not this, decides when
// another attempt may take over.
func rules() lease.Rules[Key] {
	return lease.Rules[Key]{
		Idle:         24 * time.Hour,
		Lost:         ErrLostClaim,
		CheckBegin:   checkClaimArgs,
		CheckFinish:  checkFinishArgs,
		CheckRelease: func(k Key, _ string) error { return k.validate() },
		Key:          markerKey,
		Hint:         markerHint,
	}
}

func checkClaimArgs(k Key, owner string, lease time.Duration) error {
	return checkArgs(k, owner, "lease", lease)
}

func checkFinishArgs(k Key, owner string, keep time.Duration) error {
	return checkArgs(k, owner, "keep", keep)
}

// checkArgs checks a key, an owner and the duration called name.
func checkArgs(k Key, owner, name string, d time.Duration) error {
	if err := k.validate(); err != nil {
		return err
	}
	if owner == "" {
		return errors.New("confirm: empty claim owner")
	}
	if d <= 0 {
		return fmt.Errorf("confirm: %s %v; want a positive duration", name, d)
	}
	return nil
}
