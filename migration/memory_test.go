package migration_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/cognitrig/cognitrig/migration"
	"github.com/cognitrig/cognitrig/migration/migrationtest"
)

func TestMemorySourceConformance(t *testing.T) {
	migrationtest.TestSource(t, func(t *testing.T, users []migration.LegacyUser) migration.Source {
		src, err := migration.NewMemorySource(users...)
		if err != nil {
			t.Fatal(err)
		}
		return src
	})
}

func TestMemoryTrackerConformance(t *testing.T) {
	migrationtest.TestTracker(t, func(_ *testing.T, opts migration.TrackerOptions) migration.Tracker {
		return migration.NewMemoryTracker(opts)
	})
}

func TestMemorySourceRefusesBadUsers(t *testing.T) {
	if _, err := migration.NewMemorySource(migration.LegacyUser{Username: "", PasswordHash: "$2y$10$92IXUNpkjO0rOQ5byMi.Ye4oKoEa3Ro9llC/.og/at2.uheWG/igi"}); err == nil {
		t.Fatal("a user without a name was accepted")
	}
	_, err := migration.NewMemorySource(migration.LegacyUser{Username: "eve", PasswordHash: "plain-SECRET-text"})
	if err == nil || !strings.Contains(err.Error(), "eve") {
		t.Fatalf("a plain-text password was accepted as a hash: %v", err)
	}
	if strings.Contains(err.Error(), "plain-SECRET-text") {
		t.Fatalf("error quotes the stored value: %v", err)
	}
}

func TestUnverifiableHashIsWrongPassword(t *testing.T) {
	// A hash that names a known algorithm but cannot be parsed: the user
	// is refused like a wrong password, and the reason is kept for logs.
	src, err := migration.NewMemorySource(migration.LegacyUser{Username: "eve", PasswordHash: "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = src.Authenticate(context.Background(), "eve", "pw-SECRET-x")
	if !errors.Is(err, migration.ErrWrongPassword) || !strings.Contains(err.Error(), "cannot be verified") {
		t.Fatalf("Authenticate = %v", err)
	}
}

func TestReadLegacyUsers(t *testing.T) {
	in := `{"username":"alice","passwordHash":"$2y$10$92IXUNpkjO0rOQ5byMi.Ye4oKoEa3Ro9llC/.og/at2.uheWG/igi","fields":{"email":"alice@example.com"}}

{"username":"bob","passwordHash":"$pbkdf2-sha256$1000$AQIDBAUGBwgJCgsMDQ4PEA$m33AcPJmtZT4BCk55kw6VMWgiuKxPOc9CEFW8cSB5g8"}
`
	var names []string
	for u, err := range migration.ReadLegacyUsers(strings.NewReader(in)) {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, u.Username)
	}
	if strings.Join(names, ",") != "alice,bob" {
		t.Fatalf("read %v", names)
	}

	bad := `{"username":"alice","passwordHash":"$2y$10$x"}
{"username":"bob","passwordHash":"hash-SECRET-1" oops}
{"username":"carol"}`
	var got []string
	var gotErr error
	for u, err := range migration.ReadLegacyUsers(strings.NewReader(bad)) {
		if err != nil {
			gotErr = err
			continue
		}
		got = append(got, u.Username)
	}
	if len(got) != 1 || gotErr == nil || !strings.Contains(gotErr.Error(), "line 2") {
		t.Fatalf("read %v, error %v; want alice, then an error on line 2 and nothing after", got, gotErr)
	}
	if strings.Contains(gotErr.Error(), "SECRET") {
		t.Fatalf("error quotes the line: %v", gotErr)
	}
	for _, err := range migration.ReadLegacyUsers(strings.NewReader(`{"passwordHash":"x"}`)) {
		if err == nil || !strings.Contains(err.Error(), "no username") {
			t.Fatalf("a line without a username: %v", err)
		}
	}
}

func TestMappingApply(t *testing.T) {
	fields := map[string]string{
		"email": "a@example.com", "email_verified": "YES", "phone_number_verified": "0",
		"sub": "legacy-1", "password_hash": "x", "custom:plan": "gold", "given_name": "",
		"mail": "other@example.com",
	}
	got := migration.Mapping(nil).Apply(fields)
	want := map[string]string{"email": "a@example.com", "email_verified": "true", "phone_number_verified": "false", "custom:plan": "gold"}
	if !equalMaps(got, want) {
		t.Fatalf("nil mapping: %v, want %v", got, want)
	}
	m := migration.Mapping{"mail": "email", "sub": "custom:legacy_id", "email_verified": "email_verified"}
	got = m.Apply(fields)
	want = map[string]string{"email": "other@example.com", "custom:legacy_id": "legacy-1", "email_verified": "true"}
	if !equalMaps(got, want) {
		t.Fatalf("explicit mapping: %v, want %v", got, want)
	}
}

func TestMappingValidate(t *testing.T) {
	if err := (migration.Mapping{"mail": "email", "plan": "custom:plan"}).Validate(); err != nil {
		t.Fatal(err)
	}
	err := migration.Mapping{"id": "sub", "x": "cognito:groups", "a": "email", "b": "email", "c": "custom:", "d": "custom:abcdefghijklmnopqrstu"}.Validate()
	if err == nil {
		t.Fatal("a bad mapping validated")
	}
	for _, want := range []string{`"id" maps to sub`, `"cognito:groups"`, `"a" and "b" both map to "email"`, `"custom:"`, `custom:abcdefghijklmnopqrstu`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}
