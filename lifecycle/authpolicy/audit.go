package authpolicy

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"
)

// AuditRecord is one successful sign-in.
type AuditRecord struct {
	UserPoolID string
	UserName   string
	Sub        string
	ClientID   string
	Time       time.Time
	IP         string // empty when unknown
	DeviceKey  string // empty when unknown
	RiskLevel  string // LOW, MEDIUM or HIGH from threat protection; empty when unknown
	NewDevice  bool
	// MFARequired says this sign-in made the MFA hook require MFA.
	MFARequired bool
	// ExpiresAt is when the record may be deleted. Stores do not return
	// expired records.
	ExpiresAt time.Time
}

// Validate reports what a record lacks to be stored.
func (r AuditRecord) Validate() error {
	var errs []error
	if r.UserPoolID == "" {
		errs = append(errs, errors.New("no UserPoolID"))
	}
	if r.UserName == "" {
		errs = append(errs, errors.New("no UserName"))
	}
	if r.Time.IsZero() {
		errs = append(errs, errors.New("no Time"))
	}
	if r.ExpiresAt.IsZero() || !r.ExpiresAt.After(r.Time) {
		errs = append(errs, errors.New("ExpiresAt is not after Time"))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("authpolicy: invalid audit record: %w", err)
	}
	return nil
}

// AuditStore keeps audit records.
type AuditStore interface {
	// Put stores a record; records are never overwritten.
	Put(ctx context.Context, r AuditRecord) error
	// Recent returns up to limit unexpired records of one user, newest first.
	Recent(ctx context.Context, userPoolID, userName string, limit int) ([]AuditRecord, error)
}

// MemoryAuditStore is an AuditStore in memory, for tests and local runs.
type MemoryAuditStore struct {
	mu    sync.Mutex
	now   func() time.Time
	users map[string][]AuditRecord
}

// NewMemoryAuditStore returns an empty store. now is the clock for expiry;
// nil means time.Now.
func NewMemoryAuditStore(now func() time.Time) *MemoryAuditStore {
	if now == nil {
		now = time.Now
	}
	return &MemoryAuditStore{now: now, users: map[string][]AuditRecord{}}
}

// Put implements AuditStore.
func (s *MemoryAuditStore) Put(ctx context.Context, r AuditRecord) error {
	// A bad record is reported before a cancelled context.
	if err := cmp.Or(r.Validate(), ctx.Err()); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := r.UserPoolID + "\x00" + r.UserName
	s.users[k] = append(s.users[k], r)
	return nil
}

// Recent implements AuditStore.
func (s *MemoryAuditStore) Recent(ctx context.Context, userPoolID, userName string, limit int) ([]AuditRecord, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if limit <= 0 {
		return nil, fmt.Errorf("authpolicy: limit %d; want a positive number", limit)
	}
	now := s.now()
	s.mu.Lock()
	all := slices.Clone(s.users[userPoolID+"\x00"+userName])
	s.mu.Unlock()
	slices.SortStableFunc(all, func(a, b AuditRecord) int { return b.Time.Compare(a.Time) })
	out := make([]AuditRecord, 0, min(limit, len(all)))
	for _, r := range all {
		if !now.Before(r.ExpiresAt) {
			continue
		}
		out = append(out, r)
		if len(out) == limit {
			break
		}
	}
	return out, nil
}
