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

// tenantAttribute is the attribute in which package tenancy keeps a
// user's tenant (tenancy.TenantAttribute). Feature packages do not
// import each other, so the name is repeated here; it must match tenancy's.
// A migration never sets it: a legacy record (or a legacy system an
// attacker can write to) must not choose the tenant of a Cognito user.
const tenantAttribute = "custom:tenantId"

// DefaultDenyAttributes returns the attributes that a Mapping never sets,
// whatever the legacy fields and the Mapping say: "custom:tenantId", the
// tenant attribute of package tenancy (tenancy.TenantAttribute; the
// name is repeated here, since feature packages do not import each other,
// and must match), and
// custom:tenant_id, the name that lifecycle/authpolicy's tenant check
// reads by default. Names compare without regard to case. Handler and
// importcsv add their configured DenyAttributes to these.
func DefaultDenyAttributes() []string { return []string{tenantAttribute, "custom:tenant_id"} }

// Mapping maps legacy field names to Cognito attribute names, standard or
// custom: {"mail": "email", "mobile": "phone_number", "plan": "custom:plan"}.
//
// A nil Mapping copies the fields whose legacy names already are Cognito
// attribute names and drops the rest. A non-nil Mapping copies only the
// fields it names. Either way, empty values and the attributes of
// DefaultDenyAttributes (the tenant) are left out, and the values of
// email_verified and phone_number_verified are normalised to "true" or
// "false" ("1", "yes", "y", "t" and "true", in any case, are true).
type Mapping map[string]string

func denied(name string, deny []string) bool {
	for _, lists := range [][]string{DefaultDenyAttributes(), deny} {
		for _, d := range lists {
			if strings.EqualFold(name, d) {
				return true
			}
		}
	}
	return false
}

// ValidateDeny reports mappings to an attribute of DefaultDenyAttributes or
// deny, which Apply would drop: a configuration that cannot do what it
// says.
func (m Mapping) ValidateDeny(deny []string) error {
	var problems []string
	for _, from := range sortedKeys(m) {
		if to := m[from]; denied(to, deny) {
			problems = append(problems, fmt.Sprintf("%q maps to %q, which a migration never sets (DefaultDenyAttributes, DenyAttributes): the tenant is assigned in Cognito, never taken from the legacy system", from, to))
		}
	}
	if len(problems) > 0 {
		return errors.New("migration: invalid attribute mapping: " + strings.Join(problems, "; "))
	}
	return nil
}

// Validate reports mappings to names that are not Cognito attributes, two
// fields mapped to one attribute, and mappings to an attribute of
// DefaultDenyAttributes.
func (m Mapping) Validate() error {
	if err := m.ValidateDeny(nil); err != nil {
		return err
	}
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

// Apply returns the Cognito attributes for legacy fields, without the
// attributes of DefaultDenyAttributes.
func (m Mapping) Apply(fields map[string]string) map[string]string {
	return m.ApplyDenying(fields, nil)
}

// ApplyDenying is Apply that also leaves out the attributes named in deny
// (compared without regard to case).
func (m Mapping) ApplyDenying(fields map[string]string, deny []string) map[string]string {
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
		if v == "" || denied(to, deny) {
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
