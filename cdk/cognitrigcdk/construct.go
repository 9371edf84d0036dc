package cognitrigcdk

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognitoidentitypool"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cognitrig/cognitrig/config"
)

// Cognitrig is a user pool with every cognitrig trigger wired to Lambda
// functions built from handlers/, the DynamoDB tables they use, their
// least-privilege permissions and their alarms. Its fields give access to
// what it made, for outputs, grants and further wiring.
type Cognitrig struct {
	constructs.Construct

	UserPool awscognito.UserPool
	// Client is the app client: custom authentication and refresh only,
	// unless ClientProps asks for more (see ClientProps).
	Client awscognito.UserPoolClient
	// MigrationClient allows USER_PASSWORD_AUTH and refresh only, so that
	// the migration trigger receives passwords; it skips the custom
	// sequence (see MigrationProps). nil without Props.Migration.
	MigrationClient awscognito.UserPoolClient
	// Domain is nil without UserPool.DomainPrefix.
	Domain awscognito.UserPoolDomain

	Tables Tables
	// Functions by entry-point name: "all", or "customauth", "tenancy",
	// "migration", "messages" and "authevents".
	Functions map[string]awslambda.Function
	// Alarms of every function: errors, throttles and duration; and, with
	// CustomSenders, messages in the dead-letter queue.
	Alarms []awscloudwatch.Alarm
	// AlarmTopic is notified by every alarm when it fires and when it
	// clears: Props.Alarms.Topic, or else a topic the construct creates,
	// encrypted with a KMS key of its own (rotated, usable by CloudWatch)
	// and refusing requests without TLS; CloudWatch may publish to it for
	// the alarms of this account and region.
	// Subscribe the operators to it.
	AlarmTopic awssns.ITopic
	// DeadLetterQueue receives the events that the custom-sender function
	// (invoked asynchronously by Cognito) failed to deliver after Lambda's
	// retries: a temporary password or code that never reached its user
	// (the code in it stays encrypted with the sender key). SQS-managed
	// encryption, TLS only, 14 days' retention, and an alarm on any
	// message in it. nil without Props.CustomSenders.
	DeadLetterQueue awssqs.Queue
	// SenderKey is the custom senders' KMS key; nil without CustomSenders.
	SenderKey awskms.IKey
	// MagicLinkKey is the KMS HMAC key that signs magic links; nil without
	// Props.MagicLinkKey.
	MagicLinkKey awskms.IKey
	// MasterKeySecret is the generated master key; nil when
	// Props.MasterKeySecret is given.
	MasterKeySecret awssecretsmanager.Secret
	// NameKeySecret is the generated COGNITRIG_LEGACY_NAME_KEY of the
	// migration function, which reads it at start-up
	// (COGNITRIG_LEGACY_NAME_KEY_SECRET_ARN); nil without Props.Migration,
	// or when Props.Secrets gives the variable.
	NameKeySecret awssecretsmanager.Secret
	// IdentityPool is nil without Props.IdentityPool.
	IdentityPool awscognitoidentitypool.IdentityPool
}

// Tables are the construct's DynamoDB tables. Migration is nil without
// Props.Migration; in an Attachment, each is nil unless a feature uses it.
type Tables struct {
	Tenancy    awsdynamodb.Table // tenants, memberships, invitations, links
	Challenges awsdynamodb.Table // custom-auth records
	Migration  awsdynamodb.Table // migration tracking
	Audit      awsdynamodb.Table // sign-in audit records
	Confirm    awsdynamodb.Table // post-confirmation once-per-user markers
}

// New adds a Cognitrig construct to scope. It checks props first and
// returns every problem found, having added nothing. Once props pass, it
// builds the construct, which runs the Code hook: with the default
// GoBuild, a handler that does not compile is returned as an error with
// the compiler's output, and scope then holds a partial construct to be
// discarded.
func New(scope constructs.Construct, id string, props Props) (c *Cognitrig, err error) {
	p := props.withDefaults()
	err = p.validate()
	if p.Code == nil {
		err = errors.Join(err, p.defaultCode(functions(p)))
	}
	if err != nil {
		return nil, fmt.Errorf("cognitrigcdk: %w", err)
	}
	stack := awscdk.Stack_Of(scope)
	if err := errors.Join(checkSecretSources(stack, typedSecrets(featuresOf(p)), false, p.Shape == SingleFunction),
		checkDynamicReferences(stack, p.Environment, functions(p))); err != nil {
		return nil, fmt.Errorf("cognitrigcdk: %w", err)
	}

	// CDK reports errors by panicking, and so does a failed build (from
	// inside CDK's bundling); return them as errors.
	defer func() {
		if r := recover(); r != nil {
			c, err = nil, fmt.Errorf("cognitrigcdk: %v", r)
		}
	}()
	c = &Cognitrig{Construct: constructs.NewConstruct(scope, jsii.String(id))}
	// The whole stack is the pool and its clients, and the features of
	// featuresOf attached to it in the same scope (so that every logical
	// ID stays what it was before Attach existed). Its tables all exist,
	// used or not, so that turning a feature off later drops no data.
	a := &Attachment{Construct: c.Construct, Functions: map[string]awslambda.Function{}}
	tables := []tableID{tableTenancy, tableChallenges, tableAudit, tableConfirm}
	if p.Migration != nil {
		tables = append(tables, tableMigration)
	}
	a.addTables(tables)
	c.Tables = a.Tables
	if p.CustomSenders != nil {
		// The pool takes the key when it is constructed.
		a.SenderKey = p.CustomSenders.Key
		if a.SenderKey == nil {
			a.SenderKey = senderKey(c.Construct, stack)
		}
		c.SenderKey = a.SenderKey
	}
	c.addUserPool(p)
	c.addClients(p)
	a.UserPool = c.UserPool
	a.poolKeyed = p.CustomSenders != nil
	a.build(p, featuresOf(p), stack, functions(p))
	c.Functions, c.Alarms, c.AlarmTopic, c.DeadLetterQueue = a.Functions, a.Alarms, a.AlarmTopic, a.DeadLetterQueue
	c.MagicLinkKey, c.MasterKeySecret, c.NameKeySecret = a.MagicLinkKey, a.MasterKeySecret, a.NameKeySecret
	if p.IdentityPool != nil {
		c.addIdentityPool(p)
	}
	if p.Migration != nil {
		awscdk.Annotations_Of(c.Construct).AddWarningV2(jsii.String("cognitrig:migrationClient"),
			jsii.String(fmt.Sprintf("MigrationClient (app client %q) allows flow ALLOW_USER_PASSWORD_AUTH, which signs users in with the password alone, without the custom authentication sequence %q: give its ID only to what migrates users, and remove Migration once they have moved", "MigrationClient", p.authSequence())))
	}
	if p.Client.ManagedLogin && len(p.Client.CallbackURLs) == 0 {
		awscdk.Annotations_Of(c.Construct).AddWarningV2(jsii.String("cognitrig:callbackUrls"),
			jsii.String("Client.CallbackURLs is not set: the app client redirects to "+DefaultCallbackURL+" only; set your app's URLs for production"))
	}
	if p.EmailFrom == "" {
		awscdk.Annotations_Of(c.Construct).AddWarningV2(jsii.String("cognitrig:emailFrom"),
			jsii.String("EmailFrom is not set: custom authentication cannot email one-time codes (COGNITRIG_EMAIL_FROM)"))
	}
	return c, nil
}

// build adds to a what the concerns cs of features f need beyond the
// tables (which the caller made): the generated secrets and keys, the
// alarm topic, and one function per concern, wired to its triggers.
// Nothing at all when cs is empty.
func (a *Attachment) build(p Props, f Features, stack awscdk.Stack, cs []concern) {
	if len(cs) == 0 {
		return
	}
	var keyed, mac, decrypt, nameKey bool
	for _, fc := range cs {
		keyed, mac, decrypt, nameKey = keyed || fc.keyed, mac || fc.mac, decrypt || fc.decrypt, nameKey || fc.nameKey
	}
	if keyed && p.MasterKeySecret == nil {
		a.MasterKeySecret = awssecretsmanager.NewSecret(a.Construct, jsii.String("MasterKey"), &awssecretsmanager.SecretProps{
			Description: jsii.String("cognitrig COGNITRIG_MASTER_KEY: custom authentication derives its keys from it"),
			// Letters and digits only: 64 of them are valid base64 of 48 bytes.
			GenerateSecretString: &awssecretsmanager.SecretStringGenerator{
				PasswordLength: jsii.Number(64), ExcludePunctuation: jsii.Bool(true), IncludeSpace: jsii.Bool(false),
			},
			RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
		})
		suppress(a.MasterKeySecret, "AwsSolutions-SMG4", reasonSecretRotation)
		p.MasterKeySecret = a.MasterKeySecret
	}
	if nameKey {
		if f.Migration != nil && f.Migration.NameKeySecret != nil {
			a.nameKey = f.Migration.NameKeySecret
		} else {
			a.NameKeySecret = nameKeySecret(a.Construct)
			a.nameKey = a.NameKeySecret
		}
	}
	if decrypt && a.SenderKey == nil {
		a.SenderKey = p.CustomSenders.Key
		if a.SenderKey == nil {
			a.SenderKey = senderKey(a.Construct, stack)
		}
	}
	if mac {
		a.MagicLinkKey = p.MagicLinkKey.Key
		if a.MagicLinkKey == nil {
			a.MagicLinkKey = awskms.NewKey(a.Construct, jsii.String("MagicLinkKey"), &awskms.KeyProps{
				Description:   jsii.String("cognitrig: signs and checks magic sign-in links (GenerateMac, VerifyMac)"),
				KeySpec:       awskms.KeySpec_HMAC_256,
				KeyUsage:      awskms.KeyUsage_GENERATE_VERIFY_MAC,
				RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
			})
		}
	}
	a.addAlarmTopic(p, stack)
	for _, fc := range cs {
		a.addFunction(p, stack, fc)
	}
}

// defaultCode sets p.Code to a local go build of p.Source (found from the
// working directory when empty), after checking that the entry point of
// every concern is there.
func (p *Props) defaultCode(cs []concern) error {
	if p.Source == "" {
		wd, err := os.Getwd()
		if err != nil {
			return fmt.Errorf("find source: %w", err)
		}
		if p.Source, err = findSource(wd); err != nil {
			return err
		}
	}
	var errs []error
	for _, h := range handlerNames(cs) {
		errs = append(errs, checkHandler(p.Source, h))
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if p.CustomSenders == nil {
		// Nothing deployed decrypts sender codes: leave the Encryption
		// SDK out of the binaries.
		p.Code = GoBuildWithTags(p.Source, NoSendersTag)
	} else {
		p.Code = GoBuild(p.Source)
	}
	return nil
}

// Key schemas, mirroring the stores that read and write the tables.
const (
	keyPK       = "pk"
	keySK       = "sk"
	keyUsername = "username" // migration/dynamotracker
	// migration/dynamotracker lists records by outcome, oldest first (for
	// operators, not the trigger).
	indexOutcome = "outcome-lastSeen"
	ttlExpiresAt = "expiresAt"
	ttlTenancy   = "ttl" // tenancy/dynamostore: expiresAt plus a retention
)

// addTables creates the tables named in ids that do not exist yet, in a
// fixed order.
func (c *Attachment) addTables(ids []tableID) {
	str := awsdynamodb.AttributeType_STRING
	table := func(id string, pk, sk, ttl string) awsdynamodb.Table {
		props := &awsdynamodb.TableProps{
			PartitionKey: &awsdynamodb.Attribute{Name: jsii.String(pk), Type: str},
			BillingMode:  awsdynamodb.BillingMode_PAY_PER_REQUEST,
			PointInTimeRecoverySpecification: &awsdynamodb.PointInTimeRecoverySpecification{
				PointInTimeRecoveryEnabled: jsii.Bool(true),
			},
			TimeToLiveAttribute: jsii.String(ttl),
			DeletionProtection:  jsii.Bool(true),
			RemovalPolicy:       awscdk.RemovalPolicy_RETAIN,
		}
		if sk != "" {
			props.SortKey = &awsdynamodb.Attribute{Name: jsii.String(sk), Type: str}
		}
		return awsdynamodb.NewTable(c.Construct, jsii.String(id), props)
	}
	want := func(id tableID) bool { return slices.Contains(ids, id) }
	if want(tableTenancy) && c.Tables.Tenancy == nil {
		c.Tables.Tenancy = table("TenancyTable", keyPK, keySK, ttlTenancy)
	}
	if want(tableChallenges) && c.Tables.Challenges == nil {
		c.Tables.Challenges = table("ChallengesTable", keyPK, "", ttlExpiresAt)
	}
	if want(tableMigration) && c.Tables.Migration == nil {
		c.Tables.Migration = table("MigrationTable", keyUsername, "", ttlExpiresAt)
		c.Tables.Migration.AddGlobalSecondaryIndex(&awsdynamodb.GlobalSecondaryIndexProps{
			IndexName:      jsii.String(indexOutcome),
			PartitionKey:   &awsdynamodb.Attribute{Name: jsii.String("outcome"), Type: str},
			SortKey:        &awsdynamodb.Attribute{Name: jsii.String("lastSeen"), Type: awsdynamodb.AttributeType_NUMBER},
			ProjectionType: awsdynamodb.ProjectionType_ALL,
		})
	}
	if want(tableAudit) && c.Tables.Audit == nil {
		c.Tables.Audit = table("AuditTable", keyPK, keySK, ttlExpiresAt)
	}
	if want(tableConfirm) && c.Tables.Confirm == nil {
		c.Tables.Confirm = table("ConfirmTable", keyPK, "", ttlExpiresAt)
	}
}

// senderKey is a new key for the custom senders. Cognito encrypts the
// codes with it for user pools of this account only; the condition names
// the pools by pattern, since naming this pool would make the key and the
// pool depend on each other.
func senderKey(scope constructs.Construct, stack awscdk.Stack) awskms.Key {
	key := awskms.NewKey(scope, jsii.String("SenderKey"), &awskms.KeyProps{
		Description:       jsii.String("cognitrig: encrypts the codes Cognito hands to the custom sender triggers"),
		EnableKeyRotation: jsii.Bool(true),
		RemovalPolicy:     awscdk.RemovalPolicy_RETAIN,
	})
	key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("cognito-idp.amazonaws.com"), nil)},
		Actions:    jsii.Strings("kms:Encrypt"),
		Resources:  jsii.Strings("*"), // in a key policy, "*" is this key
		Conditions: &map[string]any{
			"StringEquals": map[string]any{"aws:SourceAccount": stack.Account()},
			"ArnLike": map[string]any{"aws:SourceArn": stack.FormatArn(&awscdk.ArnComponents{
				Service: jsii.String("cognito-idp"), Resource: jsii.String("userpool"), ResourceName: jsii.String("*"),
				ArnFormat: awscdk.ArnFormat_SLASH_RESOURCE_NAME,
			})},
		},
	}), jsii.Bool(false))
	return key
}

func (c *Cognitrig) addUserPool(p Props) {
	up := p.UserPool
	props := &awscognito.UserPoolProps{
		SelfSignUpEnabled: jsii.Bool(up.SelfSignUp),
		SignInAliases:     &awscognito.SignInAliases{Email: jsii.Bool(true)},
		AutoVerify:        &awscognito.AutoVerifiedAttrs{Email: jsii.Bool(true)},
		// A changed email takes effect once verified, so a typo cannot lock
		// the user out.
		KeepOriginal: &awscognito.KeepOriginalAttrs{Email: jsii.Bool(true)},
		StandardAttributes: &awscognito.StandardAttributes{
			Email: &awscognito.StandardAttribute{Required: jsii.Bool(true), Mutable: jsii.Bool(true)},
		},
		CustomAttributes: &map[string]awscognito.ICustomAttribute{
			// Set by the post-confirmation trigger through the admin API,
			// which no app client may call or bypass: no client may write
			// it (see the clients). It is mutable in the schema because
			// Cognito lets an immutable custom attribute be set only when
			// the user is created, and a self sign-up creates the user
			// before post-confirmation can bind the tenant; to users it is
			// read-only all the same.
			"tenantId": awscognito.NewStringAttribute(&awscognito.StringAttributeProps{
				Mutable: jsii.Bool(true), MinLen: jsii.Number(1), MaxLen: jsii.Number(256),
			}),
		},
		PasswordPolicy: &awscognito.PasswordPolicy{
			MinLength:            jsii.Number(12),
			RequireLowercase:     jsii.Bool(true),
			RequireUppercase:     jsii.Bool(true),
			RequireDigits:        jsii.Bool(true),
			RequireSymbols:       jsii.Bool(true),
			TempPasswordValidity: awscdk.Duration_Days(jsii.Number(3)),
		},
		// OPTIONAL, never REQUIRED: a pool cannot go back from REQUIRED.
		Mfa:                awscognito.Mfa_OPTIONAL,
		MfaSecondFactor:    &awscognito.MfaSecondFactor{Otp: jsii.Bool(true), Sms: jsii.Bool(false)},
		AccountRecovery:    awscognito.AccountRecovery_EMAIL_ONLY,
		FeaturePlan:        up.FeaturePlan,
		DeletionProtection: jsii.Bool(true),
		RemovalPolicy:      awscdk.RemovalPolicy_RETAIN,
		Email:              up.Email,
	}
	if up.Name != "" {
		props.UserPoolName = jsii.String(up.Name)
	}
	if up.ThreatProtection != "" {
		props.StandardThreatProtectionMode = up.ThreatProtection
	}
	if up.CustomThreatProtection != "" {
		props.CustomThreatProtectionMode = up.CustomThreatProtection
	}
	if cs := up.ChoiceSignIn; cs != nil {
		props.SignInPolicy = &awscognito.SignInPolicy{AllowedFirstAuthFactors: &awscognito.AllowedFirstAuthFactors{
			Password: jsii.Bool(true), EmailOtp: jsii.Bool(cs.EmailOTP), SmsOtp: jsii.Bool(cs.SMSOTP), Passkey: jsii.Bool(cs.Passkey),
		}}
		if cs.Passkey {
			if cs.PasskeyRelyingPartyID != "" {
				props.PasskeyRelyingPartyId = jsii.String(cs.PasskeyRelyingPartyID)
			}
			if cs.PasskeyUserVerification != "" {
				props.PasskeyUserVerification = cs.PasskeyUserVerification
			}
		}
	}
	if c.SenderKey != nil {
		props.CustomSenderKmsKey = c.SenderKey
	}
	c.UserPool = awscognito.NewUserPool(c.Construct, jsii.String("UserPool"), props)
	suppress(c.UserPool, "AwsSolutions-COG2", reasonMFA)
	if up.FeaturePlan != awscognito.FeaturePlan_PLUS {
		suppress(c.UserPool, "AwsSolutions-COG8", reasonPlusPlan)
	}
	if up.DomainPrefix != "" {
		c.Domain = c.UserPool.AddDomain(jsii.String("Domain"), &awscognito.UserPoolDomainOptions{
			CognitoDomain: &awscognito.CognitoDomainOptions{DomainPrefix: jsii.String(up.DomainPrefix)},
		})
	}
}

// writableAttributes are what a user may change through an app client:
// never custom:tenantId.
func writableAttributes() awscognito.ClientAttributes {
	return awscognito.NewClientAttributes().WithStandardAttributes(&awscognito.StandardAttributesMask{
		Email: jsii.Bool(true), Fullname: jsii.Bool(true), GivenName: jsii.Bool(true),
		FamilyName: jsii.Bool(true), Locale: jsii.Bool(true), Timezone: jsii.Bool(true),
	})
}

func (c *Cognitrig) addClients(p Props) {
	cp := p.Client
	callbacks := cp.CallbackURLs
	if len(callbacks) == 0 {
		callbacks = []string{DefaultCallbackURL}
	}
	minutes := func(d time.Duration) awscdk.Duration { return awscdk.Duration_Minutes(jsii.Number(d.Minutes())) }
	opts := func() *awscognito.UserPoolClientOptions {
		return &awscognito.UserPoolClientOptions{
			PreventUserExistenceErrors: jsii.Bool(true),
			EnableTokenRevocation:      jsii.Bool(true),
			AccessTokenValidity:        minutes(cp.AccessTokenValidity),
			IdTokenValidity:            minutes(cp.IDTokenValidity),
			RefreshTokenValidity:       minutes(cp.RefreshTokenValidity),
			AuthSessionValidity:        minutes(cp.AuthSessionValidity),
			WriteAttributes:            writableAttributes(),
			GenerateSecret:             jsii.Bool(cp.GenerateSecret),
		}
	}
	// The app client serves the custom sequence: custom authentication
	// (which includes SRP when the sequence starts with the password) and,
	// added by the CDK with any flow, refresh. Other flows only when asked
	// for; validate refused them unless AllowSequenceBypass.
	primary := opts()
	flows := map[string]bool{}
	for _, fl := range cp.ExtraAuthFlows {
		name, _ := extraFlow(fl) // validated
		flows[name] = true
	}
	primary.AuthFlows = &awscognito.AuthFlow{
		Custom:            jsii.Bool(true),
		UserSrp:           jsii.Bool(flows["ALLOW_USER_SRP_AUTH"]),
		UserPassword:      jsii.Bool(flows["ALLOW_USER_PASSWORD_AUTH"]),
		AdminUserPassword: jsii.Bool(flows["ALLOW_ADMIN_USER_PASSWORD_AUTH"]),
		User:              jsii.Bool(flows["ALLOW_USER_AUTH"] || p.UserPool.ChoiceSignIn != nil),
	}
	if cp.ManagedLogin {
		primary.OAuth = &awscognito.OAuthSettings{
			Flows:        &awscognito.OAuthFlows{AuthorizationCodeGrant: jsii.Bool(true), ImplicitCodeGrant: jsii.Bool(false), ClientCredentials: jsii.Bool(false)},
			Scopes:       &[]awscognito.OAuthScope{awscognito.OAuthScope_OPENID(), awscognito.OAuthScope_EMAIL(), awscognito.OAuthScope_PROFILE()},
			CallbackUrls: jsii.Strings(callbacks...),
		}
		if len(cp.LogoutURLs) > 0 {
			primary.OAuth.LogoutUrls = jsii.Strings(cp.LogoutURLs...)
		}
		primary.SupportedIdentityProviders = &[]awscognito.UserPoolClientIdentityProvider{awscognito.UserPoolClientIdentityProvider_COGNITO()}
	} else {
		// Managed login would sign users in with the password alone.
		primary.DisableOAuth = jsii.Bool(true)
	}
	c.Client = c.UserPool.AddClient(jsii.String(clientID), primary)

	if p.Migration != nil {
		// USER_PASSWORD_AUTH hands the password to Cognito, and Cognito to
		// the migration trigger; SRP never reveals it. Only this client
		// allows it, and nothing else but refresh: it does not serve the
		// custom sequence, and its bypass of that sequence is the
		// documented price of Migration (see MigrationProps).
		mig := opts()
		mig.AuthFlows = &awscognito.AuthFlow{UserSrp: jsii.Bool(false), Custom: jsii.Bool(false), UserPassword: jsii.Bool(true), AdminUserPassword: jsii.Bool(false), User: jsii.Bool(false)}
		mig.DisableOAuth = jsii.Bool(true)
		c.MigrationClient = c.UserPool.AddClient(jsii.String("MigrationClient"), mig)
	}
}

func (c *Attachment) table(id tableID, p Props) awsdynamodb.ITable {
	switch id {
	case tableTenancy:
		return c.Tables.Tenancy
	case tableChallenges:
		return c.Tables.Challenges
	case tableMigration:
		return c.Tables.Migration
	case tableAudit:
		return c.Tables.Audit
	case tableConfirm:
		return c.Tables.Confirm
	case tableLegacyUsers:
		return p.Migration.LegacyUsersTable
	}
	panic("cognitrigcdk: unknown table " + string(id)) // a bug in concerns, not a user error
}

func tableEnv(id tableID) string {
	switch id {
	case tableTenancy:
		return config.EnvTenancyTable
	case tableChallenges:
		return config.EnvChallengesTable
	case tableMigration:
		return config.EnvMigrationTable
	case tableAudit:
		return config.EnvAuditTable
	case tableConfirm:
		return config.EnvConfirmTable
	case tableLegacyUsers:
		return config.EnvLegacyUsersTable
	}
	panic("cognitrigcdk: unknown table " + string(id))
}

// functionID is the construct ID of a handler's function group: "All",
// "Tenancy", ...
func functionID(handler string) string {
	switch handler {
	case HandlerCustomAuth:
		return "CustomAuth"
	case HandlerAuthEvents:
		return "AuthEvents"
	}
	return strings.ToUpper(handler[:1]) + handler[1:]
}

func (c *Attachment) addFunction(p Props, stack awscdk.Stack, fc concern) {
	scope := constructs.NewConstruct(c.Construct, jsii.String(functionID(fc.handler)))
	logs := awslogs.NewLogGroup(scope, jsii.String("Logs"), &awslogs.LogGroupProps{
		Retention:     p.Functions.LogRetention,
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
	})
	// The role carries only the log permissions, inline, so the function
	// can log from its first invocation. Everything else is in the Access
	// policy below, which the function does not depend on.
	role := awsiam.NewRole(scope, jsii.String("Role"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		Description: jsii.String("cognitrig " + fc.handler + " trigger function"),
		InlinePolicies: &map[string]awsiam.PolicyDocument{
			"logs": awsiam.NewPolicyDocument(&awsiam.PolicyDocumentProps{Statements: &[]awsiam.PolicyStatement{
				awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
					Actions:   jsii.Strings("logs:CreateLogStream", "logs:PutLogEvents"),
					Resources: jsii.Strings(*logs.LogGroupArn()),
				}),
			}}),
		},
	})

	env := map[string]*string{config.EnvLogLevel: jsii.String(p.Functions.LogLevel)}
	for name, v := range fc.env {
		env[name] = jsii.String(v)
	}
	var statements []awsiam.PolicyStatement
	for _, id := range sortedKeys(fc.tables) {
		t := c.table(id, p)
		env[tableEnv(id)] = t.TableName()
		resources := []string{*t.TableArn()}
		statements = append(statements, awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions: jsii.Strings(fc.tables[id]...), Resources: jsii.Strings(resources...),
		}))
	}
	if len(fc.cognito) > 0 {
		statements = append(statements, awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions: jsii.Strings(fc.cognito...), Resources: jsii.Strings(*c.UserPool.UserPoolArn()),
		}))
	}
	if fc.email && p.EmailFrom != "" {
		address, domain, _ := sesIdentities(p.EmailFrom) // validated
		env[config.EnvEmailFrom] = jsii.String(p.EmailFrom)
		identity := func(name string) string {
			return *stack.FormatArn(&awscdk.ArnComponents{Service: jsii.String("ses"), Resource: jsii.String("identity"),
				ResourceName: jsii.String(name), ArnFormat: awscdk.ArnFormat_SLASH_RESOURCE_NAME})
		}
		statements = append(statements, awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions: jsii.Strings("ses:SendEmail"), Resources: jsii.Strings(identity(address), identity(domain)),
		}))
	}
	if fc.sms {
		// SMS to a phone number has no resource ARN to name; excluding
		// every topic ARN allows exactly that and nothing else.
		statements = append(statements, awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions: jsii.Strings("sns:Publish"), NotResources: jsii.Strings("arn:" + *awscdk.Aws_PARTITION() + ":sns:*:*:*"),
		}))
	}
	// Every secret is read from Secrets Manager when the function starts
	// (config.WithSecrets): the function gets the variable naming the
	// secret, never its value or a dynamic reference, so the secret is in
	// neither the template nor the function's configuration, and a
	// rotated secret reaches every container started after the rotation.
	secrets := maps.Clone(fc.secrets) // variable naming the secret -> secret
	if secrets == nil {
		secrets = map[string]awssecretsmanager.ISecret{}
	}
	if fc.keyed {
		secrets[config.EnvMasterKeySecretARN] = p.MasterKeySecret
	}
	if fc.nameKey {
		secrets[config.EnvLegacyNameKeySecretARN] = c.nameKey
	}
	for _, name := range sortedKeys(secrets) {
		env[name] = secretID(stack, secrets[name])
		statements = append(statements, readSecret(secrets[name])...)
	}
	if fc.mac {
		env[config.EnvMagicLinkKMSKey] = c.MagicLinkKey.KeyArn()
		statements = append(statements, awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions: jsii.Strings("kms:GenerateMac", "kms:VerifyMac"), Resources: jsii.Strings(*c.MagicLinkKey.KeyArn()),
		}))
	}
	if fc.decrypt {
		env[config.EnvKMSKeyARN] = c.SenderKey.KeyArn()
		statements = append(statements, awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions: jsii.Strings("kms:Decrypt"), Resources: jsii.Strings(*c.SenderKey.KeyArn()),
		}))
	}
	if len(statements) > 0 {
		// A policy of its own, not the role's default policy: the function
		// depends on its role, the pool on the function, and this policy on
		// the pool; in the default policy that would be a cycle.
		awsiam.NewPolicy(scope, jsii.String("Access"), &awsiam.PolicyProps{
			Roles: &[]awsiam.IRole{role}, Statements: &statements,
		})
	}
	for _, name := range sortedKeys(p.Environment) {
		if fc.receives(name) {
			env[name] = jsii.String(p.Environment[name])
		}
	}

	props := &awslambda.FunctionProps{
		Runtime:      awslambda.Runtime_PROVIDED_AL2023(),
		Architecture: awslambda.Architecture_ARM_64(),
		Handler:      jsii.String("bootstrap"),
		Code:         p.Code(fc.handler),
		Description:  jsii.String(describe(fc)),
		MemorySize:   jsii.Number(float64(p.Functions.MemoryMB)),
		Timeout:      awscdk.Duration_Seconds(jsii.Number(p.Functions.Timeout.Seconds())),
		Role:         role,
		LogGroup:     logs,
		Environment:  &env,
	}
	if !p.Functions.DisableTracing {
		props.Tracing = awslambda.Tracing_ACTIVE
	}
	var dlq awssqs.Queue
	if fc.invokedAsynchronously() {
		// Cognito invokes the custom senders asynchronously: Lambda retries
		// a failed delivery twice, then puts the event here (AWS Lambda
		// "Asynchronous invocation"; Amazon Cognito "Custom sender Lambda
		// triggers").
		dlq = awssqs.NewQueue(scope, jsii.String("DeadLetters"), &awssqs.QueueProps{
			Encryption:      awssqs.QueueEncryption_SQS_MANAGED,
			EnforceSSL:      jsii.Bool(true),
			RetentionPeriod: awscdk.Duration_Days(jsii.Number(14)),
		})
		suppress(dlq, "Serverless-SQSRedrivePolicy", reasonDLQRedrive)
		props.DeadLetterQueue = dlq
		c.DeadLetterQueue = dlq
	}
	fn := awslambda.NewFunction(scope, jsii.String("Function"), props)
	if dlq == nil {
		suppress(fn, "Serverless-LambdaDLQ", reasonSyncDLQ)
	}
	if p.Functions.DisableTracing {
		suppress(fn, "Serverless-LambdaTracing", reasonTracingOff)
	} else {
		suppressXRayWildcard(role)
	}
	c.Functions[fc.handler] = fn
	for _, t := range fc.triggers {
		c.addTrigger(t, fn)
	}
	c.addAlarms(p, scope, fn, fc.handler)
	if dlq != nil {
		c.alarm(scope, "DeadLettersAlarm", dlq.MetricApproximateNumberOfMessagesVisible(&awscloudwatch.MetricOptions{
			Period: awscdk.Duration_Minutes(jsii.Number(p.Alarms.Period.Minutes())), Statistic: jsii.String("Maximum"),
		}), 0, fmt.Sprintf("cognitrig %s: a custom-sender event failed after Lambda's retries and is in the dead-letter queue: "+
			"a user did not get a code or temporary password; read the queue, fix the cause, and resend", fc.handler))
	}
}

// secretID is how the function names secret to Secrets Manager: its
// complete ARN, or, for a secret known by a partial ARN (imported by name)
// in the function's account and region, its name. Secrets Manager takes a
// partial ARN whose name ends in a hyphen and six characters (such as
// "legacy-client") for a complete ARN and finds no secret (AWS Secrets
// Manager API Reference, GetSecretValue, SecretId); a name it matches
// exactly. checkSecretSources refuses such a partial ARN elsewhere.
func secretID(stack awscdk.Stack, secret awssecretsmanager.ISecret) *string {
	if secret.SecretFullArn() == nil && sameAccountAndRegion(stack, secret) {
		return partialName(secret)
	}
	return secret.SecretArn()
}

// partialName is the name in the partial ARN of secret
// (arn:PARTITION:secretsmanager:REGION:ACCOUNT:secret:NAME). The CDK's
// SecretName of a partial ARN drops a last hyphen and six characters, as
// if they were the random suffix; that of a secret imported by name is
// the name given, which the partial ARN ends with.
func partialName(secret awssecretsmanager.ISecret) *string {
	stack := awscdk.Stack_Of(secret)
	if name := secret.SecretName(); !*awscdk.Token_IsUnresolved(name) {
		last := stack.Resolve(secret.SecretArn())
		if m, ok := last.(map[string]any); ok {
			last = nil
			if j, ok := m["Fn::Join"].([]any); ok && len(j) == 2 {
				if parts, _ := j[1].([]any); len(parts) > 0 {
					last = parts[len(parts)-1]
				}
			}
		}
		if text, ok := last.(string); ok && strings.HasSuffix(text, ":secret:"+*name) {
			return name
		}
	}
	return awscdk.Fn_Select(jsii.Number(6), awscdk.Fn_Split(jsii.String(":"), secret.SecretArn(), nil))
}

// sameAccountAndRegion reports whether secret is in stack's account and
// region, as far as the app knows (an imported name takes the stack's).
func sameAccountAndRegion(stack awscdk.Stack, secret awssecretsmanager.ISecret) bool {
	env := secret.Env()
	return *env.Account == *stack.Account() && *env.Region == *stack.Region()
}

// readSecret returns the statements that let a function read secret:
// secretsmanager:GetSecretValue on that secret only, and kms:Decrypt on
// its key, through Secrets Manager only, when it has a key of its own
// (AWS Secrets Manager "Secret encryption and decryption in AWS Secrets
// Manager", Permissions for the KMS key: Secrets Manager decrypts with the
// caller's permissions; the aws/secretsmanager key needs none). It does
// not use secret.GrantRead, which also grants secretsmanager:DescribeSecret,
// which the function never calls.
func readSecret(secret awssecretsmanager.ISecret) []awsiam.PolicyStatement {
	arn := secret.SecretFullArn()
	if arn == nil {
		// A secret imported by name has a partial ARN; Secrets Manager
		// appends six characters.
		arn = jsii.String(*secret.SecretArn() + "-??????")
	}
	out := []awsiam.PolicyStatement{awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions: jsii.Strings("secretsmanager:GetSecretValue"), Resources: jsii.Strings(*arn),
	})}
	if key := secret.EncryptionKey(); key != nil {
		out = append(out, awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions: jsii.Strings("kms:Decrypt"), Resources: jsii.Strings(*key.KeyArn()),
			Conditions: &map[string]any{"StringEquals": map[string]any{
				"kms:ViaService": "secretsmanager." + *awscdk.Stack_Of(secret).Region() + ".amazonaws.com",
			}},
		}))
	}
	return out
}

// invokedAsynchronously reports whether Cognito invokes the function of fc
// asynchronously: the custom email and SMS senders. Every other trigger is
// synchronous (AWS: Amazon Cognito "Using Lambda triggers").
func (fc concern) invokedAsynchronously() bool {
	for _, t := range fc.triggers {
		switch *t.op.OperationName() {
		case *awscognito.UserPoolOperation_CUSTOM_EMAIL_SENDER().OperationName(),
			*awscognito.UserPoolOperation_CUSTOM_SMS_SENDER().OperationName():
			return true
		}
	}
	return false
}

// addTrigger attaches fn to one trigger of the pool. The inbound federation
// trigger goes into LambdaConfig.InboundFederation ({LambdaArn,
// LambdaVersion: V1_0}, "InboundFederationLambdaType" in the Amazon Cognito
// API Reference) through the CloudFormation resource, with the invoke
// permission addTrigger would have added.
func (c *Attachment) addTrigger(t trigger, fn awslambda.Function) {
	op := *t.op.OperationName()
	sender := op == *awscognito.UserPoolOperation_CUSTOM_EMAIL_SENDER().OperationName() ||
		op == *awscognito.UserPoolOperation_CUSTOM_SMS_SENDER().OperationName()
	if sender && !c.poolKeyed {
		// The CDK's UserPool takes the custom sender key only when it is
		// constructed (UserPoolProps.CustomSenderKmsKey), and its
		// addTrigger refuses a sender without it; a pool of the user's own
		// app built without one gets the key and the sender through the
		// CloudFormation resource (LambdaConfig.KMSKeyID and
		// CustomEmailSender / CustomSMSSender {LambdaArn, LambdaVersion:
		// V1_0}, "LambdaConfigType" in the Amazon Cognito API Reference),
		// with the invoke permission addTrigger would have added.
		fn.AddPermission(jsii.String(strings.ToUpper(op[:1])+op[1:]+"Invoke"), &awslambda.Permission{
			Principal: awsiam.NewServicePrincipal(jsii.String("cognito-idp.amazonaws.com"), nil),
			SourceArn: c.UserPool.UserPoolArn(),
		})
		cfn := c.UserPool.Node().DefaultChild().(awscognito.CfnUserPool)
		cfn.AddPropertyOverride(jsii.String("LambdaConfig.KMSKeyID"), c.SenderKey.KeyArn())
		prop := "CustomEmailSender"
		if op == *awscognito.UserPoolOperation_CUSTOM_SMS_SENDER().OperationName() {
			prop = "CustomSMSSender"
		}
		cfn.AddPropertyOverride(jsii.String("LambdaConfig."+prop), map[string]any{"LambdaArn": fn.FunctionArn(), "LambdaVersion": "V1_0"})
		return
	}
	if op != *opInboundFederation.OperationName() {
		c.UserPool.AddTrigger(t.op, fn, t.version)
		return
	}
	fn.AddPermission(jsii.String("InboundFederationInvoke"), &awslambda.Permission{
		Principal: awsiam.NewServicePrincipal(jsii.String("cognito-idp.amazonaws.com"), nil),
		SourceArn: c.UserPool.UserPoolArn(),
	})
	cfn := c.UserPool.Node().DefaultChild().(awscognito.CfnUserPool)
	cfn.AddPropertyOverride(jsii.String("LambdaConfig.InboundFederation"), map[string]any{
		"LambdaArn":     fn.FunctionArn(),
		"LambdaVersion": "V1_0",
	})
}

// describe is the function's description: its triggers, within Lambda's
// 256 characters.
func describe(fc concern) string {
	names := make([]string, len(fc.triggers))
	for i, t := range fc.triggers {
		names[i] = *t.op.OperationName()
	}
	d := "cognitrig " + fc.handler + ": " + strings.Join(names, ", ")
	if len(d) > 256 {
		d = fmt.Sprintf("cognitrig %s: %d triggers", fc.handler, len(names))
	}
	return d
}

// addAlarmTopic sets c.AlarmTopic: Props.Alarms.Topic, or a new topic
// encrypted with a key of its own and refusing requests without TLS.
func (c *Attachment) addAlarmTopic(p Props, stack awscdk.Stack) {
	if p.Alarms.Topic != nil {
		c.AlarmTopic = p.Alarms.Topic
		return
	}
	// An alarm topic holds nothing once delivered: the key can go with the
	// stack.
	key := awskms.NewKey(c.Construct, jsii.String("AlarmKey"), &awskms.KeyProps{
		Description:       jsii.String("cognitrig: encrypts the alarm notifications topic"),
		EnableKeyRotation: jsii.Bool(true),
		RemovalPolicy:     awscdk.RemovalPolicy_DESTROY,
		PendingWindow:     awscdk.Duration_Days(jsii.Number(7)),
	})
	cloudwatch := awsiam.NewServicePrincipal(jsii.String("cloudwatch.amazonaws.com"), nil)
	// CloudWatch alarms publish to an encrypted topic only with these, in
	// the shape AWS documents, without conditions (AWS: Amazon SNS "Key
	// management", compatibility between event sources from AWS services
	// and encrypted topics): a condition CloudWatch does not send would
	// drop every notification silently.
	key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Principals: &[]awsiam.IPrincipal{cloudwatch},
		Actions:    jsii.Strings("kms:Decrypt", "kms:GenerateDataKey*"),
		Resources:  jsii.Strings("*"), // in a key policy, "*" is this key
	}), jsii.Bool(false))
	topic := awssns.NewTopic(c.Construct, jsii.String("AlarmTopic"), &awssns.TopicProps{
		DisplayName: jsii.String("cognitrig alarms"),
		MasterKey:   key,
		EnforceSSL:  jsii.Bool(true),
	})
	// The topic policy that EnforceSSL writes replaces SNS's default one,
	// so CloudWatch is allowed explicitly, for the alarms of this account
	// and region (AWS re:Post "Why didn't I receive an SNS notification for
	// my CloudWatch alarm trigger?": aws:SourceArn of the alarms).
	topic.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Principals: &[]awsiam.IPrincipal{cloudwatch},
		Actions:    jsii.Strings("sns:Publish"),
		Resources:  jsii.Strings(*topic.TopicArn()),
		Conditions: &map[string]any{"ArnLike": map[string]any{"aws:SourceArn": stack.FormatArn(&awscdk.ArnComponents{
			Service: jsii.String("cloudwatch"), Resource: jsii.String("alarm"), ResourceName: jsii.String("*"),
			ArnFormat: awscdk.ArnFormat_COLON_RESOURCE_NAME,
		})}},
	}))
	c.AlarmTopic = topic
}

// alarm adds an alarm on metric above threshold that notifies
// c.AlarmTopic when it fires and when it clears.
func (c *Attachment) alarm(scope constructs.Construct, id string, metric awscloudwatch.Metric, threshold float64, description string) {
	al := metric.CreateAlarm(scope, jsii.String(id), &awscloudwatch.CreateAlarmOptions{
		Threshold:          jsii.Number(threshold),
		EvaluationPeriods:  jsii.Number(1),
		ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_THRESHOLD,
		// No invocations is no trouble.
		TreatMissingData: awscloudwatch.TreatMissingData_NOT_BREACHING,
		AlarmDescription: jsii.String(description),
	})
	action := awscloudwatchactions.NewSnsAction(c.AlarmTopic)
	al.AddAlarmAction(action)
	al.AddOkAction(action)
	c.Alarms = append(c.Alarms, al)
}

func (c *Attachment) addAlarms(p Props, scope constructs.Construct, fn awslambda.Function, handler string) {
	a := p.Alarms
	period := awscdk.Duration_Minutes(jsii.Number(a.Period.Minutes()))
	alarm := func(id string, metric awscloudwatch.Metric, threshold float64, what string) {
		c.alarm(scope, id, metric, threshold, fmt.Sprintf("cognitrig %s: %s", handler, what))
	}
	sum := &awscloudwatch.MetricOptions{Period: period, Statistic: jsii.String("Sum")}
	in := fmt.Sprintf("in %g minutes", a.Period.Minutes())
	alarm("ErrorsAlarm", fn.MetricErrors(sum), a.Errors,
		fmt.Sprintf("more than %g errors %s; Cognito shows trigger errors to users and retries timeouts", a.Errors, in))
	alarm("ThrottlesAlarm", fn.MetricThrottles(sum), a.Throttles,
		fmt.Sprintf("more than %g throttles %s; a throttled trigger fails the sign-in", a.Throttles, in))
	alarm("DurationAlarm", fn.MetricDuration(&awscloudwatch.MetricOptions{Period: period, Statistic: jsii.String("p99")}), float64(a.Duration.Milliseconds()),
		fmt.Sprintf("p99 duration above %v (timeout %v; Cognito gives up after 5s)", a.Duration, p.Functions.Timeout))
}

func (c *Cognitrig) addIdentityPool(p Props) {
	c.IdentityPool = awscognitoidentitypool.NewIdentityPool(c.Construct, jsii.String("IdentityPool"), &awscognitoidentitypool.IdentityPoolProps{
		AllowUnauthenticatedIdentities: jsii.Bool(false),
		AuthenticationProviders: &awscognitoidentitypool.IdentityPoolAuthenticationProviders{
			UserPools: &[]awscognitoidentitypool.IUserPoolAuthenticationProvider{
				awscognitoidentitypool.NewUserPoolAuthenticationProvider(&awscognitoidentitypool.UserPoolAuthenticationProviderProps{
					UserPool: c.UserPool, UserPoolClient: c.Client,
				}),
			},
		},
	})
	// ${cognito-identity.amazonaws.com:sub} is an IAM policy variable: each
	// identity reaches only its own prefix.
	objects := "arn:" + *awscdk.Aws_PARTITION() + ":s3:::" + p.IdentityPool.Bucket + "/${cognito-identity.amazonaws.com:sub}/*"
	access := awsiam.NewPolicy(c.Construct, jsii.String("IdentityPoolAccess"), &awsiam.PolicyProps{
		Roles: &[]awsiam.IRole{c.IdentityPool.AuthenticatedRole()},
		Statements: &[]awsiam.PolicyStatement{awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions: jsii.Strings("s3:GetObject", "s3:PutObject"), Resources: jsii.Strings(objects),
		})},
	})
	// cdk-nag writes ${AWS::Partition} as <AWS::Partition> and the policy
	// variable ${x} as <x> in its findings.
	suppress(access, "AwsSolutions-IAM5", reasonIdentityPrefix,
		"Resource::arn:<AWS::Partition>:s3:::"+p.IdentityPool.Bucket+"/<cognito-identity.amazonaws.com:sub>/*")
}

func sortedKeys[K ~string, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
