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
	"time"

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
		config.EnvMasterKeySecretARN, "arn:master", config.EnvCaptchaSecretARN, "arn:captcha",
		config.EnvLegacyClientSecretARN, "arn:client", config.EnvLegacyNameKeySecretARN, "arn:name")
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
	env := map[string]string{config.EnvMasterKeySecretARN: "arn:keys", config.EnvLegacyNameKeySecretARN: "arn:keys"}
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
		config.EnvMasterKey: masterKeyValue, config.EnvMasterKeySecretARN: "arn:master", // both
		config.EnvCaptchaSecretARN:      "arn:gone",  // read fails
		config.EnvLegacyClientSecretARN: "arn:empty", // empty
	}
	_, err := config.WithSecrets(context.Background(), config.Map(env), sm.get)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		config.EnvMasterKeySecretARN + ": is set, and so is " + config.EnvMasterKey + ": keep only one",
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
		"name a Secrets Manager secret in " + config.EnvMasterKeySecretARN,
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
		if !strings.HasSuffix(v.ARNVariable, "_ARN") {
			t.Errorf("%s: counterpart %s does not end in _ARN", v.Name, v.ARNVariable)
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
		if !all[v.ARNVariable] {
			t.Errorf("%s is not in vars.go", v.ARNVariable)
		}
	}
}

// A team's own main reads secrets named in Secrets Manager with one call
// before loading its settings, bounded well inside Lambda's 10-second
// initialisation. In a function, get calls secretsmanager:GetSecretValue
// (sm is secretsmanager.NewFromConfig(awsCfg)):
//
//	get := func(ctx context.Context, id string) (string, error) {
//		out, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: &id})
//		if err != nil {
//			return "", err
//		}
//		if out.SecretString != nil {
//			return *out.SecretString, nil
//		}
//		return base64.StdEncoding.EncodeToString(out.SecretBinary), nil // a binary secret
//	}
//
// and the lookup is os.LookupEnv.
func ExampleWithSecrets() {
	env := config.Map(map[string]string{ // os.LookupEnv
		config.EnvChallengesTable:    "challenges",
		config.EnvMasterKeySecretARN: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:cognitrig-master-AbCdEf",
		config.EnvEmailFrom:          "no-reply@example.com",
	})
	get := func(ctx context.Context, id string) (string, error) {
		return masterKeyValue, nil // sm.GetSecretValue, as above
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	lookup, err := config.WithSecrets(ctx, env, get)
	if err != nil {
		panic(err)
	}
	c, err := config.LoadCustomAuth(lookup)
	fmt.Println(err, len(c.MasterKey.Reveal()), "byte master key")
	// Output:
	// <nil> 34 byte master key
}

// A secret named in Secrets Manager but not read (a main that passes
// os.LookupEnv to a Load function without WithSecrets, or a read that
// failed) is an error naming both variables: never a silent start without
// the secret (the legacy client secret and the name key are optional, so
// the function would start and fail every migration, or digest names with
// a key of its own), and never "is required and not set" alone, which
// sends the operator to set the variable they meant to keep out.
func TestSecretNamedButNotRead(t *testing.T) {
	migration := map[string]string{
		config.EnvMigrationTable:    "migration",
		config.EnvLegacyTokenURL:    "https://idp.example/token",
		config.EnvLegacyUserInfoURL: "https://idp.example/userinfo",
		config.EnvLegacyClientID:    "migration",
	}
	customAuth := map[string]string{
		config.EnvChallengesTable: "challenges", config.EnvAuthSequence: "captcha",
		config.EnvCaptchaVerifyURL: "https://captcha.example/siteverify",
	}
	for _, c := range []struct {
		name string
		load func(func(string) (string, bool)) error
		env  map[string]string
	}{
		{config.EnvLegacyClientSecret, func(l func(string) (string, bool)) error { _, err := config.LoadMigration(l); return err },
			with(migration, config.EnvLegacyClientSecretARN, "arn:client")},
		{config.EnvLegacyNameKey, func(l func(string) (string, bool)) error { _, err := config.LoadMigration(l); return err },
			with(migration, config.EnvLegacyNameKeySecretARN, "arn:name")},
		{config.EnvMasterKey, func(l func(string) (string, bool)) error { _, err := config.LoadCustomAuth(l); return err },
			with(customAuth, config.EnvMasterKeySecretARN, "arn:master", config.EnvCaptchaSecret, "captcha-SECRET")},
		{config.EnvCaptchaSecret, func(l func(string) (string, bool)) error { _, err := config.LoadCustomAuth(l); return err },
			with(customAuth, config.EnvMasterKey, masterKeyValue, config.EnvCaptchaSecretARN, "arn:captcha")},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.load(config.Map(c.env))
			arn := ""
			for _, v := range config.SecretVariables() {
				if v.Name == c.name {
					arn = v.ARNVariable
				}
			}
			want := c.name + ": is not set, and the secret " + arn + " names was not read"
			if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "WithSecrets") {
				t.Fatalf("error %v, want a line with %q naming WithSecrets", err, want)
			}
			if strings.Contains(err.Error(), "is required and not set") {
				t.Errorf("the error asks to set the variable kept in Secrets Manager: %v", err)
			}
		})
	}
}

// An ID that is not an ARN may be the secret itself, pasted into the
// wrong variable: no error quotes it, not even where the getter's own
// error does (AccessDeniedException names the resource asked for).
func TestWithSecretsDoesNotQuoteANonARN(t *testing.T) {
	get := func(_ context.Context, id string) (string, error) {
		return "", fmt.Errorf("AccessDeniedException: not authorized to perform: secretsmanager:GetSecretValue on resource: %s", id)
	}
	env := map[string]string{config.EnvMasterKeySecretARN: masterKeyValue}
	_, err := config.WithSecrets(context.Background(), config.Map(env), get)
	if err == nil || !strings.Contains(err.Error(), config.EnvMasterKeySecretARN+": read the secret") || !strings.Contains(err.Error(), "AccessDeniedException") {
		t.Fatalf("error %v, want the read failure named by its variable", err)
	}
	if strings.Contains(err.Error(), masterKeyValue) {
		t.Errorf("the error quotes the value of %s: %v", config.EnvMasterKeySecretARN, err)
	}
	empty := func(context.Context, string) (string, error) { return " ", nil }
	if _, err := config.WithSecrets(context.Background(), config.Map(env), empty); err == nil || strings.Contains(err.Error(), masterKeyValue) {
		t.Errorf("empty secret: %v", err)
	}
	// An ARN is not secret and is quoted, so the operator sees which one.
	const arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:master-AbCdEf"
	if _, err := config.WithSecrets(context.Background(), config.Map(map[string]string{config.EnvMasterKeySecretARN: arn}), get); err == nil || !strings.Contains(err.Error(), "read the secret "+arn) {
		t.Errorf("ARN: %v", err)
	}
}

// The console's default secret type stores JSON key/value pairs; none of
// the secret variables holds JSON, so such a secret is refused at start-up
// with what to store instead, not passed on as the CAPTCHA secret (every
// verification would fail) or reported as a bad key under the other
// variable.
func TestWithSecretsRefusesKeyValueJSON(t *testing.T) {
	sm := &fakeSecrets{values: map[string]string{"arn:captcha": `{"COGNITRIG_CAPTCHA_SECRET":"captcha-SECRET"}`}}
	_, err := config.WithSecrets(context.Background(), config.Map(map[string]string{config.EnvCaptchaSecretARN: "arn:captcha"}), sm.get)
	if err == nil || !strings.Contains(err.Error(), config.EnvCaptchaSecretARN+": the secret arn:captcha holds JSON") {
		t.Fatalf("error %v, want the JSON secret refused", err)
	}
	if strings.Contains(err.Error(), "captcha-SECRET") {
		t.Errorf("the error quotes the secret: %v", err)
	}
}

// A getter that ignores ctx does not hold start-up past ctx's deadline:
// Lambda ends an initialisation after 10 seconds and starts it again.
func TestWithSecretsReturnsAtTheDeadline(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	get := func(context.Context, string) (string, error) { <-release; return masterKeyValue, nil }
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := config.WithSecrets(ctx, config.Map(map[string]string{config.EnvMasterKeySecretARN: "arn:master"}), get)
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), config.EnvMasterKeySecretARN+": ") || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("error %v, want the deadline named by its variable", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("WithSecrets waited for a getter past ctx's deadline")
	}
}

// The CAPTCHA secret is posted to the CAPTCHA service on every
// verification, and the legacy client secret to the legacy token
// endpoint: a secret either names may not also be a key's, or the master
// key leaves the account. The keys may share one secret.
func TestWithSecretsKeepsSentSecretsApart(t *testing.T) {
	sm := &fakeSecrets{values: map[string]string{"arn:keys": masterKeyValue}}
	for _, sent := range []string{config.EnvCaptchaSecretARN, config.EnvLegacyClientSecretARN} {
		env := map[string]string{config.EnvMasterKeySecretARN: "arn:keys", sent: "arn:keys"}
		lookup, err := config.WithSecrets(context.Background(), config.Map(env), sm.get)
		if err == nil || !strings.Contains(err.Error(), sent+": names the same secret as "+config.EnvMasterKeySecretARN) {
			t.Errorf("%s: error %v, want the shared secret refused", sent, err)
		}
		for _, v := range config.SecretVariables() {
			if v.ARNVariable == sent {
				if got, _ := lookup(v.Name); got == masterKeyValue {
					t.Errorf("%s was served the master key", v.Name)
				}
			}
		}
	}
}

// The same secret named once by ARN and once by name (or a copy of the
// master key) is caught by its value; the error quotes neither.
func TestWithSecretsKeepsSentValuesApart(t *testing.T) {
	sm := &fakeSecrets{values: map[string]string{
		"arn:aws:secretsmanager:us-east-1:123456789012:secret:master-AbCdEf": masterKeyValue,
		"master": masterKeyValue,
	}}
	for _, plain := range []bool{false, true} {
		env := map[string]string{config.EnvCaptchaSecretARN: "master"}
		if plain {
			env[config.EnvMasterKey] = masterKeyValue
		} else {
			env[config.EnvMasterKeySecretARN] = "arn:aws:secretsmanager:us-east-1:123456789012:secret:master-AbCdEf"
		}
		lookup, err := config.WithSecrets(context.Background(), config.Map(env), sm.get)
		want := config.EnvCaptchaSecretARN + ": the secret holds the same value as " + config.EnvMasterKey
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("master key plain %v: error %v, want %q", plain, err, want)
		}
		if err != nil && strings.Contains(err.Error(), masterKeyValue) {
			t.Errorf("the error quotes the key: %v", err)
		}
		if got, _ := lookup(config.EnvCaptchaSecret); got == masterKeyValue {
			t.Error("the CAPTCHA secret was served the master key")
		}
	}
}

// A key read from Secrets Manager that is not a key says so, naming the
// variable the operator set, not only the one they kept out.
func TestBadKeyFromSecretNamesItsSecretVariable(t *testing.T) {
	sm := &fakeSecrets{values: map[string]string{"arn:master": "c2hvcnQtU0VDUkVU"}}
	env := map[string]string{config.EnvChallengesTable: "challenges", config.EnvEmailFrom: "no-reply@example.com", config.EnvMasterKeySecretARN: "arn:master"}
	lookup, err := config.WithSecrets(context.Background(), config.Map(env), sm.get)
	if err != nil {
		t.Fatal(err)
	}
	_, err = config.LoadCustomAuth(lookup)
	want := config.EnvMasterKey + ": is not base64 of 32 or more random bytes (openssl rand -base64 32) (the value of the secret " + config.EnvMasterKeySecretARN + " names)"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error %v, want %q", err, want)
	}
	if strings.Contains(err.Error(), "c2hvcnQtU0VDUkVU") {
		t.Errorf("the error quotes the key: %v", err)
	}
}
