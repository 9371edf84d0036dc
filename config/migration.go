package config

import (
	"fmt"
	"strings"
	"time"

	"github.com/cognitrig/cognitrig/triggers"
)

// Defaults of the migration's circuit breaker: it opens after five
// consecutive failures of the legacy source and lets a probe through after
// thirty seconds.
const (
	DefaultBreakerFailures    = 5
	DefaultBreakerOpenSeconds = 30
)

// Migration are the settings of user migration: the tracking table, one
// legacy source (an OAuth2 identity service, TokenURL set, or a DynamoDB
// table of password hashes, UsersTable set), the attributes copied and
// the circuit breaker.
type Migration struct {
	Table string // COGNITRIG_MIGRATION_TABLE, required

	UsersTable    string // COGNITRIG_LEGACY_USERS_TABLE
	KeyAttribute  string // COGNITRIG_LEGACY_KEY_ATTRIBUTE; "" is the source's default, "username"
	HashAttribute string // COGNITRIG_LEGACY_HASH_ATTRIBUTE; "" is the source's default, "password_hash"

	TokenURL     string          // COGNITRIG_LEGACY_TOKEN_URL, https
	UserInfoURL  string          // COGNITRIG_LEGACY_USERINFO_URL, https; required with TokenURL
	LookupURL    string          // COGNITRIG_LEGACY_LOOKUP_URL, https, with {username}
	ClientID     string          // COGNITRIG_LEGACY_CLIENT_ID; required with TokenURL
	ClientSecret triggers.Secret // COGNITRIG_LEGACY_CLIENT_SECRET
	Scope        string          // COGNITRIG_LEGACY_SCOPE

	// AttributeMap is COGNITRIG_LEGACY_ATTRIBUTE_MAP parsed by
	// ParseAttributeMap (legacy field to Cognito attribute; the names are
	// checked by migration.Mapping.Validate); nil copies the fields whose
	// names are Cognito attributes.
	AttributeMap   map[string]string
	DenyAttributes []string // COGNITRIG_LEGACY_DENY_ATTRIBUTES

	// NameKey is COGNITRIG_LEGACY_NAME_KEY, decoded (32 or more bytes);
	// zero: the handler draws a random key per process.
	NameKey triggers.Secret

	BreakerFailures int           // COGNITRIG_BREAKER_MAX_FAILURES, 1..1000
	BreakerOpenFor  time.Duration // COGNITRIG_BREAKER_OPEN_SECONDS, 1s..1h
}

// migrationVars are the variables of user migration.
var migrationVars = [...]string{EnvMigrationTable, EnvLegacyUsersTable, EnvLegacyKeyAttribute, EnvLegacyHashAttribute,
	EnvLegacyTokenURL, EnvLegacyUserInfoURL, EnvLegacyLookupURL, EnvLegacyClientID, EnvLegacyClientSecret, EnvLegacyScope,
	EnvLegacyAttributeMap, EnvBreakerMaxFailures, EnvBreakerOpenSeconds, EnvLegacyNameKey, EnvLegacyDenyAttrs,
	EnvLegacyClientSecretARN, EnvLegacyNameKeySecretARN}

// MigrationConfigured reports whether any variable of user migration is
// set: a function serving every concern serves migration only then.
func MigrationConfigured(lookup func(string) (string, bool)) bool {
	e := newReader(lookup)
	for _, name := range migrationVars {
		if e.set(name) {
			return true
		}
	}
	return false
}

// LoadMigration reads the settings of user migration. Exactly one legacy
// source must be set, with the variables it needs.
func LoadMigration(lookup func(string) (string, bool)) (Migration, error) {
	e := newReader(lookup)
	m := Migration{
		Table:           e.Required(EnvMigrationTable),
		BreakerFailures: e.Int(EnvBreakerMaxFailures, DefaultBreakerFailures, 1, 1000),
		BreakerOpenFor:  time.Duration(e.Int(EnvBreakerOpenSeconds, DefaultBreakerOpenSeconds, 1, 3600)) * time.Second,
		DenyAttributes:  e.List(EnvLegacyDenyAttrs),
		NameKey:         e.Key(EnvLegacyNameKey, MinKeyBytes, false),
	}
	var err error
	if m.AttributeMap, err = ParseAttributeMap(e.String(EnvLegacyAttributeMap, "")); err != nil {
		e.invalid(EnvLegacyAttributeMap, err)
	}
	tokenSet, usersSet := e.set(EnvLegacyTokenURL), e.set(EnvLegacyUsersTable)
	switch {
	case tokenSet && usersSet:
		e.fail(EnvLegacyTokenURL+", "+EnvLegacyUsersTable, "both are set: set only the one of the legacy source to migrate from")
	case tokenSet:
		m.TokenURL = e.URL(EnvLegacyTokenURL)
		m.UserInfoURL = e.RequiredURL(EnvLegacyUserInfoURL)
		m.LookupURL = e.URL(EnvLegacyLookupURL)
		m.ClientID = e.Required(EnvLegacyClientID)
		m.ClientSecret = triggers.Secret(e.Secret(EnvLegacyClientSecret))
		m.Scope = e.String(EnvLegacyScope, "")
		if m.LookupURL != "" && !strings.Contains(m.LookupURL, "{username}") {
			e.fail(EnvLegacyLookupURL, "has no {username} placeholder")
		}
	case usersSet:
		m.UsersTable = e.String(EnvLegacyUsersTable, "")
		m.KeyAttribute = e.String(EnvLegacyKeyAttribute, "")
		m.HashAttribute = e.String(EnvLegacyHashAttribute, "")
	default:
		e.fail(EnvLegacyTokenURL+", "+EnvLegacyUsersTable, "neither is set: set the legacy source, an OAuth2 token URL or a DynamoDB table of password hashes")
	}
	return m, e.err()
}

// ParseAttributeMap parses legacy-to-Cognito attribute pairs,
// "mail=email,mobile=phone_number,plan=custom:plan". Empty is nil. The
// Cognito names are left to migration.Mapping.Validate.
func ParseAttributeMap(s string) (map[string]string, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	m := map[string]string{}
	for _, pair := range strings.Split(s, ",") {
		from, to, ok := strings.Cut(pair, "=")
		from, to = strings.TrimSpace(from), strings.TrimSpace(to)
		if !ok || from == "" || to == "" {
			return nil, fmt.Errorf("%q is not legacy=cognito", strings.TrimSpace(pair))
		}
		if _, dup := m[from]; dup {
			return nil, fmt.Errorf("legacy field %q is mapped twice", from)
		}
		m[from] = to
	}
	return m, nil
}
