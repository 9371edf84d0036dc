package compose_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/cognitrig/cognitrig/config"
	"github.com/cognitrig/cognitrig/internal/awsfake"

	. "github.com/cognitrig/cognitrig/handlers/internal/compose"
	. "github.com/cognitrig/cognitrig/handlers/internal/compose/authevents"
	. "github.com/cognitrig/cognitrig/handlers/internal/compose/customauth"
	. "github.com/cognitrig/cognitrig/handlers/internal/compose/messages"
	. "github.com/cognitrig/cognitrig/handlers/internal/compose/migration"
	"github.com/cognitrig/cognitrig/handlers/internal/compose/secrets"
	. "github.com/cognitrig/cognitrig/handlers/internal/compose/tenancy"
)

const secretARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:CognitrigMasterKey-AbCdEf"

// secretKey is the generated form: 64 letters and digits.
var secretKey = strings.Repeat("SECRETkey0123456", 4)

func secretsConfig(url string) aws.Config {
	cfg := awsConfig()
	cfg.BaseEndpoint = aws.String(url)
	return cfg
}

// Issue 12, info: the function gets the secret's ARN, never the key, and
// reads the key from Secrets Manager when it starts; the concerns see it as
// COGNITRIG_MASTER_KEY, and derive the same keys as from the variable.
func TestMasterKeyFromSecretsManager(t *testing.T) {
	sm := awsfake.NewSecretsManager(t, map[string]string{secretARN: secretKey})
	d := NewDeps(config.Map(with(minimal(), config.EnvMasterKey, "", config.EnvMasterKeySecretARN, secretARN)), secretsConfig(sm.URL))
	secrets.Read(d)
	if err := d.Err(); err != nil {
		t.Fatal(err)
	}
	fromSecret, err := config.LoadCustomAuth(d.Lookup)
	if err != nil {
		t.Fatal(err)
	}
	fromVariable, err := config.LoadCustomAuth(config.Map(with(minimal(), config.EnvMasterKey, secretKey)))
	if err != nil {
		t.Fatal(err)
	}
	got, want := config.DeriveKey(fromSecret.MasterKey, "otp"), config.DeriveKey(fromVariable.MasterKey, "otp")
	if got == nil || !bytes.Equal(got, want) {
		t.Fatal("the key derived from the secret differs from the one derived from the same value in the variable")
	}
	calls := sm.Calls()
	if len(calls) != 1 || calls[0].Op != "GetSecretValue" {
		t.Fatalf("calls %+v, want one GetSecretValue", calls)
	}
	var in struct{ SecretId string }
	if json.Unmarshal(calls[0].Body, &in); in.SecretId != secretARN {
		t.Fatalf("SecretId %q, want %q", in.SecretId, secretARN)
	}

	// The whole function builds with the secret alone.
	fn, err := Build(config.Map(with(minimal(), config.EnvMasterKey, "", config.EnvMasterKeySecretARN, secretARN)), secretsConfig(sm.URL), io.Discard, CustomAuth)
	if err != nil || fn == nil {
		t.Fatalf("Build with the master key in Secrets Manager: %v", err)
	}
}

func TestMasterKeySecretProblems(t *testing.T) {
	sm := awsfake.NewSecretsManager(t, map[string]string{
		secretARN: secretKey,
		"short":   base64.StdEncoding.EncodeToString([]byte("short-SECRET")),
		"empty":   "",
	})
	for _, c := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"both set", with(minimal(), config.EnvMasterKeySecretARN, secretARN), config.EnvMasterKeySecretARN + ": is set, and so is " + config.EnvMasterKey},
		{"unknown secret", with(minimal(), config.EnvMasterKey, "", config.EnvMasterKeySecretARN, "arn:aws:secretsmanager:us-east-1:123456789012:secret:gone"), config.EnvMasterKeySecretARN + ": read the secret"},
		{"empty secret", with(minimal(), config.EnvMasterKey, "", config.EnvMasterKeySecretARN, "empty"), config.EnvMasterKeySecretARN + ": the secret it names is empty"},
		{"short key", with(minimal(), config.EnvMasterKey, "", config.EnvMasterKeySecretARN, "short"), config.EnvMasterKey + ": is not base64 of 32 or more random bytes"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Build(config.Map(c.env), secretsConfig(sm.URL), io.Discard, CustomAuth)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Build = %v, want an error with %q", err, c.want)
			}
			for _, secret := range []string{secretKey, testKey, "short-SECRET"} {
				if strings.Contains(err.Error(), secret) {
					t.Fatalf("the error shows a key: %v", err)
				}
			}
		})
	}
}

// Issue 13 §3: every secret the functions use can stay out of their
// configuration. With the CAPTCHA secret, the legacy client secret and the
// legacy name key in Secrets Manager, the functions build, each secret read
// once at start-up, and a function that names none calls Secrets Manager
// not at all.
func TestEverySecretFromSecretsManager(t *testing.T) {
	const (
		captchaARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:captcha-AbCdEf"
		clientARN  = "arn:aws:secretsmanager:us-east-1:123456789012:secret:legacy-client-AbCdEf"
		nameARN    = "arn:aws:secretsmanager:us-east-1:123456789012:secret:legacy-name-AbCdEf"
	)
	sm := awsfake.NewSecretsManager(t, map[string]string{
		secretARN: secretKey, captchaARN: "captcha-SECRET", clientARN: "client-SECRET", nameARN: secretKey,
	})
	env := with(minimal(), config.EnvMasterKey, "", config.EnvMasterKeySecretARN, secretARN,
		config.EnvAuthSequence, "captcha,email-otp", config.EnvCaptchaVerifyURL, "https://captcha.example/siteverify",
		config.EnvCaptchaSecretARN, captchaARN,
		config.EnvLegacyUsersTable, "", config.EnvLegacyTokenURL, "https://idp.example/token",
		config.EnvLegacyUserInfoURL, "https://idp.example/userinfo", config.EnvLegacyClientID, "migration",
		config.EnvLegacyClientSecretARN, clientARN, config.EnvLegacyNameKeySecretARN, nameARN)
	var logs bytes.Buffer
	if _, err := Build(config.Map(env), secretsConfig(sm.URL), &logs, CustomAuth, Migration); err != nil {
		t.Fatalf("Build with every secret in Secrets Manager: %v", err)
	}
	read := map[string]int{}
	for _, c := range sm.Calls() {
		var in struct{ SecretId string }
		_ = json.Unmarshal(c.Body, &in)
		read[in.SecretId]++
	}
	for _, id := range []string{secretARN, captchaARN, clientARN, nameARN} {
		if read[id] != 1 {
			t.Errorf("%s read %d times, want once", id, read[id])
		}
	}
	for _, secret := range []string{"captcha-SECRET", "client-SECRET", secretKey} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("the log shows a secret:\n%s", logs.String())
		}
	}

	before := len(sm.Calls())
	if _, err := Build(config.Map(minimal()), secretsConfig(sm.URL), io.Discard, CustomAuth); err != nil {
		t.Fatal(err)
	}
	if n := len(sm.Calls()) - before; n != 0 {
		t.Errorf("a function that names no secret called Secrets Manager %d times", n)
	}
}

// A bad variable of every function (here the log level) does not stop the
// secrets being read: the error names that variable alone, not also a
// master key "not set" that is in Secrets Manager all along.
func TestSecretsReadDespiteABadCommonVariable(t *testing.T) {
	sm := awsfake.NewSecretsManager(t, map[string]string{secretARN: secretKey})
	env := with(minimal(), config.EnvLogLevel, "verbose", config.EnvMasterKey, "", config.EnvMasterKeySecretARN, secretARN)
	_, err := Build(config.Map(env), secretsConfig(sm.URL), io.Discard, CustomAuth)
	if err == nil || !strings.Contains(err.Error(), config.EnvLogLevel+": ") {
		t.Fatalf("Build = %v, want the log level refused", err)
	}
	if strings.Contains(err.Error(), config.EnvMasterKey+": ") {
		t.Errorf("the error blames the master key, which is in Secrets Manager:\n%v", err)
	}
}

// Secrets Manager that never answers (a VPC without a route to it) ends
// start-up within the reads' bound, well inside Lambda's 10-second
// initialisation, with what to check.
func TestSecretsReadIsBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the 5-second bound")
	}
	stop := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-stop }))
	defer srv.Close()
	defer close(stop)
	start := time.Now()
	_, err := Build(config.Map(with(minimal(), config.EnvMasterKey, "", config.EnvMasterKeySecretARN, secretARN)), secretsConfig(srv.URL), io.Discard, CustomAuth)
	if took := time.Since(start); took > 8*time.Second {
		t.Errorf("Build took %v with Secrets Manager silent", took)
	}
	if err == nil || !strings.Contains(err.Error(), config.EnvMasterKeySecretARN+": read the secret "+secretARN+" from Secrets Manager: no answer in time") {
		t.Errorf("Build = %v, want the silent read named", err)
	}
}

// Only the concerns that read a secret variable read Secrets Manager: the
// others neither call it nor, with the master key's ARN set by mistake,
// fail (their functions do not link the client; see linking_test.go).
// In a function with both kinds, the secrets are read once.
func TestOnlySecretReadersReadSecrets(t *testing.T) {
	sm := awsfake.NewSecretsManager(t, map[string]string{secretARN: secretKey})
	env := with(minimal(), config.EnvMasterKey, "", config.EnvMasterKeySecretARN, secretARN)
	if _, err := Build(config.Map(env), secretsConfig(sm.URL), io.Discard, Tenancy, Messages, AuthEvents); err != nil {
		t.Fatal(err)
	}
	if n := len(sm.Calls()); n != 0 {
		t.Fatalf("concerns that read no secret called Secrets Manager %d times", n)
	}
	if _, err := Build(config.Map(env), secretsConfig(sm.URL), io.Discard, Tenancy, CustomAuth, MigrationIfConfigured, Messages); err != nil {
		t.Fatal(err)
	}
	if n := len(sm.Calls()); n != 1 {
		t.Fatalf("Secrets Manager called %d times, want once", n)
	}
}
