package cognitrigcdk

import (
	"github.com/cognitrig/cognitrig/config"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/jsii-runtime-go"
)

// Names of the entry points under handlers/ (see the contract in the
// package documentation).
const (
	HandlerAll        = "all"
	HandlerCustomAuth = "customauth"
	HandlerTenancy    = "tenancy"
	HandlerMigration  = "migration"
	HandlerMessages   = "messages"
	HandlerAuthEvents = "authevents"
)

// The environment variables the construct sets are package config's
// (config.Env*): the names the functions read.

// tableID names one of the tables a concern uses.
type tableID string

const (
	tableTenancy     tableID = "tenancy"
	tableChallenges  tableID = "challenges"
	tableMigration   tableID = "migration"
	tableAudit       tableID = "audit"
	tableConfirm     tableID = "confirm"
	tableLegacyUsers tableID = "legacyUsers"
)

// trigger is one user-pool operation and the Lambda event version it is
// wired with ("" for the operation's only version).
type trigger struct {
	op      awscognito.UserPoolOperation
	version awscognito.LambdaVersion
}

// concern is what one entry point serves and needs: its triggers, the
// table actions, Cognito admin actions and delivery it calls. It is the
// single source of the functions' permissions and environment.
type concern struct {
	handler  string
	triggers []trigger
	tables   map[tableID][]string // table -> DynamoDB actions
	cognito  []string             // cognito-idp admin actions on the pool
	email    bool                 // ses:SendEmail as EmailFrom
	sms      bool                 // sns:Publish to phone numbers
	decrypt  bool                 // kms:Decrypt with the sender key
	keyed    bool                 // reads the master key
	mac      bool                 // signs magic links with the KMS HMAC key
	nameKey  bool                 // reads the legacy name key
	env      map[string]string    // the typed settings' variables
	// secrets are the Secrets Manager secrets of the typed settings, by
	// the variable that names each (COGNITRIG_..._ARN); the master key
	// and the name key join them when the function is added (keyed,
	// nameKey).
	secrets map[string]awssecretsmanager.ISecret
}

// opInboundFederation is the inbound federation trigger, which the CDK's
// UserPool.addTrigger does not know: addTrigger sets it with an escape hatch.
var opInboundFederation = awscognito.UserPoolOperation_Of(jsii.String("inboundFederation"))

// featuresOf returns the features of the whole-stack construct: custom
// authentication, tenancy, custom messages and authentication events
// always; the others as props ask. Settings the whole stack takes as
// variables (Props.Environment) stay there.
func featuresOf(p Props) Features {
	f := Features{
		CustomAuth:     &CustomAuthFeature{MasterKeySecret: p.MasterKeySecret, MagicLinkKey: p.MagicLinkKey},
		Tenancy:        &TenancyFeature{},
		CustomMessages: &CustomMessagesFeature{},
		AuthEvents:     &AuthEventsFeature{},
	}
	if strings.TrimSpace(p.Environment[config.EnvFederationProviders]) != "" {
		f.FederationLinking = &FederationLinkingFeature{}
	}
	if strings.TrimSpace(p.Environment[config.EnvInboundProviders]) != "" {
		f.InboundFederation = &InboundFederationFeature{}
	}
	if p.WelcomeEmail {
		f.WelcomeEmail = &WelcomeEmailFeature{}
	}
	if s := p.Secrets[config.EnvCaptchaSecret]; s != nil {
		f.CustomAuth.Captcha = &CaptchaSettings{Secret: s}
	}
	if p.Migration != nil {
		f.Migration = &MigrationFeature{LegacyUsersTable: p.Migration.LegacyUsersTable,
			ClientSecret: p.Secrets[config.EnvLegacyClientSecret], NameKeySecret: p.Secrets[config.EnvLegacyNameKey]}
	}
	if p.CustomSenders != nil {
		f.CustomSenders = &CustomSendersFeature{Key: p.CustomSenders.Key}
	}
	return f
}

// Actions of the tenancy function on the tenancy table: the API
// tenancy/dynamostore declares.
var tenancyTableActions = []string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"}

// featureConcerns returns the concerns the features need, in a fixed
// order, each with only the triggers, tables, permissions and variables
// of the features that use it. p gives EmailFrom, SMS and the keys.
func featureConcerns(f Features, p Props) []concern {
	var cs []concern
	if ca := f.CustomAuth; ca != nil {
		env, secrets := customAuthEnv(ca)
		cs = append(cs, concern{
			handler: HandlerCustomAuth,
			triggers: []trigger{
				{op: awscognito.UserPoolOperation_DEFINE_AUTH_CHALLENGE()},
				{op: awscognito.UserPoolOperation_CREATE_AUTH_CHALLENGE()},
				{op: awscognito.UserPoolOperation_VERIFY_AUTH_CHALLENGE_RESPONSE()},
			},
			// customauth/records: conditional put, get, update (sent, failures),
			// delete (used records).
			tables:  map[tableID][]string{tableChallenges: {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"}},
			email:   p.EmailFrom != "",
			sms:     p.SMS,
			keyed:   true,
			mac:     ca.MagicLinkKey != nil,
			env:     env,
			secrets: secrets,
		})
	}
	if t, ok := tenancyConcern(f); ok {
		cs = append(cs, t)
	}
	if m := f.Migration; m != nil {
		// migration/dynamotracker records an attempt with GetItem, PutItem
		// and UpdateItem (its Query and BatchGetItem serve operators);
		// migration/dynamosource looks a user up with GetItem (its Scan
		// serves the bulk import).
		tables := map[tableID][]string{tableMigration: {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"}}
		if m.LegacyUsersTable != nil {
			tables[tableLegacyUsers] = []string{"dynamodb:GetItem"}
		}
		env, secrets := migrationEnv(m)
		cs = append(cs, concern{
			handler:  HandlerMigration,
			triggers: []trigger{{op: awscognito.UserPoolOperation_USER_MIGRATION()}},
			tables:   tables,
			env:      env,
			secrets:  secrets,
			nameKey:  true,
		})
	}
	if f.CustomMessages != nil || f.CustomSenders != nil {
		messages := concern{handler: HandlerMessages}
		if f.CustomMessages != nil {
			messages.triggers = append(messages.triggers, trigger{op: awscognito.UserPoolOperation_CUSTOM_MESSAGE()})
		}
		if f.CustomSenders != nil {
			messages.triggers = append(messages.triggers, trigger{op: awscognito.UserPoolOperation_CUSTOM_EMAIL_SENDER()})
			if p.SMS {
				messages.triggers = append(messages.triggers, trigger{op: awscognito.UserPoolOperation_CUSTOM_SMS_SENDER()})
			}
			messages.email, messages.sms, messages.decrypt = true, p.SMS, true
			// lifecycle/messages: the account-takeover warning carries no
			// address; the sender looks the user up.
			messages.cognito = []string{"cognito-idp:AdminGetUser"}
		}
		cs = append(cs, messages)
	}
	if ae := f.AuthEvents; ae != nil {
		cs = append(cs, concern{
			handler: HandlerAuthEvents,
			triggers: []trigger{
				{op: awscognito.UserPoolOperation_PRE_AUTHENTICATION()},
				{op: awscognito.UserPoolOperation_POST_AUTHENTICATION()},
			},
			// lifecycle/authpolicy: one put per sign-in, queries of a user's
			// recent sign-ins.
			tables:  map[tableID][]string{tableAudit: {"dynamodb:PutItem", "dynamodb:Query"}},
			cognito: []string{"cognito-idp:AdminSetUserMFAPreference"},
			env:     authEventsEnv(ae),
		})
	}
	return cs
}

// tenancyConcern is the tenancy function of the features that use it:
// Tenancy, Invitations, FederationLinking, WelcomeEmail and
// InboundFederation. The entry point always reads the tenancy table
// (COGNITRIG_TENANCY_TABLE is required); each feature wires only the
// triggers it needs, in a fixed order.
func tenancyConcern(f Features) (concern, bool) {
	if f.Tenancy == nil && f.Invitations == nil && f.FederationLinking == nil && f.WelcomeEmail == nil && f.InboundFederation == nil {
		return concern{}, false
	}
	t := concern{
		handler: HandlerTenancy,
		tables:  map[tableID][]string{tableTenancy: tenancyTableActions},
		env:     map[string]string{},
	}
	preSignUp := f.Tenancy != nil || f.Invitations != nil || f.FederationLinking != nil
	postConfirmation := f.Tenancy != nil || f.Invitations != nil || f.WelcomeEmail != nil
	if preSignUp {
		t.triggers = append(t.triggers, trigger{op: awscognito.UserPoolOperation_PRE_SIGN_UP()})
	}
	if postConfirmation {
		t.triggers = append(t.triggers, trigger{op: awscognito.UserPoolOperation_POST_CONFIRMATION()})
		// tenancy/invitation: post confirmation binds the invited user's
		// tenant attribute and group through the admin API.
		t.cognito = []string{"cognito-idp:AdminUpdateUserAttributes", "cognito-idp:AdminAddUserToGroup"}
	}
	if tf := f.Tenancy; tf != nil {
		// V2_0 customizes ID and access tokens of users; V3_0 also the
		// access tokens of machine-to-machine client-credentials grants.
		// Both need the Essentials or Plus plan (Amazon Cognito "Pre token
		// generation Lambda trigger"). The handler answers either.
		version := awscognito.LambdaVersion_V2_0
		if tf.MachineToMachineClaims {
			version = awscognito.LambdaVersion_V3_0
		}
		t.triggers = append(t.triggers, trigger{op: awscognito.UserPoolOperation_PRE_TOKEN_GENERATION_CONFIG(), version: version})
		if len(tf.ScopeMap) > 0 {
			t.env[config.EnvScopeMap] = scopeMap(tf.ScopeMap)
		}
		if tf.GroupPattern != "" {
			t.env[config.EnvGroupPattern] = tf.GroupPattern
		}
	}
	if inv := f.Invitations; inv != nil && inv.Required {
		t.env[config.EnvRequireInvitation] = "true"
	}
	if fl := f.FederationLinking; fl != nil {
		// tenancy/federation: find the existing user by verified email and
		// link the identity to it; only with linking on.
		t.cognito = append(t.cognito, "cognito-idp:ListUsers", "cognito-idp:AdminLinkProviderForUser")
		if len(fl.Providers) > 0 {
			t.env[config.EnvFederationProviders] = strings.Join(fl.Providers, ",")
		}
		if len(fl.TrustedEmailProviders) > 0 {
			t.env[config.EnvTrustedEmailProviders] = strings.Join(fl.TrustedEmailProviders, ",")
		}
	}
	if f.WelcomeEmail != nil {
		// Post confirmation sends it once per user: lifecycle/confirm
		// keeps its markers with conditional puts, updates and deletes.
		t.tables[tableConfirm] = []string{"dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"}
		t.email = true
		t.env[config.EnvWelcomeEmail] = "true"
	}
	if in := f.InboundFederation; in != nil {
		// tenancy/inbound: the provider's tenant, read from the tenancy
		// table, written into the attributes Cognito maps. Cognito takes
		// only V1_0 ("Inbound federation Lambda trigger"); the CDK has no
		// operation for it, see addTrigger.
		t.triggers = append(t.triggers, trigger{op: opInboundFederation, version: awscognito.LambdaVersion_V1_0})
		if len(in.Providers) > 0 {
			t.env[config.EnvInboundProviders] = joinMap(in.Providers, "=", ",")
		}
	}
	if len(t.env) == 0 {
		t.env = nil
	}
	return t, true
}

// merge returns one concern, named handler, that serves and needs all of
// cs: the single-function deployment.
func merge(handler string, cs []concern) concern {
	all := concern{handler: handler, tables: map[tableID][]string{}}
	for _, c := range cs {
		all.triggers = append(all.triggers, c.triggers...)
		for t, actions := range c.tables {
			all.tables[t] = union(all.tables[t], actions)
		}
		all.cognito = union(all.cognito, c.cognito)
		all.email = all.email || c.email
		all.sms = all.sms || c.sms
		all.decrypt = all.decrypt || c.decrypt
		all.keyed = all.keyed || c.keyed
		all.mac = all.mac || c.mac
		all.nameKey = all.nameKey || c.nameKey
		all.secrets = mergeMap(all.secrets, c.secrets)
		all.env = mergeMap(all.env, c.env)
	}
	return all
}

// functions returns the concerns of the whole-stack construct to deploy
// as functions for p.Shape.
func functions(p Props) []concern {
	cs := featureConcerns(featuresOf(p), p)
	if p.Shape == SingleFunction {
		return []concern{merge(HandlerAll, cs)}
	}
	return cs
}

// owner returns the entry point that alone reads the user variable name,
// or "" for a variable every function gets.
func owner(name string) string {
	for _, o := range []struct{ prefix, handler string }{
		{"COGNITRIG_LEGACY_", HandlerMigration},
		{"COGNITRIG_BREAKER_", HandlerMigration},
		{"COGNITRIG_AUTH_", HandlerCustomAuth}, // the sequence and the per-user limits
		{"COGNITRIG_CAPTCHA_", HandlerCustomAuth},
		{"COGNITRIG_MAGICLINK_", HandlerCustomAuth},
		{"COGNITRIG_SCOPE_MAP", HandlerTenancy},
		{"COGNITRIG_GROUP_PATTERN", HandlerTenancy},
		{"COGNITRIG_REQUIRE_INVITATION", HandlerTenancy},
		{"COGNITRIG_FEDERATION_PROVIDERS", HandlerTenancy},
		{"COGNITRIG_INBOUND_PROVIDERS", HandlerTenancy},
		{"COGNITRIG_TRUSTED_EMAIL_PROVIDERS", HandlerTenancy},
		{"COGNITRIG_ALLOWED_CLIENTS", HandlerAuthEvents},
		{"COGNITRIG_IP_ALLOW", HandlerAuthEvents},
		{"COGNITRIG_IP_DENY", HandlerAuthEvents},
		{"COGNITRIG_MFA_ON_NEW_DEVICE", HandlerAuthEvents},
		{"COGNITRIG_AUDIT_RETENTION_DAYS", HandlerAuthEvents},
	} {
		if strings.HasPrefix(name, o.prefix) {
			return o.handler
		}
	}
	return ""
}

// receives reports whether the function of c gets the user variable name.
// The single function serves every concern, so it gets them all.
func (c concern) receives(name string) bool {
	o := owner(name)
	return o == "" || c.handler == HandlerAll || c.handler == o
}

// mergeMap returns a with the entries of b, a new map if a is nil and b
// is not empty.
func mergeMap[V any](a, b map[string]V) map[string]V {
	if a == nil && len(b) > 0 {
		a = map[string]V{}
	}
	maps.Copy(a, b)
	return a
}

func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, s := range b {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

// handlerNames returns the entry points of the concerns.
func handlerNames(cs []concern) []string {
	var names []string
	for _, c := range cs {
		names = append(names, c.handler)
	}
	return names
}
