package config

import (
	"encoding/base64"
	"errors"
	"log/slog"
	"net"
	"net/url"
	"strings"

	"github.com/cognitrig/cognitrig/triggers"
)

// Bool returns the variable as a boolean (true/false, 1/0, yes/no, on/off,
// in any case), or def when it is unset.
func (e *reader) Bool(name string, def bool) bool {
	v := e.String(name, "")
	switch strings.ToLower(v) {
	case "":
		return def
	case "true", "1", "yes", "on":
		return true
	case "false", "0", "no", "off":
		return false
	}
	e.fail(name, "%q is not a boolean: use true or false", v)
	return def
}

// URL returns the variable as an absolute https URL, or "" when it is
// unset. Plain http is accepted only for localhost and loopback
// addresses, where a developer's or a test's server runs. A URL with
// user information is refused: credentials belong in their own variables.
func (e *reader) URL(name string) string {
	v := e.String(name, "")
	if v == "" {
		return ""
	}
	if err := CheckURL(v); err != nil {
		e.invalid(name, err)
		return ""
	}
	return v
}

// CheckURL reports why v cannot be one of the URL variables: it must be
// an absolute https URL without user information (plain http only for
// localhost and loopback addresses, where a developer's or a test's server
// runs). The error never quotes v: a mistyped secret may have landed
// there. The CDK construct checks its URL settings with it at synth.
func CheckURL(v string) error {
	u, err := url.Parse(v)
	switch {
	case err != nil || u.Host == "" || u.Opaque != "":
		return errors.New("is not an absolute URL (https://host/path)")
	case u.User != nil:
		return errors.New("has user information (user:password@host): give credentials through their own settings, such as a secret in Secrets Manager")
	case strings.EqualFold(u.Scheme, "https"):
		return nil
	case strings.EqualFold(u.Scheme, "http"):
		if host := u.Hostname(); host == "localhost" || net.ParseIP(host).IsLoopback() {
			return nil
		}
		return errors.New("uses plain http: use https (http is only for localhost)")
	}
	return errors.New("is not an http(s) URL")
}

// RequiredURL reads a URL variable that must be set.
func (e *reader) RequiredURL(name string) string {
	if !e.set(name) {
		return e.Required(name)
	}
	return e.URL(name)
}

// Level returns the variable as a slog level (debug, info, warn, error).
func (e *reader) Level(name string, def slog.Level) slog.Level {
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

// Key reads a secret key: base64 (standard, or URL-safe unpadded) of at
// least min bytes, returned as the raw bytes. It returns the zero Secret
// when the variable is unset, and records an error when required. The value
// is never echoed in an error.
func (e *reader) Key(name string, min int, required bool) triggers.Secret {
	v := e.String(name, "")
	if v == "" {
		if !e.unread(name) && required {
			e.fail(name, "is required and not set: %d or more random bytes, base64-encoded (openssl rand -base64 32)%s", min, orSecret(name))
		}
		return ""
	}
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		b, err = base64.RawURLEncoding.DecodeString(v)
	}
	if err != nil || len(b) < min {
		e.fail(name, "is not base64 of %d or more random bytes (openssl rand -base64 32)%s", min, fromSecret(e, name))
		return ""
	}
	return triggers.Secret(b)
}
