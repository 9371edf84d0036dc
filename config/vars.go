package config

//go:generate go test -run TestVariablesTable -update .

// The environment variables of the entry points: the contract with the CDK
// stack and with anyone who deploys the handlers another way. This block is
// the one source of the table in README.md ("Configuration"), which
// TestVariablesTable keeps in step: each group's comment names the feature,
// each variable's comment gives its meaning and default. All are optional
// unless the comment says "required".
const (
	// Every function.
	EnvLogLevel = "COGNITRIG_LOG_LEVEL" // debug, info (default), warn, error

	// Custom authentication.
	EnvChallengesTable    = "COGNITRIG_CHALLENGES_TABLE"      // required: codes, used links, security questions
	EnvMasterKey          = "COGNITRIG_MASTER_KEY"            // secret: base64 of >= 32 random bytes; required unless COGNITRIG_MASTER_KEY_SECRET_ARN is set
	EnvMasterKeySecretARN = "COGNITRIG_MASTER_KEY_SECRET_ARN" // the Secrets Manager secret holding the master key, read once at start-up (preferred)
	EnvAuthSequence       = "COGNITRIG_AUTH_SEQUENCE"         // steps such as password,captcha,email-otp; default email-otp
	EnvEmailFrom          = "COGNITRIG_EMAIL_FROM"            // SES sender of codes, links and custom-sender email
	EnvCaptchaVerifyURL   = "COGNITRIG_CAPTCHA_VERIFY_URL"    // https siteverify endpoint; required with a captcha step
	EnvCaptchaSecret      = "COGNITRIG_CAPTCHA_SECRET"        // secret: the CAPTCHA service's secret key; required with a captcha step unless COGNITRIG_CAPTCHA_SECRET_ARN is set
	EnvCaptchaSecretARN   = "COGNITRIG_CAPTCHA_SECRET_ARN"    // the Secrets Manager secret holding the CAPTCHA secret key, read once at start-up (preferred)
	EnvCaptchaSiteKey     = "COGNITRIG_CAPTCHA_SITE_KEY"      // public site key handed to the client in the challenge
	EnvCaptchaProvider    = "COGNITRIG_CAPTCHA_PROVIDER"      // tells the client which widget to show (public challenge parameter "provider"); "recaptcha" also sets the default minimum score
	EnvMagicLinkOrigins   = "COGNITRIG_MAGICLINK_ORIGINS"     // no longer supported: start-up fails if set; use COGNITRIG_MAGICLINK_PAGES
	EnvMagicLinkURL       = "COGNITRIG_MAGICLINK_URL"         // the page that receives links (the page with key "default")
	EnvMagicLinkKMSKey    = "COGNITRIG_MAGICLINK_KMS_KEY"     // KMS HMAC_256 key (ARN or alias) signing links; unset: derived from the master key

	// Custom authentication: pages, CAPTCHA checks and per-user limits.
	EnvMagicLinkPages   = "COGNITRIG_MAGICLINK_PAGES"     // "key=https://host/path,..." exact pages links may open, chosen by clientMetadata "page"
	EnvCaptchaMinScore  = "COGNITRIG_CAPTCHA_MIN_SCORE"   // least score 0..1; default 0.5 with provider recaptcha, else unchecked
	EnvCaptchaAction    = "COGNITRIG_CAPTCHA_ACTION"      // the action the widget must report; unset: unchecked
	EnvCaptchaHostnames = "COGNITRIG_CAPTCHA_HOSTNAMES"   // comma-separated site host names the token must come from; unset: unchecked
	EnvAuthMaxFailures  = "COGNITRIG_AUTH_MAX_FAILURES"   // wrong answers per window before a lockout; default 5
	EnvAuthFailWindow   = "COGNITRIG_AUTH_FAILURE_WINDOW" // default 15m
	EnvAuthLockout      = "COGNITRIG_AUTH_LOCKOUT"        // first lockout, doubled for each further one; default 15m
	EnvAuthMaxLockout   = "COGNITRIG_AUTH_MAX_LOCKOUT"    // default 24h
	EnvAuthMaxSends     = "COGNITRIG_AUTH_MAX_SENDS"      // rounds that send a code or link per window; default 10
	EnvAuthSendWindow   = "COGNITRIG_AUTH_SEND_WINDOW"    // default 1h

	// User migration.
	EnvMigrationTable        = "COGNITRIG_MIGRATION_TABLE"          // required by migration
	EnvLegacyUsersTable      = "COGNITRIG_LEGACY_USERS_TABLE"       // legacy DynamoDB table of password hashes; this or COGNITRIG_LEGACY_TOKEN_URL
	EnvLegacyKeyAttribute    = "COGNITRIG_LEGACY_KEY_ATTRIBUTE"     // default "username"
	EnvLegacyHashAttribute   = "COGNITRIG_LEGACY_HASH_ATTRIBUTE"    // default "password_hash"
	EnvLegacyTokenURL        = "COGNITRIG_LEGACY_TOKEN_URL"         // legacy OAuth token endpoint (password grant); this or COGNITRIG_LEGACY_USERS_TABLE
	EnvLegacyUserInfoURL     = "COGNITRIG_LEGACY_USERINFO_URL"      // legacy userinfo endpoint; required with the token URL
	EnvLegacyLookupURL       = "COGNITRIG_LEGACY_LOOKUP_URL"        // template with {username}, for forgotten passwords
	EnvLegacyClientID        = "COGNITRIG_LEGACY_CLIENT_ID"         // the migration's own client at the legacy service; required with the token URL
	EnvLegacyClientSecret    = "COGNITRIG_LEGACY_CLIENT_SECRET"     // secret: that client's secret
	EnvLegacyClientSecretARN = "COGNITRIG_LEGACY_CLIENT_SECRET_ARN" // the Secrets Manager secret holding that client's secret, read once at start-up (preferred)
	EnvLegacyScope           = "COGNITRIG_LEGACY_SCOPE"             // scopes asked for at the legacy token endpoint
	EnvLegacyAttributeMap    = "COGNITRIG_LEGACY_ATTRIBUTE_MAP"     // "mail=email,mobile=phone_number"
	EnvBreakerMaxFailures    = "COGNITRIG_BREAKER_MAX_FAILURES"     // consecutive outages that open the breaker; default 5
	EnvBreakerOpenSeconds    = "COGNITRIG_BREAKER_OPEN_SECONDS"     // seconds the breaker stays open before a probe; default 30

	// User migration: what a client types and what a legacy record holds.
	EnvLegacyNameKey          = "COGNITRIG_LEGACY_NAME_KEY"            // secret: base64 of >= 32 random bytes keying the digests of unconfirmed user names; unset: random per process
	EnvLegacyNameKeySecretARN = "COGNITRIG_LEGACY_NAME_KEY_SECRET_ARN" // the Secrets Manager secret holding the name key, read once at start-up (preferred)
	EnvLegacyDenyAttrs        = "COGNITRIG_LEGACY_DENY_ATTRIBUTES"     // comma-separated attributes never copied, besides the tenant attribute

	// Messages.
	EnvKMSKeyARN = "COGNITRIG_KMS_KEY_ARN" // turns on the custom email and SMS senders

	// Authentication events.
	EnvAuditTable      = "COGNITRIG_AUDIT_TABLE"          // required by authevents
	EnvAllowedClients  = "COGNITRIG_ALLOWED_CLIENTS"      // comma-separated app client ids
	EnvIPAllow         = "COGNITRIG_IP_ALLOW"             // comma-separated CIDR networks
	EnvIPDeny          = "COGNITRIG_IP_DENY"              // comma-separated CIDR networks
	EnvMFAOnNewDevice  = "COGNITRIG_MFA_ON_NEW_DEVICE"    // true: turn MFA on after a sign-in from a new device
	EnvAuditRetainDays = "COGNITRIG_AUDIT_RETENTION_DAYS" // days sign-in records are kept (TTL)

	// Tenancy.
	EnvTenancyTable          = "COGNITRIG_TENANCY_TABLE"           // required by tenancy
	EnvScopeMap              = "COGNITRIG_SCOPE_MAP"               // "admin=read,write;member=read"
	EnvGroupPattern          = "COGNITRIG_GROUP_PATTERN"           // "tenant-{id}" or "tenant-{id}-{role}"; unset: no groups
	EnvRequireInvitation     = "COGNITRIG_REQUIRE_INVITATION"      // true: refuse self sign-ups without an invitation
	EnvFederationProviders   = "COGNITRIG_FEDERATION_PROVIDERS"    // providers whose identities are linked to existing users
	EnvInboundProviders      = "COGNITRIG_INBOUND_PROVIDERS"       // "Provider=tenant,..." for the inbound federation trigger (tenancy/inbound)
	EnvTrustedEmailProviders = "COGNITRIG_TRUSTED_EMAIL_PROVIDERS" // providers whose emails count as verified
	EnvWelcomeEmail          = "COGNITRIG_WELCOME_EMAIL"           // true: welcome email once per confirmed user (needs the two below)
	EnvConfirmTable          = "COGNITRIG_CONFIRM_TABLE"           // post-confirmation once-per-user markers
)
