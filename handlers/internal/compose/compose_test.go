package compose_test

import (
	"encoding/base64"
	"errors"
	"io"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/cognitrig/cognitrig/config"
	"github.com/cognitrig/cognitrig/lifecycle/authpolicy"
	"github.com/cognitrig/cognitrig/lifecycle/messages"
	"github.com/cognitrig/cognitrig/migration"
	"github.com/cognitrig/cognitrig/triggers"

	. "github.com/cognitrig/cognitrig/handlers/internal/compose"
	. "github.com/cognitrig/cognitrig/handlers/internal/compose/authevents"
	. "github.com/cognitrig/cognitrig/handlers/internal/compose/customauth"
	. "github.com/cognitrig/cognitrig/handlers/internal/compose/messages"
	. "github.com/cognitrig/cognitrig/handlers/internal/compose/migration"
	. "github.com/cognitrig/cognitrig/handlers/internal/compose/tenancy"
)

var (
	testKey  = base64.StdEncoding.EncodeToString([]byte("master-key-SECRET-0123456789abcdef"))
	shortKey = base64.StdEncoding.EncodeToString([]byte("short-SECRET"))
)

// awsConfig is an SDK configuration that reaches nothing: Build makes no
// call.
func awsConfig() aws.Config {
	return aws.Config{Region: "us-east-1", BaseEndpoint: aws.String("http://127.0.0.1:9"),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")}
}

// minimal is the configuration of a default deployment of every concern.
func minimal() map[string]string {
	return map[string]string{
		config.EnvChallengesTable: "challenges", config.EnvMasterKey: testKey, config.EnvEmailFrom: "no-reply@example.com",
		config.EnvAuditTable: "audit", config.EnvMigrationTable: "migration", config.EnvLegacyUsersTable: "legacy", config.EnvTenancyTable: "tenancy",
	}
}

func with(m map[string]string, kv ...string) map[string]string {
	m = maps.Clone(m)
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			delete(m, kv[i])
		} else {
			m[kv[i]] = kv[i+1]
		}
	}
	return m
}

func TestBuildRegistersEachConcern(t *testing.T) {
	for _, c := range []struct {
		name     string
		concerns []Concern
		env      map[string]string
		want     []triggers.Trigger
	}{
		{"customauth", []Concern{CustomAuth}, minimal(), []triggers.Trigger{triggers.DefineAuthChallenge, triggers.CreateAuthChallenge, triggers.VerifyAuthChallengeResponse}},
		{"every step", []Concern{CustomAuth}, with(minimal(), config.EnvAuthSequence, "password,captcha,security-question,email-or-sms-otp,magic-link",
			config.EnvCaptchaVerifyURL, "https://challenges.example.com/siteverify", config.EnvCaptchaSecret, "s", config.EnvMagicLinkURL, "https://app.example.com/signin",
			config.EnvMagicLinkPages, "native=https://app.example.com/native", config.EnvCaptchaMinScore, "0.7", config.EnvCaptchaAction, "login", config.EnvCaptchaHostnames, "app.example.com",
			config.EnvAuthMaxFailures, "3", config.EnvAuthFailWindow, "10m", config.EnvAuthLockout, "5m", config.EnvAuthMaxLockout, "2h", config.EnvAuthMaxSends, "6", config.EnvAuthSendWindow, "30m"),
			[]triggers.Trigger{triggers.DefineAuthChallenge, triggers.CreateAuthChallenge, triggers.VerifyAuthChallengeResponse}},
		{"migration", []Concern{Migration}, minimal(), []triggers.Trigger{triggers.UserMigration}},
		{"migration from an identity service", []Concern{Migration}, with(minimal(), config.EnvLegacyUsersTable, "",
			config.EnvLegacyTokenURL, "https://idp.example.com/token", config.EnvLegacyUserInfoURL, "https://idp.example.com/userinfo",
			config.EnvLegacyLookupURL, "https://idp.example.com/users/{username}", config.EnvLegacyAttributeMap, "mail=email", config.EnvLegacyClientID, "legacy"),
			[]triggers.Trigger{triggers.UserMigration}},
		{"messages", []Concern{Messages}, minimal(), []triggers.Trigger{triggers.CustomMessage}},
		{"messages with senders", []Concern{Messages}, with(minimal(), config.EnvKMSKeyARN, "arn:aws:kms:us-east-1:123456789012:key/k-1"),
			[]triggers.Trigger{triggers.CustomMessage, triggers.CustomEmailSender, triggers.CustomSMSSender}},
		{"authevents", []Concern{AuthEvents}, minimal(), []triggers.Trigger{triggers.PreAuthentication, triggers.PostAuthentication}},
		{"tenancy", []Concern{Tenancy}, with(minimal(), config.EnvGroupPattern, "tenant-{id}-{role}", config.EnvFederationProviders, "Google, SignInWithApple", config.EnvScopeMap, "admin=read,write"),
			[]triggers.Trigger{triggers.PreSignUp, triggers.PostConfirmation, triggers.PreTokenGenerationV1, triggers.PreTokenGenerationV2}},
		{"tenancy with inbound federation", []Concern{Tenancy}, with(minimal(), config.EnvInboundProviders, "AcmeSAML=acme, Globex=globex"),
			[]triggers.Trigger{triggers.PreSignUp, triggers.PostConfirmation, triggers.PreTokenGenerationV1, triggers.PreTokenGenerationV2, triggers.InboundFederation}},
		{"no migration configured", []Concern{MigrationIfConfigured}, with(minimal(), config.EnvMigrationTable, "", config.EnvLegacyUsersTable, ""), nil},
		{"migration configured", []Concern{MigrationIfConfigured}, minimal(), []triggers.Trigger{triggers.UserMigration}},
	} {
		t.Run(c.name, func(t *testing.T) {
			fn, err := Build(config.Map(c.env), awsConfig(), io.Discard, c.concerns...)
			if err != nil {
				t.Fatal(err)
			}
			if got := fn.Router.Registered(); !slices.Equal(got, c.want) {
				t.Errorf("registered %v, want %v", got, c.want)
			}
			// Only the authentication events read the raw event first.
			_, wrapped := fn.Handler.(*triggers.Router)
			if wrapped == slices.Contains(c.want, triggers.PreAuthentication) {
				t.Errorf("handler %T", fn.Handler)
			}
		})
	}
}

// TestBuildNamesEveryBadVariable: one error lists every problem, each with
// its variable, and holds no secret.
func TestBuildNamesEveryBadVariable(t *testing.T) {
	for _, c := range []struct {
		name     string
		concerns []Concern
		env      map[string]string
		want     []string
	}{
		{"nothing set", []Concern{CustomAuth, Tenancy, Migration, Messages, AuthEvents}, nil,
			[]string{config.EnvChallengesTable, config.EnvMasterKey, config.EnvEmailFrom, config.EnvTenancyTable, config.EnvMigrationTable, config.EnvLegacyTokenURL + ", " + config.EnvLegacyUsersTable, config.EnvAuditTable}},
		{"tenancy", []Concern{Tenancy}, with(minimal(), config.EnvScopeMap, "admin=read;admin=write", config.EnvGroupPattern, "{role}-only",
			config.EnvTrustedEmailProviders, "Okta", config.EnvRequireInvitation, "2"),
			[]string{config.EnvScopeMap + `: role "admin" is listed twice`, config.EnvGroupPattern, config.EnvTrustedEmailProviders, config.EnvRequireInvitation}},
		{"welcome without its table and sender", []Concern{Tenancy}, with(minimal(), config.EnvWelcomeEmail, "true", config.EnvEmailFrom, ""),
			[]string{config.EnvConfirmTable, config.EnvEmailFrom}},
		{"inbound providers without tenants", []Concern{Tenancy}, with(minimal(), config.EnvInboundProviders, "AcmeSAML"), []string{config.EnvInboundProviders + `: "AcmeSAML" is not PROVIDER=TENANT`}},
		{"inbound provider twice", []Concern{Tenancy}, with(minimal(), config.EnvInboundProviders, "A=acme,A=globex"), []string{config.EnvInboundProviders + `: provider "A" is named twice`}},
		{"inbound tenant ID", []Concern{Tenancy}, with(minimal(), config.EnvInboundProviders, "A=not a tenant"), []string{config.EnvInboundProviders}},
		{"welcome, maybe", []Concern{Tenancy}, with(minimal(), config.EnvWelcomeEmail, "perhaps"), []string{config.EnvWelcomeEmail}},
		{"role spelling", []Concern{Tenancy}, with(minimal(), config.EnvScopeMap, "ad min=read"), []string{config.EnvScopeMap + ": tenancy: invalid role"}},
		{"role spelling and a missing table", []Concern{Tenancy}, with(minimal(), config.EnvScopeMap, "-admin=read", config.EnvTenancyTable, ""), []string{config.EnvScopeMap + ": tenancy: invalid role", config.EnvTenancyTable}},
		{"claims cognito does not allow", []Concern{Tenancy}, with(minimal(), config.EnvScopeMap, "admin=tenant:{id}:{id}"), []string{config.EnvScopeMap}},
		{"bad values", []Concern{AuthEvents, Migration}, with(minimal(), config.EnvLogLevel, "chatty", config.EnvIPAllow, "10.0.0.0/33",
			config.EnvBreakerMaxFailures, "0", config.EnvBreakerOpenSeconds, "soon", config.EnvMFAOnNewDevice, "sometimes", config.EnvAuditRetainDays, "forever"),
			[]string{config.EnvLogLevel, config.EnvIPAllow, config.EnvBreakerMaxFailures, config.EnvBreakerOpenSeconds, config.EnvMFAOnNewDevice, config.EnvAuditRetainDays}},
		{"unknown step", []Concern{CustomAuth}, with(minimal(), config.EnvAuthSequence, "email-otp,retina-scan"), []string{config.EnvAuthSequence + `: unknown step "retina-scan"`}},
		{"captcha without its service", []Concern{CustomAuth}, with(minimal(), config.EnvAuthSequence, "password,captcha", config.EnvCaptchaVerifyURL, "http://captcha.example.com/siteverify"),
			[]string{config.EnvCaptchaVerifyURL + ": uses plain http", config.EnvCaptchaSecret}},
		{"magic-link KMS key too long", []Concern{CustomAuth}, with(minimal(), config.EnvAuthSequence, "magic-link",
			config.EnvMagicLinkURL, "https://app.example.com/signin", config.EnvMagicLinkKMSKey, "alias/"+strings.Repeat("k", 2048)), []string{config.EnvMagicLinkKMSKey}},
		{"magic link without pages", []Concern{CustomAuth}, with(minimal(), config.EnvAuthSequence, "magic-link"), []string{config.EnvMagicLinkPages}},
		{"magic link origins", []Concern{CustomAuth}, with(minimal(), config.EnvAuthSequence, "magic-link", config.EnvMagicLinkOrigins, "https://app.example.com"), []string{config.EnvMagicLinkOrigins + ": is no longer supported"}},
		{"magic link page with a query", []Concern{CustomAuth}, with(minimal(), config.EnvAuthSequence, "magic-link", config.EnvMagicLinkPages, "app=https://app.example.com/in?next=x"), []string{config.EnvMagicLinkPages}},
		{"magic link page twice", []Concern{CustomAuth}, with(minimal(), config.EnvAuthSequence, "magic-link", config.EnvMagicLinkPages, "app=https://app.example.com/1,app=https://app.example.com/2"),
			[]string{config.EnvMagicLinkPages + `: page "app" is given twice`}},
		{"magic link default page twice", []Concern{CustomAuth}, with(minimal(), config.EnvAuthSequence, "magic-link", config.EnvMagicLinkPages, "default=https://app.example.com/1", config.EnvMagicLinkURL, "https://app.example.com/2"),
			[]string{config.EnvMagicLinkPages + `: page "default" is also set by ` + config.EnvMagicLinkURL}},
		{"magic link page without key", []Concern{CustomAuth}, with(minimal(), config.EnvAuthSequence, "magic-link", config.EnvMagicLinkPages, "https://app.example.com/in"), []string{config.EnvMagicLinkPages}},
		{"captcha score", []Concern{CustomAuth}, with(minimal(), config.EnvAuthSequence, "captcha", config.EnvCaptchaVerifyURL, "https://c.example.com/siteverify", config.EnvCaptchaSecret, "s", config.EnvCaptchaMinScore, "1.5"), []string{config.EnvCaptchaMinScore}},
		{"limits", []Concern{CustomAuth}, with(minimal(), config.EnvAuthMaxFailures, "0", config.EnvAuthFailWindow, "1s", config.EnvAuthLockout, "forever", config.EnvAuthMaxSends, "x", config.EnvAuthSendWindow, "48h"),
			[]string{config.EnvAuthMaxFailures, config.EnvAuthFailWindow, config.EnvAuthLockout, config.EnvAuthMaxSends, config.EnvAuthSendWindow}},
		{"lockout over its maximum", []Concern{CustomAuth}, with(minimal(), config.EnvAuthLockout, "2h", config.EnvAuthMaxLockout, "1h"), []string{"Lockout"}},
		{"short master key", []Concern{CustomAuth}, with(minimal(), config.EnvMasterKey, shortKey), []string{config.EnvMasterKey}},
		{"email needs a sender", []Concern{CustomAuth}, with(minimal(), config.EnvEmailFrom, ""), []string{config.EnvEmailFrom}},
		{"sms needs none", []Concern{CustomAuth}, with(minimal(), config.EnvEmailFrom, "", config.EnvAuthSequence, "sms-otp", config.EnvLogLevel, "x"), []string{config.EnvLogLevel}},
		{"both sources", []Concern{Migration}, with(minimal(), config.EnvLegacyTokenURL, "https://idp.example.com/token"), []string{config.EnvLegacyTokenURL + ", " + config.EnvLegacyUsersTable + ": both are set"}},
		{"oauth source", []Concern{Migration}, with(minimal(), config.EnvLegacyUsersTable, "", config.EnvLegacyTokenURL, "https://idp.example.com/token",
			config.EnvLegacyLookupURL, "https://idp.example.com/users", config.EnvLegacyAttributeMap, "mail=email,mail=email"),
			[]string{config.EnvLegacyUserInfoURL, config.EnvLegacyClientID, config.EnvLegacyAttributeMap, config.EnvLegacyLookupURL}},
		{"lookup without placeholder", []Concern{Migration}, with(minimal(), config.EnvLegacyUsersTable, "", config.EnvLegacyTokenURL, "https://idp.example.com/token",
			config.EnvLegacyUserInfoURL, "https://idp.example.com/userinfo", config.EnvLegacyLookupURL, "https://idp.example.com/users", config.EnvLegacyClientID, "legacy"),
			[]string{config.EnvLegacyLookupURL + ": has no {username}"}},
		{"a migration variable alone", []Concern{MigrationIfConfigured}, with(minimal(), config.EnvMigrationTable, "", config.EnvLegacyUsersTable, "", config.EnvBreakerOpenSeconds, "60"),
			[]string{config.EnvMigrationTable, config.EnvLegacyTokenURL + ", " + config.EnvLegacyUsersTable}},
		{"kms alias", []Concern{Messages}, with(minimal(), config.EnvKMSKeyARN, "alias/senders", config.EnvEmailFrom, ""), []string{config.EnvKMSKeyARN, config.EnvEmailFrom}},
		{"no region", []Concern{Messages}, minimal(), []string{"AWS_REGION"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := awsConfig()
			if c.name == "no region" {
				cfg.Region = ""
			}
			_, err := Build(config.Map(c.env), cfg, io.Discard, c.concerns...)
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("the error does not say %q:\n%s", w, msg)
				}
			}
			if n := strings.Count(msg, "\n") + 1; n != len(c.want) {
				t.Errorf("%d problems reported, want %d:\n%s", n, len(c.want), msg)
			}
			if strings.Contains(msg, shortKey) || strings.Contains(msg, testKey) {
				t.Errorf("a secret in the error:\n%s", msg)
			}
		})
	}
}

func TestDefaultMessages(t *testing.T) {
	catalog, err := messages.NewFuncs(DefaultMessages())
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range messages.Kinds() {
		if _, ok := catalog.Locale(k, map[string]string{"locale": "fr-CA"}); !ok {
			t.Errorf("no template of kind %s", k)
		}
	}
	m, err := catalog.Render(messages.AdminCreateUser, messages.Data{Code: "{####}", Username: "{username}"})
	if err != nil || !strings.Contains(m.Email, "{####}") || !strings.Contains(m.SMS, "{username}") {
		t.Errorf("%+v, %v", m, err)
	}
}

// The authentication events function refuses a denied network before
// Cognito checks the password, reading the address from the raw event.
func TestAuthEventsReadsTheSourceIP(t *testing.T) {
	fn, err := Build(config.Map(with(minimal(), config.EnvIPDeny, "198.51.100.0/24")), awsConfig(), io.Discard, AuthEvents)
	if err != nil {
		t.Fatal(err)
	}
	payload := []byte(`{"version":"1","triggerSource":"PreAuthentication_Authentication","region":"us-east-1","userPoolId":"us-east-1_X","userName":"u",
		"callerContext":{"clientId":"c"},"request":{"userAttributes":{},"userContextData":{"ipAddress":"198.51.100.20"}},"response":{}}`)
	_, err = fn.Handler.Invoke(t.Context(), payload)
	if err == nil || err.Error() != authpolicy.MsgNetworkRefused {
		t.Errorf("denied network: %v", err)
	}
}

// BenchmarkBuild is the part of a cold start that Build takes after the
// packages' init: reading and checking every variable, making the AWS
// clients and registering every concern of the single function.
func BenchmarkBuild(b *testing.B) {
	cfg, e := awsConfig(), minimal()
	for b.Loop() {
		if _, err := Build(config.Map(e), cfg, io.Discard, CustomAuth, Tenancy, MigrationIfConfigured, Messages, AuthEvents); err != nil {
			b.Fatal(err)
		}
	}
}

func TestWelcome(t *testing.T) {
	ev := &triggers.PostConfirmationEvent{}
	ev.Request.UserAttributes = triggers.Attributes{"email": "ann&co@example.com", "given_name": "<b>Ann</b>"}
	m, err := Welcome(ev)
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "Welcome, <b>Ann</b>" || !strings.Contains(m.HTML, "Hello &lt;b&gt;Ann&lt;/b&gt;,") ||
		!strings.Contains(m.HTML, "ann&amp;co@example.com") || strings.Contains(m.HTML, "<b>") {
		t.Errorf("welcome %+v: the HTML must escape what the user chose", m)
	}
	delete(ev.Request.UserAttributes, "given_name")
	if m, _ := Welcome(ev); m.Subject != "Welcome" || !strings.HasPrefix(m.HTML, "<p>Hello,</p>") {
		t.Errorf("without a name: %+v", m)
	}
}

// The defaults package config states (and the README's table shows) are
// those of the packages that apply them.
func TestConfigDefaultsAreTheLibrarys(t *testing.T) {
	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"name key bytes", config.MinKeyBytes, migration.MinNameKeyBytes},
	} {
		if c.got != c.want {
			t.Errorf("%s: config says %v, the library %v", c.name, c.got, c.want)
		}
	}
}

// Main loads the AWS SDK configuration only when a concern asks for a
// client: messages without its senders calls no AWS service and never
// loads it; with them, a failure to load it, or a missing region, fails
// the start as Build's did.
func TestAWSConfigLoadedOnlyWhenUsed(t *testing.T) {
	loads := 0
	load := func(cfg aws.Config, err error) func() (aws.Config, error) {
		return func() (aws.Config, error) { loads++; return cfg, err }
	}
	if _, err := BuildLazy(config.Map(minimal()), load(awsConfig(), nil), io.Discard, Messages); err != nil || loads != 0 {
		t.Fatalf("messages without senders: %v, %d loads", err, loads)
	}
	withSenders := config.Map(with(minimal(), config.EnvKMSKeyARN, "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"))
	if _, err := BuildLazy(withSenders, load(awsConfig(), nil), io.Discard, Messages); err != nil || loads != 1 {
		t.Fatalf("messages with senders: %v, %d loads", err, loads)
	}
	_, err := BuildLazy(withSenders, load(aws.Config{}, errors.New("no credentials")), io.Discard, Messages)
	if err == nil || !strings.Contains(err.Error(), "AWS SDK configuration: no credentials") {
		t.Errorf("a failed load: %v", err)
	}
	_, err = BuildLazy(config.Map(minimal()), load(aws.Config{}, errors.New("no credentials")), io.Discard, Tenancy)
	if err == nil || !strings.Contains(err.Error(), "AWS SDK configuration") {
		t.Errorf("a failed load for tenancy: %v", err)
	}
}

// A configuration that fails to load is reported first, with what to
// check, and no secret is read with it; with another problem, a function
// that calls no AWS service reports it too, so one start lists them all.
func TestAWSConfigFailureComesFirst(t *testing.T) {
	broken := func() (aws.Config, error) {
		return aws.Config{}, errors.New("failed to get shared config profile, prod")
	}
	env := with(minimal(), config.EnvMasterKey, "", config.EnvMasterKeySecretARN, "arn:aws:secretsmanager:us-east-1:123456789012:secret:k-AbCdEf")
	_, err := BuildLazy(config.Map(env), broken, io.Discard, CustomAuth)
	if err == nil {
		t.Fatal("no error")
	}
	lines := strings.Split(err.Error(), "\n")
	if !strings.Contains(lines[0], "AWS SDK configuration: failed to get shared config profile, prod") || !strings.Contains(lines[0], "AWS_PROFILE") {
		t.Errorf("the first problem is not the configuration:\n%v", err)
	}
	if strings.Contains(err.Error(), "GetSecretValue") {
		t.Errorf("a secret was read with the broken configuration:\n%v", err)
	}
	_, err = BuildLazy(config.Map(with(minimal(), config.EnvLogLevel, "loud")), broken, io.Discard, Messages)
	if err == nil || !strings.Contains(err.Error(), "AWS SDK configuration") || !strings.Contains(err.Error(), config.EnvLogLevel) {
		t.Errorf("messages with a bad variable: %v", err)
	}
}
