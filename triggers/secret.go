package triggers

import (
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
)

// Mask is what a secret prints as, wherever it is printed or logged.
const Mask = "[REDACTED]"

// Secret is a string that must never reach a log line or an error message:
// a password, a one-time code, a challenge answer, an encrypted code, a token.
//
// Secret encodes to JSON as its plain value, because Cognito needs the value
// on the wire, but it prints as Mask with every fmt verb and logs as Mask with
// log/slog. Call Reveal to use the value.
type Secret string

// Reveal returns the plain value. Keep what it returns out of logs.
func (s Secret) Reveal() string { return string(s) }

// IsZero reports whether the secret is empty.
func (s Secret) IsZero() bool { return s == "" }

// String returns Mask.
func (Secret) String() string { return Mask }

// GoString returns Mask, so that %#v does not print the value either.
func (Secret) GoString() string { return Mask }

// Format prints Mask for every verb.
func (Secret) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(Mask)) }

// LogValue returns Mask.
func (Secret) LogValue() slog.Value { return slog.StringValue(Mask) }

// SecretMap is a string map whose values are all secret, such as the private
// challenge parameters of custom authentication or an identity provider's
// token response. Keys print; values are masked.
type SecretMap map[string]string

// String lists the keys with masked values.
func (m SecretMap) String() string { return maskedMapString(m, nil) }

// GoString is String.
func (m SecretMap) GoString() string { return m.String() }

// Format prints the String form for every verb.
func (m SecretMap) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(m.String())) }

// LogValue is a group of the keys, each with the value Mask.
func (m SecretMap) LogValue() slog.Value { return maskedGroup(m, nil) }

// UnmarshalJSON accepts JSON scalars as values, as Attributes does.
func (m *SecretMap) UnmarshalJSON(b []byte) error {
	return unmarshalStringMap(b, (*map[string]string)(m))
}

// Metadata is a map of request metadata supplied by the client
// (clientMetadata, validationData). The client controls it, and apps put
// invitation tokens and other credentials in it, so its values are masked in
// logs and prints; keys are shown.
type Metadata map[string]string

// String lists the keys with masked values.
func (m Metadata) String() string { return maskedMapString(m, nil) }

// GoString is String.
func (m Metadata) GoString() string { return m.String() }

// Format prints the String form for every verb.
func (m Metadata) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(m.String())) }

// LogValue is a group of the keys, each with the value Mask.
func (m Metadata) LogValue() slog.Value { return maskedGroup(m, nil) }

// UnmarshalJSON accepts JSON scalars as values, as Attributes does.
func (m *Metadata) UnmarshalJSON(b []byte) error {
	return unmarshalStringMap(b, (*map[string]string)(m))
}

// Attributes are a user's attributes (email, phone_number, custom:...), or
// the claims of an identity provider's token in an InboundFederation event.
// They are personal data rather than secrets: in logs and prints only the
// values of non-identifying attributes are shown (sub, cognito:user_status,
// and the *_verified flags); the others are masked.
//
// Cognito sends attribute values as JSON strings, but not always: the
// Developer Guide's own custom message example has "email_verified": true,
// and a provider's decoded ID token carries numeric exp and iat and boolean
// claims. Every value is kept as text, whatever its JSON type:
//
//	"jdoe@example.com" → "jdoe@example.com"
//	true, false        → "true", "false"
//	1700000000, 1.5e3  → "1700000000", "1.5e3" (the JSON text, unrounded)
//	null               → "" (the key is present, as encoding/json does)
//
// Objects and arrays as values are a decode error. Read typed values with
// Bool and Int. The router answers Cognito with the received bytes (see
// Router.Invoke), so each value goes back with its original JSON type;
// only json.Marshal of an Attributes writes every value as a string.
// Metadata and SecretMap decode by the same rules.
type Attributes map[string]string

// UnmarshalJSON decodes an object of JSON scalars; see Attributes.
func (a *Attributes) UnmarshalJSON(b []byte) error {
	return unmarshalStringMap(b, (*map[string]string)(a))
}

// Bool reads a boolean attribute: the JSON boolean or the string "true" or
// "false" (any case). ok is false when the attribute is absent or holds
// anything else.
func (a Attributes) Bool(name string) (value, ok bool) {
	v, present := a[name]
	switch {
	case !present:
		return false, false
	case strings.EqualFold(v, "true"):
		return true, true
	case strings.EqualFold(v, "false"):
		return false, true
	}
	return false, false
}

// Int reads an integer attribute, such as an ID token's exp or a Unix
// time in updated_at: the JSON number or a string of decimal digits. ok is
// false when the attribute is absent, not an integer, or out of int64 range.
func (a Attributes) Int(name string) (int64, bool) {
	v, present := a[name]
	if !present {
		return 0, false
	}
	n, err := strconv.ParseInt(v, 10, 64)
	return n, err == nil
}

// Get returns the value of an attribute and whether it is present.
func (a Attributes) Get(name string) (string, bool) {
	v, ok := a[name]
	return v, ok
}

// Verified reports whether the attribute's *_verified flag is "true", e.g.
// Verified("email") reads email_verified.
func (a Attributes) Verified(name string) bool {
	return strings.EqualFold(a[name+"_verified"], "true")
}

// String lists the attributes, masking identifying values.
func (a Attributes) String() string { return maskedMapString(a, showAttribute) }

// GoString is String.
func (a Attributes) GoString() string { return a.String() }

// Format prints the String form for every verb.
func (a Attributes) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(a.String())) }

// LogValue is a group of the attributes, masking identifying values.
func (a Attributes) LogValue() slog.Value { return maskedGroup(a, showAttribute) }

func showAttribute(name string) bool {
	return name == "sub" || name == "cognito:user_status" || strings.HasSuffix(name, "_verified")
}

func sortedKeys[M ~map[string]V, V any](m M) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func maskedMapString[M ~map[string]string](m M, show func(string) bool) string {
	if m == nil {
		return "map[]"
	}
	var b strings.Builder
	b.WriteString("map[")
	for i, k := range sortedKeys(m) {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(k)
		b.WriteByte(':')
		if show != nil && show(k) {
			b.WriteString(m[k])
		} else {
			b.WriteString(Mask)
		}
	}
	b.WriteByte(']')
	return b.String()
}

func maskedGroup[M ~map[string]string](m M, show func(string) bool) slog.Value {
	attrs := make([]slog.Attr, 0, len(m))
	for _, k := range sortedKeys(m) {
		v := Mask
		if show != nil && show(k) {
			v = m[k]
		}
		attrs = append(attrs, slog.String(k, v))
	}
	return slog.GroupValue(attrs...)
}
