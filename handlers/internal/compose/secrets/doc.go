// Package secrets reads the secret variables of the shipped functions from
// AWS Secrets Manager. Each secret variable (config.SecretVariables: the
// master key, the CAPTCHA secret, the legacy client secret and the legacy
// name key) may name a secret instead (COGNITRIG_MASTER_KEY_SECRET_ARN and
// the others). The function reads those once, when it starts
// (secretsmanager:GetSecretValue on each), so that no secret is in the
// function's configuration, where anyone allowed
// lambda:GetFunctionConfiguration could read it, and a rotated secret
// reaches the next container that starts.
//
// Only the concerns that read a secret variable (customauth, migration)
// import this package, so that the other functions link no Secrets Manager
// client.
package secrets
