package migration

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"maps"
	"slices"
	"sync"

	"github.com/cognitrig/cognitrig/migration/passhash"
	"github.com/cognitrig/cognitrig/triggers"
)

// Answers of a Source that are not failures of the legacy system: the
// circuit breaker counts them as successes, they are never retried, and the
// handler refuses both with the same message so that a client cannot tell
// whether a user exists.
var (
	// ErrNotFound: the legacy system has no such user, or has one that must
	// not be migrated (disabled, locked).
	ErrNotFound = errors.New("migration: no such user in the legacy source")
	// ErrWrongPassword: the user exists and the password does not match, or
	// the stored hash cannot be verified (the error wrapping it says why).
	ErrWrongPassword = errors.New("migration: wrong password for the legacy user")
	// ErrRefused: the legacy system answered, about this one user, with a
	// refusal that is neither of the above: an account that is locked or
	// disabled, a request it finds malformed (an over-long password, a
	// name it does not accept), access denied, or a per-user rate limit.
	// Any caller can provoke such answers for any name, so they must not
	// count as outages: a Source returns an error wrapping ErrRefused, the
	// circuit breaker counts it as an answer, it is not retried, and the
	// handler refuses the sign-in with the message of a wrong password.
	ErrRefused = errors.New("migration: the legacy system refused this user")
)

// User is a legacy user as a Source returns it: never a password or a
// password hash.
type User struct {
	// Username is the user's name in the legacy system. The tracking
	// records and the import CSV use it; it may differ in case or form from
	// what the user typed.
	Username string
	// Fields are the legacy profile fields by their legacy names. A Mapping
	// turns them into Cognito attributes.
	Fields triggers.Attributes
}

// Source is a legacy user store.
//
// Authenticate checks a password and returns the user, or ErrNotFound or
// ErrWrongPassword. Lookup returns the user without a password (for a
// forgotten password), or ErrNotFound; a source that cannot look users up
// returns an error wrapping errors.ErrUnsupported. An answer about this one
// user that is neither (locked, malformed request, rate-limited) wraps
// ErrRefused. Any other error is an outage of the legacy system (no
// answer, a timeout, a server error, our own client credentials refused):
// it counts against the circuit breaker and may be retried.
//
// Both must honour ctx, and no error may contain the password.
type Source interface {
	Authenticate(ctx context.Context, username string, password triggers.Secret) (*User, error)
	Lookup(ctx context.Context, username string) (*User, error)
}

// Enumerator is implemented by sources that can list all their users, for
// the bulk import of those who never signed in. The sequence ends after
// the first error it yields.
type Enumerator interface {
	Enumerate(ctx context.Context) iter.Seq2[*User, error]
}

// LegacyUser is a user with a password hash in a format passhash verifies,
// as MemorySource holds it and as ReadLegacyUsers reads it.
type LegacyUser struct {
	Username     string            `json:"username"`
	PasswordHash triggers.Secret   `json:"passwordHash"`
	Fields       map[string]string `json:"fields,omitempty"`
}

// MemorySource is a Source held in memory: the embedded default for local
// runs and tests. It is safe for concurrent use and enumerates its users in
// order of username. An unknown name is verified against a stand-in hash
// with the algorithm and cost of the last user put, so that it takes as
// long as a wrong password.
type MemorySource struct {
	mu    sync.RWMutex
	users map[string]LegacyUser
	model string // the hash of the last user put: the stand-in is made like it
	// standIn is verified for unknown users, made like model on first need.
	standIn, standInOf string
}

// NewMemorySource returns a MemorySource with users.
func NewMemorySource(users ...LegacyUser) (*MemorySource, error) {
	m := &MemorySource{users: make(map[string]LegacyUser, len(users))}
	for _, u := range users {
		if err := m.Put(u); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// Put adds or replaces a user. The hash must be in a format passhash knows.
func (m *MemorySource) Put(u LegacyUser) error {
	if u.Username == "" {
		return errors.New("migration: legacy user has no username")
	}
	if _, err := passhash.Identify(u.PasswordHash.Reveal()); err != nil {
		return fmt.Errorf("migration: legacy user %q: %w", u.Username, err)
	}
	u.Fields = maps.Clone(u.Fields)
	m.mu.Lock()
	m.users[u.Username] = u
	m.model = u.PasswordHash.Reveal()
	m.mu.Unlock()
	return nil
}

// Len returns the number of users.
func (m *MemorySource) Len() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.users)
}

// Authenticate implements Source.
func (m *MemorySource) Authenticate(ctx context.Context, username string, password triggers.Secret) (*User, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.RLock()
	u, ok := m.users[username]
	m.mu.RUnlock()
	if !ok {
		// Verify anyway, so that an unknown name takes as long as a wrong
		// password.
		if h := m.timingHash(); h != "" {
			_ = passhash.Verify(h, password.Reveal())
		}
		return nil, ErrNotFound
	}
	if err := VerifyPassword(u.PasswordHash, password); err != nil {
		return nil, err
	}
	return u.user(), nil
}

// timingHash returns a stand-in hash like that of the last user put (same
// algorithm and cost, passhash.Like), made when first needed or when that
// user changed; "" for an empty source.
func (m *MemorySource) timingHash() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.model == "" {
		return ""
	}
	if m.standInOf != m.model {
		h, err := passhash.Like(m.model)
		if err != nil {
			return ""
		}
		m.standIn, m.standInOf = h, m.model
	}
	return m.standIn
}

// Lookup implements Source.
func (m *MemorySource) Lookup(ctx context.Context, username string) (*User, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.RLock()
	u, ok := m.users[username]
	m.mu.RUnlock()
	if !ok {
		return nil, ErrNotFound
	}
	return u.user(), nil
}

// Enumerate implements Enumerator, in order of username. It works on a
// snapshot of the names taken when iteration starts.
func (m *MemorySource) Enumerate(ctx context.Context) iter.Seq2[*User, error] {
	return func(yield func(*User, error) bool) {
		m.mu.RLock()
		names := make([]string, 0, len(m.users))
		for name := range m.users {
			names = append(names, name)
		}
		m.mu.RUnlock()
		slices.Sort(names)
		for _, name := range names {
			if err := ctx.Err(); err != nil {
				yield(nil, err)
				return
			}
			m.mu.RLock()
			u, ok := m.users[name]
			m.mu.RUnlock()
			if ok && !yield(u.user(), nil) {
				return
			}
		}
	}
}

func (u LegacyUser) user() *User {
	return &User{Username: u.Username, Fields: triggers.Attributes(maps.Clone(u.Fields))}
}

// VerifyPassword checks password against a stored hash with passhash and
// maps the result to a Source's answers: nil, ErrWrongPassword (also for a
// hash that cannot be verified, with the reason wrapped) or neither.
func VerifyPassword(stored, password triggers.Secret) error {
	switch err := passhash.Verify(stored.Reveal(), password.Reveal()); {
	case err == nil:
		return nil
	case errors.Is(err, passhash.ErrMismatch):
		return ErrWrongPassword
	default:
		// A record the legacy system cannot check is not an outage: refuse
		// the sign-in like a wrong password, and keep the reason for logs.
		return fmt.Errorf("%w (the stored hash cannot be verified: %w)", ErrWrongPassword, err)
	}
}

// ReadLegacyUsers reads legacy users from JSON Lines, one LegacyUser object
// per line, for seeding a MemorySource from a file. Blank lines are
// skipped; the sequence ends after the first error, which names the line.
func ReadLegacyUsers(r io.Reader) iter.Seq2[LegacyUser, error] {
	return func(yield func(LegacyUser, error) bool) {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		line := 0
		for sc.Scan() {
			line++
			b := sc.Bytes()
			if len(bytes.TrimSpace(b)) == 0 {
				continue
			}
			var u LegacyUser
			if err := json.Unmarshal(b, &u); err != nil {
				// The JSON error may quote the line, which holds a hash:
				// report only where it failed.
				yield(LegacyUser{}, fmt.Errorf("migration: legacy users line %d: not a JSON object with username, passwordHash and fields", line))
				return
			}
			if u.Username == "" {
				yield(LegacyUser{}, fmt.Errorf("migration: legacy users line %d: no username", line))
				return
			}
			if !yield(u, nil) {
				return
			}
		}
		if err := sc.Err(); err != nil {
			yield(LegacyUser{}, fmt.Errorf("migration: reading legacy users after line %d: %w", line, err))
		}
	}
}
