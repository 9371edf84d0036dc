package migration

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// standardAttributes are the standard attributes of a Cognito user pool
// that a migration may set, sorted. sub is not among them: Cognito assigns it.
var standardAttributes = []string{
	"address", "birthdate", "email", "email_verified", "family_name", "gender",
	"given_name", "locale", "middle_name", "name", "nickname", "phone_number",
	"phone_number_verified", "picture", "preferred_username", "profile",
	"updated_at", "website", "zoneinfo",
}

// StandardAttributes returns the standard Cognito attributes a migration
// may set, sorted.
func StandardAttributes() []string { return slices.Clone(standardAttributes) }

// IsCognitoAttribute reports whether name is an attribute a migration may
// set: a standard attribute other than sub, or a custom attribute
// ("custom:" and a name of 1 to 20 characters).
func IsCognitoAttribute(name string) bool {
	if rest, ok := strings.CutPrefix(name, "custom:"); ok {
		return rest != "" && len(rest) <= 20
	}
	_, found := slices.BinarySearch(standardAttributes, name)
	return found
}

// Mapping maps legacy field names to Cognito attribute names, standard or
// custom: {"mail": "email", "mobile": "phone_number", "plan": "custom:plan"}.
//
// A nil Mapping copies the fields whose legacy names already are Cognito
// attribute names and drops the rest. A non-nil Mapping copies only the
// fields it names. Either way, empty values are left out, and the values of
// email_verified and phone_number_verified are normalised to "true" or
// "false" ("1", "yes", "y", "t" and "true", in any case, are true).
type Mapping map[string]string

// Validate reports mappings to names that are not Cognito attributes, and
// two fields mapped to one attribute.
func (m Mapping) Validate() error {
	var problems []string
	seen := map[string]string{}
	for _, from := range sortedKeys(m) {
		to := m[from]
		switch {
		case to == "sub":
			problems = append(problems, fmt.Sprintf("%q maps to sub, which Cognito assigns; map the legacy id to a custom attribute such as custom:legacy_id", from))
		case !IsCognitoAttribute(to):
			problems = append(problems, fmt.Sprintf("%q maps to %q, which is neither a standard attribute nor custom:NAME (NAME 1 to 20 characters)", from, to))
		case seen[to] != "":
			problems = append(problems, fmt.Sprintf("%q and %q both map to %q", seen[to], from, to))
		}
		seen[to] = from
	}
	if len(problems) > 0 {
		return errors.New("migration: invalid attribute mapping: " + strings.Join(problems, "; "))
	}
	return nil
}

// Apply returns the Cognito attributes for legacy fields.
func (m Mapping) Apply(fields map[string]string) map[string]string {
	out := make(map[string]string, len(fields))
	for from, v := range fields {
		to := from
		if m != nil {
			var ok bool
			if to, ok = m[from]; !ok {
				continue
			}
		} else if !IsCognitoAttribute(from) {
			continue
		}
		if v == "" {
			continue
		}
		if to == "email_verified" || to == "phone_number_verified" {
			v = boolText(v)
		}
		out[to] = v
	}
	return out
}

func boolText(v string) string {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "true", "t", "yes", "y":
		return "true"
	}
	return "false"
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
