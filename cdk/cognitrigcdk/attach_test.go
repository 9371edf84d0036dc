package cognitrigcdk_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/jsii-runtime-go"
	"github.com/cognitrig/cognitrig/cdk/cognitrigcdk"
)

// attached is a stack with a user pool of its own and cognitrig attached.
type attached struct {
	*synthesized
	a    *cognitrigcdk.Attachment
	pool awscognito.UserPool
}

// attachTo defines a pool in a new stack (poolProps may adjust it), attaches
// props to it and synthesizes the stack. props.UserPool and Code are set
// here.
func attachTo(t *testing.T, props cognitrigcdk.AttachProps, poolProps func(awscdk.Stack, *awscognito.UserPoolProps, *cognitrigcdk.AttachProps)) (*attached, error) {
	t.Helper()
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(t.TempDir())})
	stack := awscdk.NewStack(app, jsii.String("Own"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("111122223333"), Region: jsii.String("eu-west-1")},
	})
	pp := &awscognito.UserPoolProps{FeaturePlan: awscognito.FeaturePlan_ESSENTIALS}
	if poolProps != nil {
		poolProps(stack, pp, &props)
	}
	pool := awscognito.NewUserPool(stack, jsii.String("Pool"), pp)
	props.UserPool = pool
	if props.Code == nil {
		props.Code = dummyCode(t)
	}
	a, err := cognitrigcdk.Attach(stack, "Cognitrig", props)
	if err != nil {
		return nil, err
	}
	tmpl := assertions.Template_FromStack(stack, nil)
	return &attached{synthesized: &synthesized{stack: stack, template: tmpl, res: resources(t, tmpl)}, a: a, pool: pool}, nil
}

// resolved is how a token appears in a statement of the template (see strs).
func (s *attached) resolved(token *string) string {
	v := s.stack.Resolve(token)
	if str, ok := v.(string); ok {
		return str
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// stmt writes a statement as "ACTIONS on RESOURCES", actions sorted.
func stmt(actions []string, resources ...string) string {
	actions = slices.Clone(actions)
	sort.Strings(actions)
	return strings.Join(actions, ",") + " on " + strings.Join(resources, " ")
}

// grants are every IAM statement in the template besides each function's
// own log writing and X-Ray tracing (checked once per function here).
func (s *attached) grants(t *testing.T, functions int) []string {
	t.Helper()
	var out []string
	logs, xray := 0, 0
	for _, st := range statements(t, s.synthesized) {
		switch {
		case slices.Equal(st.actions, []string{"logs:CreateLogStream", "logs:PutLogEvents"}):
			logs++
		case xrayOnly(st.actions):
			xray++
		case len(st.notResources) > 0:
			out = append(out, stmt(st.actions, "NOT "+strings.Join(st.notResources, " ")))
		default:
			out = append(out, stmt(st.actions, st.resources...))
		}
	}
	if logs != functions || xray != functions {
		t.Errorf("%d log and %d X-Ray statements, want one of each per function (%d)", logs, xray, functions)
	}
	sort.Strings(out)
	return out
}

// lambdaConfig returns LambdaConfig key -> its LambdaVersion ("" for a
// trigger without one, the key ARN for KMSKeyID).
func (s *attached) lambdaConfig(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, pool := range s.ofType("AWS::Cognito::UserPool") {
		cfg, _ := pool.Properties["LambdaConfig"].(map[string]any)
		for k, v := range cfg {
			if k == "KMSKeyID" {
				b, _ := json.Marshal(v)
				out[k] = string(b)
				continue
			}
			switch v := v.(type) {
			case map[string]any:
				if arn, ok := v["LambdaArn"]; ok {
					out[k], _ = v["LambdaVersion"].(string)
					if getAttArn(arn) == "" {
						t.Errorf("LambdaConfig.%s invokes %v, not a function of the stack", k, arn)
					}
					continue
				}
				out[k] = ""
				if getAttArn(v) == "" {
					b, _ := json.Marshal(v)
					out[k] = string(b)
				}
			default:
				b, _ := json.Marshal(v)
				out[k] = string(b)
			}
		}
	}
	return out
}

const from = "Example <no-reply@mail.example.com>"

// TestAttachFeatures: each feature, attached alone to a pool the test
// defines, adds exactly its functions, tables, triggers (with their event
// versions) and IAM statements, and nothing else.
func TestAttachFeatures(t *testing.T) {
	type want struct {
		functions []string
		tables    []string          // fields of Tables that are set
		triggers  map[string]string // LambdaConfig key -> version
		grants    func(s *attached) []string
		secrets   int // AWS::SecretsManager::Secret
		keys      int // AWS::KMS::Key, besides the alarm topic's
		env       map[string]map[string]string
	}
	var legacyClient awssecretsmanager.ISecret // imported by name in the migration case
	for _, c := range []struct {
		name  string
		props cognitrigcdk.AttachProps
		pool  func(awscdk.Stack, *awscognito.UserPoolProps, *cognitrigcdk.AttachProps)
		want  want
	}{
		{
			name:  "custom auth",
			props: cognitrigcdk.AttachProps{EmailFrom: from, Features: cognitrigcdk.Features{CustomAuth: &cognitrigcdk.CustomAuthFeature{}}},
			want: want{
				functions: []string{"customauth"},
				tables:    []string{"Challenges"},
				triggers:  map[string]string{"DefineAuthChallenge": "", "CreateAuthChallenge": "", "VerifyAuthChallengeResponse": ""},
				grants: func(s *attached) []string {
					return []string{
						stmt([]string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"}, s.resolved(s.a.Tables.Challenges.TableArn())),
						stmt([]string{"secretsmanager:GetSecretValue"}, s.resolved(s.a.MasterKeySecret.SecretFullArn())),
						stmt([]string{"ses:SendEmail"}, sesARN("identity/no-reply@mail.example.com"), sesARN("identity/mail.example.com")),
					}
				},
				secrets: 1,
			},
		},
		{
			name:  "tenancy",
			props: cognitrigcdk.AttachProps{Features: cognitrigcdk.Features{Tenancy: &cognitrigcdk.TenancyFeature{ScopeMap: map[string][]string{"admin": {"read", "write"}, "member": {"read"}}}}},
			want: want{
				functions: []string{"tenancy"},
				tables:    []string{"Tenancy"},
				triggers:  map[string]string{"PreSignUp": "", "PostConfirmation": "", "PreTokenGenerationConfig": "V2_0"},
				grants: func(s *attached) []string {
					return []string{
						stmt([]string{"cognito-idp:AdminUpdateUserAttributes", "cognito-idp:AdminAddUserToGroup"}, s.resolved(s.pool.UserPoolArn())),
						stmt([]string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"}, s.resolved(s.a.Tables.Tenancy.TableArn())),
					}
				},
				env: map[string]map[string]string{"tenancy": {"COGNITRIG_SCOPE_MAP": "admin=read,write;member=read"}},
			},
		},
		{
			name:  "tenancy with machine-to-machine claims",
			props: cognitrigcdk.AttachProps{Features: cognitrigcdk.Features{Tenancy: &cognitrigcdk.TenancyFeature{MachineToMachineClaims: true}}},
			want: want{
				functions: []string{"tenancy"},
				tables:    []string{"Tenancy"},
				triggers:  map[string]string{"PreSignUp": "", "PostConfirmation": "", "PreTokenGenerationConfig": "V3_0"},
				grants: func(s *attached) []string {
					return []string{
						stmt([]string{"cognito-idp:AdminUpdateUserAttributes", "cognito-idp:AdminAddUserToGroup"}, s.resolved(s.pool.UserPoolArn())),
						stmt([]string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"}, s.resolved(s.a.Tables.Tenancy.TableArn())),
					}
				},
			},
		},
		{
			name:  "invitations",
			props: cognitrigcdk.AttachProps{Features: cognitrigcdk.Features{Invitations: &cognitrigcdk.InvitationsFeature{Required: true}}},
			want: want{
				functions: []string{"tenancy"},
				tables:    []string{"Tenancy"},
				triggers:  map[string]string{"PreSignUp": "", "PostConfirmation": ""},
				grants: func(s *attached) []string {
					return []string{
						stmt([]string{"cognito-idp:AdminUpdateUserAttributes", "cognito-idp:AdminAddUserToGroup"}, s.resolved(s.pool.UserPoolArn())),
						stmt([]string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"}, s.resolved(s.a.Tables.Tenancy.TableArn())),
					}
				},
				env: map[string]map[string]string{"tenancy": {"COGNITRIG_REQUIRE_INVITATION": "true"}},
			},
		},
		{
			name: "federation linking",
			props: cognitrigcdk.AttachProps{Features: cognitrigcdk.Features{FederationLinking: &cognitrigcdk.FederationLinkingFeature{
				Providers: []string{"Google", "Okta"}, TrustedEmailProviders: []string{"Okta"}}}},
			want: want{
				functions: []string{"tenancy"},
				tables:    []string{"Tenancy"},
				triggers:  map[string]string{"PreSignUp": ""},
				grants: func(s *attached) []string {
					return []string{
						stmt([]string{"cognito-idp:ListUsers", "cognito-idp:AdminLinkProviderForUser"}, s.resolved(s.pool.UserPoolArn())),
						stmt([]string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"}, s.resolved(s.a.Tables.Tenancy.TableArn())),
					}
				},
				env: map[string]map[string]string{"tenancy": {"COGNITRIG_FEDERATION_PROVIDERS": "Google,Okta", "COGNITRIG_TRUSTED_EMAIL_PROVIDERS": "Okta"}},
			},
		},
		{
			name: "inbound federation",
			props: cognitrigcdk.AttachProps{Features: cognitrigcdk.Features{InboundFederation: &cognitrigcdk.InboundFederationFeature{
				Providers: map[string]string{"Okta": "acme", "Entra": "globex"}}}},
			want: want{
				functions: []string{"tenancy"},
				tables:    []string{"Tenancy"},
				triggers:  map[string]string{"InboundFederation": "V1_0"},
				grants: func(s *attached) []string {
					return []string{stmt([]string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"}, s.resolved(s.a.Tables.Tenancy.TableArn()))}
				},
				env: map[string]map[string]string{"tenancy": {"COGNITRIG_INBOUND_PROVIDERS": "Entra=globex,Okta=acme"}},
			},
		},
		{
			name:  "welcome email",
			props: cognitrigcdk.AttachProps{EmailFrom: from, Features: cognitrigcdk.Features{WelcomeEmail: &cognitrigcdk.WelcomeEmailFeature{}}},
			want: want{
				functions: []string{"tenancy"},
				tables:    []string{"Confirm", "Tenancy"},
				triggers:  map[string]string{"PostConfirmation": ""},
				grants: func(s *attached) []string {
					return []string{
						stmt([]string{"cognito-idp:AdminUpdateUserAttributes", "cognito-idp:AdminAddUserToGroup"}, s.resolved(s.pool.UserPoolArn())),
						stmt([]string{"dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"}, s.resolved(s.a.Tables.Confirm.TableArn())),
						stmt([]string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"}, s.resolved(s.a.Tables.Tenancy.TableArn())),
						stmt([]string{"ses:SendEmail"}, sesARN("identity/no-reply@mail.example.com"), sesARN("identity/mail.example.com")),
					}
				},
				env: map[string]map[string]string{"tenancy": {"COGNITRIG_WELCOME_EMAIL": "true", "COGNITRIG_EMAIL_FROM": from}},
			},
		},
		{
			name: "migration",
			props: cognitrigcdk.AttachProps{Features: cognitrigcdk.Features{Migration: &cognitrigcdk.MigrationFeature{
				TokenURL: "https://legacy.example.com/token", UserInfoURL: "https://legacy.example.com/userinfo",
				ClientID: "cognito-migration", AttributeMap: map[string]string{"mail": "email"},
			}}},
			pool: func(stack awscdk.Stack, _ *awscognito.UserPoolProps, a *cognitrigcdk.AttachProps) {
				legacyClient = awssecretsmanager.Secret_FromSecretNameV2(stack, jsii.String("LegacyClient"), jsii.String("legacy-client"))
				a.Features.Migration.ClientSecret = legacyClient
			},
			want: want{
				functions: []string{"migration"},
				tables:    []string{"Migration"},
				triggers:  map[string]string{"UserMigration": ""},
				grants: func(s *attached) []string {
					return []string{
						stmt([]string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"}, s.resolved(s.a.Tables.Migration.TableArn())),
						// Imported by name: a partial ARN, and Secrets Manager's six characters.
						stmt([]string{"secretsmanager:GetSecretValue"}, s.resolved(jsii.String(*legacyClient.SecretArn()+"-??????"))),
						stmt([]string{"secretsmanager:GetSecretValue"}, s.resolved(s.a.NameKeySecret.SecretFullArn())),
					}
				},
				secrets: 1, // the generated name key
				env: map[string]map[string]string{"migration": {
					"COGNITRIG_LEGACY_TOKEN_URL":         "https://legacy.example.com/token",
					"COGNITRIG_LEGACY_USERINFO_URL":      "https://legacy.example.com/userinfo",
					"COGNITRIG_LEGACY_CLIENT_ID":         "cognito-migration",
					"COGNITRIG_LEGACY_CLIENT_SECRET_ARN": "legacy-client", // imported by name: read by name
					"COGNITRIG_LEGACY_ATTRIBUTE_MAP":     "mail=email",
				}},
			},
		},
		{
			name:  "custom messages",
			props: cognitrigcdk.AttachProps{Features: cognitrigcdk.Features{CustomMessages: &cognitrigcdk.CustomMessagesFeature{}}},
			want: want{
				functions: []string{"messages"},
				triggers:  map[string]string{"CustomMessage": ""},
				grants:    func(*attached) []string { return nil },
			},
		},
		{
			name:  "custom senders",
			props: cognitrigcdk.AttachProps{EmailFrom: from, Features: cognitrigcdk.Features{CustomSenders: &cognitrigcdk.CustomSendersFeature{}}},
			want: want{
				functions: []string{"messages"},
				triggers:  map[string]string{"CustomEmailSender": "V1_0", "KMSKeyID": "<sender key>"},
				grants: func(s *attached) []string {
					return []string{
						stmt([]string{"cognito-idp:AdminGetUser"}, s.resolved(s.pool.UserPoolArn())),
						stmt([]string{"kms:Decrypt"}, s.resolved(s.a.SenderKey.KeyArn())),
						stmt([]string{"ses:SendEmail"}, sesARN("identity/no-reply@mail.example.com"), sesARN("identity/mail.example.com")),
						stmt([]string{"sqs:SendMessage"}, s.resolved(s.a.DeadLetterQueue.QueueArn())),
					}
				},
				keys: 1,
			},
		},
		{
			name: "custom senders with SMS, on a pool built with its own sender key",
			pool: func(stack awscdk.Stack, p *awscognito.UserPoolProps, a *cognitrigcdk.AttachProps) {
				key := awskms.NewKey(stack, jsii.String("PoolKey"), &awskms.KeyProps{EnableKeyRotation: jsii.Bool(true)})
				p.CustomSenderKmsKey = key
				a.Features.CustomSenders.Key = key
			},
			props: cognitrigcdk.AttachProps{EmailFrom: from, SMS: true, Features: cognitrigcdk.Features{CustomSenders: &cognitrigcdk.CustomSendersFeature{}}},
			want: want{
				functions: []string{"messages"},
				triggers:  map[string]string{"CustomEmailSender": "V1_0", "CustomSMSSender": "V1_0", "KMSKeyID": "<sender key>"},
				grants: func(s *attached) []string {
					return []string{
						stmt([]string{"cognito-idp:AdminGetUser"}, s.resolved(s.pool.UserPoolArn())),
						stmt([]string{"kms:Decrypt"}, s.resolved(s.a.SenderKey.KeyArn())),
						stmt([]string{"ses:SendEmail"}, sesARN("identity/no-reply@mail.example.com"), sesARN("identity/mail.example.com")),
						stmt([]string{"sns:Publish"}, `NOT {"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":sns:*:*:*"]]}`),
						stmt([]string{"sqs:SendMessage"}, s.resolved(s.a.DeadLetterQueue.QueueArn())),
					}
				},
				keys: 1, // the pool's own
			},
		},
		{
			name:  "auth events",
			props: cognitrigcdk.AttachProps{Features: cognitrigcdk.Features{AuthEvents: &cognitrigcdk.AuthEventsFeature{IPDeny: []string{"192.0.2.0/24"}, MFAOnNewDevice: true}}},
			want: want{
				functions: []string{"authevents"},
				tables:    []string{"Audit"},
				triggers:  map[string]string{"PreAuthentication": "", "PostAuthentication": ""},
				grants: func(s *attached) []string {
					return []string{
						stmt([]string{"cognito-idp:AdminSetUserMFAPreference"}, s.resolved(s.pool.UserPoolArn())),
						stmt([]string{"dynamodb:PutItem", "dynamodb:Query"}, s.resolved(s.a.Tables.Audit.TableArn())),
					}
				},
				env: map[string]map[string]string{"authevents": {"COGNITRIG_IP_DENY": "192.0.2.0/24", "COGNITRIG_MFA_ON_NEW_DEVICE": "true"}},
			},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := attachTo(t, c.props, c.pool)
			if err != nil {
				t.Fatalf("Attach: %v", err)
			}
			w := c.want
			if got := keys(s.a.Functions); !slices.Equal(got, w.functions) {
				t.Errorf("functions %v, want %v", got, w.functions)
			}
			if n := len(s.ofType("AWS::Lambda::Function")); n != len(w.functions) {
				t.Errorf("%d AWS::Lambda::Function, want %d", n, len(w.functions))
			}
			if got := setTables(s.a.Tables); !slices.Equal(got, w.tables) {
				t.Errorf("tables %v, want %v", got, w.tables)
			}
			if n := len(s.ofType("AWS::DynamoDB::Table")); n != len(w.tables) {
				t.Errorf("%d AWS::DynamoDB::Table, want %d", n, len(w.tables))
			}
			got := s.lambdaConfig(t)
			if kms, ok := got["KMSKeyID"]; ok {
				if kms != s.resolved(s.a.SenderKey.KeyArn()) {
					t.Errorf("LambdaConfig.KMSKeyID %s, want the sender key %s", kms, s.resolved(s.a.SenderKey.KeyArn()))
				}
				got["KMSKeyID"] = "<sender key>"
			}
			if !maps.Equal(got, w.triggers) {
				t.Errorf("LambdaConfig %v, want %v", got, w.triggers)
			}
			if n := len(s.ofType("AWS::Lambda::Permission")); n != len(w.triggers)-boolInt(w.triggers["KMSKeyID"] != "") {
				t.Errorf("%d invoke permissions, want one per trigger", n)
			}
			wantGrants := w.grants(s)
			sort.Strings(wantGrants)
			if got := s.grants(t, len(w.functions)); !slices.Equal(got, wantGrants) {
				t.Errorf("IAM statements:\n got %q\nwant %q", got, wantGrants)
			}
			if n := len(s.ofType("AWS::SecretsManager::Secret")); n != w.secrets {
				t.Errorf("%d secrets, want %d", n, w.secrets)
			}
			// One key encrypts the alarm topic; others are the feature's.
			if n := len(s.ofType("AWS::KMS::Key")); n != 1+w.keys {
				t.Errorf("%d KMS keys, want %d", n, 1+w.keys)
			}
			if n := len(s.ofType("AWS::SNS::Topic")); n != 1 {
				t.Errorf("%d topics, want the alarm topic", n)
			}
			for h, vars := range w.env {
				env := envOf(t, s.res[s.logicalID(s.a.Functions[h])])
				for name, v := range vars {
					if got := fmtEnv(env[name]); got != v {
						t.Errorf("%s %s = %s, want %s", h, name, got, v)
					}
				}
			}
		})
	}
}

func sesARN(resource string) string {
	return `{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":ses:eu-west-1:111122223333:` + resource + `"]]}`
}

// fmtEnv writes a variable's value: a string as it is, a token as JSON
// with its Fn::Join flattened when it joins only strings and references.
func fmtEnv(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	if m, ok := v.(map[string]any); ok {
		if j, ok := m["Fn::Join"].([]any); ok && len(j) == 2 && j[0] == "" {
			var b strings.Builder
			for _, part := range j[1].([]any) {
				if s, ok := part.(string); ok {
					b.WriteString(s)
				} else {
					raw, _ := json.Marshal(part)
					b.Write(raw)
				}
			}
			return b.String()
		}
	}
	raw, _ := json.Marshal(v)
	return string(raw)
}

func setTables(t cognitrigcdk.Tables) []string {
	var out []string
	for name, tb := range map[string]awsdynamodb.Table{"Tenancy": t.Tenancy, "Challenges": t.Challenges, "Migration": t.Migration, "Audit": t.Audit, "Confirm": t.Confirm} {
		if tb != nil {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestAttachNothing: no feature adds nothing to the stack, not even an
// alarm topic, and leaves the pool without triggers.
func TestAttachNothing(t *testing.T) {
	s, err := attachTo(t, cognitrigcdk.AttachProps{}, nil)
	if err != nil {
		t.Fatalf("Attach: %v", err)
	}
	if len(s.a.Functions) != 0 {
		t.Errorf("functions %v, want none", keys(s.a.Functions))
	}
	var types []string
	for _, r := range s.res {
		types = append(types, r.Type)
	}
	if !slices.Equal(types, []string{"AWS::Cognito::UserPool"}) {
		t.Errorf("resources %v, want only the test's own pool", types)
	}
	if cfg := s.lambdaConfig(t); len(cfg) != 0 {
		t.Errorf("LambdaConfig %v, want none", cfg)
	}
}

// TestAttachEverything: every feature on one pool shares one function per
// entry point, each wired to the union of its features' triggers.
func TestAttachEverything(t *testing.T) {
	s, err := attachTo(t, everythingAttached(), everythingSecrets)
	if err != nil {
		t.Fatalf("Attach: %v", err)
	}
	if got, want := keys(s.a.Functions), []string{"authevents", "customauth", "messages", "migration", "tenancy"}; !slices.Equal(got, want) {
		t.Errorf("functions %v, want %v", got, want)
	}
	want := map[string]string{
		"DefineAuthChallenge": "", "CreateAuthChallenge": "", "VerifyAuthChallengeResponse": "",
		"PreSignUp": "", "PostConfirmation": "", "PreTokenGenerationConfig": "V3_0", "InboundFederation": "V1_0",
		"UserMigration": "", "CustomMessage": "", "CustomEmailSender": "V1_0", "CustomSMSSender": "V1_0", "KMSKeyID": "<sender key>",
		"PreAuthentication": "", "PostAuthentication": "",
	}
	got := s.lambdaConfig(t)
	if _, ok := got["KMSKeyID"]; ok {
		got["KMSKeyID"] = "<sender key>"
	}
	if !maps.Equal(got, want) {
		t.Errorf("LambdaConfig %v, want %v", got, want)
	}
	if got := setTables(s.a.Tables); !slices.Equal(got, []string{"Audit", "Challenges", "Confirm", "Migration", "Tenancy"}) {
		t.Errorf("tables %v", got)
	}
	checkNoCycle(t, s.res)
	for _, p := range iamProblems(t, s.synthesized) {
		t.Error(p)
	}
	env := envOf(t, s.res[s.logicalID(s.a.Functions["customauth"])])
	for name, v := range map[string]string{
		"COGNITRIG_AUTH_SEQUENCE":      "password,captcha,email-otp",
		"COGNITRIG_CAPTCHA_VERIFY_URL": "https://www.google.com/recaptcha/api/siteverify",
		"COGNITRIG_CAPTCHA_SECRET_ARN": "captcha", // imported by name: read by name
		"COGNITRIG_CAPTCHA_MIN_SCORE":  "0.7",
		"COGNITRIG_MAGICLINK_PAGES":    "app=https://app.example.com/link,default=https://example.com/link",
		"COGNITRIG_AUTH_LOCKOUT":       "10m0s",
		"COGNITRIG_AUTH_MAX_SENDS":     "5",
	} {
		if got := fmtEnv(env[name]); got != v {
			t.Errorf("customauth %s = %s, want %s", name, got, v)
		}
	}
	if _, ok := env["COGNITRIG_MAGICLINK_KMS_KEY"]; !ok {
		t.Error("customauth has no COGNITRIG_MAGICLINK_KMS_KEY")
	}
	mig := envOf(t, s.res[s.logicalID(s.a.Functions["migration"])])
	for name, want := range map[string]string{
		"COGNITRIG_LEGACY_NAME_KEY_SECRET_ARN": s.resolved(s.a.NameKeySecret.SecretArn()),
		"COGNITRIG_LEGACY_CLIENT_SECRET_ARN":   everythingClientSecretARN,
	} {
		if got := fmtEnv(mig[name]); got != want {
			t.Errorf("migration %s = %s, want %s", name, got, want)
		}
	}
	checkSecretsRead(t, s.synthesized)
	for h, fn := range s.a.Functions {
		env := envOf(t, s.res[s.logicalID(fn)])
		for name := range env {
			if strings.HasPrefix(name, "COGNITRIG_CAPTCHA_") && h != "customauth" || strings.HasPrefix(name, "COGNITRIG_LEGACY_") && h != "migration" {
				t.Errorf("%s gets %s, which only another function reads", h, name)
			}
		}
	}
}

// everythingAttached turns every feature on.
func everythingAttached() cognitrigcdk.AttachProps {
	score := 0.7
	return cognitrigcdk.AttachProps{
		EmailFrom: from,
		SMS:       true,
		Features: cognitrigcdk.Features{
			CustomAuth: &cognitrigcdk.CustomAuthFeature{
				Sequence: []string{"password", "captcha", "email-otp"},
				Captcha: &cognitrigcdk.CaptchaSettings{
					VerifyURL: "https://www.google.com/recaptcha/api/siteverify", Provider: "recaptcha", MinScore: &score,
				}, // Secret: see everythingSecrets
				MagicLinkPages: map[string]string{"default": "https://example.com/link", "app": "https://app.example.com/link"},
				MagicLinkKey:   &cognitrigcdk.MagicLinkKeyProps{},
				Limits:         cognitrigcdk.AuthLimits{Lockout: 10 * 60e9, MaxSends: 5},
			},
			Tenancy:           &cognitrigcdk.TenancyFeature{MachineToMachineClaims: true, GroupPattern: "tenant-{id}"},
			Invitations:       &cognitrigcdk.InvitationsFeature{Required: true},
			FederationLinking: &cognitrigcdk.FederationLinkingFeature{Providers: []string{"Google"}},
			InboundFederation: &cognitrigcdk.InboundFederationFeature{Providers: map[string]string{"Okta": "acme"}},
			WelcomeEmail:      &cognitrigcdk.WelcomeEmailFeature{},
			Migration: &cognitrigcdk.MigrationFeature{TokenURL: "https://legacy.example.com/token",
				UserInfoURL: "https://legacy.example.com/userinfo", ClientID: "cognito-migration"},
			CustomMessages: &cognitrigcdk.CustomMessagesFeature{},
			CustomSenders:  &cognitrigcdk.CustomSendersFeature{},
			AuthEvents:     &cognitrigcdk.AuthEventsFeature{},
		},
	}
}

// everythingClientSecretARN is the legacy client secret of
// everythingSecrets, imported by its complete ARN.
const everythingClientSecretARN = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:legacy-client-AbCdEf"

// everythingSecrets gives everythingAttached its secrets in the stack:
// the CAPTCHA key imported by name, the legacy client secret by its
// complete ARN with a customer managed key. The name key is generated.
func everythingSecrets(stack awscdk.Stack, _ *awscognito.UserPoolProps, a *cognitrigcdk.AttachProps) {
	a.Features.CustomAuth.Captcha.Secret = awssecretsmanager.Secret_FromSecretNameV2(stack, jsii.String("Captcha"), jsii.String("captcha"))
	a.Features.Migration.ClientSecret = awssecretsmanager.Secret_FromSecretAttributes(stack, jsii.String("LegacyClient"), &awssecretsmanager.SecretAttributes{
		SecretCompleteArn: jsii.String(everythingClientSecretARN),
		EncryptionKey:     awskms.Key_FromKeyArn(stack, jsii.String("LegacyKey"), jsii.String("arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab")),
	})
}

// TestAttachRefuses: secrets in plain text or in a plain environment
// property, variables a typed setting covers, and settings Cognito would
// refuse fail before anything is added, the error naming the setting.
func TestAttachRefuses(t *testing.T) {
	// plainSecret is a secret of the stack whose value the template holds.
	plainSecret := func(stack awscdk.Stack, id string) awssecretsmanager.ISecret {
		return awssecretsmanager.NewSecret(stack, jsii.String(id), &awssecretsmanager.SecretProps{
			SecretStringValue: awscdk.SecretValue_UnsafePlainText(jsii.String("s3cr3t-value")),
		})
	}
	captcha := func(secret func(awscdk.Stack) awssecretsmanager.ISecret) func(awscdk.Stack, *awscognito.UserPoolProps, *cognitrigcdk.AttachProps) {
		return func(stack awscdk.Stack, _ *awscognito.UserPoolProps, a *cognitrigcdk.AttachProps) {
			a.Features.CustomAuth.Captcha.Secret = secret(stack)
		}
	}
	for _, c := range []struct {
		name  string
		props cognitrigcdk.AttachProps
		pool  func(awscdk.Stack, *awscognito.UserPoolProps, *cognitrigcdk.AttachProps)
		want  []string
	}{
		{"captcha secret in Environment", cognitrigcdk.AttachProps{Environment: map[string]string{"COGNITRIG_CAPTCHA_SECRET": "s3cr3t-value"}},
			nil, []string{"COGNITRIG_CAPTCHA_SECRET is a secret", "Features.CustomAuth.Captcha.Secret"}},
		{"legacy client secret in Environment", cognitrigcdk.AttachProps{Environment: map[string]string{"COGNITRIG_LEGACY_CLIENT_SECRET": "s3cr3t-value"}},
			nil, []string{"COGNITRIG_LEGACY_CLIENT_SECRET is a secret", "Features.Migration.ClientSecret"}},
		{"name key in Environment", cognitrigcdk.AttachProps{Environment: map[string]string{"COGNITRIG_LEGACY_NAME_KEY": "s3cr3t-value"}},
			nil, []string{"COGNITRIG_LEGACY_NAME_KEY is a secret", "Features.Migration.NameKeySecret"}},
		{"master key in Environment", cognitrigcdk.AttachProps{Environment: map[string]string{"COGNITRIG_MASTER_KEY": "s3cr3t-value"}},
			nil, []string{"COGNITRIG_MASTER_KEY"}},
		// Issue 13 §3: the variables naming the secrets come from the
		// typed settings, which also grant the read.
		{"captcha secret ARN in Environment", cognitrigcdk.AttachProps{Environment: map[string]string{"COGNITRIG_CAPTCHA_SECRET_ARN": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:captcha"}},
			nil, []string{"COGNITRIG_CAPTCHA_SECRET_ARN is set from Features.CustomAuth.Captcha.Secret"}},
		{"legacy client secret ARN in Environment", cognitrigcdk.AttachProps{Environment: map[string]string{"COGNITRIG_LEGACY_CLIENT_SECRET_ARN": "legacy-client"}},
			nil, []string{"COGNITRIG_LEGACY_CLIENT_SECRET_ARN is set from Features.Migration.ClientSecret"}},
		{"name key ARN in Environment", cognitrigcdk.AttachProps{Environment: map[string]string{"COGNITRIG_LEGACY_NAME_KEY_SECRET_ARN": "name-key"}},
			nil, []string{"COGNITRIG_LEGACY_NAME_KEY_SECRET_ARN is set from Features.Migration.NameKeySecret"}},
		{"master key ARN in Environment", cognitrigcdk.AttachProps{Environment: map[string]string{"COGNITRIG_MASTER_KEY_SECRET_ARN": "master-key"}},
			nil, []string{"COGNITRIG_MASTER_KEY_SECRET_ARN is set from Features.CustomAuth.MasterKeySecret"}},
		// A secret whose value the template holds is plain text all the same.
		{"plain-text captcha secret", cognitrigcdk.AttachProps{Features: cognitrigcdk.Features{CustomAuth: &cognitrigcdk.CustomAuthFeature{
			Sequence: []string{"captcha"}, Captcha: &cognitrigcdk.CaptchaSettings{VerifyURL: "https://example.com/v"}}}},
			captcha(func(stack awscdk.Stack) awssecretsmanager.ISecret { return plainSecret(stack, "Plain") }),
			[]string{"Features.CustomAuth.Captcha.Secret (COGNITRIG_CAPTCHA_SECRET): the secret's value is written into the template in plain text"}},
		{"plain-text legacy client secret", cognitrigcdk.AttachProps{Features: cognitrigcdk.Features{Migration: &cognitrigcdk.MigrationFeature{
			TokenURL: "https://legacy.example.com/token", UserInfoURL: "https://legacy.example.com/userinfo", ClientID: "c"}}},
			func(stack awscdk.Stack, _ *awscognito.UserPoolProps, a *cognitrigcdk.AttachProps) {
				a.Features.Migration.ClientSecret = plainSecret(stack, "Plain")
			}, []string{"Features.Migration.ClientSecret (COGNITRIG_LEGACY_CLIENT_SECRET): the secret's value is written into the template in plain text"}},
		{"plain-text name key and master key", cognitrigcdk.AttachProps{EmailFrom: from, Features: cognitrigcdk.Features{CustomAuth: &cognitrigcdk.CustomAuthFeature{},
			Migration: &cognitrigcdk.MigrationFeature{TokenURL: "https://legacy.example.com/token", UserInfoURL: "https://legacy.example.com/userinfo", ClientID: "c"}}},
			func(stack awscdk.Stack, _ *awscognito.UserPoolProps, a *cognitrigcdk.AttachProps) {
				a.Features.Migration.NameKeySecret = plainSecret(stack, "PlainNameKey")
				a.Features.CustomAuth.MasterKeySecret = awssecretsmanager.NewSecret(stack, jsii.String("PlainMasterKey"), &awssecretsmanager.SecretProps{
					SecretObjectValue: &map[string]awscdk.SecretValue{"key": awscdk.SecretValue_UnsafePlainText(jsii.String("s3cr3t-value"))},
				})
			}, []string{"Features.Migration.NameKeySecret (COGNITRIG_LEGACY_NAME_KEY): the secret's value is written",
				"Features.CustomAuth.MasterKeySecret (COGNITRIG_MASTER_KEY): the secret's value is written"}},
		{"typed variable in Environment", cognitrigcdk.AttachProps{Environment: map[string]string{"COGNITRIG_SCOPE_MAP": "admin=read"}},
			nil, []string{"COGNITRIG_SCOPE_MAP is set from Features.Tenancy"}},
		{"captcha step without settings", cognitrigcdk.AttachProps{Features: cognitrigcdk.Features{CustomAuth: &cognitrigcdk.CustomAuthFeature{Sequence: []string{"password", "captcha"}}}},
			nil, []string{"Features.CustomAuth.Sequence has a captcha step"}},
		{"email step without sender", cognitrigcdk.AttachProps{Features: cognitrigcdk.Features{CustomAuth: &cognitrigcdk.CustomAuthFeature{}}},
			nil, []string{"step email-otp sends email: set EmailFrom"}},
		{"SMS step without SMS", cognitrigcdk.AttachProps{Features: cognitrigcdk.Features{CustomAuth: &cognitrigcdk.CustomAuthFeature{Sequence: []string{"password", "sms-otp"}}}},
			nil, []string{"step sms-otp sends text messages: set SMS"}},
		{"unknown step", cognitrigcdk.AttachProps{Features: cognitrigcdk.Features{CustomAuth: &cognitrigcdk.CustomAuthFeature{Sequence: []string{"password", "totp"}}}},
			nil, []string{`unknown step "totp"`}},
		{"password not first", cognitrigcdk.AttachProps{Features: cognitrigcdk.Features{CustomAuth: &cognitrigcdk.CustomAuthFeature{Sequence: []string{"captcha", "password"}}}},
			nil, []string{"password can only be the first step"}},
		{"step twice", cognitrigcdk.AttachProps{Features: cognitrigcdk.Features{CustomAuth: &cognitrigcdk.CustomAuthFeature{Sequence: []string{"password", "captcha", "Captcha"},
			Captcha: &cognitrigcdk.CaptchaSettings{VerifyURL: "https://example.com/v"}}}},
			captcha(func(stack awscdk.Stack) awssecretsmanager.ISecret {
				return awssecretsmanager.Secret_FromSecretNameV2(stack, jsii.String("Captcha"), jsii.String("captcha"))
			}), []string{"step captcha appears twice"}},
		{"two one-time-code steps", cognitrigcdk.AttachProps{EmailFrom: from, SMS: true, Features: cognitrigcdk.Features{CustomAuth: &cognitrigcdk.CustomAuthFeature{Sequence: []string{"email-otp", "sms-otp"}}}},
			nil, []string{"more than one one-time-code step"}},
		{"password alone", cognitrigcdk.AttachProps{Features: cognitrigcdk.Features{CustomAuth: &cognitrigcdk.CustomAuthFeature{Sequence: []string{"password"}}}},
			nil, []string{"Features.CustomAuth.Sequence: \"password\" has no challenge step"}},
		{"breaker open for part of a second", cognitrigcdk.AttachProps{Features: cognitrigcdk.Features{Migration: &cognitrigcdk.MigrationFeature{
			TokenURL: "https://legacy.example.com/token", UserInfoURL: "https://legacy.example.com/userinfo", ClientID: "c", BreakerOpen: 1500 * time.Millisecond}}},
			nil, []string{"Features.Migration.BreakerOpen 1.5s: use whole seconds"}},
		{"welcome email without sender", cognitrigcdk.AttachProps{Features: cognitrigcdk.Features{WelcomeEmail: &cognitrigcdk.WelcomeEmailFeature{}}},
			nil, []string{"Features.WelcomeEmail needs EmailFrom"}},
		{"migration without a source", cognitrigcdk.AttachProps{Features: cognitrigcdk.Features{Migration: &cognitrigcdk.MigrationFeature{}}},
			nil, []string{"Features.Migration: set LegacyUsersTable or TokenURL"}},
		{"two legacy sources", cognitrigcdk.AttachProps{Features: cognitrigcdk.Features{Migration: &cognitrigcdk.MigrationFeature{
			TokenURL: "https://legacy.example.com/token", UserInfoURL: "https://legacy.example.com/userinfo", ClientID: "c"}}},
			func(stack awscdk.Stack, _ *awscognito.UserPoolProps, a *cognitrigcdk.AttachProps) {
				a.Features.Migration.LegacyUsersTable = awsdynamodb.Table_FromTableName(stack, jsii.String("Legacy"), jsii.String("legacy"))
			}, []string{"LegacyUsersTable and TokenURL are both set"}},
		{"token URL alone", cognitrigcdk.AttachProps{Features: cognitrigcdk.Features{Migration: &cognitrigcdk.MigrationFeature{TokenURL: "https://legacy.example.com/token"}}},
			nil, []string{"TokenURL needs UserInfoURL and ClientID"}},
		{"lookup URL without placeholder", cognitrigcdk.AttachProps{Features: cognitrigcdk.Features{Migration: &cognitrigcdk.MigrationFeature{
			TokenURL: "https://legacy.example.com/token", UserInfoURL: "https://legacy.example.com/userinfo", ClientID: "c", LookupURL: "https://legacy.example.com/users"}}},
			nil, []string{"has no {username} placeholder"}},
		{"separator in a scope", cognitrigcdk.AttachProps{Features: cognitrigcdk.Features{Tenancy: &cognitrigcdk.TenancyFeature{ScopeMap: map[string][]string{"admin": {"read;write"}}}}},
			nil, []string{"Features.Tenancy.ScopeMap"}},
		{"separator in a tenant", cognitrigcdk.AttachProps{Features: cognitrigcdk.Features{InboundFederation: &cognitrigcdk.InboundFederationFeature{Providers: map[string]string{"Okta": "a,b"}}}},
			nil, []string{"Features.InboundFederation.Providers"}},
		{"tenancy on a Lite pool", cognitrigcdk.AttachProps{Features: cognitrigcdk.Features{Tenancy: &cognitrigcdk.TenancyFeature{}}},
			func(_ awscdk.Stack, p *awscognito.UserPoolProps, _ *cognitrigcdk.AttachProps) {
				p.FeaturePlan = awscognito.FeaturePlan_LITE
			},
			[]string{"feature plan is LITE"}},
		{"senders with a key other than the pool's", cognitrigcdk.AttachProps{EmailFrom: from, Features: cognitrigcdk.Features{CustomSenders: &cognitrigcdk.CustomSendersFeature{}}},
			func(stack awscdk.Stack, p *awscognito.UserPoolProps, _ *cognitrigcdk.AttachProps) {
				p.CustomSenderKmsKey = awskms.NewKey(stack, jsii.String("PoolKey"), &awskms.KeyProps{EnableKeyRotation: jsii.Bool(true)})
			}, []string{"Features.CustomSenders.Key: the pool has a custom sender key of its own"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := attachTo(t, c.props, c.pool)
			if err == nil {
				t.Fatal("Attach succeeded")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "s3cr3t-value") {
				t.Errorf("error %q shows the secret", err)
			}
		})
	}
	t.Run("pool in another stack", func(t *testing.T) {
		app := awscdk.NewApp(nil)
		poolStack := awscdk.NewStack(app, jsii.String("Pools"), nil)
		other := awscdk.NewStack(app, jsii.String("Triggers"), nil)
		pool := awscognito.NewUserPool(poolStack, jsii.String("Pool"), nil)
		_, err := cognitrigcdk.Attach(other, "C", cognitrigcdk.AttachProps{UserPool: pool, Code: dummyCode(t),
			Features: cognitrigcdk.Features{CustomMessages: &cognitrigcdk.CustomMessagesFeature{}}})
		if err == nil || !strings.Contains(err.Error(), "attach in the pool's stack") {
			t.Errorf("err %v, want a refusal", err)
		}
	})
	t.Run("no pool", func(t *testing.T) {
		app := awscdk.NewApp(nil)
		stack := awscdk.NewStack(app, jsii.String("S"), nil)
		if _, err := cognitrigcdk.Attach(stack, "C", cognitrigcdk.AttachProps{Code: dummyCode(t)}); err == nil || !strings.Contains(err.Error(), "AttachProps.UserPool is required") {
			t.Errorf("err %v, want AttachProps.UserPool is required", err)
		}
	})
}

// TestNewRefusesPlainSecrets: the whole stack refuses a secret variable in
// Props.Environment (plain text in the template) and the variable naming
// its secret (issue 13 §3), each pointing to the setting that gives the
// secret and grants its read.
func TestNewRefusesPlainSecrets(t *testing.T) {
	for name, want := range map[string]string{
		"COGNITRIG_CAPTCHA_SECRET":             `COGNITRIG_CAPTCHA_SECRET is a secret and would be written into the template in plain text: give it through Secrets["COGNITRIG_CAPTCHA_SECRET"]`,
		"COGNITRIG_LEGACY_CLIENT_SECRET":       `COGNITRIG_LEGACY_CLIENT_SECRET is a secret and would be written into the template in plain text: give it through Secrets["COGNITRIG_LEGACY_CLIENT_SECRET"]`,
		"COGNITRIG_LEGACY_NAME_KEY":            `COGNITRIG_LEGACY_NAME_KEY is a secret and would be written into the template in plain text: give it through Secrets["COGNITRIG_LEGACY_NAME_KEY"]`,
		"COGNITRIG_MASTER_KEY":                 "COGNITRIG_MASTER_KEY is a secret and would be written into the template in plain text: give it through MasterKeySecret",
		"COGNITRIG_CAPTCHA_SECRET_ARN":         `COGNITRIG_CAPTCHA_SECRET_ARN is set from Secrets["COGNITRIG_CAPTCHA_SECRET"]`,
		"COGNITRIG_LEGACY_CLIENT_SECRET_ARN":   `COGNITRIG_LEGACY_CLIENT_SECRET_ARN is set from Secrets["COGNITRIG_LEGACY_CLIENT_SECRET"]`,
		"COGNITRIG_LEGACY_NAME_KEY_SECRET_ARN": `COGNITRIG_LEGACY_NAME_KEY_SECRET_ARN is set from Secrets["COGNITRIG_LEGACY_NAME_KEY"]`,
		"COGNITRIG_MASTER_KEY_SECRET_ARN":      "COGNITRIG_MASTER_KEY_SECRET_ARN is set from MasterKeySecret",
	} {
		app := awscdk.NewApp(nil)
		stack := awscdk.NewStack(app, jsii.String("S"), nil)
		_, err := cognitrigcdk.New(stack, "C", cognitrigcdk.Props{Code: dummyCode(t), Migration: &cognitrigcdk.MigrationProps{},
			Environment: map[string]string{name: "s3cr3t-value"}})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s in Environment: err %v, want %q", name, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "s3cr3t-value") {
			t.Errorf("error %q shows the secret", err)
		}
	}
}

// TestNewProvidesNameKey: the whole stack with migration gives the
// migration function a generated name key, which it reads at start-up
// (COGNITRIG_LEGACY_NAME_KEY_SECRET_ARN), and none without migration.
func TestNewProvidesNameKey(t *testing.T) {
	s := synth(t, cognitrigcdk.Props{Shape: cognitrigcdk.FunctionPerConcern, Migration: &cognitrigcdk.MigrationProps{}})
	if s.c.NameKeySecret == nil {
		t.Fatal("no generated name key")
	}
	env := envOf(t, s.res[s.logicalID(s.c.Functions["migration"])])
	if got, want := fmtEnv(env["COGNITRIG_LEGACY_NAME_KEY_SECRET_ARN"]), fmt.Sprintf(`{"Ref":%q}`, s.idOf(s.c.NameKeySecret)); got != want {
		t.Errorf("COGNITRIG_LEGACY_NAME_KEY_SECRET_ARN = %s, want the generated secret's ARN %s", got, want)
	}
	for h, fn := range s.c.Functions {
		env := envOf(t, s.res[s.logicalID(fn)])
		if _, ok := env["COGNITRIG_LEGACY_NAME_KEY_SECRET_ARN"]; ok && h != "migration" {
			t.Errorf("%s gets the name key", h)
		}
		if _, ok := env["COGNITRIG_LEGACY_NAME_KEY"]; ok {
			t.Errorf("%s gets COGNITRIG_LEGACY_NAME_KEY: the key is in its configuration", h)
		}
	}
	checkSecretsRead(t, s)
	if s := synth(t, cognitrigcdk.Props{}); s.c.NameKeySecret != nil {
		t.Error("a name key without migration")
	}
	given := synth(t, cognitrigcdk.Props{Shape: cognitrigcdk.FunctionPerConcern, Migration: &cognitrigcdk.MigrationProps{}},
		func(stack awscdk.Stack, p *cognitrigcdk.Props) {
			p.Secrets = map[string]awssecretsmanager.ISecret{
				"COGNITRIG_LEGACY_NAME_KEY": awssecretsmanager.Secret_FromSecretNameV2(stack, jsii.String("NameKey"), jsii.String("team-name-key")),
			}
		})
	if given.c.NameKeySecret != nil || len(given.ofType("AWS::SecretsManager::Secret")) != 1 { // the master key
		t.Error("a name key generated beside the one given in Secrets")
	}
	env = envOf(t, given.res[given.logicalID(given.c.Functions["migration"])])
	if got, want := fmtEnv(env["COGNITRIG_LEGACY_NAME_KEY_SECRET_ARN"]), "team-name-key"; got != want { // imported by name: read by name
		t.Errorf("COGNITRIG_LEGACY_NAME_KEY_SECRET_ARN = %s, want the given secret %s", got, want)
	}
	checkSecretsRead(t, given)
}

// TestAttachTriggerTaken: a trigger the pool already has is an error (the
// CDK's "A trigger for the operation ... already exists"), not a panic.
func TestAttachTriggerTaken(t *testing.T) {
	_, err := attachTo(t, cognitrigcdk.AttachProps{Features: cognitrigcdk.Features{CustomMessages: &cognitrigcdk.CustomMessagesFeature{}}},
		func(stack awscdk.Stack, p *awscognito.UserPoolProps, _ *cognitrigcdk.AttachProps) {
			fn := awslambda.NewFunction(stack, jsii.String("Mine"), &awslambda.FunctionProps{
				Runtime: awslambda.Runtime_PROVIDED_AL2023(), Handler: jsii.String("bootstrap"),
				Code: dummyCode(t)("messages"),
			})
			p.LambdaTriggers = &awscognito.UserPoolTriggers{CustomMessage: fn}
		})
	if err == nil || !strings.Contains(err.Error(), "customMessage already exists") {
		t.Errorf("err %v, want the CDK's refusal of a second customMessage trigger", err)
	}
}

// TestAttachSequenceBypass checks that, with custom authentication, an app
// client of the pool that signs users in with the password alone fails
// the synth, naming the client and the flow, unless it is one of
// PasswordClients; and that a client serving only the sequence passes.
func TestAttachSequenceBypass(t *testing.T) {
	customOnly := &awscognito.UserPoolClientOptions{AuthFlows: &awscognito.AuthFlow{Custom: jsii.Bool(true)}, DisableOAuth: jsii.Bool(true)}
	password := &awscognito.UserPoolClientOptions{AuthFlows: &awscognito.AuthFlow{UserPassword: jsii.Bool(true)}, DisableOAuth: jsii.Bool(true)}
	managed := &awscognito.UserPoolClientOptions{AuthFlows: &awscognito.AuthFlow{Custom: jsii.Bool(true)}}
	for _, c := range []struct {
		name   string
		client *awscognito.UserPoolClientOptions
		allow  bool     // list the client in PasswordClients
		flows  []string // ExplicitAuthFlows set on the CloudFormation resource; ["-"] removes them
		want   string   // "" when the synth passes
	}{
		{"custom only", customOnly, false, nil, ""},
		{"USER_PASSWORD_AUTH", password, false, nil, "allows ALLOW_USER_PASSWORD_AUTH"},
		{"USER_PASSWORD_AUTH, allowed", password, true, nil, ""},
		{"managed login", managed, false, nil, "allows managed login with the Cognito user directory"},
		{"flows left to Cognito", customOnly, false, []string{"-"}, "ALLOW_USER_SRP_AUTH (ExplicitAuthFlows not set)"},
		{"legacy flow name", customOnly, false, []string{"ADMIN_NO_SRP_AUTH", "CUSTOM_AUTH_FLOW_ONLY"}, "allows ADMIN_NO_SRP_AUTH"},
	} {
		t.Run(c.name, func(t *testing.T) {
			app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(t.TempDir())})
			stack := awscdk.NewStack(app, jsii.String("Own"), nil)
			pool := awscognito.NewUserPool(stack, jsii.String("Pool"), &awscognito.UserPoolProps{FeaturePlan: awscognito.FeaturePlan_ESSENTIALS})
			ca := &cognitrigcdk.CustomAuthFeature{Sequence: []string{"password", "email-otp"}}
			if _, err := cognitrigcdk.Attach(stack, "Cognitrig", cognitrigcdk.AttachProps{
				UserPool: pool, Code: dummyCode(t), EmailFrom: from, Features: cognitrigcdk.Features{CustomAuth: ca},
			}); err != nil {
				t.Fatal(err)
			}
			// Added after Attach: the check runs when the app synthesizes.
			client := pool.AddClient(jsii.String("Web"), c.client)
			if c.allow {
				ca.PasswordClients = append(ca.PasswordClients, client)
			}
			if cfn := client.Node().DefaultChild().(awscognito.CfnUserPoolClient); c.flows != nil {
				if c.flows[0] == "-" {
					cfn.AddPropertyDeletionOverride(jsii.String("ExplicitAuthFlows"))
					cfn.SetExplicitAuthFlows(nil)
				} else {
					cfn.SetExplicitAuthFlows(jsii.Strings(c.flows...))
				}
			}
			var got string
			func() {
				defer func() {
					if r := recover(); r != nil {
						got = fmt.Sprint(r)
					}
				}()
				app.Synth(nil)
			}()
			switch {
			case c.want == "" && got != "":
				t.Fatalf("synth failed: %s", got)
			case c.want != "" && !strings.Contains(got, c.want):
				t.Fatalf("synth error %q, want it to contain %q", got, c.want)
			case c.want != "" && (!strings.Contains(got, "Own/Pool/Web") || !strings.Contains(got, "PasswordClients")):
				t.Fatalf("synth error %q does not name the client and the way out", got)
			}
		})
	}
}
