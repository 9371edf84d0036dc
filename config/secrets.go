package config

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// SecretVariable pairs a variable that holds a secret with the variable
// that names the AWS Secrets Manager secret holding the same value
// instead. A deployment sets one of the two, never both: the second keeps
// the secret out of the function's configuration, which anyone allowed
// lambda:GetFunctionConfiguration can read.
type SecretVariable struct {
	// Name is the variable the Load functions read, such as
	// COGNITRIG_CAPTCHA_SECRET.
	Name string
	// ARNVariable is the variable naming the secret (its ARN, or its name),
	// such as COGNITRIG_CAPTCHA_SECRET_ARN.
	ARNVariable string
	// SentOut is true for a secret the function sends to another service
	// (the CAPTCHA secret to the CAPTCHA service, the legacy client secret
	// to the legacy token endpoint), not only uses itself: it may not
	// share its secret, or its value, with another variable.
	SentOut bool
}

// SecretVariables returns every secret variable with its Secrets Manager
// counterpart, in the order of the variables table.
func SecretVariables() []SecretVariable {
	return []SecretVariable{
		{Name: EnvMasterKey, ARNVariable: EnvMasterKeySecretARN},
		{Name: EnvCaptchaSecret, ARNVariable: EnvCaptchaSecretARN, SentOut: true},
		{Name: EnvLegacyClientSecret, ARNVariable: EnvLegacyClientSecretARN, SentOut: true},
		{Name: EnvLegacyNameKey, ARNVariable: EnvLegacyNameKeySecretARN},
	}
}

// secretARNOf returns the variable naming the secret that may hold name's
// value, or "".
func secretARNOf(name string) string {
	for _, v := range SecretVariables() {
		if v.Name == name {
			return v.ARNVariable
		}
	}
	return ""
}

// SecretGetter returns the current value of the AWS Secrets Manager secret
// secretID (an ARN or a name): its SecretString, or, for a binary secret,
// its SecretBinary base64-encoded (the form the key variables take). The
// shipped functions call secretsmanager:GetSecretValue; a team's own main
// passes the same call, or its own source (SSM Parameter Store, a cache).
type SecretGetter func(ctx context.Context, secretID string) (string, error)

// WithSecrets returns lookup, except that each secret variable (see
// SecretVariables) whose ARN variable is set reads the value get
// returns for that secret. Pass the result to the Load functions, which
// check the value as if it stood in the variable.
//
// It reads each named secret once, concurrently, and never again: a
// rotated secret reaches the next process that starts. When no ARN variable
// is set it calls nothing and returns lookup unchanged. Every
// problem is reported at once, each naming its variable, and no error
// carries a secret's value: a secret variable set together with its
// ARN variable, a read that fails (the function needs
// secretsmanager:GetSecretValue on the secret, and kms:Decrypt on its key
// when that is a customer managed key) or does not answer before ctx is
// done, an empty secret, or a secret holding JSON (the console's
// "key/value" type: store the value alone, as plaintext). An error quotes
// a secret's ID only when it is an ARN: anything else may be the secret
// itself, pasted into the wrong variable. The CAPTCHA secret and the legacy
// client secret, which are sent to other services, may not share their
// secret with another variable; the master key and the name key may.
// ctx bounds the reads, even where get ignores it; Lambda gives a
// function's initialisation 10 seconds in all (the shipped functions
// allow 5). A Load function given a lookup that WithSecrets did not serve
// reports each secret named but not read.
func WithSecrets(ctx context.Context, lookup func(string) (string, bool), get SecretGetter) (func(string) (string, bool), error) {
	e := newReader(lookup)
	wanted := map[string]string{} // secret variable → secret ID
	for _, v := range SecretVariables() {
		id := e.String(v.ARNVariable, "")
		if id == "" {
			continue
		}
		if e.set(v.Name) {
			e.fail(v.ARNVariable, "is set, and so is %s: keep only one (the secret)", v.Name)
			continue
		}
		wanted[v.Name] = id
	}
	// A secret sent to another service (the CAPTCHA secret to the CAPTCHA
	// service, the legacy client secret to the legacy token endpoint) would
	// hand that service whatever else the same secret holds, such as the
	// master key.
	for _, v := range SecretVariables() {
		if !v.SentOut || wanted[v.Name] == "" {
			continue
		}
		for _, o := range SecretVariables() {
			if o.Name != v.Name && wanted[o.Name] == wanted[v.Name] {
				e.fail(v.ARNVariable, "names the same secret as %s: %s is sent to another service, so keep it in a secret of its own", o.ARNVariable, v.Name)
				delete(wanted, v.Name)
				break
			}
		}
	}
	if len(wanted) == 0 {
		return e.lookup, e.err()
	}
	if get == nil {
		return e.lookup, errors.Join(e.err(), errors.New("config: WithSecrets needs a SecretGetter to read the secrets named (secretsmanager:GetSecretValue)"))
	}

	// One read per secret, even where two variables name the same one.
	// Each read reports on its own channel, so that a getter that ignores
	// ctx holds start-up no longer than ctx allows.
	type result struct {
		value string
		err   error
	}
	results := map[string]chan result{}
	for _, id := range wanted {
		if results[id] != nil {
			continue
		}
		ch := make(chan result, 1)
		results[id] = ch
		go func() {
			v, err := get(ctx, id)
			ch <- result{v, err}
		}()
	}
	read := map[string]result{}
	for id, ch := range results {
		select {
		case r := <-ch:
			read[id] = r
		case <-ctx.Done():
			select { // a read that ended with ctx keeps its own error
			case r := <-ch:
				read[id] = r
			default:
				read[id] = result{err: context.Cause(ctx)}
			}
		}
	}

	values := map[string]string{}
	for _, v := range SecretVariables() {
		id, ok := wanted[v.Name]
		if !ok {
			continue
		}
		r, shown := read[id], quotable(id)
		switch value := strings.TrimSpace(r.value); {
		case r.err != nil && ctx.Err() != nil && errors.Is(r.err, ctx.Err()):
			e.invalid(v.ARNVariable, fmt.Errorf("read the secret %s from Secrets Manager: no answer in time (%w): check the function's network path to Secrets Manager (a VPC needs a NAT or an interface endpoint)", shown, redact(r.err, id)))
		case r.err != nil:
			e.invalid(v.ARNVariable, fmt.Errorf("read the secret %s from Secrets Manager: %w (the function needs secretsmanager:GetSecretValue on it)", shown, redact(r.err, id)))
		case value == "":
			e.fail(v.ARNVariable, "the secret %s is empty: store %s's value in it", shown, v.Name)
		case isJSONObject(value):
			e.fail(v.ARNVariable, "the secret %s holds JSON (a key/value secret): store %s's value alone, as plaintext", shown, v.Name)
		default:
			values[v.Name] = value
		}
	}
	// The same check by value: one secret named once by ARN and once by
	// name, or a copy of the master key in a secret of its own.
	for _, v := range SecretVariables() {
		value, ok := values[v.Name]
		if !ok || !v.SentOut {
			continue
		}
		for _, o := range SecretVariables() {
			other, ok := values[o.Name]
			if !ok {
				other = e.String(o.Name, "")
			}
			if o.Name != v.Name && other == value {
				e.fail(v.ARNVariable, "the secret holds the same value as %s: %s is sent to another service, so give it a value of its own", o.Name, v.Name)
				delete(values, v.Name)
				break
			}
		}
	}
	inner := e.lookup
	return func(name string) (string, bool) {
		if v, ok := values[name]; ok {
			return v, true
		}
		return inner(name)
	}, e.err()
}

// quotable returns the secret ID as errors may show it: an ARN as it is,
// and anything else as "it names" (the variable), since a value that is not
// an ARN may be the secret itself, pasted into the wrong variable, and
// errors reach logs.
func quotable(id string) string {
	if strings.HasPrefix(id, "arn:") {
		return id
	}
	return "it names"
}

// redact returns err with every occurrence of a non-ARN id in its text
// replaced (Secrets Manager's AccessDeniedException names the resource
// asked for); errors.Is and errors.As still see err.
func redact(err error, id string) error {
	if strings.HasPrefix(id, "arn:") || !strings.Contains(err.Error(), id) {
		return err
	}
	return redacted{err, id}
}

type redacted struct {
	err error
	id  string
}

func (r redacted) Error() string {
	return strings.ReplaceAll(r.err.Error(), r.id, "[the secret's name]")
}
func (r redacted) Unwrap() error { return r.err }

// isJSONObject reports whether a secret holds a JSON object, the form of
// the Secrets Manager console's default "key/value" secret. No secret
// variable's value is one: keys are base64, and CAPTCHA and OAuth client
// secrets are tokens.
func isJSONObject(s string) bool {
	return strings.HasPrefix(s, "{") && json.Valid([]byte(s))
}
