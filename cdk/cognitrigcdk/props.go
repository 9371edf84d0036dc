package cognitrigcdk

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/cognitrig/cognitrig/config"
)

// Shape is how the triggers are spread over Lambda functions.
type Shape int

const (
	// SingleFunction deploys one function, built from handlers/all, that
	// serves every trigger: one cold start to keep warm, one log group.
	SingleFunction Shape = iota
	// FunctionPerConcern deploys one function per concern, built from
	// handlers/customauth, tenancy, migration, messages and authevents,
	// each with only the permissions its own triggers need.
	FunctionPerConcern
)

// String returns "single" or "per-concern".
func (s Shape) String() string {
	switch s {
	case SingleFunction:
		return "single"
	case FunctionPerConcern:
		return "per-concern"
	}
	return fmt.Sprintf("Shape(%d)", int(s))
}

// CodeFunc returns the code of the Lambda entry point handlers/NAME, given
// NAME (all, customauth, tenancy, migration, messages or authevents). The
// code must hold an executable named bootstrap for linux/arm64.
type CodeFunc func(handler string) awslambda.Code

// Props configures a Cognitrig construct. The zero value is a working
// production setup: one function, no self sign-up, no migration, no
// custom senders, no identity pool.
type Props struct {
	// Shape is SingleFunction (the default) or FunctionPerConcern.
	Shape Shape

	// Code returns each function's code. Default: a local `go build` of
	// Source at synth time, GoBuild(Source), or without CustomSenders
	// GoBuildWithTags(Source, NoSendersTag), which leaves the Encryption
	// SDK out. Tests use Prebuilt.
	Code CodeFunc
	// Source is the root of the Go module that holds handlers/NAME, used
	// by the default Code. Default: found by FindSource from the working
	// directory.
	Source string

	UserPool  UserPoolProps
	Client    ClientProps
	Functions FunctionProps
	Alarms    AlarmProps

	// EmailFrom is the SES sender of one-time codes and custom-sender
	// messages ("Example <no-reply@example.com>"); it becomes
	// COGNITRIG_EMAIL_FROM, and ses:SendEmail is granted on its address
	// and domain identities only. Empty: no function may send email.
	EmailFrom string
	// SMS lets the functions that send codes publish text messages
	// through Amazon SNS (sns:Publish to phone numbers, not to topics),
	// and wires the custom SMS sender when CustomSenders is set.
	SMS bool
	// WelcomeEmail sends every user a welcome email from EmailFrom (then
	// required) when they confirm their sign-up, once however often
	// Cognito delivers the confirmation: the tenancy function keeps a
	// marker per user in the Confirm table (COGNITRIG_WELCOME_EMAIL,
	// COGNITRIG_CONFIRM_TABLE). Off by default; the Confirm table exists
	// either way, so that turning it off later does not drop the markers.
	WelcomeEmail bool

	// MasterKeySecret is the Secrets Manager secret that holds the master
	// key, the base64 of 32 or more random bytes from which custom
	// authentication derives its keys (one-time codes, magic links). The
	// function that serves custom authentication gets the secret's ARN
	// (COGNITRIG_MASTER_KEY_SECRET_ARN) and secretsmanager:GetSecretValue
	// on that secret only (and kms:Decrypt on its key, if it has one of
	// its own), and reads the key once when it starts: the key is never in
	// the template or the function's configuration, and a rotated secret
	// reaches every container started after the rotation. Default: a
	// secret generated in Secrets Manager, 64 letters and digits (valid
	// base64 of 48 bytes), kept when the stack is deleted.
	MasterKeySecret awssecretsmanager.ISecret
	// Migration, when set, wires the User Migration trigger.
	Migration *MigrationProps
	// CustomSenders, when set, wires the custom email (and, with SMS, SMS)
	// sender triggers: the functions then deliver every message Cognito
	// would send, through SES and SNS. Cognito invokes these triggers
	// asynchronously, so the function that serves them gets a dead-letter
	// queue with an alarm (Cognitrig.DeadLetterQueue). Off by default.
	CustomSenders *CustomSendersProps
	// MagicLinkKey, when set, makes the magic-link challenge sign its links
	// with a KMS HMAC key (COGNITRIG_MAGICLINK_KMS_KEY; package
	// customauth/magiclink/kmssigner) instead of a key derived from
	// MasterKey, so that no signing key is in the function. It costs one
	// KMS request per link sent and one per link checked.
	MagicLinkKey *MagicLinkKeyProps
	// IdentityPool, when set, adds an identity pool whose authenticated
	// role may read and write the caller's own prefix of one S3 bucket.
	IdentityPool *IdentityPoolProps

	// Environment adds variables to the functions. A variable that only
	// one concern reads goes only to the function that serves it
	// (customauth: COGNITRIG_AUTH_SEQUENCE, COGNITRIG_CAPTCHA_*,
	// COGNITRIG_MAGICLINK_*; migration: COGNITRIG_LEGACY_*,
	// COGNITRIG_BREAKER_*; tenancy: COGNITRIG_SCOPE_MAP; authevents:
	// COGNITRIG_ALLOWED_CLIENTS, COGNITRIG_IP_ALLOW, COGNITRIG_IP_DENY,
	// COGNITRIG_MFA_ON_NEW_DEVICE, COGNITRIG_AUDIT_RETENTION_DAYS); others
	// go to every function. The variables this construct sets itself
	// (table names, COGNITRIG_EMAIL_FROM, COGNITRIG_KMS_KEY_ARN,
	// COGNITRIG_LOG_LEVEL) are refused here: use their props. So are the
	// secret variables (COGNITRIG_MASTER_KEY, COGNITRIG_CAPTCHA_SECRET,
	// COGNITRIG_LEGACY_CLIENT_SECRET, COGNITRIG_LEGACY_NAME_KEY), whose
	// value would be written into the template, and the variables naming
	// their secrets (COGNITRIG_..._ARN): use MasterKeySecret and Secrets.
	Environment map[string]string
	// Secrets gives the secret variables COGNITRIG_CAPTCHA_SECRET,
	// COGNITRIG_LEGACY_CLIENT_SECRET and COGNITRIG_LEGACY_NAME_KEY (keys)
	// as Secrets Manager secrets (awssecretsmanager.Secret_FromSecretNameV2,
	// Secret_FromSecretCompleteArn, or a Secret of this app). The function
	// that reads a variable gets the secret's ARN in its counterpart
	// (COGNITRIG_CAPTCHA_SECRET_ARN, COGNITRIG_LEGACY_CLIENT_SECRET_ARN,
	// COGNITRIG_LEGACY_NAME_KEY_SECRET_ARN) and
	// secretsmanager:GetSecretValue on that secret only (and kms:Decrypt
	// on its key, if it has one of its own), and reads the value once
	// when it starts: it is in neither the template nor the function's
	// configuration. The legacy variables need Migration. Any other name is
	// refused: the master key is MasterKeySecret, and the functions read
	// no other variable from Secrets Manager. A Secret of this app whose
	// value is written into the template (SecretStringValue in plain
	// text) is refused too. COGNITRIG_LEGACY_NAME_KEY defaults to a
	// generated secret (Cognitrig.NameKeySecret).
	Secrets map[string]awssecretsmanager.ISecret
}

// UserPoolProps configures the user pool. Sign-in is by email, the
// password policy asks for 12 characters of every class, MFA is optional
// with TOTP (never required: that cannot be undone), accounts recover by
// email only, custom:tenantId is read-only to every app client (set by the
// trigger through the admin API), and the pool is kept (deletion
// protection, RETAIN) when the stack goes.
type UserPoolProps struct {
	// Name of the pool; default: generated by CloudFormation.
	Name string
	// SelfSignUp lets anyone sign up. Off by default: users are invited
	// or created by an administrator.
	SelfSignUp bool
	// FeaturePlan is ESSENTIALS (default) or PLUS; Pre Token Generation
	// version 2 needs one of them, so LITE is refused.
	FeaturePlan awscognito.FeaturePlan
	// ThreatProtection sets the threat protection mode of standard
	// authentication (SRP, password and choice-based sign-in); PLUS only
	// ("Advanced security with threat protection").
	ThreatProtection awscognito.StandardThreatProtectionMode
	// CustomThreatProtection sets the threat protection mode of custom
	// authentication (the cognitrig sequence): AUDIT_ONLY or FULL_FUNCTION;
	// PLUS only. Cognito evaluates risk before the custom challenges run.
	CustomThreatProtection awscognito.CustomThreatProtectionMode
	// ChoiceSignIn, when set, turns on choice-based sign-in (USER_AUTH) on
	// the Essentials or Plus plan: the user chooses a first factor among
	// those allowed ("Authentication flows", "Choice-based sign-in"). The
	// app client then allows ALLOW_USER_AUTH, which signs users in without
	// the custom sequence, so the same rule as ClientProps.ExtraAuthFlows
	// applies (see ClientProps.AllowSequenceBypass). cognitrig's triggers
	// that run in these flows (custom message and senders with the
	// _Authentication sources, pre token generation, pre and post
	// authentication) serve them unchanged.
	ChoiceSignIn *ChoiceSignInProps
	// Email sets how Cognito sends its own email (awscognito.UserPoolEmail_WithSES
	// for production volumes); default: Cognito's own, 50 messages a day.
	Email awscognito.UserPoolEmail
	// DomainPrefix, when set, adds a Cognito domain for managed login and
	// the OAuth endpoints: https://PREFIX.auth.REGION.amazoncognito.com.
	DomainPrefix string
}

// ChoiceSignInProps are the first factors of choice-based sign-in besides
// the password, which Cognito always allows ("SignInPolicyType",
// AllowedFirstAuthFactors, in the Amazon Cognito API Reference).
type ChoiceSignInProps struct {
	// EmailOTP and SMSOTP allow a one-time code by e-mail or SMS as the
	// first factor.
	EmailOTP, SMSOTP bool
	// Passkey allows a passkey (WebAuthn) as the first factor.
	// PasskeyRelyingPartyID is the domain passkeys are bound to; optional,
	// "typically your user pool domain", and it must be the custom domain
	// when the pool has one and signs in through managed login
	// ("WebAuthnConfigurationType", Amazon Cognito API Reference).
	Passkey               bool
	PasskeyRelyingPartyID string
	// PasskeyUserVerification is PREFERRED (Cognito's default) or
	// REQUIRED.
	PasskeyUserVerification awscognito.PasskeyUserVerification
}

// ClientProps configures the app client: custom authentication (and
// refresh) only, and errors that do not reveal whether a user exists.
//
// The app client serves the custom authentication sequence
// (COGNITRIG_AUTH_SEQUENCE, default "email-otp"). Every other way to sign
// in through it would hand out tokens without that sequence: SRP and the
// password flows check the password alone, choice-based sign-in
// (USER_AUTH) offers its own factors, and managed login signs users in
// with their password without calling the custom challenge triggers. So
// none of them is on by default, and asking for one (ExtraAuthFlows,
// ManagedLogin) fails at synth when the sequence has a step other than
// "password", unless AllowSequenceBypass says that is intended. Custom
// authentication that begins with the password ("password,...") uses SRP
// inside CUSTOM_AUTH (CHALLENGE_NAME SRP_A), for which ALLOW_CUSTOM_AUTH
// alone suffices (AWS: "Custom authentication challenge Lambda triggers",
// "Authentication flows").
type ClientProps struct {
	// ExtraAuthFlows are sign-in flows the app client allows besides
	// custom authentication: "USER_SRP_AUTH", "USER_PASSWORD_AUTH",
	// "ADMIN_USER_PASSWORD_AUTH" or "USER_AUTH" (an "ALLOW_" prefix is
	// accepted). Each skips the custom sequence: see AllowSequenceBypass.
	ExtraAuthFlows []string
	// ManagedLogin turns on the OAuth 2.0 authorization code grant (with
	// PKCE for a public client; no implicit grant) through managed login
	// with the pool's own user directory, on CallbackURLs. Managed login
	// signs users in with their password and never runs custom
	// authentication: see AllowSequenceBypass.
	ManagedLogin bool
	// AllowSequenceBypass is the explicit opt-out that lets ExtraAuthFlows
	// and ManagedLogin sign users in without the custom sequence. Without
	// it, synth fails with an error that names the client and each such
	// flow whenever the sequence has a step other than "password". Set it
	// only when the sequence is a convenience (a passwordless alternative
	// to the password, say) and not a requirement: with it, anyone who has
	// a user's password gets tokens without the sequence's later steps.
	AllowSequenceBypass bool

	// CallbackURLs of the authorization code grant, with ManagedLogin;
	// default http://localhost:3000/callback, with a synth warning.
	CallbackURLs []string
	// LogoutURLs; default none.
	LogoutURLs []string
	// GenerateSecret makes a confidential client (a server-side app).
	GenerateSecret bool
	// Token lifetimes within Cognito's bounds: access and ID tokens 5
	// minutes to 1 day (default 1 hour), refresh token 1 hour to 10
	// years and no shorter than the others (default 30 days), and the
	// sign-in session of custom authentication 3 to 15 minutes (default
	// 5, time enough to read a code from an email).
	AccessTokenValidity  time.Duration
	IDTokenValidity      time.Duration
	RefreshTokenValidity time.Duration
	AuthSessionValidity  time.Duration
}

// FunctionProps configures every function.
type FunctionProps struct {
	// MemoryMB, default 256.
	MemoryMB int
	// Timeout in whole seconds from 1 to 4, default 4: Cognito waits 5
	// seconds for a trigger, and a function that gives up first can
	// still fail with an answer of its own.
	Timeout time.Duration
	// LogRetention, default three months.
	LogRetention awslogs.RetentionDays
	// LogLevel is COGNITRIG_LOG_LEVEL: debug, info (default), warn or error.
	LogLevel string
	// DisableTracing turns off AWS X-Ray active tracing, which is on by
	// default (Lambda samples invocations and propagates the trace
	// header; the role may write trace segments, xray:PutTraceSegments
	// and xray:PutTelemetryRecords on *, the only resource X-Ray allows).
	// X-Ray charges per trace recorded beyond its free tier.
	DisableTracing bool
}

// AlarmProps configures the CloudWatch alarms of every function: errors,
// throttles, and a duration close to the timeout. Every alarm notifies
// Cognitrig.AlarmTopic when it fires and when it clears.
type AlarmProps struct {
	// Errors alarms when a period has more errors than this (default 0).
	Errors float64
	// Throttles alarms when a period has more throttles than this (default 0).
	Throttles float64
	// Duration alarms when the p99 duration of a period exceeds it;
	// default three quarters of the timeout (3 s for the default 4 s).
	Duration time.Duration
	// Period of every alarm, whole minutes; default 5 minutes.
	Period time.Duration
	// Topic is notified when an alarm fires and when it clears. Default:
	// a new topic (Cognitrig.AlarmTopic), encrypted with a KMS key of its
	// own and TLS only, to which CloudWatch alarms of this account and
	// region may publish.
	// A topic of your own that is encrypted must let CloudWatch use its
	// key (kms:Decrypt, kms:GenerateDataKey*).
	Topic awssns.ITopic
}

// MigrationProps configures the User Migration trigger.
//
// Cognito passes the password to the migration trigger only for the
// USER_PASSWORD_AUTH flow (and managed login). So that the app client
// keeps custom authentication only, a second client, MigrationClient,
// allows USER_PASSWORD_AUTH and refresh, and nothing else: no custom
// authentication, no SRP, no OAuth. Setting Migration is the documented
// opt-out for that one client: whoever has a user's password can sign in
// through it without the custom sequence's later steps (synth warns, naming
// the client and the flow). Keep its client ID to the back end or app that
// migrates users, and remove Migration once they have moved: that removes
// the client and its weaker flow.
type MigrationProps struct {
	// LegacyUsersTable, when set, is the legacy table of password hashes
	// (COGNITRIG_LEGACY_USERS_TABLE); the migration function may read
	// items from it (GetItem).
	LegacyUsersTable awsdynamodb.ITable
}

// CustomSendersProps configures the custom email and SMS senders.
type CustomSendersProps struct {
	// Key encrypts the codes Cognito hands to the senders
	// (COGNITRIG_KMS_KEY_ARN). Default: a new symmetric key with rotation,
	// kept when the stack goes. A key of your own must let Cognito
	// encrypt with it.
	Key awskms.IKey
}

// MagicLinkKeyProps configures the key that signs magic links.
type MagicLinkKeyProps struct {
	// Key is a KMS key with key spec HMAC_256 and key usage
	// GENERATE_VERIFY_MAC. Default: a new one, kept when the stack goes.
	Key awskms.IKey
}

// IdentityPoolProps configures the optional identity pool.
type IdentityPoolProps struct {
	// Bucket is the name of the S3 bucket whose per-identity prefixes
	// signed-in users may read and write:
	// arn:aws:s3:::BUCKET/${cognito-identity.amazonaws.com:sub}/*.
	Bucket string
}

// Defaults of Props.
const (
	DefaultMemoryMB             = 256
	DefaultTimeout              = 4 * time.Second
	DefaultAccessTokenValidity  = time.Hour
	DefaultIDTokenValidity      = time.Hour
	DefaultRefreshTokenValidity = 30 * 24 * time.Hour
	DefaultAuthSessionValidity  = 5 * time.Minute
	DefaultAlarmPeriod          = 5 * time.Minute
	DefaultCallbackURL          = "http://localhost:3000/callback"
	DefaultLogLevel             = "info"
)

// withDefaults returns p with its zero fields set to the defaults. It does
// not validate; validate does.
func (p Props) withDefaults() Props {
	if p.UserPool.FeaturePlan == "" {
		p.UserPool.FeaturePlan = awscognito.FeaturePlan_ESSENTIALS
	}
	c := &p.Client
	c.AccessTokenValidity = orDefault(c.AccessTokenValidity, DefaultAccessTokenValidity)
	c.IDTokenValidity = orDefault(c.IDTokenValidity, DefaultIDTokenValidity)
	c.RefreshTokenValidity = orDefault(c.RefreshTokenValidity, DefaultRefreshTokenValidity)
	c.AuthSessionValidity = orDefault(c.AuthSessionValidity, DefaultAuthSessionValidity)
	f := &p.Functions
	if f.MemoryMB == 0 {
		f.MemoryMB = DefaultMemoryMB
	}
	f.Timeout = orDefault(f.Timeout, DefaultTimeout)
	if f.LogRetention == "" {
		f.LogRetention = awslogs.RetentionDays_THREE_MONTHS
	}
	if f.LogLevel == "" {
		f.LogLevel = DefaultLogLevel
	}
	a := &p.Alarms
	a.Duration = orDefault(a.Duration, f.Timeout*3/4)
	a.Period = orDefault(a.Period, DefaultAlarmPeriod)
	return p
}

func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// validate reports every problem of p (after withDefaults) at once, so
// that one synth shows them all.
func (p Props) validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	if p.Shape != SingleFunction && p.Shape != FunctionPerConcern {
		bad("Shape %d: use SingleFunction or FunctionPerConcern", int(p.Shape))
	}
	switch p.UserPool.FeaturePlan {
	case awscognito.FeaturePlan_ESSENTIALS, awscognito.FeaturePlan_PLUS:
	case awscognito.FeaturePlan_LITE:
		bad("UserPool.FeaturePlan LITE: Pre Token Generation version 2 needs ESSENTIALS or PLUS")
	default:
		bad("UserPool.FeaturePlan %q: use ESSENTIALS or PLUS", p.UserPool.FeaturePlan)
	}
	if p.UserPool.ThreatProtection != "" && p.UserPool.FeaturePlan != awscognito.FeaturePlan_PLUS {
		bad("UserPool.ThreatProtection needs FeaturePlan PLUS")
	}
	if p.UserPool.CustomThreatProtection != "" && p.UserPool.FeaturePlan != awscognito.FeaturePlan_PLUS {
		bad("UserPool.CustomThreatProtection needs FeaturePlan PLUS")
	}
	if d := p.UserPool.DomainPrefix; d != "" && !domainPrefix.MatchString(d) {
		bad("UserPool.DomainPrefix %q: use lower-case letters, digits and hyphens, 1 to 63, not starting or ending with a hyphen", d)
	}

	c := p.Client
	for _, u := range append(append([]string(nil), c.CallbackURLs...), c.LogoutURLs...) {
		if err := checkURL(u); err != nil {
			errs = append(errs, err)
		}
	}
	inRange := func(name string, d, lo, hi time.Duration) {
		if d < lo || d > hi {
			bad("Client.%s %v: Cognito allows %v to %v", name, d, lo, hi)
		}
	}
	inRange("AccessTokenValidity", c.AccessTokenValidity, 5*time.Minute, 24*time.Hour)
	inRange("IDTokenValidity", c.IDTokenValidity, 5*time.Minute, 24*time.Hour)
	inRange("RefreshTokenValidity", c.RefreshTokenValidity, time.Hour, 3650*24*time.Hour)
	inRange("AuthSessionValidity", c.AuthSessionValidity, 3*time.Minute, 15*time.Minute)
	if c.RefreshTokenValidity < c.AccessTokenValidity || c.RefreshTokenValidity < c.IDTokenValidity {
		bad("Client.RefreshTokenValidity %v is shorter than the access or ID token's: make it at least as long", c.RefreshTokenValidity)
	}
	for _, f := range []struct {
		name string
		d    time.Duration
	}{{"AccessTokenValidity", c.AccessTokenValidity}, {"IDTokenValidity", c.IDTokenValidity}, {"RefreshTokenValidity", c.RefreshTokenValidity}, {"AuthSessionValidity", c.AuthSessionValidity}} {
		if f.d%time.Minute != 0 {
			bad("Client.%s %v: use whole minutes", f.name, f.d)
		}
	}

	for _, fl := range c.ExtraAuthFlows {
		if _, ok := extraFlow(fl); !ok {
			bad("Client.ExtraAuthFlows: %q is not USER_SRP_AUTH, USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH or USER_AUTH", fl)
		}
	}
	// The function refuses to start with a sequence it cannot parse, and
	// every sequence it accepts has a step after the password.
	if seq := p.authSequence(); !validSequence(seq) {
		bad("Environment[%s] %q is not an authentication sequence the function accepts (see config.ParseSequence)", config.EnvAuthSequence, seq)
	} else if !c.AllowSequenceBypass {
		for _, flow := range p.bypassFlows() {
			bad("Client (app client %q): flow %s signs users in without the custom authentication sequence %q, so its steps after the password can be skipped: remove it, or set Client.AllowSequenceBypass to accept that", clientID, flow, seq)
		}
	}

	errs = append(errs, p.validateFunctions())

	if p.EmailFrom != "" {
		if _, _, err := sesIdentities(p.EmailFrom); err != nil {
			errs = append(errs, err)
		}
	}
	if p.WelcomeEmail && p.EmailFrom == "" {
		bad("WelcomeEmail needs EmailFrom: the welcome email is sent through SES from it")
	}
	if p.CustomSenders != nil && p.EmailFrom == "" {
		bad("CustomSenders needs EmailFrom: the custom email sender replaces Cognito's own delivery")
	}
	if p.IdentityPool != nil && !bucketName.MatchString(p.IdentityPool.Bucket) {
		bad("IdentityPool.Bucket %q: give the name of an S3 bucket (3 to 63 lower-case letters, digits, dots, hyphens)", p.IdentityPool.Bucket)
	}

	for _, k := range sortedKeys(p.Environment) {
		if err := checkEnvName("Environment", k, false); err != nil {
			errs = append(errs, err)
		} else if v := p.Environment[k]; urlVariables[k] && v != "" {
			if err := checkSettingURL("Environment: "+k, v); err != nil {
				errs = append(errs, err)
			}
		} else if k == config.EnvMagicLinkPages {
			for _, page := range strings.Split(v, ",") {
				if key, u, ok := strings.Cut(strings.TrimSpace(page), "="); ok {
					if err := checkSettingURL(fmt.Sprintf("Environment: %s[%q]", k, strings.TrimSpace(key)), strings.TrimSpace(u)); err != nil {
						errs = append(errs, err)
					}
				}
			}
		}
	}
	for _, k := range sortedKeys(p.Secrets) {
		v, isSecret := secretVarOf(k)
		switch {
		case k == config.EnvMasterKey || k == config.EnvMasterKeySecretARN:
			bad("Secrets: %s is set from MasterKeySecret; do not set it here", k)
		case isSecret && k == v.ARNVariable:
			bad("Secrets: key the secret by %s, the variable it holds; the construct sets %s to the secret's ARN", v.Name, k)
		case !isSecret:
			bad("Secrets: %s is not read from Secrets Manager: give %s, %s or %s here, and other variables in Environment", k, config.EnvCaptchaSecret, config.EnvLegacyClientSecret, config.EnvLegacyNameKey)
		case p.Secrets[k] == nil:
			bad("Secrets: %s has no secret: give an awssecretsmanager.ISecret", k)
		case owner(k) == HandlerMigration && p.Migration == nil:
			bad("Secrets: %s is read by the migration function: set Migration, or remove it", k)
		}
	}
	return errors.Join(errs...)
}

var (
	domainPrefix = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$`)
	bucketName   = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	envName      = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

func checkURL(u string) error {
	parsed, err := url.Parse(u)
	if err != nil || parsed.Host == "" {
		return fmt.Errorf("client URL %q: give an absolute URL", u)
	}
	if parsed.Fragment != "" {
		return fmt.Errorf("client URL %q: OAuth redirect URLs cannot have a fragment", u)
	}
	local := parsed.Hostname() == "localhost" || parsed.Hostname() == "127.0.0.1"
	if parsed.Scheme != "https" && !(parsed.Scheme == "http" && local) {
		return fmt.Errorf("client URL %q: use https (http only for localhost)", u)
	}
	return nil
}

// urlVariables are the variables the functions read as one URL
// (config's URL getter).
var urlVariables = map[string]bool{
	config.EnvCaptchaVerifyURL: true, config.EnvMagicLinkURL: true,
	config.EnvLegacyTokenURL: true, config.EnvLegacyUserInfoURL: true, config.EnvLegacyLookupURL: true,
}

// checkSettingURL refuses, at synth, a URL the function would refuse at
// start-up (config's URL getter): not absolute, plain http to another host
// than localhost or a loopback address, or with user information, which
// would also put a password into the template and the function's
// configuration. The error names field, never the URL, which may hold a
// password.
func checkSettingURL(field, v string) error {
	if err := config.CheckURL(v); err != nil {
		return fmt.Errorf("%s %w", field, err)
	}
	return nil
}

// managedEnv are the variables the construct sets itself, and the prop
// that sets each; checkEnvName covers the secret variables and the
// variables naming their secrets (secretVarOf).
func managedEnv(name string) (prop string, managed bool) {
	switch name {
	case config.EnvTenancyTable, config.EnvChallengesTable, config.EnvMigrationTable, config.EnvAuditTable, config.EnvConfirmTable:
		return "the construct's tables", true
	case config.EnvLegacyUsersTable:
		return "Migration.LegacyUsersTable", true
	case config.EnvEmailFrom:
		return "EmailFrom", true
	case config.EnvMagicLinkKMSKey:
		return "MagicLinkKey", true
	case config.EnvWelcomeEmail:
		return "WelcomeEmail", true
	case config.EnvKMSKeyARN:
		return "CustomSenders.Key", true
	case config.EnvLogLevel:
		return "Functions.LogLevel", true
	}
	return "", false
}

// secretSettings are the typed settings that give the secret of each
// secret variable (config.SecretVariables): Attach's and New's.
var secretSettings = map[string]struct{ attach, props string }{
	config.EnvMasterKey:          {"Features.CustomAuth.MasterKeySecret", "MasterKeySecret"},
	config.EnvCaptchaSecret:      {"Features.CustomAuth.Captcha.Secret", `Secrets["` + config.EnvCaptchaSecret + `"]`},
	config.EnvLegacyClientSecret: {"Features.Migration.ClientSecret", `Secrets["` + config.EnvLegacyClientSecret + `"]`},
	config.EnvLegacyNameKey:      {"Features.Migration.NameKeySecret", `Secrets["` + config.EnvLegacyNameKey + `"]`},
}

// secretVarOf returns the secret variable that name is, or names the
// secret of (config.SecretVariables).
func secretVarOf(name string) (config.SecretVariable, bool) {
	for _, v := range config.SecretVariables() {
		if name == v.Name || name == v.ARNVariable {
			return v, true
		}
	}
	return config.SecretVariable{}, false
}

// secretSetting names the typed setting of Attach (attach) or New that
// gives the secret of the secret variable name.
func secretSetting(name string, attach bool) string {
	s, ok := secretSettings[name]
	switch {
	case !ok:
		return "Secrets Manager (cognitrigcdk has no setting for it yet)"
	case attach:
		return s.attach
	}
	return s.props
}

// checkEnvName refuses in a plain environment property (field) a name
// that is not a variable name, one Lambda reserves, one the construct sets
// itself, a secret variable (its value would be written into the
// template: it must come from Secrets Manager) and the variable naming a
// secret (its typed setting also grants the read). attach chooses the
// settings named: Attach's or New's.
func checkEnvName(field, name string, attach bool) error {
	if !envName.MatchString(name) {
		return fmt.Errorf("%s: %q is not a valid variable name", field, name)
	}
	if strings.HasPrefix(name, "AWS_") || name == "_HANDLER" || name == "LAMBDA_TASK_ROOT" {
		return fmt.Errorf("%s: %s is reserved by Lambda", field, name)
	}
	if v, ok := secretVarOf(name); ok {
		setting := secretSetting(v.Name, attach)
		if name == v.Name {
			return fmt.Errorf("%s: %s is a secret and would be written into the template in plain text: give it through %s (an awssecretsmanager.ISecret, read when the function starts)", field, name, setting)
		}
		return fmt.Errorf("%s: %s is set from %s, which also lets the function read the secret; do not set it here", field, name, setting)
	}
	if prop, ok := managedEnv(name); ok {
		return fmt.Errorf("%s: %s is set from %s; do not set it here", field, name, prop)
	}
	return nil
}

// checkSecretSources refuses a secret (by secret variable) that its
// function could not read or that leaves its value in the template: an
// awssecretsmanager.Secret of this app whose SecretStringValue or
// SecretObjectValue holds plain text, alone or joined with tokens; a
// secret in another region than stack's (Secrets Manager serves a secret
// in its own region only: "Replicate AWS Secrets Manager secrets across
// Regions"); and the CAPTCHA secret or the legacy client secret given as
// the same secret as another secret variable that the same function reads
// (config.WithSecrets refuses to start: that secret is sent to another
// service). single says one function reads every secret (New's
// SingleFunction); otherwise customauth reads the master key and the
// CAPTCHA secret, migration the legacy client secret and the name key. A
// generated secret, one imported from its name or ARN, and one whose value
// CloudFormation resolves (a NoEcho parameter, a dynamic reference) pass.
func checkSecretSources(stack awscdk.Stack, secrets map[string]awssecretsmanager.ISecret, attach, single bool) error {
	var errs []error
	names := sortedKeys(secrets)
	for _, name := range names {
		s := secrets[name]
		if cfn, ok := s.Node().DefaultChild().(awssecretsmanager.CfnSecret); ok && cfn.SecretString() != nil &&
			plainInTemplate(awscdk.Stack_Of(s).Resolve(cfn.SecretString())) {
			errs = append(errs, fmt.Errorf("%s (%s): the secret's value is written into the template in plain text (SecretStringValue): let Secrets Manager generate it, or store it outside the app and import the secret (awssecretsmanager.Secret_FromSecretNameV2)", secretSetting(name, attach), name))
		}
		if arn := awscdk.Stack_Of(s).Resolve(s.SecretArn()); hasLiteral(arn, func(text string) bool { return strings.ContainsAny(text, "*?") }) {
			errs = append(errs, fmt.Errorf("%s (%s): the secret's ARN or name has a wildcard (* or ?) and names no single secret: the function would be allowed to read every secret it matches; give the secret's name or ARN", secretSetting(name, attach), name))
		}
		if key := s.EncryptionKey(); key != nil && hasLiteral(awscdk.Stack_Of(key).Resolve(key.KeyArn()), func(text string) bool { return strings.Contains(text, ":alias/") }) {
			errs = append(errs, fmt.Errorf("%s (%s): the secret's key is an alias, and KMS allows kms:Decrypt granted on an alias's ARN on no key: import the key by its ARN (awskms.Key_FromKeyArn)", secretSetting(name, attach), name))
		}
		if s.SecretFullArn() == nil && !sameAccountAndRegion(stack, s) && hasLiteral(awscdk.Stack_Of(s).Resolve(partialName(s)), ambiguousName.MatchString) {
			errs = append(errs, fmt.Errorf("%s (%s): the secret's name ends in a hyphen and six characters, which Secrets Manager takes for the end of a complete ARN: import it by its complete ARN (awssecretsmanager.Secret_FromSecretCompleteArn)", secretSetting(name, attach), name))
		}
		if err := checkGenerated(s, name); err != nil {
			errs = append(errs, fmt.Errorf("%s (%s): %w", secretSetting(name, attach), name, err))
		}
		if r, own := s.Env().Region, stack.Region(); r != nil && own != nil && !isToken(*r) && !isToken(*own) && *r != *own {
			errs = append(errs, fmt.Errorf("%s (%s): the secret is in %s and the functions in %s, and Secrets Manager serves a secret only in its own region: replicate it to %s and import the replica", secretSetting(name, attach), name, *r, *own, *own))
		}
	}
	for i, a := range names {
		for _, b := range names[i+1:] {
			if !secretSentOut(a) && !secretSentOut(b) || !single && secretReader[a] != secretReader[b] {
				continue
			}
			if secretIdentity(secrets[a]) == secretIdentity(secrets[b]) {
				out := a
				if !secretSentOut(a) {
					out = b
				}
				errs = append(errs, fmt.Errorf("%s (%s) is the same secret as %s (%s): the function sends %s to another service and refuses to start when its secret holds another variable: give it a secret of its own",
					secretSetting(a, attach), a, secretSetting(b, attach), b, out))
			}
		}
	}
	return errors.Join(errs...)
}

// checkGenerated refuses a Secret of this app that Secrets Manager
// generates (GenerateSecretString) with a value the function cannot use:
// JSON (config.WithSecrets refuses a key/value secret), or, for the master
// key and the name key, anything but base64 of config.MinKeyBytes or more
// (config's Key reads standard or unpadded URL-safe base64): letters and
// digits only, at least 43, and no length base64 cannot have.
func checkGenerated(s awssecretsmanager.ISecret, name string) error {
	cfn, ok := s.Node().DefaultChild().(awssecretsmanager.CfnSecret)
	if !ok || cfn.GenerateSecretString() == nil {
		return nil
	}
	g, _ := awscdk.Stack_Of(s).Resolve(cfn.GenerateSecretString()).(map[string]any)
	if g == nil {
		return nil
	}
	if g["generateStringKey"] != nil || g["secretStringTemplate"] != nil {
		return errors.New("the generated secret is JSON (GenerateStringKey, SecretStringTemplate), and the function reads the value alone: generate a plain string")
	}
	if name != config.EnvMasterKey && name != config.EnvLegacyNameKey {
		return nil
	}
	length := 32 // Secrets Manager's default PasswordLength
	if n, ok := g["passwordLength"].(float64); ok {
		length = int(n)
	}
	punctuation, _ := g["excludePunctuation"].(bool)
	space, _ := g["includeSpace"].(bool)
	if !punctuation || space || length%4 == 1 || length*6/8 < config.MinKeyBytes {
		return fmt.Errorf("the generated value is not base64 of %d or more bytes: generate 64 letters and digits (PasswordLength 64, ExcludePunctuation true)", config.MinKeyBytes)
	}
	return nil
}

// hasLiteral reports whether some text written in v, a resolved
// CloudFormation value, satisfies match.
func hasLiteral(v any, match func(string) bool) bool {
	switch v := v.(type) {
	case string:
		return match(v)
	case []any:
		return slices.ContainsFunc(v, func(x any) bool { return hasLiteral(x, match) })
	case map[string]any:
		for k, x := range v {
			if k != "Ref" && k != "Fn::GetAtt" && k != "Fn::ImportValue" && hasLiteral(x, match) {
				return true
			}
		}
	}
	return false
}

// checkDynamicReferences refuses a variable, of environment or of a
// typed setting (the concerns cs), whose value holds a dynamic reference
// (a SecretValue unwrapped): CloudFormation would resolve it into the
// function's configuration, which anyone allowed
// lambda:GetFunctionConfiguration reads. The error never shows the value.
func checkDynamicReferences(stack awscdk.Stack, environment map[string]string, cs []concern) error {
	var errs []error
	check := func(field, name, v string) {
		if !strings.Contains(v, "{{resolve:") && !*awscdk.Token_IsUnresolved(v) {
			return
		}
		if b, _ := json.Marshal(stack.Resolve(v)); strings.Contains(string(b), "{{resolve:") {
			errs = append(errs, fmt.Errorf("%s%s holds a dynamic reference (an unwrapped SecretValue), which CloudFormation would write into the function's configuration: give a secret through its typed setting (an awssecretsmanager.ISecret)", field, name))
		}
	}
	for _, k := range sortedKeys(environment) {
		check("Environment: ", k, environment[k])
	}
	seen := map[string]bool{}
	for _, c := range cs {
		for _, k := range sortedKeys(c.env) {
			if !seen[k] {
				seen[k] = true
				check("", k, c.env[k])
			}
		}
	}
	return errors.Join(errs...)
}

// secretReader is the entry point that reads each secret variable in the
// function-per-concern shape.
var secretReader = map[string]string{
	config.EnvMasterKey: HandlerCustomAuth, config.EnvCaptchaSecret: HandlerCustomAuth,
	config.EnvLegacyClientSecret: HandlerMigration, config.EnvLegacyNameKey: HandlerMigration,
}

// secretSentOut reports whether the function sends the secret variable's
// value to another service (config.SecretVariable.SentOut):
// config.WithSecrets refuses its secret shared with another variable.
func secretSentOut(name string) bool {
	v, ok := secretVarOf(name)
	return ok && v.SentOut
}

// secretIdentity is what the function would get as the secret's ARN: the
// ARN itself when the app knows it, else its CloudFormation expression in
// the secret's stack.
func secretIdentity(s awssecretsmanager.ISecret) string {
	stack := awscdk.Stack_Of(s)
	v := stack.Resolve(s.SecretArn())
	if str, ok := v.(string); ok {
		return str
	}
	b, _ := json.Marshal(v)
	return *stack.Node().Path() + " " + string(b)
}

func isToken(s string) bool { return *awscdk.Token_IsUnresolved(s) }

// plainInTemplate reports whether v, a resolved SecretString, holds text
// of its own, which the template would carry, rather than only what
// CloudFormation resolves at deployment: a reference (Ref, Fn::GetAtt,
// Fn::ImportValue) or a dynamic reference ({{resolve:...}}).
func plainInTemplate(v any) bool {
	switch v := v.(type) {
	case string:
		return v != "" && !strings.HasPrefix(v, "{{resolve:")
	case map[string]any:
		if j, ok := v["Fn::Join"].([]any); ok && len(j) == 2 {
			sep, _ := j[0].(string)
			parts, _ := j[1].([]any)
			if len(parts) > 0 {
				if first, ok := parts[0].(string); ok && strings.HasPrefix(first, "{{resolve:") {
					return false
				}
			}
			if sep != "" && len(parts) > 1 {
				return true
			}
			return slices.ContainsFunc(parts, plainInTemplate)
		}
		if sub, ok := v["Fn::Sub"]; ok {
			if l, ok := sub.([]any); ok && len(l) > 0 {
				sub = l[0]
			}
			text, _ := sub.(string)
			return plainInTemplate(subVariables.ReplaceAllString(text, ""))
		}
		if b, ok := v["Fn::Base64"]; ok {
			return plainInTemplate(b)
		}
		if l, ok := v["Fn::If"].([]any); ok && len(l) == 3 {
			return plainInTemplate(l[1]) || plainInTemplate(l[2])
		}
	}
	return false
}

// ambiguousName is a secret name Secrets Manager cannot tell, in a
// partial ARN, from a complete ARN's random suffix (API Reference,
// GetSecretValue, SecretId).
var ambiguousName = regexp.MustCompile(`-[A-Za-z0-9]{6}$`)

// subVariables are the ${...} variables of an Fn::Sub template.
var subVariables = regexp.MustCompile(`\$\{[^}]*\}`)

// sesIdentities returns the SES identities that may send as from: the
// address and its domain (SES accepts either as the verified identity).
func sesIdentities(from string) (address, domain string, err error) {
	a, err := mail.ParseAddress(from)
	if err != nil {
		return "", "", fmt.Errorf("EmailFrom %q: give an address such as \"Example <no-reply@example.com>\" (%w)", from, err)
	}
	at := strings.LastIndexByte(a.Address, '@')
	if at <= 0 || at == len(a.Address)-1 {
		return "", "", fmt.Errorf("EmailFrom %q: the address has no domain", from)
	}
	return a.Address, a.Address[at+1:], nil
}

// clientID is the construct ID of the app client, named in errors.
const clientID = "Client"

// authSequence is the custom authentication sequence the deployment
// serves, as COGNITRIG_AUTH_SEQUENCE gives it.
func (p Props) authSequence() string {
	if s := strings.TrimSpace(p.Environment[config.EnvAuthSequence]); s != "" {
		return s
	}
	return config.DefaultAuthSequence
}

// validSequence reports whether the function accepts seq. Every sequence
// it accepts has a step after the password, which a flow checking the
// password alone skips.
func validSequence(seq string) bool {
	_, err := config.ParseSequence(seq)
	return err == nil
}

// extraFlow returns the CloudFormation name of an extra auth flow.
func extraFlow(name string) (string, bool) {
	n := strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(name)), "ALLOW_")
	switch n {
	case "USER_SRP_AUTH", "USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH", "USER_AUTH":
		return "ALLOW_" + n, true
	}
	return "", false
}

// bypassFlows names the app client's ways to sign in that do not run the
// custom sequence.
func (p Props) bypassFlows() []string {
	var out []string
	for _, fl := range p.Client.ExtraAuthFlows {
		if name, ok := extraFlow(fl); ok && !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	if p.UserPool.ChoiceSignIn != nil && !slices.Contains(out, "ALLOW_USER_AUTH") {
		out = append(out, "ALLOW_USER_AUTH")
	}
	if p.Client.ManagedLogin {
		out = append(out, "managed login (ManagedLogin: OAuth authorization code grant with the Cognito user directory)")
	}
	return out
}
