// Package env reads the configuration of the Lambda entry points from
// environment variables. Every getter records a missing or malformed
// variable instead of failing at once, so that a function that cannot start
// reports all of its configuration errors in one message, each naming its
// variable, before the first sign-in rather than during it.
package env

import (
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"
)

// Env reads variables through Lookup (os.LookupEnv by default).
type Env struct {
	Lookup func(string) (string, bool)
	errs   []error
}

// New returns an Env over the process environment.
func New() *Env { return &Env{Lookup: os.LookupEnv} }

// FromMap returns an Env over m, for tests.
func FromMap(m map[string]string) *Env {
	return &Env{Lookup: func(k string) (string, bool) { v, ok := m[k]; return v, ok }}
}

func (e *Env) fail(name, format string, args ...any) {
	e.errs = append(e.errs, fmt.Errorf("%s: %s", name, fmt.Sprintf(format, args...)))
}

// Err returns every problem found so far, or nil.
func (e *Env) Err() error {
	if len(e.errs) == 0 {
		return nil
	}
	return fmt.Errorf("configuration: %w", errors.Join(e.errs...))
}

// String returns the variable's value, or def when it is unset or empty.
func (e *Env) String(name, def string) string {
	if v, ok := e.Lookup(name); ok && strings.TrimSpace(v) != "" {
		return strings.TrimSpace(v)
	}
	return def
}

// Required returns the variable's value and records an error if it is empty.
func (e *Env) Required(name string) string {
	v := e.String(name, "")
	if v == "" {
		e.fail(name, "is required and not set")
	}
	return v
}

// Int returns the variable as an integer in [min, max], or def when unset.
func (e *Env) Int(name string, def, min, max int) int {
	v := e.String(name, "")
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min || n > max {
		e.fail(name, "%q is not a whole number from %d to %d", v, min, max)
		return def
	}
	return n
}

// Duration returns the variable as a Go duration ("30s", "5m") in
// [min, max], or def when unset.
func (e *Env) Duration(name string, def, min, max time.Duration) time.Duration {
	v := e.String(name, "")
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < min || d > max {
		e.fail(name, "%q is not a duration (like 30s or 5m) from %v to %v", v, min, max)
		return def
	}
	return d
}

// List returns the comma-separated values of the variable, trimmed, without
// empty ones.
func (e *Env) List(name string) []string {
	var out []string
	for _, p := range strings.Split(e.String(name, ""), ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Level returns the variable as a slog level (debug, info, warn, error).
func (e *Env) Level(name string, def slog.Level) slog.Level {
	v := e.String(name, "")
	if v == "" {
		return def
	}
	var l slog.Level
	if err := l.UnmarshalText([]byte(v)); err != nil {
		e.fail(name, "%q is not a log level: use debug, info, warn or error", v)
		return def
	}
	return l
}

// Keys derives independent purpose keys from one master key, so that a
// deployment holds one secret instead of one per use.
type Keys struct{ master []byte }

// MasterKey reads a base64 master key of at least 32 bytes. The value is
// never echoed in an error.
func (e *Env) MasterKey(name string) Keys {
	v := e.String(name, "")
	if v == "" {
		e.fail(name, "is required and not set: 32 or more random bytes, base64-encoded (openssl rand -base64 32)")
		return Keys{}
	}
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		b, err = base64.RawURLEncoding.DecodeString(v)
	}
	if err != nil || len(b) < 32 {
		e.fail(name, "is not base64 of 32 or more bytes (openssl rand -base64 32)")
		return Keys{}
	}
	return Keys{master: b}
}

// Derive returns a 32-byte key for purpose (HKDF-SHA-256). It returns nil
// when the master key is missing; Env.Err reports that.
func (k Keys) Derive(purpose string) []byte {
	if len(k.master) == 0 {
		return nil
	}
	key, err := hkdf.Key(sha256.New, k.master, nil, "cognitrig "+purpose, 32)
	if err != nil {
		return nil
	}
	return key
}
