package triggers

import (
	"fmt"
	"log/slog"
	"sort"
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

// Attributes are a user's attributes (email, phone_number, custom:...).
// They are personal data rather than secrets: in logs and prints only the
// values of non-identifying attributes are shown (sub, cognito:user_status,
// and the *_verified flags); the others are masked.
type Attributes map[string]string

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
