package compose_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/cognitrig/cognitrig/handlers/internal/env"
	"github.com/cognitrig/cognitrig/internal/awsfake"

	. "github.com/cognitrig/cognitrig/handlers/internal/compose"
	. "github.com/cognitrig/cognitrig/handlers/internal/compose/customauth"
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
	e := env.FromMap(with(minimal(), EnvMasterKey, "", EnvMasterKeySecret, secretARN))
	d := &Deps{Env: e, AWS: secretsConfig(sm.URL)}
	LoadMasterKey(d)
	if err := d.Err(); err != nil {
		t.Fatal(err)
	}
	got := e.MasterKey(EnvMasterKey).Derive("otp")
	want := env.FromMap(map[string]string{EnvMasterKey: secretKey}).MasterKey(EnvMasterKey).Derive("otp")
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
	fn, err := Build(env.FromMap(with(minimal(), EnvMasterKey, "", EnvMasterKeySecret, secretARN)), secretsConfig(sm.URL), io.Discard, CustomAuth)
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
		{"both set", with(minimal(), EnvMasterKeySecret, secretARN), EnvMasterKeySecret + ": is set, and so is " + EnvMasterKey},
		{"unknown secret", with(minimal(), EnvMasterKey, "", EnvMasterKeySecret, "arn:aws:secretsmanager:us-east-1:123456789012:secret:gone"), EnvMasterKeySecret + ": read the master key"},
		{"empty secret", with(minimal(), EnvMasterKey, "", EnvMasterKeySecret, "empty"), EnvMasterKeySecret + ": the secret is empty"},
		{"short key", with(minimal(), EnvMasterKey, "", EnvMasterKeySecret, "short"), EnvMasterKey + ": is not base64 of 32 or more bytes"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Build(env.FromMap(c.env), secretsConfig(sm.URL), io.Discard, CustomAuth)
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
