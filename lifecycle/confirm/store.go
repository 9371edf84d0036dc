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

// Claims.
const (
	// Claimed: the caller holds the marker and runs the hook.
	Claimed Claim = iota + 1
	// AlreadyDone: the hook ran to completion before; do nothing.
	AlreadyDone
	// Busy: another attempt holds an unexpired claim and is running the hook.
	Busy
)

func (c Claim) String() string { return lease.Name(c, "already done") }

// ErrLostClaim is returned by Finish when the caller's claim expired and
// another attempt took the marker over.
var ErrLostClaim = errors.New("confirm: the claim on the marker was lost to another attempt")

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

// MemoryStore is a MarkerStore in memory, for tests and local runs.
type MemoryStore struct{ s lease.Store[Key, Claim] }

// NewMemoryStore returns an empty store. now is the clock; nil means
// time.Now.
func NewMemoryStore(now func() time.Time) *MemoryStore {
	return &MemoryStore{lease.NewMemory[Key, Claim](rules(), now)}
}

// Begin implements MarkerStore.
func (s *MemoryStore) Begin(ctx context.Context, k Key, owner string, lease time.Duration) (Claim, error) {
	return s.s.Begin(ctx, k, owner, lease)
}

// Finish implements MarkerStore.
func (s *MemoryStore) Finish(ctx context.Context, k Key, owner string, keep time.Duration) error {
	return s.s.Finish(ctx, k, owner, keep)
}

// Release implements MarkerStore.
func (s *MemoryStore) Release(ctx context.Context, k Key, owner string) error {
	return s.s.Release(ctx, k, owner)
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
	if err := k.validate(); err != nil {
		return err
	}
	if owner == "" {
		return errors.New("confirm: empty claim owner")
	}
	if lease <= 0 {
		return fmt.Errorf("confirm: lease %v; want a positive duration", lease)
	}
	return nil
}

func checkFinishArgs(k Key, owner string, keep time.Duration) error {
	if err := k.validate(); err != nil {
		return err
	}
	if owner == "" {
		return errors.New("confirm: empty claim owner")
	}
	if keep <= 0 {
		return fmt.Errorf("confirm: keep %v; want a positive duration", keep)
	}
	return nil
}
