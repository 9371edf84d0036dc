package config_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/cognitrig/cognitrig/config"
)

// with returns a copy of m with the pairs kv set.
func with(m map[string]string, kv ...string) map[string]string {
	m = maps.Clone(m)
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

// fakeSecrets is a SecretGetter over a map; it counts reads per secret.
type fakeSecrets struct {
	mu     sync.Mutex
	values map[string]string
	reads  map[string]int
}

func (f *fakeSecrets) get(_ context.Context, id string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.reads == nil {
		f.reads = map[string]int{}
	}
	f.reads[id]++
	v, ok := f.values[id]
	if !ok {
		return "", errors.New("ResourceNotFoundException: Secrets Manager can't find the specified secret")
	}
	return v, nil
}

const (
	masterKeyValue = "bWFzdGVyLWtleS1TRUNSRVQtMDEyMzQ1Njc4OWFiY2RlZg=="
	nameKeyValue   = "bmFtZS1rZXktU0VDUkVULTAxMjM0NTY3ODlhYmNkZWZnaA=="
)

// Every secret variable can come from Secrets Manager, and the Load
// functions then read the same values as from the variables themselves.
func TestWithSecretsServesEverySecret(t *testing.T) {
	sm := &fakeSecrets{values: map[string]string{
		"arn:master":  masterKeyValue,
		"arn:captcha": " captcha-SECRET\n", // trimmed, like a variable
		"arn:client":  "client-SECRET",
		"arn:name":    nameKeyValue,
	}}
	base := map[string]string{
		config.EnvChallengesTable:   "challenges",
		config.EnvAuthSequence:      "captcha,email-otp",
		config.EnvEmailFrom:         "no-reply@example.com",
		config.EnvCaptchaVerifyURL:  "https://captcha.example/siteverify",
		config.EnvMigrationTable:    "migration",
		config.EnvLegacyTokenURL:    "https://idp.example/token",
		config.EnvLegacyUserInfoURL: "https://idp.example/userinfo",
		config.EnvLegacyClientID:    "migration",
	}
	fromARN := with(base,
		config.EnvMasterKeySecret, "arn:master", config.EnvCaptchaSecretARN, "arn:captcha",
		config.EnvLegacyClientSecretARN, "arn:client", config.EnvLegacyNameKeySecret, "arn:name")
	direct := with(base,
		config.EnvMasterKey, masterKeyValue, config.EnvCaptchaSecret, "captcha-SECRET",
		config.EnvLegacyClientSecret, "client-SECRET", config.EnvLegacyNameKey, nameKeyValue)

	lookup, err := config.WithSecrets(context.Background(), config.Map(fromARN), sm.get)
	if err != nil {
		t.Fatal(err)
	}
	for id, n := range sm.reads {
		if n != 1 {
			t.Errorf("secret %s read %d times, want once", id, n)
		}
	}
	if len(sm.reads) != 4 {
		t.Errorf("read %d secrets, want 4", len(sm.reads))
	}
	gotCA, err := config.LoadCustomAuth(lookup)
	if err != nil {
		t.Fatal(err)
	}
	wantCA, err := config.LoadCustomAuth(config.Map(direct))
	if err != nil {
		t.Fatal(err)
	}
	if gotCA.MasterKey.Reveal() != wantCA.MasterKey.Reveal() || gotCA.Captcha.Secret.Reveal() != "captcha-SECRET" {
		t.Error("custom authentication read other secrets from Secrets Manager than from the variables")
	}
	gotM, err := config.LoadMigration(lookup)
	if err != nil {
		t.Fatal(err)
	}
	wantM, err := config.LoadMigration(config.Map(direct))
	if err != nil {
		t.Fatal(err)
	}
	if gotM.ClientSecret.Reveal() != "client-SECRET" || gotM.NameKey.Reveal() != wantM.NameKey.Reveal() {
		t.Error("migration read other secrets from Secrets Manager than from the variables")
	}
	if !config.MigrationConfigured(config.Map(map[string]string{config.EnvLegacyClientSecretARN: "arn:client"})) {
		t.Error("a migration secret in Secrets Manager does not count as migration configured")
	}
}

// No variable names a secret: nothing is read, the lookup is unchanged,
// and no getter is needed.
func TestWithSecretsNoneNamed(t *testing.T) {
	env := map[string]string{config.EnvMasterKey: masterKeyValue}
	lookup, err := config.WithSecrets(context.Background(), config.Map(env), nil)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := lookup(config.EnvMasterKey); v != masterKeyValue {
		t.Errorf("lookup changed: %q", v)
	}
}

// Two variables naming one secret read it once.
func TestWithSecretsSharedSecretReadOnce(t *testing.T) {
	sm := &fakeSecrets{values: map[string]string{"arn:keys": masterKeyValue}}
	env := map[string]string{config.EnvMasterKeySecret: "arn:keys", config.EnvLegacyNameKeySecret: "arn:keys"}
	lookup, err := config.WithSecrets(context.Background(), config.Map(env), sm.get)
	if err != nil {
		t.Fatal(err)
	}
	if sm.reads["arn:keys"] != 1 {
		t.Errorf("read %d times, want once", sm.reads["arn:keys"])
	}
	for _, name := range []string{config.EnvMasterKey, config.EnvLegacyNameKey} {
		if v, ok := lookup(name); !ok || v != masterKeyValue {
			t.Errorf("%s = %q, %v", name, v, ok)
		}
	}
}

// Each problem is named by its variable, all at once, and no error carries
// a secret's value.
func TestWithSecretsProblems(t *testing.T) {
	sm := &fakeSecrets{values: map[string]string{"arn:empty": "  ", "arn:captcha": "captcha-SECRET"}}
	env := map[string]string{
		config.EnvMasterKey: masterKeyValue, config.EnvMasterKeySecret: "arn:master", // both
		config.EnvCaptchaSecretARN:      "arn:gone",  // read fails
		config.EnvLegacyClientSecretARN: "arn:empty", // empty
	}
	_, err := config.WithSecrets(context.Background(), config.Map(env), sm.get)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		config.EnvMasterKeySecret + ": is set, and so is " + config.EnvMasterKey + ": keep only one",
		config.EnvCaptchaSecretARN + ": read the secret arn:gone from Secrets Manager: ResourceNotFoundException",
		config.EnvLegacyClientSecretARN + ": the secret arn:empty is empty: store " + config.EnvLegacyClientSecret + "'s value in it",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	for _, secret := range []string{masterKeyValue, "captcha-SECRET"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("the error shows a secret: %v", err)
		}
	}
	if sm.reads["arn:master"] != 0 {
		t.Error("the secret of a variable set twice was read")
	}

	_, err = config.WithSecrets(context.Background(), config.Map(map[string]string{config.EnvCaptchaSecretARN: "arn:captcha"}), nil)
	if err == nil || !strings.Contains(err.Error(), "SecretGetter") {
		t.Errorf("no getter: %v", err)
	}
}

// A secret variable left unset says where else its value may come from.
func TestRequiredSecretNamesItsSecretVariable(t *testing.T) {
	_, err := config.LoadCustomAuth(config.Map(map[string]string{
		config.EnvChallengesTable: "c", config.EnvAuthSequence: "captcha", config.EnvCaptchaVerifyURL: "https://captcha.example/v",
	}))
	for _, want := range []string{
		config.EnvMasterKey + ": is required and not set",
		"name a Secrets Manager secret in " + config.EnvMasterKeySecret,
		"name a Secrets Manager secret in " + config.EnvCaptchaSecretARN,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
}

// SecretVariables lists every variable the table marks "secret:", each
// with a counterpart that is itself in the table.
func TestSecretVariablesCoverTheTable(t *testing.T) {
	var names []string
	for _, v := range config.SecretVariables() {
		names = append(names, v.Name)
		if !strings.HasSuffix(v.SecretARN, "_ARN") {
			t.Errorf("%s: counterpart %s does not end in _ARN", v.Name, v.SecretARN)
		}
	}
	all := map[string]bool{}
	for _, v := range variables(t) {
		all[v.name] = true
		if strings.HasPrefix(v.meaning, "secret:") != slices.Contains(names, v.name) {
			t.Errorf("%s: marked secret in the table %v, listed in SecretVariables %v", v.name,
				strings.HasPrefix(v.meaning, "secret:"), slices.Contains(names, v.name))
		}
	}
	for _, v := range config.SecretVariables() {
		if !all[v.SecretARN] {
			t.Errorf("%s is not in vars.go", v.SecretARN)
		}
	}
}

// A team's own main reads secrets named in Secrets Manager with one call
// before loading its settings; get is secretsmanager:GetSecretValue in a
// function.
func ExampleWithSecrets() {
	env := config.Map(map[string]string{ // os.LookupEnv
		config.EnvChallengesTable: "challenges",
		config.EnvMasterKeySecret: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:cognitrig-master-AbCdEf",
		config.EnvEmailFrom:       "no-reply@example.com",
	})
	get := func(ctx context.Context, id string) (string, error) {
		// out, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: &id})
		return masterKeyValue, nil
	}
	lookup, err := config.WithSecrets(context.Background(), env, get)
	if err != nil {
		panic(err)
	}
	c, err := config.LoadCustomAuth(lookup)
	fmt.Println(err, len(c.MasterKey.Reveal()), "byte master key")
	// Output:
	// <nil> 34 byte master key
}
