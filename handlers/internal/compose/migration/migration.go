package migration

import (
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/cognitrig/cognitrig/config"
	"github.com/cognitrig/cognitrig/handlers/internal/compose"
	"github.com/cognitrig/cognitrig/handlers/internal/compose/secrets"
	"github.com/cognitrig/cognitrig/migration"
	"github.com/cognitrig/cognitrig/migration/dynamosource"
	"github.com/cognitrig/cognitrig/migration/dynamotracker"
	"github.com/cognitrig/cognitrig/migration/httpsource"
	"github.com/cognitrig/cognitrig/triggers"
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
	secrets.Read(d) // the legacy client secret and name key
	// What only package migration can check is checked whatever else is
	// wrong, so that every bad variable is named at once.
	c, err := config.LoadMigration(d.Lookup)
	ok := d.Fail(err)
	mapping := migration.Mapping(c.AttributeMap)
	if err := mapping.Validate(); err != nil {
		d.Invalid(config.EnvLegacyAttributeMap, err)
		ok = false
	} else if err := mapping.ValidateDeny(c.DenyAttributes); err != nil {
		d.Invalid(config.EnvLegacyAttributeMap+", "+config.EnvLegacyDenyAttrs, err)
		ok = false
	}
	if !ok {
		return
	}
	src := legacySource(d, c)
	if src == nil {
		return
	}
	tracker, err := dynamotracker.New(dynamotracker.Config{Client: compose.Client(d, dynamodb.NewFromConfig), Table: c.Table})
	if err != nil {
		d.Invalid(config.EnvMigrationTable, err)
		return
	}
	h, err := migration.New(migration.Config{
		Source: src,
		Guard: migration.GuardConfig{
			Breaker: migration.BreakerConfig{ConsecutiveFailures: uint32(c.BreakerFailures), OpenFor: c.BreakerOpenFor},
			Logger:  d.Logger,
		},
		Tracker:        tracker,
		Mapping:        mapping,
		DenyAttributes: c.DenyAttributes,
		NameKey:        c.NameKey,
		Logger:         d.Logger,
	})
	if err != nil {
		d.Invalid(config.EnvLegacyAttributeMap, err)
		return
	}
	h.Register(r)
}

// MigrationIfConfigured is Migration when any migration variable is set,
// and nothing otherwise: the single function of a pool without a legacy
// system has no UserMigration trigger to serve. A migration variable set
// alone is reported with the variables it lacks, not ignored.
func MigrationIfConfigured(d *compose.Deps, r *triggers.Router) {
	secrets.Read(d) // named secrets are read and checked either way
	if config.MigrationConfigured(d.Lookup) {
		Migration(d, r)
	}
}

// legacySource builds the legacy source that c chooses.
func legacySource(d *compose.Deps, c config.Migration) migration.Source {
	if c.TokenURL != "" {
		src, err := httpsource.New(httpsource.Config{
			TokenURL: c.TokenURL, UserInfoURL: c.UserInfoURL, LookupURL: c.LookupURL,
			ClientID: c.ClientID, ClientSecret: c.ClientSecret, Scope: c.Scope,
		})
		if err != nil {
			d.Invalid(config.EnvLegacyTokenURL, err)
			return nil
		}
		return src
	}
	src, err := dynamosource.New(dynamosource.Config{
		Client:        compose.Client(d, dynamodb.NewFromConfig),
		Table:         c.UsersTable,
		KeyAttribute:  c.KeyAttribute,
		HashAttribute: c.HashAttribute,
	})
	if err != nil {
		d.Invalid(config.EnvLegacyUsersTable, err)
		return nil
	}
	return src
}
