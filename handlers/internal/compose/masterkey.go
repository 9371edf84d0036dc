package compose

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/cognitrig/cognitrig/config"
)

// config.EnvMasterKeySecret names the Secrets Manager secret (ARN, or
// name) that holds the master key. The function reads it once, when it
// starts (secretsmanager:GetSecretValue on that secret), so that the key
// is never in the function's configuration, where anyone allowed
// lambda:GetFunctionConfiguration could read it, and a rotated secret
// reaches the next container that starts. Set it or COGNITRIG_MASTER_KEY,
// not both.

// masterKeyTimeout bounds the read at start-up; Lambda gives a function's
// initialisation 10 seconds.
const masterKeyTimeout = 5 * time.Second

// SecretsManagerAPI is the part of *secretsmanager.Client that loading
// the master key uses.
type SecretsManagerAPI interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

// SecretsManager returns the process's AWS Secrets Manager client.
func (d *Deps) SecretsManager() SecretsManagerAPI {
	if d.secrets == nil {
		d.secrets = secretsmanager.NewFromConfig(d.AWS)
	}
	return d.secrets
}

// loadMasterKey reads the master key from the secret id
// (COGNITRIG_MASTER_KEY_SECRET_ARN), if it names one, and serves it to the
// concerns as COGNITRIG_MASTER_KEY (config.LoadCustomAuth checks it as
// before); config.LoadCommon refuses both set. The secret holds the key's base64 as its SecretString (the CDK
// construct generates 64 letters and digits), or the raw key as its
// SecretBinary. No error carries the value.
func loadMasterKey(d *Deps, id string) {
	if id == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), masterKeyTimeout)
	defer cancel()
	out, err := d.SecretsManager().GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(id)})
	if err != nil {
		d.Invalid(config.EnvMasterKeySecret, fmt.Errorf("read the master key from Secrets Manager: %w (the function needs secretsmanager:GetSecretValue on %s)", err, id))
		return
	}
	key := strings.TrimSpace(aws.ToString(out.SecretString))
	if key == "" && len(out.SecretBinary) > 0 {
		key = base64.StdEncoding.EncodeToString(out.SecretBinary)
	}
	if key == "" {
		d.Invalid(config.EnvMasterKeySecret, errors.New("the secret is empty: store 32 or more random bytes, base64-encoded, as its value"))
		return
	}
	lookup := d.Lookup
	d.Lookup = func(name string) (string, bool) {
		if name == config.EnvMasterKey {
			return key, true
		}
		return lookup(name)
	}
}
