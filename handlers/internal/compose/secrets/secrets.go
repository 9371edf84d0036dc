package secrets

import (
	"context"
	"encoding/base64"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/cognitrig/cognitrig/config"
	"github.com/cognitrig/cognitrig/handlers/internal/compose"
)

// timeout bounds the reads at start-up; Lambda gives a function's
// initialisation 10 seconds.
const timeout = 5 * time.Second

// getter returns the config.SecretGetter of the shipped functions: the
// secret's SecretString, or its SecretBinary base64-encoded (a raw key).
// config.WithSecrets calls it from one goroutine per secret; the client is
// made before, by Read, so that no goroutine touches d (one that outlives
// the reads' bound would race with the concerns).
func getter(client *secretsmanager.Client) config.SecretGetter {
	return func(ctx context.Context, id string) (string, error) {
		out, err := client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(id)})
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

// Read reads the secrets that d.Lookup names in Secrets Manager and serves
// each to the concerns as its secret variable, which the concerns'
// config.Load functions check as if it had been set; a Build reads them
// once, however many concerns call Read. A concern that reads a secret
// variable calls it before it loads its settings (customauth and
// migration); the others do not, so that their functions link no Secrets
// Manager client, nor the request and signing code that calling it pulls
// in (2.3 MB of messages without its senders, and most of its cold start
// beyond the bare bootstrap's). No error carries a value.
func Read(d *compose.Deps) {
	d.ServeSecrets(func(lookup func(string) (string, bool)) (func(string) (string, bool), error) {
		named := false
		for _, v := range config.SecretVariables() {
			if _, ok := lookup(v.ARNVariable); ok {
				named = true
			}
		}
		if !named {
			return lookup, nil // nothing to read: no client, no SDK configuration
		}
		if _, err := d.LoadAWS(); err != nil {
			return lookup, nil // Build reports the SDK configuration, the cause
		}
		client := compose.Client(d, secretsmanager.NewFromConfig)
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		return config.WithSecrets(ctx, lookup, getter(client))
	})
}
