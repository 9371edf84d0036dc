package cognitrigcdk

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cognitrig/cognitrig/config"
)

// AttachProps configures Attach: the user pool of your own CDK app and
// the features to add to it. A nil feature adds nothing; the zero
// Features adds nothing at all.
type AttachProps struct {
	// UserPool is the pool to attach the triggers to: an
	// awscognito.UserPool constructed in this app (triggers cannot be
	// added to an imported pool). Required.
	UserPool awscognito.UserPool
	// Features chooses what to add.
	Features Features

	// Code returns each function's code; default: GoBuild(Source) (or
	// GoBuildWithTags(Source, NoSendersTag) without CustomSenders).
	Code CodeFunc
	// Source is the root of the Go module that holds handlers/NAME; default:
	// found by FindSource from the working directory.
	Source string

	Functions FunctionProps
	Alarms    AlarmProps

	// EmailFrom is the SES sender (COGNITRIG_EMAIL_FROM) of one-time
	// codes, magic links, custom-sender messages and the welcome email;
	// ses:SendEmail is granted on its address and domain identities, to
	// the functions that send email only. WelcomeEmail and CustomSenders
	// need it.
	EmailFrom string
	// SMS lets the custom-auth function (and, with CustomSenders, the
	// custom SMS sender) publish text messages through Amazon SNS.
	SMS bool

	// Environment adds plain variables to every function built. Variables
	// that a typed setting covers (every COGNITRIG_ variable of a feature)
	// are refused, naming the setting; so are the secret ones
	// (COGNITRIG_MASTER_KEY, COGNITRIG_CAPTCHA_SECRET,
	// COGNITRIG_LEGACY_CLIENT_SECRET, COGNITRIG_LEGACY_NAME_KEY) and the
	// variables naming their secrets (COGNITRIG_..._ARN): the functions
	// read the secrets from Secrets Manager, given by their typed settings.
	Environment map[string]string
}

// Features are the parts of cognitrig that Attach adds to a pool. Each
// feature adds exactly the functions, tables, IAM statements and triggers
// it needs; features that share an entry point (Tenancy, Invitations,
// FederationLinking, WelcomeEmail and InboundFederation share the tenancy
// function; CustomMessages and CustomSenders the messages function) share
// one function, wired to the union of their triggers.
type Features struct {
	// CustomAuth wires DefineAuthChallenge, CreateAuthChallenge and
	// VerifyAuthChallengeResponse to the customauth function, with the
	// challenges table and the master key.
	CustomAuth *CustomAuthFeature
	// Tenancy wires PreSignUp, PostConfirmation and PreTokenGeneration
	// (V2_0, or V3_0 with MachineToMachineClaims) to the tenancy function,
	// with the tenancy table: tenant claims and scopes in tokens.
	Tenancy *TenancyFeature
	// Invitations wires PreSignUp and PostConfirmation to the tenancy
	// function: sign-up by invitation, binding the tenant on confirmation.
	Invitations *InvitationsFeature
	// FederationLinking wires PreSignUp to the tenancy function: a
	// federated identity is linked to the existing user with its
	// verified email.
	FederationLinking *FederationLinkingFeature
	// InboundFederation wires the inbound federation trigger (V1_0) to the
	// tenancy function: the provider's tenant goes into the mapped
	// attributes.
	InboundFederation *InboundFederationFeature
	// WelcomeEmail wires PostConfirmation to the tenancy function, with the
	// confirm table: one welcome email per confirmed user, from EmailFrom.
	WelcomeEmail *WelcomeEmailFeature
	// Migration wires UserMigration to the migration function, with the
	// migration table and the name key.
	Migration *MigrationFeature
	// CustomMessages wires CustomMessage to the messages function.
	CustomMessages *CustomMessagesFeature
	// CustomSenders wires CustomEmailSender (and, with SMS,
	// CustomSMSSender) to the messages function, with the sender key and
	// a dead-letter queue.
	CustomSenders *CustomSendersFeature
	// AuthEvents wires PreAuthentication and PostAuthentication to the
	// authevents function, with the audit table: client and network
	// policy, sign-in audit, MFA on a new device.
	AuthEvents *AuthEventsFeature
}

// CustomAuthFeature configures custom authentication.
type CustomAuthFeature struct {
	// Sequence is the challenge steps in order, such as "password",
	// "captcha", "email-otp" (COGNITRIG_AUTH_SEQUENCE); default email-otp.
	Sequence []string
	// MasterKeySecret holds the master key (base64 of 32 or more random
	// bytes), read by the function at start-up
	// (COGNITRIG_MASTER_KEY_SECRET_ARN). Default: generated.
	MasterKeySecret awssecretsmanager.ISecret
	// Captcha is required with a "captcha" step.
	Captcha *CaptchaSettings
	// MagicLinkPages are the exact pages a magic link may open, by key
	// (COGNITRIG_MAGICLINK_PAGES); the client picks one with clientMetadata
	// "page". MagicLinkURL is the page with key "default"
	// (COGNITRIG_MAGICLINK_URL).
	MagicLinkPages map[string]string
	MagicLinkURL   string
	// MagicLinkKey, when set, signs magic links with a KMS HMAC key
	// (COGNITRIG_MAGICLINK_KMS_KEY) instead of a key derived from the
	// master key.
	MagicLinkKey *MagicLinkKeyProps
	// Limits are the per-user limits; zero fields keep the handler's
	// defaults.
	Limits AuthLimits
	// PasswordClients are the app clients of the pool that may sign users
	// in without the sequence, such as the client that migrates users with
	// USER_PASSWORD_AUTH. Any other client of the pool that allows a
	// password flow (SRP, USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH,
	// choice-based USER_AUTH, or none given, which Cognito reads as SRP)
	// or managed login with the Cognito user directory fails the synth:
	// its users would get tokens without the sequence's later steps. The
	// check runs when the app synthesizes, so clients added after Attach
	// may be appended here too.
	PasswordClients []awscognito.UserPoolClient
}

// CaptchaSettings configures the captcha step.
type CaptchaSettings struct {
	// VerifyURL is the https siteverify endpoint (COGNITRIG_CAPTCHA_VERIFY_URL).
	VerifyURL string
	// Secret is the Secrets Manager secret holding the CAPTCHA service's
	// secret key (COGNITRIG_CAPTCHA_SECRET) as its SecretString, such as
	// awssecretsmanager.Secret_FromSecretNameV2(scope, id, "auth/captcha").
	// The function gets its ARN (COGNITRIG_CAPTCHA_SECRET_ARN) and
	// secretsmanager:GetSecretValue on it only (and kms:Decrypt on its key,
	// if it has one of its own), and reads the key once when it starts: the
	// key is in neither the template nor the function's configuration.
	Secret awssecretsmanager.ISecret
	// SiteKey, Provider, Action and Hostnames are COGNITRIG_CAPTCHA_SITE_KEY,
	// _PROVIDER, _ACTION and _HOSTNAMES.
	SiteKey   string
	Provider  string
	Action    string
	Hostnames []string
	// MinScore is the least score from 0 to 1 (COGNITRIG_CAPTCHA_MIN_SCORE);
	// nil keeps the handler's default.
	MinScore *float64
}

// AuthLimits are the per-user limits of custom authentication
// (COGNITRIG_AUTH_MAX_FAILURES, _FAILURE_WINDOW, _LOCKOUT, _MAX_LOCKOUT,
// _MAX_SENDS, _SEND_WINDOW).
type AuthLimits struct {
	MaxFailures   int
	FailureWindow time.Duration
	Lockout       time.Duration
	MaxLockout    time.Duration
	MaxSends      int
	SendWindow    time.Duration
}

// TenancyFeature configures tenant claims.
type TenancyFeature struct {
	// ScopeMap gives each role its scopes (COGNITRIG_SCOPE_MAP), such as
	// {"admin": {"read", "write"}, "member": {"read"}}.
	ScopeMap map[string][]string
	// GroupPattern is "tenant-{id}" or "tenant-{id}-{role}"
	// (COGNITRIG_GROUP_PATTERN); empty: no groups.
	GroupPattern string
	// MachineToMachineClaims wires pre token generation with event
	// version V3_0, so that access tokens of client-credentials grants
	// get claims too; V2_0 otherwise. Both need the Essentials or Plus
	// feature plan (Amazon Cognito "Pre token generation Lambda trigger"),
	// and V3_0 is priced per M2M request.
	MachineToMachineClaims bool
}

// InvitationsFeature configures invitation sign-up.
type InvitationsFeature struct {
	// Required refuses self sign-ups without an invitation
	// (COGNITRIG_REQUIRE_INVITATION).
	Required bool
}

// FederationLinkingFeature configures the linking of federated identities.
type FederationLinkingFeature struct {
	// Providers whose identities are linked to existing users
	// (COGNITRIG_FEDERATION_PROVIDERS). Required.
	Providers []string
	// TrustedEmailProviders are the providers whose emails count as
	// verified (COGNITRIG_TRUSTED_EMAIL_PROVIDERS).
	TrustedEmailProviders []string
}

// InboundFederationFeature configures the inbound federation trigger.
type InboundFederationFeature struct {
	// Providers maps each identity provider to its tenant
	// (COGNITRIG_INBOUND_PROVIDERS). Required.
	Providers map[string]string
}

// WelcomeEmailFeature turns on the welcome email (COGNITRIG_WELCOME_EMAIL).
type WelcomeEmailFeature struct{}

// CustomMessagesFeature turns on the custom message trigger.
type CustomMessagesFeature struct{}

// CustomSendersFeature configures the custom email and SMS senders.
type CustomSendersFeature struct {
	// Key decrypts the codes Cognito hands to the senders
	// (COGNITRIG_KMS_KEY_ARN). If the pool was constructed with
	// CustomSenderKmsKey, give that key here. Default: a new key with
	// rotation, which Cognito may use for the user pools of this account.
	Key awskms.IKey
}

// MigrationFeature configures user migration. Cognito hands the password
// to the migration trigger only for USER_PASSWORD_AUTH (and managed
// login): give one app client of your pool that flow, only for what
// migrates users.
type MigrationFeature struct {
	// LegacyUsersTable is the legacy table of password hashes
	// (COGNITRIG_LEGACY_USERS_TABLE), read with GetItem; KeyAttribute and
	// HashAttribute name its attributes.
	LegacyUsersTable awsdynamodb.ITable
	KeyAttribute     string
	HashAttribute    string
	// TokenURL, UserInfoURL, LookupURL, ClientID and Scope describe a legacy
	// OAuth identity service (COGNITRIG_LEGACY_TOKEN_URL, ...).
	TokenURL    string
	UserInfoURL string
	LookupURL   string
	ClientID    string
	Scope       string
	// ClientSecret is the Secrets Manager secret holding the migration
	// client's secret at the legacy service (COGNITRIG_LEGACY_CLIENT_SECRET)
	// as its SecretString. The function gets its ARN
	// (COGNITRIG_LEGACY_CLIENT_SECRET_ARN) and secretsmanager:GetSecretValue
	// on it only (and kms:Decrypt on its key, if it has one of its own),
	// and reads it once when it starts.
	ClientSecret awssecretsmanager.ISecret
	// AttributeMap maps legacy fields to Cognito attributes
	// (COGNITRIG_LEGACY_ATTRIBUTE_MAP); DenyAttributes are never copied
	// (COGNITRIG_LEGACY_DENY_ATTRIBUTES).
	AttributeMap   map[string]string
	DenyAttributes []string
	// BreakerMaxFailures and BreakerOpen shape the breaker
	// (COGNITRIG_BREAKER_MAX_FAILURES, COGNITRIG_BREAKER_OPEN_SECONDS).
	BreakerMaxFailures int
	BreakerOpen        time.Duration
	// NameKeySecret holds the key of the digests of unconfirmed user names
	// (COGNITRIG_LEGACY_NAME_KEY), base64 of 32 or more random bytes.
	// Default: generated (Attachment.NameKeySecret). Like ClientSecret, the
	// function gets its ARN (COGNITRIG_LEGACY_NAME_KEY_SECRET_ARN) and the
	// permission to read it, and reads it when it starts.
	NameKeySecret awssecretsmanager.ISecret
}

// AuthEventsFeature configures the authentication event triggers.
type AuthEventsFeature struct {
	// AllowedClients are the app client IDs that may sign in
	// (COGNITRIG_ALLOWED_CLIENTS); empty: any.
	AllowedClients []string
	// IPAllow and IPDeny are CIDR networks (COGNITRIG_IP_ALLOW, _DENY).
	IPAllow []string
	IPDeny  []string
	// MFAOnNewDevice turns MFA on after a sign-in from a new device
	// (COGNITRIG_MFA_ON_NEW_DEVICE).
	MFAOnNewDevice bool
	// AuditRetentionDays keeps sign-in records this many days
	// (COGNITRIG_AUDIT_RETENTION_DAYS); 0: the handler's default.
	AuditRetentionDays int
}

// Attachment is what Attach added to a pool. Tables, keys and the topic
// are nil where no feature needed them.
type Attachment struct {
	constructs.Construct

	UserPool awscognito.UserPool
	Tables   Tables
	// Functions by entry-point name: "customauth", "tenancy", "migration",
	// "messages" and "authevents", only those the features need.
	Functions       map[string]awslambda.Function
	Alarms          []awscloudwatch.Alarm
	AlarmTopic      awssns.ITopic
	DeadLetterQueue awssqs.Queue
	SenderKey       awskms.IKey
	MagicLinkKey    awskms.IKey
	// MasterKeySecret is the generated master key (CustomAuth without
	// MasterKeySecret).
	MasterKeySecret awssecretsmanager.Secret
	// NameKeySecret is the generated name key (Migration without
	// NameKeySecret).
	NameKeySecret awssecretsmanager.Secret

	nameKey   awssecretsmanager.ISecret // COGNITRIG_LEGACY_NAME_KEY, given or generated
	poolKeyed bool                      // the pool has a custom sender key of its own
}

// Attach adds to scope what the chosen features need, on a user pool of
// your own: only the tables, functions, IAM statements and triggers of the
// features that are set. It checks props first and returns every problem
// found, having added nothing. Once props pass, a CDK error (such as a
// trigger the pool already has) or a failed build of a handler is returned
// as an error, and scope then holds a partial construct to be discarded.
// Put scope in the pool's stack; a pool of another stack is refused.
func Attach(scope constructs.Construct, id string, props AttachProps) (a *Attachment, err error) {
	p, f, err := props.internal()
	var cs []concern
	if err == nil {
		cs = featureConcerns(f, p)
		if p.Code == nil && len(cs) > 0 {
			err = p.defaultCode(cs)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("cognitrigcdk: %w", err)
	}
	stack := awscdk.Stack_Of(scope)
	if err := errors.Join(checkSecretSources(stack, typedSecrets(f), true, false), checkDynamicReferences(stack, props.Environment, cs)); err != nil {
		return nil, fmt.Errorf("cognitrigcdk: %w", err)
	}
	if poolStack := awscdk.Stack_Of(props.UserPool); *poolStack.Node().Path() != *stack.Node().Path() {
		// The pool would refer to the functions and the functions' policies
		// to the pool: across stacks, that is a cycle.
		return nil, fmt.Errorf("cognitrigcdk: scope is in stack %s and the user pool in %s: attach in the pool's stack", *stack.Node().Path(), *poolStack.Node().Path())
	}
	if err := checkFeaturePlan(stack, props.UserPool, f); err != nil {
		return nil, fmt.Errorf("cognitrigcdk: %w", err)
	}
	poolKey := poolSenderKey(stack, props.UserPool)
	if f.CustomSenders != nil && poolKey != nil {
		if f.CustomSenders.Key == nil || !sameValue(stack, poolKey, f.CustomSenders.Key.KeyArn()) {
			return nil, errors.New("cognitrigcdk: Features.CustomSenders.Key: the pool has a custom sender key of its own (UserPoolProps.CustomSenderKmsKey); give that key here, which the senders decrypt with")
		}
	}
	defer func() {
		if r := recover(); r != nil {
			a, err = nil, fmt.Errorf("cognitrigcdk: %v", r)
		}
	}()
	a = &Attachment{Construct: constructs.NewConstruct(scope, jsii.String(id)), UserPool: props.UserPool, Functions: map[string]awslambda.Function{},
		poolKeyed: poolKey != nil}
	var tables []tableID
	for _, c := range cs {
		for t := range c.tables {
			if t != tableLegacyUsers {
				tables = append(tables, t)
			}
		}
	}
	a.addTables(tables)
	a.build(p, f, stack, cs)
	if ca := f.CustomAuth; ca != nil {
		// Clients may be added after Attach: look at them when the app
		// synthesizes.
		a.Node().AddValidation(&sequenceBypass{stack: stack, pool: props.UserPool, seq: strings.Join(ca.steps(), ","), feature: ca})
	}
	return a, nil
}

// sequenceBypass fails the synth for an app client of the pool that signs
// users in without the custom authentication sequence, unless it is one of
// Features.CustomAuth.PasswordClients.
type sequenceBypass struct {
	stack   awscdk.Stack
	pool    awscognito.UserPool
	seq     string
	feature *CustomAuthFeature // read at synth: PasswordClients may grow after Attach
}

// Validate implements constructs.IValidation.
func (v *sequenceBypass) Validate() *[]*string {
	allowed := map[string]bool{}
	for _, c := range v.feature.PasswordClients {
		allowed[*c.Node().Path()] = true
	}
	var out []*string
	for _, n := range *v.stack.Node().FindAll(constructs.ConstructOrder_PREORDER) {
		cfn, ok := n.(awscognito.CfnUserPoolClient)
		if !ok || !sameValue(v.stack, v.stack.Resolve(v.pool.UserPoolId()), cfn.UserPoolId()) {
			continue
		}
		client := *cfn.Node().Path()
		if scope := cfn.Node().Scope(); scope != nil {
			client = *scope.Node().Path() // the UserPoolClient that holds it
		}
		if allowed[client] || allowed[*cfn.Node().Path()] {
			continue
		}
		for _, flow := range clientBypassFlows(v.stack, cfn) {
			out = append(out, jsii.String(fmt.Sprintf("cognitrigcdk: Features.CustomAuth: app client %s allows %s, which signs users in without the custom authentication sequence %q: remove it, or list the client in Features.CustomAuth.PasswordClients to accept that", client, flow, v.seq)))
		}
	}
	return &out
}

// clientBypassFlows names the client's ways to sign in with the password
// alone. ExplicitAuthFlows left out means ALLOW_USER_SRP_AUTH,
// ALLOW_CUSTOM_AUTH and ALLOW_REFRESH_TOKEN_AUTH (Amazon Cognito API
// Reference, "CreateUserPoolClient"); ADMIN_NO_SRP_AUTH and
// USER_PASSWORD_AUTH are the legacy names of the password flows.
func clientBypassFlows(stack awscdk.Stack, cfn awscognito.CfnUserPoolClient) []string {
	var flows []string
	if raw, ok := stack.Resolve(cfn.ExplicitAuthFlows()).([]any); ok {
		for _, f := range raw {
			switch f {
			case "ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_AUTH", "ADMIN_NO_SRP_AUTH", "USER_PASSWORD_AUTH":
				flows = append(flows, f.(string))
			}
		}
	} else {
		flows = append(flows, "ALLOW_USER_SRP_AUTH (ExplicitAuthFlows not set)")
	}
	oauth, _ := stack.Resolve(cfn.AllowedOAuthFlowsUserPoolClient()).(bool)
	idps, _ := stack.Resolve(cfn.SupportedIdentityProviders()).([]any)
	if oauth && slices.Contains(idps, any("COGNITO")) {
		flows = append(flows, "managed login with the Cognito user directory")
	}
	return flows
}

// internal checks props and returns them as the settings the shared build
// uses, and the features with their defaults.
func (props AttachProps) internal() (Props, Features, error) {
	f := props.Features
	p := Props{
		Shape: FunctionPerConcern, Code: props.Code, Source: props.Source,
		Functions: props.Functions, Alarms: props.Alarms,
		EmailFrom: props.EmailFrom, SMS: props.SMS,
		WelcomeEmail: f.WelcomeEmail != nil,
		Environment:  props.Environment,
	}
	if f.CustomAuth != nil {
		p.MasterKeySecret = f.CustomAuth.MasterKeySecret
		p.MagicLinkKey = f.CustomAuth.MagicLinkKey
	}
	if f.Migration != nil {
		p.Migration = &MigrationProps{LegacyUsersTable: f.Migration.LegacyUsersTable}
	}
	if f.CustomSenders != nil {
		p.CustomSenders = &CustomSendersProps{Key: f.CustomSenders.Key}
	}
	p = p.withDefaults()

	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if props.UserPool == nil {
		bad("AttachProps.UserPool is required: give the awscognito.UserPool of your app")
	}
	errs = append(errs, p.validateFunctions())
	if p.EmailFrom != "" {
		if _, _, err := sesIdentities(p.EmailFrom); err != nil {
			errs = append(errs, err)
		}
	}
	if f.WelcomeEmail != nil && p.EmailFrom == "" {
		bad("Features.WelcomeEmail needs EmailFrom: the welcome email is sent through SES from it")
	}
	if f.CustomSenders != nil && p.EmailFrom == "" {
		bad("Features.CustomSenders needs EmailFrom: the custom email sender replaces Cognito's own delivery")
	}
	if ca := f.CustomAuth; ca != nil {
		// The customauth entry point's own parser, which otherwise refuses
		// to start; then what each step needs of the deployment.
		seq, err := config.ParseSequence(strings.Join(ca.steps(), ","))
		if err != nil {
			bad("Features.CustomAuth.Sequence: %v", err)
		}
		for _, step := range seq.Steps {
			switch step {
			case config.StepEmailOTP, config.StepMagicLink:
				if p.EmailFrom == "" {
					bad("Features.CustomAuth.Sequence: step %s sends email: set EmailFrom", step)
				}
			case config.StepSMSOTP:
				if !p.SMS {
					bad("Features.CustomAuth.Sequence: step %s sends text messages: set SMS", step)
				}
			case config.StepEmailOrSMSOTP:
				if p.EmailFrom == "" || !p.SMS {
					bad("Features.CustomAuth.Sequence: step %s sends email or text messages: set EmailFrom and SMS", step)
				}
			}
		}
		if seq.Has(config.StepCaptcha) && (ca.Captcha == nil || ca.Captcha.VerifyURL == "" || ca.Captcha.Secret == nil) {
			bad("Features.CustomAuth.Sequence has a captcha step: set Captcha.VerifyURL and Captcha.Secret")
		}
		if c := ca.Captcha; c != nil && c.MinScore != nil && (*c.MinScore < 0 || *c.MinScore > 1) {
			bad("Features.CustomAuth.Captcha.MinScore %g: give a score from 0 to 1", *c.MinScore)
		}
	}
	if fl := f.FederationLinking; fl != nil && len(fl.Providers) == 0 {
		bad("Features.FederationLinking.Providers is empty: name the providers whose identities are linked")
	}
	if in := f.InboundFederation; in != nil && len(in.Providers) == 0 {
		bad("Features.InboundFederation.Providers is empty: map each provider to its tenant")
	}
	// What the entry points refuse at start-up, refused here at synth
	// instead: a function that cannot start fails every trigger it serves.
	if m := f.Migration; m != nil {
		switch {
		case m.LegacyUsersTable == nil && m.TokenURL == "":
			bad("Features.Migration: set LegacyUsersTable or TokenURL (the legacy source)")
		case m.LegacyUsersTable != nil && m.TokenURL != "":
			bad("Features.Migration: LegacyUsersTable and TokenURL are both set: set only the legacy source to migrate from")
		case m.TokenURL != "" && (m.UserInfoURL == "" || m.ClientID == ""):
			bad("Features.Migration: TokenURL needs UserInfoURL and ClientID")
		}
		if m.BreakerOpen < 0 || m.BreakerOpen%time.Second != 0 {
			bad("Features.Migration.BreakerOpen %v: use whole seconds (COGNITRIG_BREAKER_OPEN_SECONDS)", m.BreakerOpen)
		}
		if m.LookupURL != "" && !strings.Contains(m.LookupURL, "{username}") {
			bad("Features.Migration.LookupURL has no {username} placeholder") // the URL may hold a password: not quoted
		}
		for _, u := range []struct{ field, url string }{
			{"Features.Migration.TokenURL", m.TokenURL}, {"Features.Migration.UserInfoURL", m.UserInfoURL}, {"Features.Migration.LookupURL", m.LookupURL},
		} {
			if u.url != "" {
				errs = append(errs, checkSettingURL(u.field, u.url))
			}
		}
		errs = append(errs, checkPairs("Features.Migration.AttributeMap", m.AttributeMap, "=,"))
	}
	if t := f.Tenancy; t != nil {
		for _, role := range sortedKeys(t.ScopeMap) {
			for _, sc := range append([]string{role}, t.ScopeMap[role]...) {
				if sc == "" || strings.ContainsAny(sc, "=,; \t") {
					bad("Features.Tenancy.ScopeMap: role %q, scope %q: give non-empty names without '=', ',', ';' or white space", role, sc)
				}
			}
		}
	}
	if in := f.InboundFederation; in != nil {
		errs = append(errs, checkPairs("Features.InboundFederation.Providers", in.Providers, "=,"))
	}
	if ca := f.CustomAuth; ca != nil {
		errs = append(errs, checkPairs("Features.CustomAuth.MagicLinkPages", ca.MagicLinkPages, "=,"))
		for _, k := range sortedKeys(ca.MagicLinkPages) {
			errs = append(errs, checkSettingURL(fmt.Sprintf("Features.CustomAuth.MagicLinkPages[%q]", k), ca.MagicLinkPages[k]))
		}
		if ca.MagicLinkURL != "" {
			errs = append(errs, checkSettingURL("Features.CustomAuth.MagicLinkURL", ca.MagicLinkURL))
		}
		if c := ca.Captcha; c != nil && c.VerifyURL != "" {
			errs = append(errs, checkSettingURL("Features.CustomAuth.Captcha.VerifyURL", c.VerifyURL))
		}
	}
	for _, name := range sortedKeys(props.Environment) {
		if err := checkEnvName("Environment", name, true); err != nil {
			errs = append(errs, err)
		} else if setting := typedSetting(name); setting != "" {
			bad("Environment: %s is set from %s; do not set it here", name, setting)
		}
	}
	return p, f, errors.Join(errs...)
}

// validateFunctions checks the function and alarm settings (after
// withDefaults).
func (p Props) validateFunctions() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	f := p.Functions
	if f.MemoryMB < 128 || f.MemoryMB > 10240 {
		bad("Functions.MemoryMB %d: Lambda allows 128 to 10240", f.MemoryMB)
	}
	if f.Timeout < time.Second || f.Timeout > 4*time.Second || f.Timeout%time.Second != 0 {
		bad("Functions.Timeout %v: use 1 to 4 whole seconds, under Cognito's 5 second limit", f.Timeout)
	}
	switch f.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		bad("Functions.LogLevel %q: use debug, info, warn or error", f.LogLevel)
	}
	a := p.Alarms
	if a.Errors < 0 || a.Throttles < 0 {
		bad("Alarms.Errors and Alarms.Throttles must not be negative")
	}
	if a.Duration <= 0 || a.Duration > f.Timeout {
		bad("Alarms.Duration %v: use more than 0 and at most the timeout %v", a.Duration, f.Timeout)
	}
	if a.Period < time.Minute || a.Period%time.Minute != 0 {
		bad("Alarms.Period %v: use whole minutes", a.Period)
	}
	return errors.Join(errs...)
}

// checkFeaturePlan refuses pre token generation on a pool of the Lite
// plan: event versions V2_0 and V3_0 need Essentials or Plus (Amazon
// Cognito "Pre token generation Lambda trigger").
func checkFeaturePlan(stack awscdk.Stack, pool awscognito.UserPool, f Features) error {
	if f.Tenancy == nil {
		return nil
	}
	cfn, ok := pool.Node().DefaultChild().(awscognito.CfnUserPool)
	if !ok || cfn.UserPoolTier() == nil {
		return nil
	}
	if tier, _ := stack.Resolve(cfn.UserPoolTier()).(string); tier == "LITE" {
		return errors.New("Features.Tenancy: the pool's feature plan is LITE, and pre token generation V2_0 and V3_0 need ESSENTIALS or PLUS")
	}
	return nil
}

// steps is the sequence as the entry point reads it: trimmed, lower case,
// the default when empty.
func (ca *CustomAuthFeature) steps() []string {
	if len(ca.Sequence) == 0 {
		return []string{config.DefaultAuthSequence}
	}
	out := make([]string, len(ca.Sequence))
	for i, step := range ca.Sequence {
		out[i] = strings.ToLower(strings.TrimSpace(step))
	}
	return out
}

// typedSetting names the feature setting that sets the variable, or "".
func typedSetting(name string) string {
	for _, o := range []struct{ prefix, setting string }{
		{"COGNITRIG_AUTH_", "Features.CustomAuth"},
		{"COGNITRIG_CAPTCHA_", "Features.CustomAuth.Captcha"},
		{"COGNITRIG_MAGICLINK_", "Features.CustomAuth"},
		{"COGNITRIG_LEGACY_", "Features.Migration"},
		{"COGNITRIG_BREAKER_", "Features.Migration"},
		{"COGNITRIG_SCOPE_MAP", "Features.Tenancy"},
		{"COGNITRIG_GROUP_PATTERN", "Features.Tenancy"},
		{"COGNITRIG_REQUIRE_INVITATION", "Features.Invitations"},
		{"COGNITRIG_FEDERATION_PROVIDERS", "Features.FederationLinking"},
		{"COGNITRIG_TRUSTED_EMAIL_PROVIDERS", "Features.FederationLinking"},
		{"COGNITRIG_INBOUND_PROVIDERS", "Features.InboundFederation"},
		{"COGNITRIG_ALLOWED_CLIENTS", "Features.AuthEvents"},
		{"COGNITRIG_IP_", "Features.AuthEvents"},
		{"COGNITRIG_MFA_ON_NEW_DEVICE", "Features.AuthEvents"},
		{"COGNITRIG_AUDIT_RETENTION_DAYS", "Features.AuthEvents"},
	} {
		if strings.HasPrefix(name, o.prefix) {
			return o.setting
		}
	}
	return ""
}

// typedSecrets are the secrets given in f, by secret variable.
func typedSecrets(f Features) map[string]awssecretsmanager.ISecret {
	out := map[string]awssecretsmanager.ISecret{}
	if ca := f.CustomAuth; ca != nil {
		if ca.MasterKeySecret != nil {
			out[config.EnvMasterKey] = ca.MasterKeySecret
		}
		if ca.Captcha != nil && ca.Captcha.Secret != nil {
			out[config.EnvCaptchaSecret] = ca.Captcha.Secret
		}
	}
	if m := f.Migration; m != nil {
		if m.ClientSecret != nil {
			out[config.EnvLegacyClientSecret] = m.ClientSecret
		}
		if m.NameKeySecret != nil {
			out[config.EnvLegacyNameKey] = m.NameKeySecret
		}
	}
	return out
}

// envVars collects the variables of typed settings, leaving out zero
// values, which keep the handler's defaults.
type envVars map[string]string

func (e envVars) str(name, v string) {
	if v != "" {
		e[name] = v
	}
}

func (e envVars) list(name string, v []string) { e.str(name, strings.Join(v, ",")) }

func (e envVars) int(name string, n int) {
	if n != 0 {
		e[name] = strconv.Itoa(n)
	}
}

func (e envVars) dur(name string, d time.Duration) {
	if d != 0 {
		e[name] = d.String()
	}
}

// customAuthEnv returns the variables and the secrets (by the variable
// naming each) of the custom-auth settings; migrationEnv and authEventsEnv
// those of theirs.
func customAuthEnv(ca *CustomAuthFeature) (map[string]string, map[string]awssecretsmanager.ISecret) {
	env := envVars{}
	env.list(config.EnvAuthSequence, ca.Sequence)
	var secrets map[string]awssecretsmanager.ISecret
	if c := ca.Captcha; c != nil {
		env.str(config.EnvCaptchaVerifyURL, c.VerifyURL)
		env.str(config.EnvCaptchaSiteKey, c.SiteKey)
		env.str(config.EnvCaptchaProvider, c.Provider)
		env.str(config.EnvCaptchaAction, c.Action)
		env.list(config.EnvCaptchaHostnames, c.Hostnames)
		if c.MinScore != nil {
			env[config.EnvCaptchaMinScore] = strconv.FormatFloat(*c.MinScore, 'g', -1, 64)
		}
		if c.Secret != nil {
			secrets = map[string]awssecretsmanager.ISecret{config.EnvCaptchaSecretARN: c.Secret}
		}
	}
	env.str(config.EnvMagicLinkPages, joinMap(ca.MagicLinkPages, "=", ","))
	env.str(config.EnvMagicLinkURL, ca.MagicLinkURL)
	l := ca.Limits
	env.int(config.EnvAuthMaxFailures, l.MaxFailures)
	env.dur(config.EnvAuthFailWindow, l.FailureWindow)
	env.dur(config.EnvAuthLockout, l.Lockout)
	env.dur(config.EnvAuthMaxLockout, l.MaxLockout)
	env.int(config.EnvAuthMaxSends, l.MaxSends)
	env.dur(config.EnvAuthSendWindow, l.SendWindow)
	return env, secrets
}

func migrationEnv(m *MigrationFeature) (map[string]string, map[string]awssecretsmanager.ISecret) {
	env := envVars{}
	env.str(config.EnvLegacyKeyAttribute, m.KeyAttribute)
	env.str(config.EnvLegacyHashAttribute, m.HashAttribute)
	env.str(config.EnvLegacyTokenURL, m.TokenURL)
	env.str(config.EnvLegacyUserInfoURL, m.UserInfoURL)
	env.str(config.EnvLegacyLookupURL, m.LookupURL)
	env.str(config.EnvLegacyClientID, m.ClientID)
	env.str(config.EnvLegacyScope, m.Scope)
	env.str(config.EnvLegacyAttributeMap, joinMap(m.AttributeMap, "=", ","))
	env.list(config.EnvLegacyDenyAttrs, m.DenyAttributes)
	env.int(config.EnvBreakerMaxFailures, m.BreakerMaxFailures)
	env.int(config.EnvBreakerOpenSeconds, int(m.BreakerOpen.Seconds()))
	var secrets map[string]awssecretsmanager.ISecret
	if m.ClientSecret != nil {
		secrets = map[string]awssecretsmanager.ISecret{config.EnvLegacyClientSecretARN: m.ClientSecret}
	}
	return env, secrets
}

func authEventsEnv(ae *AuthEventsFeature) map[string]string {
	env := envVars{}
	env.list(config.EnvAllowedClients, ae.AllowedClients)
	env.list(config.EnvIPAllow, ae.IPAllow)
	env.list(config.EnvIPDeny, ae.IPDeny)
	if ae.MFAOnNewDevice {
		env[config.EnvMFAOnNewDevice] = "true"
	}
	env.int(config.EnvAuditRetainDays, ae.AuditRetentionDays)
	return env
}

// joinMap writes m as "k=v,k=v" in key order.
func joinMap(m map[string]string, kv, sep string) string {
	var parts []string
	for _, k := range sortedKeys(m) {
		parts = append(parts, k+kv+m[k])
	}
	return strings.Join(parts, sep)
}

// scopeMap writes a scope map as "role=a,b;role=c".
func scopeMap(m map[string][]string) string {
	var parts []string
	for _, k := range sortedKeys(m) {
		parts = append(parts, k+"="+strings.Join(m[k], ","))
	}
	return strings.Join(parts, ";")
}

// nameKeySecret is a generated COGNITRIG_LEGACY_NAME_KEY: 64 letters and
// digits, valid base64 of 48 bytes, like the master key.
func nameKeySecret(scope constructs.Construct) awssecretsmanager.Secret {
	s := awssecretsmanager.NewSecret(scope, jsii.String("LegacyNameKey"), &awssecretsmanager.SecretProps{
		Description: jsii.String("cognitrig COGNITRIG_LEGACY_NAME_KEY: keys the digests of unconfirmed user names in migration records"),
		GenerateSecretString: &awssecretsmanager.SecretStringGenerator{
			PasswordLength: jsii.Number(64), ExcludePunctuation: jsii.Bool(true), IncludeSpace: jsii.Bool(false),
		},
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
	})
	suppress(s, "AwsSolutions-SMG4", reasonNameKeyRotation)
	return s
}

// poolSenderKey returns the resolved custom sender key ARN the pool was
// constructed with, or nil.
func poolSenderKey(stack awscdk.Stack, pool awscognito.UserPool) any {
	if pool == nil {
		return nil
	}
	cfn, ok := pool.Node().DefaultChild().(awscognito.CfnUserPool)
	if !ok || cfn.LambdaConfig() == nil {
		return nil
	}
	config, _ := stack.Resolve(cfn.LambdaConfig()).(map[string]any)
	for _, k := range []string{"kmsKeyId", "KMSKeyID"} {
		if v, ok := config[k]; ok && v != nil {
			return v
		}
	}
	return nil
}

// sameValue reports whether resolved and the token v resolve alike.
func sameValue(stack awscdk.Stack, resolved any, v *string) bool {
	a, errA := json.Marshal(resolved)
	b, errB := json.Marshal(stack.Resolve(v))
	return errA == nil && errB == nil && string(a) == string(b)
}

// checkPairs refuses keys and values that hold the separators of the
// variable they are written into, or are empty.
func checkPairs(setting string, m map[string]string, separators string) error {
	var errs []error
	for _, k := range sortedKeys(m) {
		if k == "" || m[k] == "" || strings.ContainsAny(k, separators) || strings.ContainsAny(m[k], separators) {
			errs = append(errs, fmt.Errorf("%s: %q = %q: give non-empty names and values without %q", setting, k, m[k], separators))
		}
	}
	return errors.Join(errs...)
}
