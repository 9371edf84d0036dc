package compose

import (
	"context"
	"encoding/base64"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/cognitrig/cognitrig/config"
)

// The secret variables (config.SecretVariables: the master key, the CAPTCHA
// secret, the legacy client secret and the legacy name key) may each name
// a Secrets Manager secret instead (COGNITRIG_MASTER_KEY_SECRET_ARN and
// the others). The function reads those once, when it starts
// (secretsmanager:GetSecretValue on each), so that no secret is in the
// function's configuration, where anyone allowed
// lambda:GetFunctionConfiguration could read it, and a rotated secret
// reaches the next container that starts.

// secretsTimeout bounds the reads at start-up; Lambda gives a function's
// initialisation 10 seconds.
const secretsTimeout = 5 * time.Second

// secretGetter returns the config.SecretGetter of the shipped functions:
// the secret's SecretString, or its SecretBinary base64-encoded (a raw
// key). config.WithSecrets calls it from one goroutine per secret, so the
// client is made once, under a sync.Once, on the first read: a function
// that names no secret makes none.
func (d *Deps) secretGetter() config.SecretGetter {
	client := sync.OnceValue(func() *secretsmanager.Client { return Client(d, secretsmanager.NewFromConfig) })
	return func(ctx context.Context, id string) (string, error) {
		out, err := client().GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(id)})
		if err != nil {
			return "", err
		}
		if v := strings.TrimSpace(aws.ToString(out.SecretString)); v != "" {
			return v, nil
		}
		if len(out.SecretBinary) > 0 {
			return base64.StdEncoding.EncodeToString(out.SecretBinary), nil
		}
		return "", nil
	}
}

// loadSecrets reads the secrets that the lookup names in Secrets Manager
// and serves each to the concerns as its secret variable, which the
// concerns' config.Load functions check as if it had been set. No error
// carries a value.
func loadSecrets(d *Deps) {
	ctx, cancel := context.WithTimeout(context.Background(), secretsTimeout)
	defer cancel()
	lookup, err := config.WithSecrets(ctx, d.Lookup, d.secretGetter())
	d.Fail(err)
	d.Lookup = lookup
}
