package confirm

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
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

func (c Claim) String() string {
	switch c {
	case Claimed:
		return "claimed"
	case AlreadyDone:
		return "already done"
	case Busy:
		return "busy"
	default:
		return "invalid"
	}
}

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
type MemoryStore struct {
	mu      sync.Mutex
	now     func() time.Time
	markers map[Key]memMarker
}

type memMarker struct {
	done       bool
	owner      string
	leaseUntil time.Time
	expiresAt  time.Time
}

// NewMemoryStore returns an empty store. now is the clock; nil means
// time.Now.
func NewMemoryStore(now func() time.Time) *MemoryStore {
	if now == nil {
		now = time.Now
	}
	return &MemoryStore{now: now, markers: map[Key]memMarker{}}
}

// Begin implements MarkerStore.
func (s *MemoryStore) Begin(ctx context.Context, k Key, owner string, lease time.Duration) (Claim, error) {
	if err := checkClaimArgs(k, owner, lease); err != nil {
		return 0, err
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if m, ok := s.markers[k]; ok && now.Before(m.expiresAt) {
		if m.done {
			return AlreadyDone, nil
		}
		if now.Before(m.leaseUntil) {
			return Busy, nil
		}
	}
	s.markers[k] = memMarker{owner: owner, leaseUntil: now.Add(lease), expiresAt: now.Add(runningKeep(lease))}
	return Claimed, nil
}

// Finish implements MarkerStore.
func (s *MemoryStore) Finish(ctx context.Context, k Key, owner string, keep time.Duration) error {
	if err := checkFinishArgs(k, owner, keep); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.markers[k]
	if !ok || m.done || m.owner != owner {
		return ErrLostClaim
	}
	s.markers[k] = memMarker{done: true, owner: owner, expiresAt: s.now().Add(keep)}
	return nil
}

// Release implements MarkerStore.
func (s *MemoryStore) Release(ctx context.Context, k Key, owner string) error {
	if err := k.validate(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if m, ok := s.markers[k]; ok && !m.done && m.owner == owner {
		delete(s.markers, k)
	}
	return nil
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

// runningKeep is how long a claim that is never finished nor released
// (its Lambda was killed) stays before TTL may delete it; the lease, not
// this, decides when another attempt may take over.
func runningKeep(lease time.Duration) time.Duration { return lease + 24*time.Hour }
