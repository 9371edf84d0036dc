package cognitrigcdk

import (
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
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

// Environment variables the construct sets.
const (
	envLogLevel         = "COGNITRIG_LOG_LEVEL"
	envTenancyTable     = "COGNITRIG_TENANCY_TABLE"
	envChallengesTable  = "COGNITRIG_CHALLENGES_TABLE"
	envMigrationTable   = "COGNITRIG_MIGRATION_TABLE"
	envAuditTable       = "COGNITRIG_AUDIT_TABLE"
	envConfirmTable     = "COGNITRIG_CONFIRM_TABLE"
	envLegacyUsersTable = "COGNITRIG_LEGACY_USERS_TABLE"
	envEmailFrom        = "COGNITRIG_EMAIL_FROM"
	envKMSKeyARN        = "COGNITRIG_KMS_KEY_ARN"
	envMasterKey        = "COGNITRIG_MASTER_KEY"
	envMasterKeySecret  = "COGNITRIG_MASTER_KEY_SECRET_ARN"
	envAuthSequence     = "COGNITRIG_AUTH_SEQUENCE"
	envFederation       = "COGNITRIG_FEDERATION_PROVIDERS"
	envInbound          = "COGNITRIG_INBOUND_PROVIDERS"
	envWelcomeEmail     = "COGNITRIG_WELCOME_EMAIL"
	envMagicLinkKMSKey  = "COGNITRIG_MAGICLINK_KMS_KEY"
)

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
	env      map[string]string    // switches the concern's options on
}

// opInboundFederation is the inbound federation trigger, which the CDK's
// UserPool.addTrigger does not know: addTrigger sets it with an escape hatch.
var opInboundFederation = awscognito.UserPoolOperation_Of(jsii.String("inboundFederation"))

// concerns returns the concerns of a deployment with the given options,
// in a fixed order.
func concerns(p Props) []concern {
	var cs []concern
	cs = append(cs, concern{
		handler: HandlerCustomAuth,
		triggers: []trigger{
			{op: awscognito.UserPoolOperation_DEFINE_AUTH_CHALLENGE()},
			{op: awscognito.UserPoolOperation_CREATE_AUTH_CHALLENGE()},
			{op: awscognito.UserPoolOperation_VERIFY_AUTH_CHALLENGE_RESPONSE()},
		},
		// customauth/records: conditional put, get, update (sent, failures),
		// delete (used records).
		tables: map[tableID][]string{tableChallenges: {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"}},
		email:  p.EmailFrom != "",
		sms:    p.SMS,
		keyed:  true,
		mac:    p.MagicLinkKey != nil,
	})
	tenancy := concern{
		handler: HandlerTenancy,
		triggers: []trigger{
			{op: awscognito.UserPoolOperation_PRE_SIGN_UP()},
			{op: awscognito.UserPoolOperation_POST_CONFIRMATION()},
			{op: awscognito.UserPoolOperation_PRE_TOKEN_GENERATION_CONFIG(), version: awscognito.LambdaVersion_V2_0},
		},
		tables: map[tableID][]string{
			// tenancy/dynamostore: the API it declares.
			tableTenancy: {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"},
		},
		cognito: []string{"cognito-idp:AdminUpdateUserAttributes", "cognito-idp:AdminAddUserToGroup"},
	}
	if strings.TrimSpace(p.Environment[envFederation]) != "" {
		// tenancy/federation: find the existing user by verified email and
		// link the identity to it; only with linking on.
		tenancy.cognito = append(tenancy.cognito, "cognito-idp:ListUsers", "cognito-idp:AdminLinkProviderForUser")
	}
	if p.WelcomeEmail {
		// Post confirmation sends it once per user: lifecycle/confirm
		// keeps its markers with conditional puts, updates and deletes.
		tenancy.tables[tableConfirm] = []string{"dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"}
		tenancy.email = true
		tenancy.env = map[string]string{envWelcomeEmail: "true"}
	}
	if strings.TrimSpace(p.Environment[envInbound]) != "" {
		// tenancy/inbound: the provider's tenant, read from the tenancy
		// table (already granted), written into the attributes Cognito
		// maps. Cognito takes only V1_0 ("Inbound federation Lambda
		// trigger"); the CDK has no operation for it, see addTrigger.
		tenancy.triggers = append(tenancy.triggers, trigger{op: opInboundFederation, version: awscognito.LambdaVersion_V1_0})
	}
	cs = append(cs, tenancy)
	if p.Migration != nil {
		// migration/dynamotracker records an attempt with GetItem, PutItem
		// and UpdateItem (its Query and BatchGetItem serve operators);
		// migration/dynamosource looks a user up with GetItem (its Scan
		// serves the bulk import).
		tables := map[tableID][]string{tableMigration: {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"}}
		if p.Migration.LegacyUsersTable != nil {
			tables[tableLegacyUsers] = []string{"dynamodb:GetItem"}
		}
		cs = append(cs, concern{
			handler:  HandlerMigration,
			triggers: []trigger{{op: awscognito.UserPoolOperation_USER_MIGRATION()}},
			tables:   tables,
		})
	}
	messages := concern{
		handler:  HandlerMessages,
		triggers: []trigger{{op: awscognito.UserPoolOperation_CUSTOM_MESSAGE()}},
	}
	if p.CustomSenders != nil {
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
	})
	return cs
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
		for name, v := range c.env {
			if all.env == nil {
				all.env = map[string]string{}
			}
			all.env[name] = v
		}
	}
	return all
}

// functions returns the concerns to deploy as functions for p.Shape.
func functions(p Props) []concern {
	cs := concerns(p)
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

// handlerNames returns the entry points a deployment builds.
func handlerNames(p Props) []string {
	var names []string
	for _, c := range functions(p) {
		names = append(names, c.handler)
	}
	return names
}
