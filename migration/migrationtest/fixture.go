package migrationtest

import (
	"sync"
	"testing"

	"github.com/cognitrig/cognitrig/migration"
	"github.com/cognitrig/cognitrig/migration/passhash"
	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

// CheapParams are hash costs low enough for tests; never use them for real
// hashes.
var cheapParams = passhash.Params{BcryptCost: 4, Argon2Time: 1, Argon2MemoryKiB: 64, Argon2Threads: 1, ScryptLogN: 4, PBKDF2Iterations: 10}

// CheapParams returns hash costs low enough for tests.
func CheapParams() passhash.Params { return cheapParams }

// FixtureUser is a legacy user of the fixture with its plain password.
type FixtureUser struct {
	migration.LegacyUser
	Password triggers.Secret
}

// Fixture returns legacy users, one per hash algorithm, with distinctive
// passwords (containing "SECRET") that tests look for in logs. Every call
// hashes anew, with CheapParams.
//
//	alice   bcrypt        verified email, phone, custom fields
//	bob     argon2id      unverified email
//	carol   scrypt        phone only, verified
//	dave    pbkdf2-sha256 no email, no phone
func Fixture(t testing.TB) []FixtureUser {
	t.Helper()
	spec := []struct {
		name string
		alg  passhash.Algorithm
		f    map[string]string
	}{
		{"alice", passhash.Bcrypt, map[string]string{"email": "alice@example.com", "email_verified": "true", "phone_number": "+15550100001", "given_name": "Alice", "plan": "gold", "legacy_id": "1001"}},
		{"bob", passhash.Argon2id, map[string]string{"email": "bob@example.com", "email_verified": "false", "given_name": "Bob"}},
		{"carol", passhash.Scrypt, map[string]string{"phone_number": "+15550100003", "phone_number_verified": "true", "family_name": "Carol"}},
		{"dave", passhash.PBKDF2SHA256, map[string]string{"nickname": "dave"}},
	}
	out := make([]FixtureUser, len(spec))
	var wg sync.WaitGroup
	for i, s := range spec {
		pw := "pw-SECRET-" + s.name + "-Tr0ub4dor&3"
		wg.Go(func() {
			h, err := passhash.Hash(s.alg, pw, cheapParams)
			if err != nil {
				t.Error(err)
				return
			}
			out[i] = FixtureUser{
				LegacyUser: migration.LegacyUser{Username: s.name, PasswordHash: triggers.Secret(h), Fields: s.f},
				Password:   triggers.Secret(pw),
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	return out
}

// LegacyUsers returns the LegacyUser part of a fixture.
func LegacyUsers(f []FixtureUser) []migration.LegacyUser {
	out := make([]migration.LegacyUser, len(f))
	for i, u := range f {
		out[i] = u.LegacyUser
	}
	return out
}

// Clock is a fake clock for TrackerOptions.Now and friends
// (triggertest.Clock). The zero value starts at 2025-01-01 00:00 UTC.
type Clock = triggertest.Clock
