package main

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"testing"

	bt "github.com/cognitrig/cognitrig/handlers/internal/bootstraptest"
	"github.com/cognitrig/cognitrig/handlers/internal/bootstraptest/sendercode"
	"github.com/cognitrig/cognitrig/internal/awsfake"
	"github.com/cognitrig/cognitrig/internal/dynamotest"
	"github.com/cognitrig/cognitrig/internal/lambdart"
	"github.com/cognitrig/cognitrig/migration"
	"github.com/cognitrig/cognitrig/migration/dynamosource"
	"github.com/cognitrig/cognitrig/migration/migrationtest"
	"github.com/cognitrig/cognitrig/migration/passhash"
	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

func TestMain(m *testing.M) { bt.Main(m) }

var masterKey = base64.StdEncoding.EncodeToString([]byte("master-key-SECRET-0123456789abcdef"))

// The triggers that no concern serves: Cognito's inbound federation
// trigger is not part of the deployment.
var unserved = []triggers.Trigger{triggers.InboundFederation}

// TestBootstrapServesEveryRecordedEvent runs the shipped single function
// with every concern configured - tables on the DynamoDB test server, and
// local SES, SNS, KMS, Cognito and CAPTCHA servers - and sends it every
// recorded event.
func TestBootstrapServesEveryRecordedEvent(t *testing.T) {
	bin := bt.Build(t, ".")
	ctx := context.Background()
	legacy := bt.Table(t, bt.LegacyUsers)
	src, err := dynamosource.New(dynamosource.Config{Client: dynamotest.Client(t), Table: legacy})
	if err != nil {
		t.Fatal(err)
	}
	hash, _ := passhash.Hash(passhash.Bcrypt, "pw-SECRET-Tr0ub4dor&3", migrationtest.CheapParams())
	if err := src.Put(ctx, migration.LegacyUser{Username: "legacy.user@example.com", PasswordHash: triggers.Secret(hash),
		Fields: map[string]string{"email": "legacy.user@example.com", "email_verified": "true"}}); err != nil {
		t.Fatal(err)
	}
	ses, sns, kms, cognito, captcha := awsfake.NewSES(t), awsfake.NewSNS(t), awsfake.NewKMS(t), bt.Cognito(t), awsfake.NewCaptcha(t)
	// Account-takeover events carry no address: the senders look the
	// user up.
	env := append(bt.AWSEnv(map[string]string{"SESV2": ses.URL, "SNS": sns.URL, "KMS": kms.URL, "COGNITO_IDENTITY_PROVIDER": cognito.URL}),
		"COGNITRIG_LOG_LEVEL=debug",
		"COGNITRIG_CHALLENGES_TABLE="+bt.Table(t, bt.Challenges),
		"COGNITRIG_MASTER_KEY="+masterKey,
		"COGNITRIG_AUTH_SEQUENCE=password,captcha,security-question",
		"COGNITRIG_CAPTCHA_VERIFY_URL="+captcha.URL,
		"COGNITRIG_CAPTCHA_SECRET="+awsfake.CaptchaSecret,
		"COGNITRIG_EMAIL_FROM=no-reply@example.com",
		"COGNITRIG_MIGRATION_TABLE="+bt.Table(t, bt.Migration),
		"COGNITRIG_LEGACY_USERS_TABLE="+legacy,
		"COGNITRIG_KMS_KEY_ARN="+awsfake.KMSKeyARN,
		"COGNITRIG_AUDIT_TABLE="+bt.Table(t, bt.Audit),
		"COGNITRIG_ALLOWED_CLIENTS=1example23456789abcdefghij",
		"COGNITRIG_TENANCY_TABLE="+bt.TenancyTable(t),
	)
	fn, log := bt.Start(t, bin, env...)
	var codes []string
	for i, name := range triggertest.Names() {
		payload := triggertest.Load(t, name)
		res := bt.Invoke(t, fn, payload)
		tr := bt.TriggerOf(t, payload)
		switch {
		case slices.Contains(unserved, tr):
			bt.RefusedWithDefault(t, name, res)
		case name == "CreateAuthChallenge_Authentication.passwordless":
			bt.Refusal(t, name, res) // the sequence starts with the password
		case strings.Contains(name, "AccountTakeOver"):
			// Sent as Cognito sends it, with a null code.
			bt.Answer(t, name, payload, res)
		case tr == triggers.CustomEmailSender || tr == triggers.CustomSMSSender:
			// The recorded code is not a real ciphertext; a real one is
			// decrypted and delivered.
			if msg := bt.Refusal(t, name, res); strings.Contains(msg, "SECRET") {
				t.Errorf("%s: %q", name, msg)
			}
			code := fmt.Sprintf("%06d", 271828+i)
			codes = append(codes, code)
			payload = triggertest.FromJSON(t, payload).Set("request.code", sendercode.Encrypt(t, kms.URL, code)).JSON(t)
			bt.Answer(t, name, payload, bt.Invoke(t, fn, payload))
		case tr == triggers.CustomMessage:
			ev := bt.Decode[triggers.CustomMessageEvent](t, name, res)
			if !strings.Contains(ev.Response.SMSMessage, "{####}") {
				t.Errorf("%s: %+v", name, ev.Response)
			}
		case tr == triggers.PreTokenGenerationV2:
			d := bt.Decode[triggers.PreTokenGenerationV2Event](t, name, res).Response.ClaimsAndScopeOverrideDetails
			if d == nil || d.AccessTokenGeneration == nil || d.AccessTokenGeneration.ClaimsToAddOrOverride["tenant_id"] != bt.Tenant {
				t.Errorf("%s: %s", name, res.Payload)
			}
		case name == "PreSignUp_SignUp":
			if r := bt.Decode[triggers.PreSignUpEvent](t, name, res).Response; !r.AutoConfirmUser {
				t.Errorf("%s: the invited sign-up is not confirmed: %+v", name, r)
			}
		case tr == triggers.UserMigration:
			ev := bt.Decode[triggers.UserMigrationEvent](t, name, res)
			if ev.Response.UserAttributes["email"] != "legacy.user@example.com" {
				t.Errorf("%s: %+v", name, ev.Response)
			}
		default:
			bt.Answer(t, name, payload, res)
		}
	}
	if len(ses.Emails()) != 8 || len(sns.Messages()) != 8 {
		t.Errorf("%d emails and %d SMS sent; want 8 and 8", len(ses.Emails()), len(sns.Messages()))
	}
	if ops := cognito.Ops(); slices.Contains(ops, "AdminSetUserMFAPreference") {
		t.Errorf("Cognito calls %v; MFA on a new device is off by default", ops)
	}
	if fn.Starts() != 1 {
		t.Errorf("the process was started %d times; one warm process should serve all", fn.Starts())
	}
	l := log.Final()
	if !strings.Contains(l, `"_aws"`) || !strings.Contains(l, "trigger request") {
		t.Errorf("the function log lacks EMF metrics or debug events:\n%.2000s", l)
	}
	if i := strings.Index(l, "SECRET"); i >= 0 {
		t.Errorf("a secret marker reached the function's log: …%s…", l[max(0, i-200):min(len(l), i+50)])
	}
	for i, c := range codes {
		if bt.HoldsCode(l, c) {
			t.Errorf("code #%d reached the function's log", i)
		}
	}
}

// TestBootstrapReportsErrorsAsLambdaDoes: a malformed event fails with
// Lambda's error document.
func TestBootstrapReportsErrorsAsLambdaDoes(t *testing.T) {
	fn, _ := bt.Start(t, bt.Build(t, "."), minimalEnv()...)
	res := bt.Invoke(t, fn, []byte(`{"not":"an event"}`))
	if msg := bt.Refusal(t, "malformed", res); !strings.Contains(msg, triggers.DefaultClientMessage) { // the cause ("no triggerSource") is logged
		t.Errorf("malformed event: %+v %s", res, res.Payload)
	}
	res = bt.Invoke(t, fn, triggertest.Load(t, "CustomMessage_SignUp"))
	bt.Answer(t, "custom message", triggertest.Load(t, "CustomMessage_SignUp"), res)
}

// minimalEnv is the configuration of a default deployment: every required
// variable, no migration, no custom senders. Nothing is called at start.
func minimalEnv() []string {
	return append(bt.AWSEnv(nil),
		"COGNITRIG_CHALLENGES_TABLE=challenges", "COGNITRIG_MASTER_KEY="+masterKey,
		"COGNITRIG_EMAIL_FROM=no-reply@example.com", "COGNITRIG_AUDIT_TABLE=audit", "COGNITRIG_TENANCY_TABLE=tenancy")
}

// TestBadConfigurationFailsAtStart: every bad variable of every concern is
// named, and the function ends before it asks for an event.
func TestBadConfigurationFailsAtStart(t *testing.T) {
	bin := bt.Build(t, ".")
	out := bt.StartFails(t, bin, append(bt.AWSEnv(nil), "AWS_REGION=us-east-1", "COGNITRIG_LOG_LEVEL=loud",
		"COGNITRIG_LEGACY_TOKEN_URL=https://idp.example.com/token", "COGNITRIG_KMS_KEY_ARN=alias/x", "COGNITRIG_IP_DENY=nowhere")...)
	for _, name := range []string{"COGNITRIG_LOG_LEVEL", "COGNITRIG_CHALLENGES_TABLE", "COGNITRIG_TENANCY_TABLE", "COGNITRIG_MASTER_KEY", "COGNITRIG_EMAIL_FROM",
		"COGNITRIG_MIGRATION_TABLE", "COGNITRIG_LEGACY_USERINFO_URL", "COGNITRIG_KMS_KEY_ARN", "COGNITRIG_AUDIT_TABLE", "COGNITRIG_IP_DENY"} {
		if !strings.Contains(out, name) {
			t.Errorf("the error does not name %s:\n%s", name, out)
		}
	}
	// Without any migration variable, the function has no migration to
	// configure: the default deployment starts.
	fn, _ := bt.Start(t, bin, minimalEnv()...)
	payload := triggertest.Load(t, "UserMigration_Authentication")
	if msg := bt.Refusal(t, "no migration", bt.Invoke(t, fn, payload)); !strings.Contains(msg, triggers.DefaultClientMessage) { // the cause ("no handler") is logged, not shown
		t.Errorf("no migration: %q", msg)
	}
}

// BenchmarkColdStart measures process start to first response through the
// Runtime API, side by side: a bare aws-lambda-go function; the same with
// the AWS SDK's default configuration and a client of each service this
// function uses (what any function that calls AWS pays); and this one with
// the configuration of a default deployment (every variable read and
// checked, the AWS SDK configured, every concern's handlers registered).
// cognitrig-nosenders is the build without the custom senders (and the
// AWS Encryption SDK) that the CDK app deploys when the pool has none.
// All answer CustomMessage_SignUp, which needs no I/O. It reports the
// binaries' sizes too (built for this machine, without -ldflags).
func BenchmarkColdStart(b *testing.B) {
	payload, err := triggertest.Raw("CustomMessage_SignUp")
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name, pkg string
		env       []string
		tags      []string
	}{
		{"bare", "../../internal/barebootstrap/custommessage", nil, nil},
		{"bare+sdk", "../../internal/barebootstrap/sdk", bt.AWSEnv(nil), nil},
		{"cognitrig", ".", minimalEnv(), nil},
		// As the CDK app builds it for a pool without custom senders.
		{"cognitrig-nosenders", ".", minimalEnv(), []string{"cognitrig_nosenders"}},
	} {
		bin := bt.BuildTags(b, c.pkg, c.tags...)
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				fn, err := lambdart.Start(lambdart.Config{Name: c.name, Binary: bin, Stderr: io.Discard, Env: c.env})
				if err != nil {
					b.Fatal(err)
				}
				res, err := fn.Invoke(context.Background(), payload)
				if err != nil || res.FunctionError != "" || !strings.Contains(string(res.Payload), "Your confirmation code is {####}") {
					b.Fatalf("%v %s", err, res.Payload)
				}
				b.StopTimer()
				_ = fn.Close()
				b.StartTimer()
			}
			if st, err := os.Stat(bin); err == nil {
				b.ReportMetric(float64(st.Size()), "binary-bytes")
			}
		})
	}
}

// TestNoTemplateExecution: no concern of the single function executes a
// template (see bt.NoTemplateExecution), so it links 20 MB less than it
// did when the custom messages were templates.
func TestNoTemplateExecution(t *testing.T) {
	bt.NoTemplateExecution(t, bt.Build(t, "."))
	bt.NoTemplateExecution(t, bt.BuildTags(t, ".", "cognitrig_nosenders"))
}
