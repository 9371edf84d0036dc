package config

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Map returns a lookup over m, in place of os.LookupEnv: for tests, and for
// settings that come from somewhere other than the environment.
func Map(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// reader reads variables through lookup and records every problem instead
// of failing at once, so that a Load function names every bad variable in
// one error.
type reader struct {
	lookup func(string) (string, bool)
	errs   []error
}

func newReader(lookup func(string) (string, bool)) *reader {
	if lookup == nil {
		lookup = func(string) (string, bool) { return "", false }
	}
	return &reader{lookup: lookup}
}

// fail records a problem of the variable name. The message must not quote a
// secret's value.
func (e *reader) fail(name, format string, args ...any) {
	e.errs = append(e.errs, fmt.Errorf("%s: %s", name, fmt.Sprintf(format, args...)))
}

// invalid records err as a problem of the variable name.
func (e *reader) invalid(name string, err error) {
	e.errs = append(e.errs, fmt.Errorf("%s: %w", name, err))
}

// err returns every problem, joined (one line each), or nil.
func (e *reader) err() error { return errors.Join(e.errs...) }

// set reports whether the variable has a value that is not blank.
func (e *reader) set(name string) bool { return e.String(name, "") != "" }

// String returns the variable's value, or def when it is unset or empty.
func (e *reader) String(name, def string) string {
	if v, ok := e.lookup(name); ok && strings.TrimSpace(v) != "" {
		return strings.TrimSpace(v)
	}
	return def
}

// Required returns the variable's value and records an error if it is empty.
func (e *reader) Required(name string) string {
	v := e.String(name, "")
	if v == "" && !e.unread(name) {
		e.fail(name, "is required and not set%s", orSecret(name))
	}
	return v
}

// Int returns the variable as an integer in [min, max], or def when unset.
func (e *reader) Int(name string, def, min, max int) int {
	return inRange(e, name, def, min, max, strconv.Atoi, "a whole number")
}

// Duration returns the variable as a Go duration ("30s", "5m") in
// [min, max], or def when unset.
func (e *reader) Duration(name string, def, min, max time.Duration) time.Duration {
	return inRange(e, name, def, min, max, time.ParseDuration, "a duration (like 30s or 5m)")
}

// inRange returns the variable as parse reads it, if it is in [min, max],
// or def when unset; what names the form expected.
func inRange[T int | time.Duration](e *reader, name string, def, min, max T, parse func(string) (T, error), what string) T {
	v := e.String(name, "")
	if v == "" {
		return def
	}
	n, err := parse(v)
	if err != nil || n < min || n > max {
		e.fail(name, "%q is not %s from %v to %v", v, what, min, max)
		return def
	}
	return n
}

// List returns the comma-separated values of the variable, trimmed, without
// empty ones.
func (e *reader) List(name string) []string {
	var out []string
	for _, p := range strings.Split(e.String(name, ""), ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Secret returns a secret variable's value, or "" when it is unset; a
// secret named in Secrets Manager but not read is an error even though the
// variable is optional (see unread).
func (e *reader) Secret(name string) string {
	v := e.String(name, "")
	if v == "" {
		e.unread(name)
	}
	return v
}

// unread reports, and records as a problem, that the secret variable name
// is unset while its ARN variable is set: the secret was not read
// (the lookup is not the one WithSecrets returned, or WithSecrets failed
// and said why). Without this, an optional secret would silently be
// missing, and a required one reported as "not set", which asks for the
// value the operator meant to keep out of the configuration.
func (e *reader) unread(name string) bool {
	arn := secretARNOf(name)
	if arn == "" || !e.set(arn) {
		return false
	}
	e.fail(name, "is not set, and the secret %s names was not read: read it with config.WithSecrets and pass the lookup it returns to the Load functions (when WithSecrets failed, its error says why)", arn)
	return true
}

// fromSecret says, for a secret variable whose ARN variable is set,
// where the value came from: the operator looks for it there, not in the
// variable.
func fromSecret(e *reader, name string) string {
	if arn := secretARNOf(name); arn != "" && e.set(arn) {
		return " (the value of the secret " + arn + " names)"
	}
	return ""
}

// orSecret names, for a secret variable, the variable that may name a
// Secrets Manager secret instead, as a clause for "is required" messages.
func orSecret(name string) string {
	if arn := secretARNOf(name); arn != "" {
		return " (or name a Secrets Manager secret in " + arn + ", read with WithSecrets)"
	}
	return ""
}
