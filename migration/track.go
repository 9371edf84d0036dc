package migration

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"sync"
	"time"

	"github.com/cognitrig/cognitrig/triggers"
)

// Outcome is the result of one migration attempt, as a Tracker records it.
type Outcome string

// Outcomes of a migration attempt.
const (
	// OutcomeMigrated: the trigger returned the user to Cognito, which then
	// creates it (a later failure inside Cognito, such as an alias taken by
	// another user, is not seen by the trigger).
	OutcomeMigrated Outcome = "migrated"
	// OutcomeNotFound: the legacy source has no such user.
	OutcomeNotFound Outcome = "not_found"
	// OutcomeWrongPassword: the user exists, the password did not match.
	OutcomeWrongPassword Outcome = "wrong_password"
	// OutcomeNoContact: a forgotten password for a user without a verified
	// email or phone number, so the reset code could not be delivered.
	OutcomeNoContact Outcome = "no_verified_contact"
	// OutcomeUnavailable: the legacy source gave no answer in time.
	OutcomeUnavailable Outcome = "legacy_unavailable"
	// OutcomeRefused: the legacy source refused this user (ErrRefused):
	// locked, disabled, a request it would not take, rate-limited.
	OutcomeRefused Outcome = "refused"
)

// Outcomes lists every outcome.
func Outcomes() []Outcome {
	return []Outcome{OutcomeMigrated, OutcomeNotFound, OutcomeWrongPassword, OutcomeNoContact, OutcomeUnavailable, OutcomeRefused}
}

// Valid reports whether o is one of Outcomes.
func (o Outcome) Valid() bool { return slices.Contains(Outcomes(), o) }

// Attempt is one migration attempt to record. It has no password field, on
// purpose.
type Attempt struct {
	// Username is the legacy username when the source returned the user
	// (migrated, no verified contact), and otherwise NameDigest of the name
	// the user typed: a name the source did not confirm may be a password
	// typed into the wrong field, and is never stored.
	Username      string
	Outcome       Outcome
	TriggerSource triggers.TriggerSource
	UserPoolID    string
	At            time.Time // zero: now
}

// Record is what a Tracker knows of one username.
type Record struct {
	Username      string
	Outcome       Outcome // of the last attempt, except that migrated sticks
	TriggerSource triggers.TriggerSource
	UserPoolID    string
	Attempts      int // attempts recorded, up to and including the migration
	FirstSeen     time.Time
	LastSeen      time.Time
	MigratedAt    time.Time // zero until migrated
	ExpiresAt     time.Time // whole seconds (DynamoDB TTL's unit); zero for migrated records, which never expire
}

// ErrNoRecord is returned by Tracker.Get for a username without a record
// (or with an expired one).
var ErrNoRecord = errors.New("migration: no tracking record for this user")

// Tracker records migration outcomes so that operators can follow progress
// and find the users still to migrate. It never sees a password.
//
// Record applies an attempt: it counts it, sets the outcome and the times,
// and sets ExpiresAt to the attempt's time plus the retention, except that a
// migrated record stays migrated (later attempts leave it unchanged) and
// never expires. Records whose ExpiresAt has passed are treated as absent
// by every read, whether or not the store has deleted them yet.
//
// Migrated reports which of usernames are migrated; the bulk export asks it
// in batches. Progress counts records by outcome. List yields the records
// with one outcome, oldest LastSeen first.
type Tracker interface {
	Record(ctx context.Context, a Attempt) error
	Get(ctx context.Context, username string) (Record, error)
	Migrated(ctx context.Context, usernames []string) (map[string]bool, error)
	Progress(ctx context.Context) (map[Outcome]int64, error)
	List(ctx context.Context, outcome Outcome) iter.Seq2[Record, error]
}

// DefaultRetention is how long a record that is not migrated is kept after
// its last attempt. Records of names that are not users (mistyped, or
// guessed by a credential-stuffing bot) would otherwise pile up forever.
const DefaultRetention = 90 * 24 * time.Hour

// TrackerOptions are shared by the Tracker implementations.
type TrackerOptions struct {
	// Retention of records that are not migrated; default DefaultRetention.
	Retention time.Duration
	// Now is the clock; default time.Now. Tests set it.
	Now func() time.Time
}

// WithDefaults returns o with its zero fields set to the defaults.
func (o TrackerOptions) WithDefaults() TrackerOptions {
	if o.Retention <= 0 {
		o.Retention = DefaultRetention
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Check validates an attempt and fills in its time; Tracker
// implementations call it first.
func (a *Attempt) Check(now func() time.Time) error {
	if a.Username == "" {
		return errors.New("migration: attempt to record has no username")
	}
	if !a.Outcome.Valid() {
		return fmt.Errorf("migration: attempt to record has outcome %q; want one of %v", a.Outcome, Outcomes())
	}
	if a.At.IsZero() {
		a.At = now()
	}
	// Stores keep milliseconds; truncate here so that every Tracker
	// returns the same times.
	a.At = a.At.Truncate(time.Millisecond)
	return nil
}

// Apply returns the record after attempt a, given the record before (nil
// if none or expired), following the rules of Tracker.Record. The second
// result is false when the record does not change (it is migrated). It is
// the reference the implementations agree with.
func (a Attempt) Apply(before *Record, retention time.Duration) (Record, bool) {
	if before != nil && before.Outcome == OutcomeMigrated {
		return *before, false
	}
	r := Record{Username: a.Username, FirstSeen: a.At}
	if before != nil {
		r = *before
	}
	r.Outcome, r.TriggerSource, r.UserPoolID = a.Outcome, a.TriggerSource, a.UserPoolID
	r.Attempts++
	r.LastSeen = a.At
	if a.Outcome == OutcomeMigrated {
		r.MigratedAt, r.ExpiresAt = a.At, time.Time{}
	} else {
		r.ExpiresAt = a.At.Add(retention).Truncate(time.Second)
	}
	return r, true
}

// Expired reports whether the record has expired at now.
func (r Record) Expired(now time.Time) bool {
	return !r.ExpiresAt.IsZero() && !now.Before(r.ExpiresAt)
}

// MemoryTracker is a Tracker in memory: the embedded default for local runs
// and tests. It is safe for concurrent use.
type MemoryTracker struct {
	opts    TrackerOptions
	mu      sync.Mutex
	records map[string]Record
}

// NewMemoryTracker returns an empty MemoryTracker.
func NewMemoryTracker(opts TrackerOptions) *MemoryTracker {
	return &MemoryTracker{opts: opts.WithDefaults(), records: map[string]Record{}}
}

func (m *MemoryTracker) live(username string, now time.Time) *Record {
	r, ok := m.records[username]
	if !ok || r.Expired(now) {
		return nil
	}
	return &r
}

// Record implements Tracker.
func (m *MemoryTracker) Record(ctx context.Context, a Attempt) error {
	if err := a.Check(m.opts.Now); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if r, changed := a.Apply(m.live(a.Username, m.opts.Now()), m.opts.Retention); changed {
		m.records[a.Username] = r
	}
	return nil
}

// Get implements Tracker.
func (m *MemoryTracker) Get(ctx context.Context, username string) (Record, error) {
	if err := ctx.Err(); err != nil {
		return Record{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if r := m.live(username, m.opts.Now()); r != nil {
		return *r, nil
	}
	return Record{}, ErrNoRecord
}

// Migrated implements Tracker.
func (m *MemoryTracker) Migrated(ctx context.Context, usernames []string) (map[string]bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]bool{}
	for _, u := range usernames {
		if r, ok := m.records[u]; ok && r.Outcome == OutcomeMigrated {
			out[u] = true
		}
	}
	return out, nil
}

// Progress implements Tracker.
func (m *MemoryTracker) Progress(ctx context.Context) (map[Outcome]int64, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.opts.Now()
	out := map[Outcome]int64{}
	for _, r := range m.records {
		if !r.Expired(now) {
			out[r.Outcome]++
		}
	}
	return out, nil
}

// List implements Tracker. It yields a snapshot taken when iteration starts.
func (m *MemoryTracker) List(ctx context.Context, outcome Outcome) iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		if err := ctx.Err(); err != nil {
			yield(Record{}, err)
			return
		}
		m.mu.Lock()
		now := m.opts.Now()
		var list []Record
		for _, r := range m.records {
			if r.Outcome == outcome && !r.Expired(now) {
				list = append(list, r)
			}
		}
		m.mu.Unlock()
		slices.SortFunc(list, func(a, b Record) int {
			return cmp.Or(a.LastSeen.Compare(b.LastSeen), cmp.Compare(a.Username, b.Username))
		})
		for _, r := range list {
			if !yield(r, nil) {
				return
			}
		}
	}
}
