package cognitrigcdk_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/jsii-runtime-go"
	"github.com/cognitrig/cognitrig/cdk/cognitrigcdk"
)

// dummyCode writes a placeholder bootstrap for every entry point, so that
// synth tests do not compile the handlers.
func dummyCode(t *testing.T) cognitrigcdk.CodeFunc {
	t.Helper()
	dir := t.TempDir()
	for _, h := range []string{"all", "customauth", "tenancy", "migration", "messages", "authevents"} {
		if err := os.MkdirAll(filepath.Join(dir, h), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, h, "bootstrap"), []byte("#!/bin/sh\n# "+h+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return cognitrigcdk.Prebuilt(dir)
}

// synthesized is one synthesized stack, shared by the subtests that check it.
type synthesized struct {
	c        *cognitrigcdk.Cognitrig
	stack    awscdk.Stack
	template assertions.Template
	res      map[string]resource // by logical ID
}

type resource struct {
	Type       string         `json:"Type"`
	Properties map[string]any `json:"Properties"`
	DependsOn  any            `json:"DependsOn"`
}

func synth(t *testing.T, props cognitrigcdk.Props, extra ...func(awscdk.Stack, *cognitrigcdk.Props)) *synthesized {
	t.Helper()
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(t.TempDir())})
	stack := awscdk.NewStack(app, jsii.String("Test"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("111122223333"), Region: jsii.String("eu-west-1")},
	})
	if props.Code == nil {
		props.Code = dummyCode(t)
	}
	for _, f := range extra {
		f(stack, &props)
	}
	c, err := cognitrigcdk.New(stack, "Cognitrig", props)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	tmpl := assertions.Template_FromStack(stack, nil)
	return &synthesized{c: c, stack: stack, template: tmpl, res: resources(t, tmpl)}
}

// resources returns the template's resources by logical ID.
func resources(t *testing.T, tmpl assertions.Template) map[string]resource {
	t.Helper()
	raw, err := json.Marshal(tmpl.ToJSON())
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Resources map[string]resource `json:"Resources"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Resources
}

// check runs a CDK assertion, which panics on a mismatch, as a test error.
func check(t *testing.T, what string, assertion func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%s: %v", what, r)
		}
	}()
	assertion()
}

func (s *synthesized) ofType(typ string) map[string]resource {
	out := map[string]resource{}
	for id, r := range s.res {
		if r.Type == typ {
			out[id] = r
		}
	}
	return out
}

// logicalID returns the CloudFormation logical ID of a function.
func (s *synthesized) logicalID(fn awslambda.Function) string {
	return *s.stack.GetLogicalId(fn.Node().DefaultChild().(awscdk.CfnElement))
}

// getAttArn returns X of {"Fn::GetAtt": [X, "Arn"]}, or "".
func getAttArn(v any) string {
	m, _ := v.(map[string]any)
	ga, _ := m["Fn::GetAtt"].([]any)
	if len(ga) == 2 && ga[1] == "Arn" {
		s, _ := ga[0].(string)
		return s
	}
	return ""
}

// triggersOf returns LambdaConfig key -> the logical ID of the function it
// invokes, and the LambdaVersion of the configs that have one.
func (s *synthesized) triggersOf(t *testing.T) (wired map[string]string, versions map[string]string) {
	t.Helper()
	pools := s.ofType("AWS::Cognito::UserPool")
	if len(pools) != 1 {
		t.Fatalf("%d user pools, want 1", len(pools))
	}
	wired, versions = map[string]string{}, map[string]string{}
	for _, pool := range pools {
		cfg, _ := pool.Properties["LambdaConfig"].(map[string]any)
		for k, v := range cfg {
			if k == "KMSKeyID" {
				continue
			}
			if m, ok := v.(map[string]any); ok && m["LambdaArn"] != nil {
				wired[k] = getAttArn(m["LambdaArn"])
				versions[k], _ = m["LambdaVersion"].(string)
				continue
			}
			wired[k] = getAttArn(v)
		}
	}
	return wired, versions
}

func TestSingleFunction(t *testing.T) {
	s := synth(t, cognitrigcdk.Props{})
	fn := s.c.Functions["all"]
	if fn == nil || len(s.c.Functions) != 1 {
		t.Fatalf("functions %v, want only all", keys(s.c.Functions))
	}
	allID := s.logicalID(fn)

	t.Run("every trigger wired to the one function", func(t *testing.T) {
		wired, versions := s.triggersOf(t)
		want := []string{"CreateAuthChallenge", "CustomMessage", "DefineAuthChallenge", "PostAuthentication",
			"PostConfirmation", "PreAuthentication", "PreSignUp", "PreTokenGenerationConfig", "VerifyAuthChallengeResponse"}
		if got := keys(wired); !slices.Equal(got, want) {
			t.Errorf("triggers %v, want %v", got, want)
		}
		for trig, id := range wired {
			if id != allID {
				t.Errorf("%s invokes %q, want %q", trig, id, allID)
			}
		}
		if versions["PreTokenGenerationConfig"] != "V2_0" {
			t.Errorf("PreTokenGenerationConfig LambdaVersion %q, want V2_0", versions["PreTokenGenerationConfig"])
		}
		if _, v1 := wired["PreTokenGeneration"]; v1 {
			t.Error("the v1 PreTokenGeneration trigger is wired as well as the config")
		}
		perms := s.ofType("AWS::Lambda::Permission")
		if len(perms) != len(want) {
			t.Errorf("%d invoke permissions, want one per trigger (%d)", len(perms), len(want))
		}
		for id, p := range perms {
			if p.Properties["Principal"] != "cognito-idp.amazonaws.com" || getAttArn(p.Properties["SourceArn"]) == "" {
				t.Errorf("permission %s: principal %v, source %v; want Cognito, scoped to the pool", id, p.Properties["Principal"], p.Properties["SourceArn"])
			}
		}
	})

	t.Run("runtime, architecture, timeout, logs", func(t *testing.T) {
		check(t, "function", func() {
			s.template.HasResourceProperties(jsii.String("AWS::Lambda::Function"), &map[string]any{
				"Runtime":       "provided.al2023",
				"Architectures": []any{"arm64"},
				"Handler":       "bootstrap",
				"Timeout":       4,
				"MemorySize":    256,
				"LoggingConfig": map[string]any{"LogGroup": assertions.Match_AnyValue()},
			})
		})
		check(t, "log group", func() {
			s.template.HasResourceProperties(jsii.String("AWS::Logs::LogGroup"), &map[string]any{"RetentionInDays": 90})
		})
		if n := len(s.ofType("Custom::LogRetention")); n != 0 {
			t.Errorf("%d log-retention custom resources: the log group should be explicit", n)
		}
	})

	t.Run("environment", func(t *testing.T) {
		env := envOf(t, s.res[allID])
		for _, name := range []string{"COGNITRIG_TENANCY_TABLE", "COGNITRIG_CHALLENGES_TABLE", "COGNITRIG_AUDIT_TABLE", "COGNITRIG_MASTER_KEY_SECRET_ARN"} {
			if env[name] == nil {
				t.Errorf("%s not set", name)
			}
		}
		for _, name := range []string{"COGNITRIG_MASTER_KEY", "COGNITRIG_MIGRATION_TABLE", "COGNITRIG_KMS_KEY_ARN", "COGNITRIG_EMAIL_FROM", "COGNITRIG_WELCOME_EMAIL", "COGNITRIG_CONFIRM_TABLE"} {
			if env[name] != nil {
				t.Errorf("%s set without the feature", name)
			}
		}
		if env["COGNITRIG_LOG_LEVEL"] != "info" {
			t.Errorf("COGNITRIG_LOG_LEVEL %v", env["COGNITRIG_LOG_LEVEL"])
		}
	})

	t.Run("user pool defaults", func(t *testing.T) {
		check(t, "pool", func() {
			s.template.HasResourceProperties(jsii.String("AWS::Cognito::UserPool"), &map[string]any{
				"AdminCreateUserConfig":  map[string]any{"AllowAdminCreateUserOnly": true},
				"UsernameAttributes":     []any{"email"},
				"MfaConfiguration":       "OPTIONAL",
				"EnabledMfas":            []any{"SOFTWARE_TOKEN_MFA"},
				"UserPoolTier":           "ESSENTIALS",
				"DeletionProtection":     "ACTIVE",
				"AccountRecoverySetting": map[string]any{"RecoveryMechanisms": []any{map[string]any{"Name": "verified_email", "Priority": 1}}},
				"Policies": map[string]any{"PasswordPolicy": map[string]any{
					"MinimumLength": 12, "RequireLowercase": true, "RequireUppercase": true, "RequireNumbers": true, "RequireSymbols": true,
				}},
			})
		})
		check(t, "pool retained", func() {
			s.template.HasResource(jsii.String("AWS::Cognito::UserPool"), &map[string]any{"DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"})
		})
	})

	// custom:tenantId is read-only to users: no client may write it. It is
	// mutable in the schema only so that the post-confirmation trigger can
	// set it through the admin API (Cognito sets immutable attributes only
	// at creation).
	t.Run("tenant attribute read-only to clients", func(t *testing.T) {
		check(t, "schema", func() {
			s.template.HasResourceProperties(jsii.String("AWS::Cognito::UserPool"), &map[string]any{
				"Schema": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{
					"Name": "tenantId", "AttributeDataType": "String", "Mutable": true,
				})}),
			})
		})
		for id, cl := range s.ofType("AWS::Cognito::UserPoolClient") {
			writes, ok := cl.Properties["WriteAttributes"].([]any)
			if !ok || len(writes) == 0 {
				t.Errorf("client %s: WriteAttributes unset, so every attribute is writable", id)
			}
			for _, w := range writes {
				if strings.HasPrefix(fmt.Sprint(w), "custom:") {
					t.Errorf("client %s may write %v", id, w)
				}
			}
		}
	})

	t.Run("app client", func(t *testing.T) {
		clients := s.ofType("AWS::Cognito::UserPoolClient")
		if len(clients) != 1 {
			t.Fatalf("%d clients, want 1 without migration", len(clients))
		}
		check(t, "client", func() {
			s.template.HasResourceProperties(jsii.String("AWS::Cognito::UserPoolClient"), &map[string]any{
				"ExplicitAuthFlows":          []any{"ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"},
				"PreventUserExistenceErrors": "ENABLED",
				"GenerateSecret":             false,
				"AccessTokenValidity":        60,
				"IdTokenValidity":            60,
				"RefreshTokenValidity":       43200,
				"AuthSessionValidity":        5,
			})
		})
	})

	t.Run("tables", func(t *testing.T) { checkTables(t, s, false) })
	t.Run("least privilege", func(t *testing.T) { checkIAM(t, s) })
	t.Run("no dependency cycle", func(t *testing.T) { checkNoCycle(t, s.res) })
	t.Run("alarms", func(t *testing.T) { checkAlarms(t, s, 1, 0) })

	t.Run("permissions of the one function", func(t *testing.T) {
		got := policyActions(t, s)[allID]
		want := []string{
			"cognito-idp:AdminAddUserToGroup", "cognito-idp:AdminSetUserMFAPreference", "cognito-idp:AdminUpdateUserAttributes",
			"dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem",
			"secretsmanager:GetSecretValue",
		}
		if !slices.Equal(got, want) {
			t.Errorf("actions %v\nwant %v", got, want)
		}
	})

	t.Run("generated master key", func(t *testing.T) {
		check(t, "secret", func() {
			s.template.HasResource(jsii.String("AWS::SecretsManager::Secret"), &map[string]any{
				"Properties": map[string]any{
					"GenerateSecretString": map[string]any{"PasswordLength": 64, "ExcludePunctuation": true, "IncludeSpace": false},
				},
				"DeletionPolicy": "Retain",
			})
		})
		// Issue 12, info: the function gets the secret's ARN and reads the
		// key at start-up; the key is not in its configuration.
		var secretID string
		for id := range s.ofType("AWS::SecretsManager::Secret") {
			secretID = id
		}
		env := envOf(t, s.res[allID])
		if ref := fmt.Sprint(env["COGNITRIG_MASTER_KEY_SECRET_ARN"]); ref != fmt.Sprint(map[string]any{"Ref": secretID}) {
			t.Errorf("COGNITRIG_MASTER_KEY_SECRET_ARN = %s, want the generated secret's ARN (Ref %s)", ref, secretID)
		}
		if v, ok := env["COGNITRIG_MASTER_KEY"]; ok {
			t.Errorf("COGNITRIG_MASTER_KEY = %v: the key (or a reference resolved into it) is in the function's configuration", v)
		}
		var onSecret []string
		for _, st := range statements(t, s) {
			if slices.Contains(st.actions, "secretsmanager:GetSecretValue") {
				if len(st.actions) != 1 {
					t.Errorf("statement %v: want secretsmanager:GetSecretValue alone", st.actions)
				}
				onSecret = append(onSecret, st.resources...)
			}
		}
		if want := []string{fmt.Sprintf(`{"Ref":%q}`, secretID)}; !slices.Equal(onSecret, want) {
			t.Errorf("secretsmanager:GetSecretValue on %v, want only %v", onSecret, want)
		}
	})

	t.Run("optional parts absent", func(t *testing.T) {
		for _, typ := range []string{"AWS::Cognito::IdentityPool", "AWS::Cognito::UserPoolDomain", "AWS::SQS::Queue"} {
			if n := len(s.ofType(typ)); n != 0 {
				t.Errorf("%d %s by default, want none", n, typ)
			}
		}
		// The one key encrypts the alarm topic: no sender or magic-link key.
		if ks := s.ofType("AWS::KMS::Key"); len(ks) != 1 || s.c.SenderKey != nil || s.c.MagicLinkKey != nil {
			t.Errorf("keys %v, want only the alarm topic's", keys(ks))
		}
	})
}

// TestSingleFunctionEverythingOn: the one function serves, and may do,
// what the five would.
func TestSingleFunctionEverythingOn(t *testing.T) {
	s := synth(t, cognitrigcdk.Props{
		EmailFrom:     "no-reply@mail.example.com",
		SMS:           true,
		WelcomeEmail:  true,
		MagicLinkKey:  &cognitrigcdk.MagicLinkKeyProps{},
		Migration:     &cognitrigcdk.MigrationProps{},
		CustomSenders: &cognitrigcdk.CustomSendersProps{},
		Environment:   map[string]string{"COGNITRIG_LEGACY_TOKEN_URL": "https://legacy.example.com/token", "COGNITRIG_FEDERATION_PROVIDERS": "Google"},
	}, func(stack awscdk.Stack, p *cognitrigcdk.Props) {
		p.MasterKeySecret = awssecretsmanager.Secret_FromSecretNameV2(stack, jsii.String("TeamKey"), jsii.String("team-master-key"))
	})
	// The one generated secret is migration's name key (COGNITRIG_LEGACY_NAME_KEY).
	if n := len(s.ofType("AWS::SecretsManager::Secret")); n != 1 || s.c.MasterKeySecret != nil || s.c.NameKeySecret == nil {
		t.Errorf("%d generated secrets with a master key given, want only the name key", n)
	}
	allID := s.logicalID(s.c.Functions["all"])
	wired, _ := s.triggersOf(t)
	if len(wired) != 12 {
		t.Errorf("%d triggers wired (%v), want all 12", len(wired), keys(wired))
	}
	for trig, id := range wired {
		if id != allID {
			t.Errorf("%s invokes %q, want the one function", trig, id)
		}
	}
	got := policyActions(t, s)[allID]
	want := []string{
		"cognito-idp:AdminAddUserToGroup", "cognito-idp:AdminGetUser", "cognito-idp:AdminLinkProviderForUser", "cognito-idp:AdminSetUserMFAPreference",
		"cognito-idp:AdminUpdateUserAttributes", "cognito-idp:ListUsers",
		"dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem",
		"kms:Decrypt", "kms:GenerateMac", "kms:VerifyMac", "secretsmanager:GetSecretValue", "ses:SendEmail", "sns:Publish", "sqs:SendMessage",
	} // federated linking on: ListUsers and AdminLinkProviderForUser; custom senders: AdminGetUser (account-takeover warning) and the dead-letter queue
	if !slices.Equal(got, want) {
		t.Errorf("actions %v\nwant %v", got, want)
	}
	env := envOf(t, s.res[allID])
	for _, name := range []string{"COGNITRIG_MIGRATION_TABLE", "COGNITRIG_KMS_KEY_ARN", "COGNITRIG_EMAIL_FROM", "COGNITRIG_LEGACY_TOKEN_URL", "COGNITRIG_WELCOME_EMAIL", "COGNITRIG_CONFIRM_TABLE", "COGNITRIG_MAGICLINK_KMS_KEY"} {
		if env[name] == nil {
			t.Errorf("%s not set on the one function", name)
		}
	}
	for name, want := range map[string]string{
		"COGNITRIG_MASTER_KEY_SECRET_ARN":      "team-master-key", // imported by name: read by name
		"COGNITRIG_LEGACY_NAME_KEY_SECRET_ARN": fmt.Sprintf(`{"Ref":%q}`, s.idOf(s.c.NameKeySecret)),
	} {
		if got := fmtEnv(env[name]); got != want {
			t.Errorf("%s = %s, want %s", name, got, want)
		}
	}
	checkSecretsRead(t, s)
	var ses []string
	for _, st := range statements(t, s) {
		if slices.Contains(st.actions, "ses:SendEmail") {
			ses = append(ses, st.resources...)
		}
	}
	if r := strings.Join(ses, " "); !strings.Contains(r, "identity/no-reply@mail.example.com") || !strings.Contains(r, "identity/mail.example.com") {
		t.Errorf("ses:SendEmail on %s, want the sender's address and domain identities", r)
	}
	if d, _ := s.res[allID].Properties["Description"].(string); len(d) > 256 || d == "" {
		t.Errorf("description %q: Lambda allows 1 to 256 characters", d)
	}
	checkIAM(t, s)
	checkAlarms(t, s, 1, 1)
	checkTables(t, s, true)
}

func TestFunctionPerConcern(t *testing.T) {
	s := synth(t, cognitrigcdk.Props{
		Shape:         cognitrigcdk.FunctionPerConcern,
		EmailFrom:     "Example <no-reply@example.com>",
		SMS:           true,
		WelcomeEmail:  true,
		CustomSenders: &cognitrigcdk.CustomSendersProps{},
		IdentityPool:  &cognitrigcdk.IdentityPoolProps{Bucket: "user-files"},
		Client:        cognitrigcdk.ClientProps{CallbackURLs: []string{"https://app.example.com/callback"}, AccessTokenValidity: 15 * 60e9},
		Environment: map[string]string{
			"COGNITRIG_AUTH_SEQUENCE":    "password,email-otp",
			"COGNITRIG_LEGACY_TOKEN_URL": "https://legacy.example.com/token",
			"COGNITRIG_SCOPE_MAP":        "admin=read,write",
			"COGNITRIG_IP_DENY":          "203.0.113.0/24",
			"TZ":                         "UTC",
		},
		UserPool: cognitrigcdk.UserPoolProps{DomainPrefix: "example-auth"},
	}, func(stack awscdk.Stack, p *cognitrigcdk.Props) {
		legacy := awsdynamodb.Table_FromTableName(stack, jsii.String("Legacy"), jsii.String("legacy-users"))
		p.Migration = &cognitrigcdk.MigrationProps{LegacyUsersTable: legacy}
		p.Secrets = map[string]awssecretsmanager.ISecret{
			"COGNITRIG_LEGACY_CLIENT_SECRET": awssecretsmanager.Secret_FromSecretNameV2(stack, jsii.String("LegacyClient"), jsii.String("legacy-client")),
			"COGNITRIG_CAPTCHA_SECRET":       awssecretsmanager.Secret_FromSecretNameV2(stack, jsii.String("Captcha"), jsii.String("captcha")),
		}
	})
	ids := map[string]string{} // handler -> logical ID
	for h, fn := range s.c.Functions {
		ids[h] = s.logicalID(fn)
	}
	if got, want := keys(ids), []string{"authevents", "customauth", "messages", "migration", "tenancy"}; !slices.Equal(got, want) {
		t.Fatalf("functions %v, want %v", got, want)
	}

	t.Run("every trigger wired to the right function", func(t *testing.T) {
		wired, versions := s.triggersOf(t)
		want := map[string]string{
			"DefineAuthChallenge": "customauth", "CreateAuthChallenge": "customauth", "VerifyAuthChallengeResponse": "customauth",
			"PreSignUp": "tenancy", "PostConfirmation": "tenancy", "PreTokenGenerationConfig": "tenancy",
			"UserMigration": "migration",
			"CustomMessage": "messages", "CustomEmailSender": "messages", "CustomSMSSender": "messages",
			"PreAuthentication": "authevents", "PostAuthentication": "authevents",
		}
		if got := keys(wired); !slices.Equal(got, keys(want)) {
			t.Errorf("triggers %v, want %v", got, keys(want))
		}
		for trig, h := range want {
			if wired[trig] != ids[h] {
				t.Errorf("%s invokes %q, want the %s function %q", trig, wired[trig], h, ids[h])
			}
		}
		if versions["PreTokenGenerationConfig"] != "V2_0" {
			t.Errorf("PreTokenGenerationConfig LambdaVersion %q, want V2_0", versions["PreTokenGenerationConfig"])
		}
		check(t, "sender key", func() {
			s.template.HasResourceProperties(jsii.String("AWS::Cognito::UserPool"), &map[string]any{
				"LambdaConfig": assertions.Match_ObjectLike(&map[string]any{"KMSKeyID": map[string]any{"Fn::GetAtt": []any{s.idOf(s.c.SenderKey), "Arn"}}}),
			})
		})
	})

	t.Run("each function gets only its own actions", func(t *testing.T) {
		got := policyActions(t, s)
		want := map[string][]string{
			"customauth": {"dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "secretsmanager:GetSecretValue", "ses:SendEmail", "sns:Publish"},
			"tenancy": {"cognito-idp:AdminAddUserToGroup", "cognito-idp:AdminUpdateUserAttributes",
				"dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem",
				"ses:SendEmail"},
			"migration":  {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "secretsmanager:GetSecretValue"},
			"messages":   {"cognito-idp:AdminGetUser", "kms:Decrypt", "ses:SendEmail", "sns:Publish", "sqs:SendMessage"},
			"authevents": {"cognito-idp:AdminSetUserMFAPreference", "dynamodb:PutItem", "dynamodb:Query"},
		}
		for h, actions := range want {
			if !slices.Equal(got[ids[h]], actions) {
				t.Errorf("%s: actions %v\nwant %v", h, got[ids[h]], actions)
			}
		}
	})

	t.Run("environment routed to the function that reads it", func(t *testing.T) {
		has := func(h, name string) bool { return envOf(t, s.res[ids[h]])[name] != nil }
		for _, c := range []struct {
			name string
			only []string // nil: every function
		}{
			{"COGNITRIG_TENANCY_TABLE", []string{"tenancy"}},
			{"COGNITRIG_CHALLENGES_TABLE", []string{"customauth"}},
			{"COGNITRIG_MIGRATION_TABLE", []string{"migration"}},
			{"COGNITRIG_LEGACY_USERS_TABLE", []string{"migration"}},
			{"COGNITRIG_AUDIT_TABLE", []string{"authevents"}},
			{"COGNITRIG_CONFIRM_TABLE", []string{"tenancy"}},
			{"COGNITRIG_KMS_KEY_ARN", []string{"messages"}},
			{"COGNITRIG_EMAIL_FROM", []string{"customauth", "messages", "tenancy"}},
			{"COGNITRIG_WELCOME_EMAIL", []string{"tenancy"}},
			{"COGNITRIG_AUTH_SEQUENCE", []string{"customauth"}},
			{"COGNITRIG_CAPTCHA_SECRET_ARN", []string{"customauth"}},
			{"COGNITRIG_CAPTCHA_SECRET", []string{}},
			{"COGNITRIG_LEGACY_TOKEN_URL", []string{"migration"}},
			{"COGNITRIG_LEGACY_CLIENT_SECRET_ARN", []string{"migration"}},
			{"COGNITRIG_LEGACY_CLIENT_SECRET", []string{}},
			{"COGNITRIG_LEGACY_NAME_KEY_SECRET_ARN", []string{"migration"}},
			{"COGNITRIG_LEGACY_NAME_KEY", []string{}},
			{"COGNITRIG_SCOPE_MAP", []string{"tenancy"}},
			{"COGNITRIG_IP_DENY", []string{"authevents"}},
			{"COGNITRIG_MASTER_KEY_SECRET_ARN", []string{"customauth"}},
			{"COGNITRIG_MASTER_KEY", []string{}},
			{"TZ", nil},
			{"COGNITRIG_LOG_LEVEL", nil},
		} {
			for h := range ids {
				want := c.only == nil || slices.Contains(c.only, h)
				if has(h, c.name) != want {
					t.Errorf("%s in %s: %v, want %v", c.name, h, has(h, c.name), want)
				}
			}
		}
		if got, want := fmtEnv(envOf(t, s.res[ids["migration"]])["COGNITRIG_LEGACY_CLIENT_SECRET_ARN"]),
			"legacy-client"; got != want {
			t.Errorf("COGNITRIG_LEGACY_CLIENT_SECRET_ARN = %s, want the name of the secret imported by name %s", got, want)
		}
		checkSecretsRead(t, s)
	})

	t.Run("migration client", func(t *testing.T) {
		clients := s.ofType("AWS::Cognito::UserPoolClient")
		if len(clients) != 2 {
			t.Fatalf("%d clients, want the app client and the migration client", len(clients))
		}
		var withPassword int
		for id, cl := range clients {
			flows := fmt.Sprint(cl.Properties["ExplicitAuthFlows"])
			if strings.Contains(flows, "ALLOW_USER_PASSWORD_AUTH") {
				withPassword++
				if cl.Properties["AllowedOAuthFlows"] != nil {
					t.Errorf("migration client %s has OAuth flows %v", id, cl.Properties["AllowedOAuthFlows"])
				}
			}
			if strings.Contains(flows, "ALLOW_ADMIN_USER_PASSWORD_AUTH") {
				t.Errorf("client %s allows ADMIN_USER_PASSWORD_AUTH", id)
			}
			if cl.Properties["PreventUserExistenceErrors"] != "ENABLED" {
				t.Errorf("client %s reveals whether users exist", id)
			}
		}
		if withPassword != 1 {
			t.Errorf("%d clients allow USER_PASSWORD_AUTH, want only the migration client", withPassword)
		}
		if *s.c.MigrationClient.UserPoolClientId() == *s.c.Client.UserPoolClientId() {
			t.Error("MigrationClient is the app client")
		}
	})

	t.Run("identity pool", func(t *testing.T) {
		check(t, "identity pool", func() {
			s.template.HasResourceProperties(jsii.String("AWS::Cognito::IdentityPool"), &map[string]any{"AllowUnauthenticatedIdentities": false})
		})
		var found bool
		for _, st := range statements(t, s) {
			if slices.Equal(st.actions, []string{"s3:GetObject", "s3:PutObject"}) {
				found = true
				if r := fmt.Sprint(st.resources); !strings.Contains(r, ":s3:::user-files/${cognito-identity.amazonaws.com:sub}/*") {
					t.Errorf("S3 resource %s, want the caller's own prefix", r)
				}
			}
		}
		if !found {
			t.Error("no s3:GetObject/PutObject statement for the authenticated role")
		}
	})

	t.Run("sms only to phone numbers", func(t *testing.T) {
		for _, st := range statements(t, s) {
			if slices.Contains(st.actions, "sns:Publish") && !strings.Contains(fmt.Sprint(st.notResources), ":sns:*:*:*") {
				t.Errorf("sns:Publish statement %+v may publish to topics", st)
			}
		}
	})

	t.Run("token validity", func(t *testing.T) {
		check(t, "client", func() {
			s.template.HasResourceProperties(jsii.String("AWS::Cognito::UserPoolClient"), &map[string]any{
				// No CallbackURLs: without Client.ManagedLogin the client has no OAuth.
				"AccessTokenValidity": 15, "CallbackURLs": assertions.Match_Absent(),
			})
		})
	})

	t.Run("tables", func(t *testing.T) { checkTables(t, s, true) })
	t.Run("least privilege", func(t *testing.T) { checkIAM(t, s) })
	t.Run("no dependency cycle", func(t *testing.T) { checkNoCycle(t, s.res) })
	t.Run("alarms", func(t *testing.T) { checkAlarms(t, s, 5, 1) })
}

func checkTables(t *testing.T, s *synthesized, migration bool) {
	t.Helper()
	type schema struct{ pk, sk, ttl string }
	want := map[string]schema{
		"Tenancy":    {"pk", "sk", "ttl"},
		"Challenges": {"pk", "", "expiresAt"},
		"Audit":      {"pk", "sk", "expiresAt"},
		"Confirm":    {"pk", "", "expiresAt"},
	}
	if migration {
		want["Migration"] = schema{"username", "", "expiresAt"}
		check(t, "migration index", func() {
			s.template.HasResourceProperties(jsii.String("AWS::DynamoDB::Table"), &map[string]any{
				"KeySchema": []any{map[string]any{"AttributeName": "username", "KeyType": "HASH"}},
				"GlobalSecondaryIndexes": []any{map[string]any{
					"IndexName": "outcome-lastSeen",
					"KeySchema": []any{
						map[string]any{"AttributeName": "outcome", "KeyType": "HASH"},
						map[string]any{"AttributeName": "lastSeen", "KeyType": "RANGE"},
					},
					"Projection": map[string]any{"ProjectionType": "ALL"},
				}},
			})
		})
	}
	tables := s.ofType("AWS::DynamoDB::Table")
	if len(tables) != len(want) {
		t.Errorf("%d tables, want %d", len(tables), len(want))
	}
	for name, w := range want {
		id := ""
		for lid := range tables {
			if strings.Contains(lid, name+"Table") {
				id = lid
			}
		}
		if id == "" {
			t.Errorf("no %s table", name)
			continue
		}
		keySchema := []any{map[string]any{"AttributeName": w.pk, "KeyType": "HASH"}}
		if w.sk != "" {
			keySchema = append(keySchema, map[string]any{"AttributeName": w.sk, "KeyType": "RANGE"})
		}
		check(t, name+" table", func() {
			s.template.HasResource(jsii.String("AWS::DynamoDB::Table"), &map[string]any{
				"Properties": map[string]any{
					"TableName":                        assertions.Match_Absent(),
					"KeySchema":                        keySchema,
					"BillingMode":                      "PAY_PER_REQUEST",
					"PointInTimeRecoverySpecification": map[string]any{"PointInTimeRecoveryEnabled": true},
					"TimeToLiveSpecification":          map[string]any{"AttributeName": w.ttl, "Enabled": true},
					"DeletionProtectionEnabled":        true,
				},
				"DeletionPolicy":      "Retain",
				"UpdateReplacePolicy": "Retain",
			})
		})
	}
}

type statement struct {
	policy                           string
	actions, resources, notResources []string
	condition                        string // JSON, "" without one
}

func strs(v any) []string {
	switch v := v.(type) {
	case nil:
		return nil
	case string:
		return []string{v}
	case []any:
		out := make([]string, len(v))
		for i, x := range v {
			if s, ok := x.(string); ok {
				out[i] = s
			} else {
				b, _ := json.Marshal(x)
				out[i] = string(b)
			}
		}
		return out
	}
	b, _ := json.Marshal(v)
	return []string{string(b)}
}

// statements returns every statement of every IAM policy in the template:
// AWS::IAM::Policy documents and roles' inline policies.
func statements(t *testing.T, s *synthesized) []statement {
	t.Helper()
	var out []statement
	add := func(name string, doc any) {
		d, _ := doc.(map[string]any)
		sts, _ := d["Statement"].([]any)
		for _, x := range sts {
			m := x.(map[string]any)
			st := statement{policy: name, actions: strs(m["Action"]), resources: strs(m["Resource"]), notResources: strs(m["NotResource"])}
			if c, ok := m["Condition"]; ok {
				b, _ := json.Marshal(c)
				st.condition = string(b)
			}
			out = append(out, st)
		}
	}
	for id, r := range s.res {
		switch r.Type {
		case "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy":
			add(id, r.Properties["PolicyDocument"])
		case "AWS::IAM::Role":
			pols, _ := r.Properties["Policies"].([]any)
			for _, p := range pols {
				add(id, p.(map[string]any)["PolicyDocument"])
			}
		}
	}
	return out
}

func checkIAM(t *testing.T, s *synthesized) {
	t.Helper()
	for _, p := range iamProblems(t, s) {
		t.Error(p)
	}
}

// iamProblems lists the IAM statements that are broader than they need be.
func iamProblems(t *testing.T, s *synthesized) []string {
	t.Helper()
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	sts := statements(t, s)
	if len(sts) == 0 {
		bad("no IAM statements found: the check would pass vacuously")
	}
	for _, st := range sts {
		for _, a := range st.actions {
			if strings.Contains(a, "*") {
				bad("%s: wildcard action %q", st.policy, a)
			}
		}
		for _, r := range st.resources {
			if r == "*" && !xrayOnly(st.actions) {
				bad("%s: actions %v on resource *", st.policy, st.actions)
			}
		}
		if len(st.resources) == 0 && len(st.notResources) == 0 {
			bad("%s: statement %v has no resource", st.policy, st.actions)
		}
	}
	for id, r := range s.ofType("AWS::IAM::Role") {
		if r.Properties["ManagedPolicyArns"] != nil {
			bad("role %s has managed policies %v (AWSLambdaBasicExecutionRole allows logs on *)", id, r.Properties["ManagedPolicyArns"])
		}
	}
	// Cognito admin actions are scoped to this pool, DynamoDB actions to
	// the tables (the legacy table is imported by name).
	arnOf := func(typ string) map[string]bool {
		out := map[string]bool{}
		for id := range s.ofType(typ) {
			out[fmt.Sprintf(`{"Fn::GetAtt":[%q,"Arn"]}`, id)] = true
		}
		return out
	}
	pools, tables := arnOf("AWS::Cognito::UserPool"), arnOf("AWS::DynamoDB::Table")
	for _, st := range sts {
		for _, a := range st.actions {
			for _, r := range st.resources {
				switch {
				case strings.HasPrefix(a, "cognito-idp:") && !pools[r]:
					bad("%s: %s on %s, want the user pool's ARN", st.policy, a, r)
				case strings.HasPrefix(a, "dynamodb:") && !tables[r] && !strings.Contains(r, ":table/legacy-users"):
					bad("%s: %s on %s, want a table ARN", st.policy, a, r)
				}
			}
		}
	}
	return problems
}

// xrayOnly reports whether actions are the X-Ray writes of active tracing,
// which support no resource-level permissions (AWS: "Actions, resources,
// and condition keys for AWS X-Ray"): the one statement allowed on *.
func xrayOnly(actions []string) bool {
	for _, a := range actions {
		if a != "xray:PutTraceSegments" && a != "xray:PutTelemetryRecords" {
			return false
		}
	}
	return len(actions) > 0
}

// policyActions returns, by function logical ID, the sorted actions of
// the policies attached to the function's role, other than the logs and
// the X-Ray writes of active tracing (TestTracing checks those).
func policyActions(t *testing.T, s *synthesized) map[string][]string {
	t.Helper()
	roleOf := map[string]string{} // role logical ID -> function logical ID
	for id, r := range s.ofType("AWS::Lambda::Function") {
		roleOf[getAttArn(r.Properties["Role"])] = id
	}
	out := map[string][]string{}
	for id, r := range s.ofType("AWS::IAM::Policy") {
		roles, _ := r.Properties["Roles"].([]any)
		for _, role := range roles {
			ref, _ := role.(map[string]any)["Ref"].(string)
			fn, ok := roleOf[ref]
			if !ok {
				continue
			}
			for _, st := range statements(t, &synthesized{res: map[string]resource{id: r}}) {
				for _, a := range st.actions {
					if strings.HasPrefix(a, "xray:") {
						continue
					}
					if !slices.Contains(out[fn], a) {
						out[fn] = append(out[fn], a)
					}
				}
			}
		}
	}
	for _, v := range out {
		sort.Strings(v)
	}
	return out
}

func TestIAMCheckCatchesWildcards(t *testing.T) {
	s := &synthesized{res: map[string]resource{
		"Pool": {Type: "AWS::Cognito::UserPool"},
		"Wide": {Type: "AWS::IAM::Policy", Properties: map[string]any{"PolicyDocument": map[string]any{"Statement": []any{
			map[string]any{"Action": "dynamodb:*", "Resource": "arn:aws:dynamodb:eu-west-1:1:table/x"},
			map[string]any{"Action": []any{"cognito-idp:ListUsers"}, "Resource": "*"},
		}}}},
		"Managed": {Type: "AWS::IAM::Role", Properties: map[string]any{"ManagedPolicyArns": []any{"arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"}}},
	}}
	got := strings.Join(iamProblems(t, s), "\n")
	for _, want := range []string{`wildcard action "dynamodb:*"`, "[cognito-idp:ListUsers] on resource *", "managed policies",
		"dynamodb:* on arn:aws:dynamodb:eu-west-1:1:table/x, want a table ARN", "cognito-idp:ListUsers on *, want the user pool's ARN"} {
		if !strings.Contains(got, want) {
			t.Errorf("problems:\n%s\nwant %q", got, want)
		}
	}
}

// checkAlarms checks the three alarms of each function, the dead-letter
// queue alarms, and that every alarm notifies the alarm topic when it
// fires and when it clears.
func checkAlarms(t *testing.T, s *synthesized, functions, deadLetters int) {
	t.Helper()
	alarms := s.ofType("AWS::CloudWatch::Alarm")
	want := 3*functions + deadLetters
	if len(alarms) != want || len(s.c.Alarms) != want {
		t.Errorf("%d alarms (%d in the construct), want 3 for each of %d functions and %d for dead letters", len(alarms), len(s.c.Alarms), functions, deadLetters)
	}
	if s.c.AlarmTopic == nil {
		t.Fatal("no AlarmTopic")
	}
	topic := fmt.Sprint(s.stack.Resolve(s.c.AlarmTopic.TopicArn()))
	count := map[string]int{}
	for id, a := range alarms {
		p := a.Properties
		metric := fmt.Sprint(p["MetricName"])
		count[metric]++
		if p["ComparisonOperator"] != "GreaterThanThreshold" {
			t.Errorf("alarm %s: %v", id, p["ComparisonOperator"])
		}
		for _, actions := range []string{"AlarmActions", "OKActions"} {
			if got := fmt.Sprint(p[actions]); got != "["+topic+"]" {
				t.Errorf("alarm %s: %s %s, want the alarm topic %s", id, actions, got, topic)
			}
		}
		ns := "AWS/Lambda"
		switch metric {
		case "Errors", "Throttles":
			if p["Threshold"] != 0.0 || p["Statistic"] != "Sum" {
				t.Errorf("%s alarm %s: threshold %v statistic %v, want > 0 of the sum", metric, id, p["Threshold"], p["Statistic"])
			}
		case "Duration":
			if p["Threshold"] != 3000.0 || p["ExtendedStatistic"] != "p99" {
				t.Errorf("duration alarm %s: threshold %v statistic %v, want p99 > 3000 ms", id, p["Threshold"], p["ExtendedStatistic"])
			}
		case "ApproximateNumberOfMessagesVisible":
			ns = "AWS/SQS"
			if p["Threshold"] != 0.0 || p["Statistic"] != "Maximum" {
				t.Errorf("dead-letter alarm %s: threshold %v statistic %v, want any message", id, p["Threshold"], p["Statistic"])
			}
		default:
			t.Errorf("alarm %s on %s", id, metric)
		}
		if p["Namespace"] != ns {
			t.Errorf("alarm %s: namespace %v, want %s", id, p["Namespace"], ns)
		}
	}
	for _, m := range []string{"Errors", "Throttles", "Duration"} {
		if count[m] != functions {
			t.Errorf("%d %s alarms, want %d", count[m], m, functions)
		}
	}
	if count["ApproximateNumberOfMessagesVisible"] != deadLetters {
		t.Errorf("%d dead-letter alarms, want %d", count["ApproximateNumberOfMessagesVisible"], deadLetters)
	}
}

// checkNoCycle fails if the resources depend on each other in a cycle
// (through Ref, Fn::GetAtt or DependsOn), which CDK does not detect
// within one stack and CloudFormation refuses at deploy time.
func checkNoCycle(t *testing.T, res map[string]resource) {
	t.Helper()
	if cycle := findCycle(res); cycle != nil {
		t.Errorf("dependency cycle: %s", strings.Join(cycle, " -> "))
	}
}

func findCycle(res map[string]resource) []string {
	deps := map[string][]string{}
	for id, r := range res {
		seen := map[string]bool{}
		var walk func(v any)
		walk = func(v any) {
			switch v := v.(type) {
			case map[string]any:
				if ref, ok := v["Ref"].(string); ok && len(v) == 1 {
					seen[ref] = true
				}
				if ga, ok := v["Fn::GetAtt"].([]any); ok && len(ga) > 0 {
					seen[fmt.Sprint(ga[0])] = true
				}
				for _, x := range v {
					walk(x)
				}
			case []any:
				for _, x := range v {
					walk(x)
				}
			}
		}
		walk(map[string]any(r.Properties))
		for _, d := range strs(r.DependsOn) {
			seen[d] = true
		}
		for d := range seen {
			if _, ok := res[d]; ok {
				deps[id] = append(deps[id], d)
			}
		}
		sort.Strings(deps[id])
	}
	const (
		white = iota
		grey
		black
	)
	state := map[string]int{}
	var path []string
	var visit func(id string) []string
	visit = func(id string) []string {
		state[id] = grey
		path = append(path, id)
		for _, d := range deps[id] {
			switch state[d] {
			case grey:
				i := slices.Index(path, d)
				return append(slices.Clone(path[i:]), d)
			case white:
				if c := visit(d); c != nil {
					return c
				}
			}
		}
		path = path[:len(path)-1]
		state[id] = black
		return nil
	}
	for _, id := range keys(res) {
		if state[id] == white {
			if c := visit(id); c != nil {
				return c
			}
		}
	}
	return nil
}

func envOf(t *testing.T, r resource) map[string]any {
	t.Helper()
	e, _ := r.Properties["Environment"].(map[string]any)
	v, _ := e["Variables"].(map[string]any)
	return v
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestMagicLinkKey: with MagicLinkKey, a retained HMAC_256 key signs magic
// links, and only the custom-auth function may use it, for GenerateMac and
// VerifyMac on that key alone.
func TestMagicLinkKey(t *testing.T) {
	s := synth(t, cognitrigcdk.Props{Shape: cognitrigcdk.FunctionPerConcern, EmailFrom: "no-reply@example.com",
		MagicLinkKey: &cognitrigcdk.MagicLinkKeyProps{}})
	keyID := ""
	for id, r := range s.ofType("AWS::KMS::Key") {
		if r.Properties["KeySpec"] == "HMAC_256" && r.Properties["KeyUsage"] == "GENERATE_VERIFY_MAC" {
			keyID = id
		}
	}
	if keyID == "" || s.c.MagicLinkKey == nil {
		t.Fatalf("no HMAC_256 GENERATE_VERIFY_MAC key among %v", keys(s.ofType("AWS::KMS::Key")))
	}
	check(t, "key retained", func() {
		s.template.HasResource(jsii.String("AWS::KMS::Key"), &map[string]any{
			"Properties": assertions.Match_ObjectLike(&map[string]any{"KeySpec": "HMAC_256"}), "DeletionPolicy": "Retain",
		})
	})
	customauth := s.logicalID(s.c.Functions["customauth"])
	actions := policyActions(t, s)
	for h, fn := range s.c.Functions {
		id := s.logicalID(fn)
		env := envOf(t, s.res[id])["COGNITRIG_MAGICLINK_KMS_KEY"]
		mine := id == customauth
		if (env != nil) != mine || slices.Contains(actions[id], "kms:GenerateMac") != mine || slices.Contains(actions[id], "kms:VerifyMac") != mine {
			t.Errorf("%s: COGNITRIG_MAGICLINK_KMS_KEY %v, actions %v", h, env, actions[id])
		}
		if env != nil && getAttArn(env) != keyID {
			t.Errorf("COGNITRIG_MAGICLINK_KMS_KEY = %v, want the key's ARN", env)
		}
	}
	for _, st := range statements(t, s) {
		if slices.Contains(st.actions, "kms:GenerateMac") && (len(st.resources) != 1 || !strings.Contains(st.resources[0], keyID)) {
			t.Errorf("kms:GenerateMac on %v, want the magic-link key only", st.resources)
		}
	}
}
