package compose

// The environment variables of the entry points: the contract with the CDK
// stack (handlers-env.md). All are optional unless a concern says so.
const (
	EnvLogLevel = "COGNITRIG_LOG_LEVEL" // debug, info (default), warn, error

	// Custom authentication.
	EnvChallengesTable  = "COGNITRIG_CHALLENGES_TABLE" // required: codes, used links, security questions
	EnvMasterKey        = "COGNITRIG_MASTER_KEY"       // required: base64 of >= 32 random bytes
	EnvAuthSequence     = "COGNITRIG_AUTH_SEQUENCE"    // default DefaultAuthSequence; see ParseSequence
	EnvEmailFrom        = "COGNITRIG_EMAIL_FROM"       // SES sender of codes, links and custom-sender email
	EnvCaptchaVerifyURL = "COGNITRIG_CAPTCHA_VERIFY_URL"
	EnvCaptchaSecret    = "COGNITRIG_CAPTCHA_SECRET"
	EnvCaptchaSiteKey   = "COGNITRIG_CAPTCHA_SITE_KEY"
	EnvCaptchaProvider  = "COGNITRIG_CAPTCHA_PROVIDER"
	EnvMagicLinkOrigins = "COGNITRIG_MAGICLINK_ORIGINS" // comma-separated https origins
	EnvMagicLinkURL     = "COGNITRIG_MAGICLINK_URL"     // the page that receives links
	EnvMagicLinkKMSKey  = "COGNITRIG_MAGICLINK_KMS_KEY" // KMS HMAC_256 key (ARN or alias) signing links; unset: derived from the master key

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
	EnvMigrationTable      = "COGNITRIG_MIGRATION_TABLE" // required by migration
	EnvLegacyUsersTable    = "COGNITRIG_LEGACY_USERS_TABLE"
	EnvLegacyKeyAttribute  = "COGNITRIG_LEGACY_KEY_ATTRIBUTE"  // default "username"
	EnvLegacyHashAttribute = "COGNITRIG_LEGACY_HASH_ATTRIBUTE" // default "password_hash"
	EnvLegacyTokenURL      = "COGNITRIG_LEGACY_TOKEN_URL"
	EnvLegacyUserInfoURL   = "COGNITRIG_LEGACY_USERINFO_URL"
	EnvLegacyLookupURL     = "COGNITRIG_LEGACY_LOOKUP_URL" // template with {username}, for forgotten passwords
	EnvLegacyClientID      = "COGNITRIG_LEGACY_CLIENT_ID"
	EnvLegacyClientSecret  = "COGNITRIG_LEGACY_CLIENT_SECRET"
	EnvLegacyScope         = "COGNITRIG_LEGACY_SCOPE"
	EnvLegacyAttributeMap  = "COGNITRIG_LEGACY_ATTRIBUTE_MAP" // "mail=email,mobile=phone_number"
	EnvBreakerMaxFailures  = "COGNITRIG_BREAKER_MAX_FAILURES" // default DefaultBreakerFailures
	EnvBreakerOpenSeconds  = "COGNITRIG_BREAKER_OPEN_SECONDS" // default DefaultBreakerOpenSeconds

	// User migration: what a client types and what a legacy record holds.
	EnvLegacyNameKey   = "COGNITRIG_LEGACY_NAME_KEY"        // secret: base64 of >= 32 random bytes keying the digests of unconfirmed user names; unset: random per process
	EnvLegacyDenyAttrs = "COGNITRIG_LEGACY_DENY_ATTRIBUTES" // comma-separated attributes never copied, besides the tenant attribute

	// Messages.
	EnvKMSKeyARN = "COGNITRIG_KMS_KEY_ARN" // turns on the custom email and SMS senders

	// Authentication events.
	EnvAuditTable      = "COGNITRIG_AUDIT_TABLE"       // required by authevents
	EnvAllowedClients  = "COGNITRIG_ALLOWED_CLIENTS"   // comma-separated app client ids
	EnvIPAllow         = "COGNITRIG_IP_ALLOW"          // comma-separated CIDR networks
	EnvIPDeny          = "COGNITRIG_IP_DENY"           // comma-separated CIDR networks
	EnvMFAOnNewDevice  = "COGNITRIG_MFA_ON_NEW_DEVICE" // true: turn MFA on after a sign-in from a new device
	EnvAuditRetainDays = "COGNITRIG_AUDIT_RETENTION_DAYS"

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
