package migration

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cognitrig/cognitrig/handlers/internal/compose"
	"github.com/cognitrig/cognitrig/migration"
	"github.com/cognitrig/cognitrig/migration/dynamosource"
	"github.com/cognitrig/cognitrig/migration/dynamotracker"
	"github.com/cognitrig/cognitrig/migration/httpsource"
	"github.com/cognitrig/cognitrig/triggers"
)

// Defaults of the migration's circuit breaker: it opens after five
// consecutive failures of the legacy source and lets a probe through after
// thirty seconds.
const (
	DefaultBreakerFailures    = 5
	DefaultBreakerOpenSeconds = 30
)

// Migration is the user migration concern: UserMigration, from a legacy
// source chosen by the variables that are set, through a circuit breaker,
// with every outcome tracked in COGNITRIG_MIGRATION_TABLE (required).
//
// The source is an OAuth2 identity service when COGNITRIG_LEGACY_TOKEN_URL
// is set (with COGNITRIG_LEGACY_USERINFO_URL and _CLIENT_ID, and optionally
// _CLIENT_SECRET, _SCOPE and _LOOKUP_URL for forgotten passwords), or a DynamoDB table of password hashes when
// COGNITRIG_LEGACY_USERS_TABLE is set (COGNITRIG_LEGACY_KEY_ATTRIBUTE and
// _HASH_ATTRIBUTE name its attributes). COGNITRIG_LEGACY_ATTRIBUTE_MAP maps
// legacy fields to Cognito attributes, and COGNITRIG_LEGACY_DENY_ATTRIBUTES
// names attributes never copied, besides the tenant attribute (see
// migration.DefaultDenyAttributes); COGNITRIG_BREAKER_MAX_FAILURES and
// COGNITRIG_BREAKER_OPEN_SECONDS shape the breaker.
//
// COGNITRIG_LEGACY_NAME_KEY is a secret like the master key (pass it as a
// Secrets Manager reference, cognitrigcdk Props.Secrets): base64 of 32 or
// more random bytes, used as they are as the HMAC-SHA256 key of
// migration.NameDigest, which stands for user names the legacy source did
// not confirm in tracking records and log lines. Unset, each process draws
// a random key, so digests of one name differ between cold starts.
func Migration(d *compose.Deps, r *triggers.Router) {
	e := d.Env
	table := e.Required(compose.EnvMigrationTable)
	failures := e.Int(compose.EnvBreakerMaxFailures, DefaultBreakerFailures, 1, 1000)
	openFor := e.Int(compose.EnvBreakerOpenSeconds, DefaultBreakerOpenSeconds, 1, 3600)
	mapping, err := ParseMapping(e.String(compose.EnvLegacyAttributeMap, ""))
	if err != nil {
		d.Invalid(compose.EnvLegacyAttributeMap, err)
	}
	deny := e.List(compose.EnvLegacyDenyAttrs)
	if err == nil {
		if derr := mapping.ValidateDeny(deny); derr != nil {
			d.Invalid(compose.EnvLegacyAttributeMap+", "+compose.EnvLegacyDenyAttrs, derr)
			err = derr
		}
	}
	nameKey, keyOK := nameKey(d)
	src := legacySource(d)
	if table == "" || src == nil || err != nil || !keyOK {
		return
	}
	tracker, err := dynamotracker.New(dynamotracker.Config{Client: dynamo(d), Table: table})
	if err != nil {
		d.Invalid(compose.EnvMigrationTable, err)
		return
	}
	h, err := migration.New(migration.Config{
		Source: src,
		Guard: migration.GuardConfig{
			Breaker: migration.BreakerConfig{ConsecutiveFailures: uint32(failures), OpenFor: time.Duration(openFor) * time.Second},
			Logger:  d.Logger,
		},
		Tracker:        tracker,
		Mapping:        mapping,
		DenyAttributes: deny,
		NameKey:        nameKey,
		Logger:         d.Logger,
	})
	if err != nil {
		d.Invalid(compose.EnvLegacyAttributeMap, err)
		return
	}
	h.Register(r)
}

// MigrationIfConfigured is Migration when any migration variable is set,
// and nothing otherwise: the single function of a pool without a legacy
// system has no UserMigration trigger to serve. A migration variable set
// alone is reported with the variables it lacks, not ignored.
func MigrationIfConfigured(d *compose.Deps, r *triggers.Router) {
	for _, name := range []string{compose.EnvMigrationTable, compose.EnvLegacyUsersTable, compose.EnvLegacyKeyAttribute, compose.EnvLegacyHashAttribute,
		compose.EnvLegacyTokenURL, compose.EnvLegacyUserInfoURL, compose.EnvLegacyLookupURL, compose.EnvLegacyClientID, compose.EnvLegacyClientSecret, compose.EnvLegacyScope,
		compose.EnvLegacyAttributeMap, compose.EnvBreakerMaxFailures, compose.EnvBreakerOpenSeconds, compose.EnvLegacyNameKey, compose.EnvLegacyDenyAttrs} {
		if d.Env.String(name, "") != "" {
			Migration(d, r)
			return
		}
	}
}

// nameKey reads COGNITRIG_LEGACY_NAME_KEY: the zero Secret when it is not
// set (the Handler then draws a random key), false when it is set but is
// not base64 of migration.MinNameKeyBytes or more bytes. The value is never
// echoed in an error.
func nameKey(d *compose.Deps) (triggers.Secret, bool) {
	v := d.Env.String(compose.EnvLegacyNameKey, "")
	if v == "" {
		return "", true
	}
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		b, err = base64.RawURLEncoding.DecodeString(v)
	}
	if err != nil || len(b) < migration.MinNameKeyBytes {
		d.Invalid(compose.EnvLegacyNameKey, fmt.Errorf("is not base64 of %d or more random bytes (openssl rand -base64 32)", migration.MinNameKeyBytes))
		return "", false
	}
	return triggers.Secret(b), true
}

// legacySource builds the legacy source that the set variables choose.
func legacySource(d *compose.Deps) migration.Source {
	e := d.Env
	tokenSet := e.String(compose.EnvLegacyTokenURL, "") != ""
	usersTable := e.String(compose.EnvLegacyUsersTable, "")
	switch {
	case tokenSet && usersTable != "":
		d.Invalid(compose.EnvLegacyTokenURL+", "+compose.EnvLegacyUsersTable, errors.New("both are set: set only the one of the legacy source to migrate from"))
		return nil
	case tokenSet:
		cfg := httpsource.Config{
			TokenURL:     e.URL(compose.EnvLegacyTokenURL),
			UserInfoURL:  compose.RequiredURL(e, compose.EnvLegacyUserInfoURL),
			LookupURL:    e.URL(compose.EnvLegacyLookupURL),
			ClientID:     e.Required(compose.EnvLegacyClientID),
			ClientSecret: triggers.Secret(e.String(compose.EnvLegacyClientSecret, "")),
			Scope:        e.String(compose.EnvLegacyScope, ""),
		}
		if cfg.TokenURL == "" || cfg.UserInfoURL == "" || cfg.ClientID == "" || (cfg.LookupURL == "" && e.String(compose.EnvLegacyLookupURL, "") != "") {
			return nil // reported by Env
		}
		if cfg.LookupURL != "" && !strings.Contains(cfg.LookupURL, "{username}") {
			d.Invalid(compose.EnvLegacyLookupURL, errors.New("has no {username} placeholder"))
			return nil
		}
		src, err := httpsource.New(cfg)
		if err != nil {
			d.Invalid(compose.EnvLegacyTokenURL, err)
			return nil
		}
		return src
	case usersTable != "":
		src, err := dynamosource.New(dynamosource.Config{
			Client:        dynamo(d),
			Table:         usersTable,
			KeyAttribute:  e.String(compose.EnvLegacyKeyAttribute, ""),
			HashAttribute: e.String(compose.EnvLegacyHashAttribute, ""),
		})
		if err != nil {
			d.Invalid(compose.EnvLegacyUsersTable, err)
			return nil
		}
		return src
	}
	d.Invalid(compose.EnvLegacyTokenURL+", "+compose.EnvLegacyUsersTable, errors.New("neither is set: set the legacy source, an OAuth2 token URL or a DynamoDB table of password hashes"))
	return nil
}

// ParseMapping parses legacy-to-Cognito attribute pairs,
// "mail=email,mobile=phone_number,plan=custom:plan". Empty is the nil
// Mapping: fields whose legacy names are Cognito attributes are copied.
func ParseMapping(s string) (migration.Mapping, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	m := migration.Mapping{}
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
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return m, nil
}
