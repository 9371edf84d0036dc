// Package config is the typed configuration of cognitrig's deployable
// functions, read from COGNITRIG_* environment variables: one struct per
// concern (Common, CustomAuth, Tenancy, Migration, Messages, AuthEvents),
// each with a Load function that reads and checks every variable of the
// concern and returns every problem at once (errors.Join, one line per
// problem, each starting with its variable's name and never quoting a
// secret's value). With an error, the struct still holds what could be
// read, so that a caller can go on checking and report more at once.
//
// The shipped functions (handlers/...) read their settings through this
// package, so a team's own main gets the same settings, with the same
// names, defaults and checks, in a few lines:
//
//	t, err := config.LoadTenancy(os.LookupEnv)
//	if err != nil {
//		log.Fatal(err) // names each bad variable
//	}
//
// and then passes the fields to the feature packages' constructors (see
// the package example). The package imports only the standard library and
// package triggers: it links no AWS SDK service client and no feature
// package, so importing it costs a function nothing at start-up.
//
// Secrets (the master key, the CAPTCHA secret, the legacy client secret
// and the legacy name key; SecretVariables) belong in AWS Secrets Manager,
// not in the function's configuration, which anyone allowed
// lambda:GetFunctionConfiguration reads: set the variable's _SECRET_ARN
// counterpart instead, and read the secrets once, before the Load
// functions, with a bounded context and a getter that calls
// secretsmanager:GetSecretValue (ExampleWithSecrets has it whole):
//
//	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
//	lookup, err := config.WithSecrets(ctx, os.LookupEnv, get)
//	cancel()
//	t, terr := config.LoadTenancy(lookup)
//	c, cerr := config.LoadCustomAuth(lookup)
//	if err := errors.Join(err, terr, cerr); err != nil {
//		log.Fatal(err)
//	}
//
// A Load function given a lookup that does not serve a secret named in
// Secrets Manager says so, naming both variables.
//
// A Load function checks what can be checked without the feature
// packages: that required variables are set, numbers and durations are in
// range, URLs are https, keys are long enough, lists and maps are well
// formed. What only a feature package knows (a tenant role's spelling, a
// Cognito attribute name, a CIDR network, a group pattern) is checked by
// that package's constructor; name the variable when you report its error.
//
// The table of variables in README.md ("Configuration") is generated from
// the constants in vars.go (`go generate ./config`), and a test keeps the
// two in step.
package config
