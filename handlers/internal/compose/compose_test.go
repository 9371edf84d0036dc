package compose_test

import (
	"encoding/base64"
	"io"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/cognitrig/cognitrig/handlers/internal/env"
	"github.com/cognitrig/cognitrig/lifecycle/authpolicy"
	"github.com/cognitrig/cognitrig/lifecycle/messages"
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
		EnvChallengesTable: "challenges", EnvMasterKey: testKey, EnvEmailFrom: "no-reply@example.com",
		EnvAuditTable: "audit", EnvMigrationTable: "migration", EnvLegacyUsersTable: "legacy", EnvTenancyTable: "tenancy",
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
		{"every step", []Concern{CustomAuth}, with(minimal(), EnvAuthSequence, "password,captcha,security-question,email-or-sms-otp,magic-link",
			EnvCaptchaVerifyURL, "https://challenges.example.com/siteverify", EnvCaptchaSecret, "s", EnvMagicLinkURL, "https://app.example.com/signin",
			EnvMagicLinkPages, "native=https://app.example.com/native", EnvCaptchaMinScore, "0.7", EnvCaptchaAction, "login", EnvCaptchaHostnames, "app.example.com",
			EnvAuthMaxFailures, "3", EnvAuthFailWindow, "10m", EnvAuthLockout, "5m", EnvAuthMaxLockout, "2h", EnvAuthMaxSends, "6", EnvAuthSendWindow, "30m"),
			[]triggers.Trigger{triggers.DefineAuthChallenge, triggers.CreateAuthChallenge, triggers.VerifyAuthChallengeResponse}},
		{"migration", []Concern{Migration}, minimal(), []triggers.Trigger{triggers.UserMigration}},
		{"migration from an identity service", []Concern{Migration}, with(minimal(), EnvLegacyUsersTable, "",
			EnvLegacyTokenURL, "https://idp.example.com/token", EnvLegacyUserInfoURL, "https://idp.example.com/userinfo",
			EnvLegacyLookupURL, "https://idp.example.com/users/{username}", EnvLegacyAttributeMap, "mail=email", EnvLegacyClientID, "legacy"),
			[]triggers.Trigger{triggers.UserMigration}},
		{"messages", []Concern{Messages}, minimal(), []triggers.Trigger{triggers.CustomMessage}},
		{"messages with senders", []Concern{Messages}, with(minimal(), EnvKMSKeyARN, "arn:aws:kms:us-east-1:123456789012:key/k-1"),
			[]triggers.Trigger{triggers.CustomMessage, triggers.CustomEmailSender, triggers.CustomSMSSender}},
		{"authevents", []Concern{AuthEvents}, minimal(), []triggers.Trigger{triggers.PreAuthentication, triggers.PostAuthentication}},
		{"tenancy", []Concern{Tenancy}, with(minimal(), EnvGroupPattern, "tenant-{id}-{role}", EnvFederationProviders, "Google, SignInWithApple", EnvScopeMap, "admin=read,write"),
			[]triggers.Trigger{triggers.PreSignUp, triggers.PostConfirmation, triggers.PreTokenGenerationV1, triggers.PreTokenGenerationV2}},
		{"tenancy with inbound federation", []Concern{Tenancy}, with(minimal(), EnvInboundProviders, "AcmeSAML=acme, Globex=globex"),
			[]triggers.Trigger{triggers.PreSignUp, triggers.PostConfirmation, triggers.PreTokenGenerationV1, triggers.PreTokenGenerationV2, triggers.InboundFederation}},
		{"no migration configured", []Concern{MigrationIfConfigured}, with(minimal(), EnvMigrationTable, "", EnvLegacyUsersTable, ""), nil},
		{"migration configured", []Concern{MigrationIfConfigured}, minimal(), []triggers.Trigger{triggers.UserMigration}},
	} {
		t.Run(c.name, func(t *testing.T) {
			fn, err := Build(env.FromMap(c.env), awsConfig(), io.Discard, c.concerns...)
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
			[]string{EnvChallengesTable, EnvMasterKey, EnvEmailFrom, EnvTenancyTable, EnvMigrationTable, EnvLegacyTokenURL + ", " + EnvLegacyUsersTable, EnvAuditTable}},
		{"tenancy", []Concern{Tenancy}, with(minimal(), EnvScopeMap, "admin=read;admin=write", EnvGroupPattern, "{role}-only",
			EnvTrustedEmailProviders, "Okta", EnvRequireInvitation, "2"),
			[]string{EnvScopeMap + `: role "admin" is listed twice`, EnvGroupPattern, EnvTrustedEmailProviders, EnvRequireInvitation}},
		{"welcome without its table and sender", []Concern{Tenancy}, with(minimal(), EnvWelcomeEmail, "true", EnvEmailFrom, ""),
			[]string{EnvConfirmTable, EnvEmailFrom}},
		{"inbound providers without tenants", []Concern{Tenancy}, with(minimal(), EnvInboundProviders, "AcmeSAML"), []string{EnvInboundProviders + `: "AcmeSAML" is not PROVIDER=TENANT`}},
		{"inbound provider twice", []Concern{Tenancy}, with(minimal(), EnvInboundProviders, "A=acme,A=globex"), []string{EnvInboundProviders + `: provider "A" is named twice`}},
		{"inbound tenant ID", []Concern{Tenancy}, with(minimal(), EnvInboundProviders, "A=not a tenant"), []string{EnvInboundProviders}},
		{"welcome, maybe", []Concern{Tenancy}, with(minimal(), EnvWelcomeEmail, "perhaps"), []string{EnvWelcomeEmail}},
		{"claims cognito does not allow", []Concern{Tenancy}, with(minimal(), EnvScopeMap, "admin=tenant:{id}:{id}"), []string{EnvScopeMap}},
		{"bad values", []Concern{AuthEvents, Migration}, with(minimal(), EnvLogLevel, "chatty", EnvIPAllow, "10.0.0.0/33",
			EnvBreakerMaxFailures, "0", EnvBreakerOpenSeconds, "soon", EnvMFAOnNewDevice, "sometimes", EnvAuditRetainDays, "forever"),
			[]string{EnvLogLevel, EnvIPAllow, EnvBreakerMaxFailures, EnvBreakerOpenSeconds, EnvMFAOnNewDevice, EnvAuditRetainDays}},
		{"unknown step", []Concern{CustomAuth}, with(minimal(), EnvAuthSequence, "email-otp,retina-scan"), []string{EnvAuthSequence + `: unknown step "retina-scan"`}},
		{"captcha without its service", []Concern{CustomAuth}, with(minimal(), EnvAuthSequence, "password,captcha", EnvCaptchaVerifyURL, "http://captcha.example.com/siteverify"),
			[]string{EnvCaptchaVerifyURL + ": uses plain http", EnvCaptchaSecret}},
		{"magic-link KMS key too long", []Concern{CustomAuth}, with(minimal(), EnvAuthSequence, "magic-link",
			EnvMagicLinkURL, "https://app.example.com/signin", EnvMagicLinkKMSKey, "alias/"+strings.Repeat("k", 2048)), []string{EnvMagicLinkKMSKey}},
		{"magic link without pages", []Concern{CustomAuth}, with(minimal(), EnvAuthSequence, "magic-link"), []string{EnvMagicLinkPages}},
		{"magic link origins", []Concern{CustomAuth}, with(minimal(), EnvAuthSequence, "magic-link", EnvMagicLinkOrigins, "https://app.example.com"), []string{EnvMagicLinkOrigins + ": is no longer supported"}},
		{"magic link page with a query", []Concern{CustomAuth}, with(minimal(), EnvAuthSequence, "magic-link", EnvMagicLinkPages, "app=https://app.example.com/in?next=x"), []string{EnvMagicLinkPages}},
		{"magic link page without key", []Concern{CustomAuth}, with(minimal(), EnvAuthSequence, "magic-link", EnvMagicLinkPages, "https://app.example.com/in"), []string{EnvMagicLinkPages}},
		{"captcha score", []Concern{CustomAuth}, with(minimal(), EnvAuthSequence, "captcha", EnvCaptchaVerifyURL, "https://c.example.com/siteverify", EnvCaptchaSecret, "s", EnvCaptchaMinScore, "1.5"), []string{EnvCaptchaMinScore}},
		{"limits", []Concern{CustomAuth}, with(minimal(), EnvAuthMaxFailures, "0", EnvAuthFailWindow, "1s", EnvAuthLockout, "forever", EnvAuthMaxSends, "x", EnvAuthSendWindow, "48h"),
			[]string{EnvAuthMaxFailures, EnvAuthFailWindow, EnvAuthLockout, EnvAuthMaxSends, EnvAuthSendWindow}},
		{"lockout over its maximum", []Concern{CustomAuth}, with(minimal(), EnvAuthLockout, "2h", EnvAuthMaxLockout, "1h"), []string{"Lockout"}},
		{"short master key", []Concern{CustomAuth}, with(minimal(), EnvMasterKey, shortKey), []string{EnvMasterKey}},
		{"email needs a sender", []Concern{CustomAuth}, with(minimal(), EnvEmailFrom, ""), []string{EnvEmailFrom}},
		{"sms needs none", []Concern{CustomAuth}, with(minimal(), EnvEmailFrom, "", EnvAuthSequence, "sms-otp", EnvLogLevel, "x"), []string{EnvLogLevel}},
		{"both sources", []Concern{Migration}, with(minimal(), EnvLegacyTokenURL, "https://idp.example.com/token"), []string{EnvLegacyTokenURL + ", " + EnvLegacyUsersTable + ": both are set"}},
		{"oauth source", []Concern{Migration}, with(minimal(), EnvLegacyUsersTable, "", EnvLegacyTokenURL, "https://idp.example.com/token",
			EnvLegacyLookupURL, "https://idp.example.com/users", EnvLegacyAttributeMap, "mail=email,mail=email"),
			[]string{EnvLegacyUserInfoURL, EnvLegacyClientID, EnvLegacyAttributeMap}},
		{"lookup without placeholder", []Concern{Migration}, with(minimal(), EnvLegacyUsersTable, "", EnvLegacyTokenURL, "https://idp.example.com/token",
			EnvLegacyUserInfoURL, "https://idp.example.com/userinfo", EnvLegacyLookupURL, "https://idp.example.com/users", EnvLegacyClientID, "legacy"),
			[]string{EnvLegacyLookupURL + ": has no {username}"}},
		{"a migration variable alone", []Concern{MigrationIfConfigured}, with(minimal(), EnvMigrationTable, "", EnvLegacyUsersTable, "", EnvBreakerOpenSeconds, "60"),
			[]string{EnvMigrationTable, EnvLegacyTokenURL + ", " + EnvLegacyUsersTable}},
		{"kms alias", []Concern{Messages}, with(minimal(), EnvKMSKeyARN, "alias/senders", EnvEmailFrom, ""), []string{EnvKMSKeyARN, EnvEmailFrom}},
		{"no region", []Concern{Messages}, minimal(), []string{"AWS_REGION"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := awsConfig()
			if c.name == "no region" {
				cfg.Region = ""
			}
			_, err := Build(env.FromMap(c.env), cfg, io.Discard, c.concerns...)
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

func TestParseSequence(t *testing.T) {
	good := map[string]Sequence{
		"email-otp":                          {Steps: []string{StepEmailOTP}},
		" Password , Email-OTP ":             {Password: true, Steps: []string{StepEmailOTP}},
		"sms-otp":                            {Steps: []string{StepSMSOTP}},
		"email-or-sms-otp":                   {Steps: []string{StepEmailOrSMSOTP}},
		"magic-link":                         {Steps: []string{StepMagicLink}},
		"password,captcha,security-question": {Password: true, Steps: []string{StepCaptcha, StepSecurityQuestion}},
		"captcha,magic-link":                 {Steps: []string{StepCaptcha, StepMagicLink}},
	}
	for in, want := range good {
		got, err := ParseSequence(in)
		if err != nil || got.Password != want.Password || !slices.Equal(got.Steps, want.Steps) {
			t.Errorf("%q: %+v, %v", in, got, err)
		}
	}
	for in, want := range map[string]string{
		"":                   "no challenge step",
		"password":           "no challenge step",
		"email-otp,password": "first step",
		"captcha,,email-otp": "empty step",
		"captcha,captcha":    "twice",
		"sms-otp,email-otp":  "more than one one-time-code",
		"fingerprint":        `unknown step "fingerprint"`,
	} {
		if _, err := ParseSequence(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", in, err, want)
		}
	}
}

func TestParseMapping(t *testing.T) {
	m, err := ParseMapping(" mail = email, mobile=phone_number,plan=custom:plan ")
	if err != nil || len(m) != 3 || m["mail"] != "email" || m["plan"] != "custom:plan" {
		t.Errorf("%v, %v", m, err)
	}
	if m, err := ParseMapping("  "); m != nil || err != nil {
		t.Errorf("empty: %v, %v", m, err)
	}
	for _, bad := range []string{"mail", "mail=", "=email", "mail=email,mail=name", "mail=sub", "x=custom:this-is-far-too-long-a-name"} {
		if _, err := ParseMapping(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestDefaultTemplates(t *testing.T) {
	catalog, err := messages.New(DefaultTemplates())
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
	fn, err := Build(env.FromMap(with(minimal(), EnvIPDeny, "198.51.100.0/24")), awsConfig(), io.Discard, AuthEvents)
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
		if _, err := Build(env.FromMap(e), cfg, io.Discard, CustomAuth, Tenancy, MigrationIfConfigured, Messages, AuthEvents); err != nil {
			b.Fatal(err)
		}
	}
}

func TestParseScopeMap(t *testing.T) {
	m, err := ParseScopeMap(" admin = read, write ; viewer=read;robot=billing-api:read,tenant:{id}:admin; nobody= ;*=read;")
	want := map[string][]string{
		"admin":  {"tenant:{id}:read", "tenant:{id}:write"},
		"viewer": {"tenant:{id}:read"},
		"robot":  {"billing-api:read", "tenant:{id}:admin"},
		"nobody": {},
		"*":      {"tenant:{id}:read"},
	}
	if err != nil || !maps.EqualFunc(m, want, slices.Equal) {
		t.Errorf("%v, %v", m, err)
	}
	if m, err := ParseScopeMap(""); m != nil || err != nil {
		t.Errorf("empty: %v, %v", m, err)
	}
	for in, want := range map[string]string{
		"admin":              "not role=scope",
		"admin=read;admin=x": "twice",
		"ad min=read":        "role",
		"admin=re ad":        "white space",
		";;":                 "no role",
		"-admin=read":        "role",
	} {
		if _, err := ParseScopeMap(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", in, err, want)
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
