package tenancy

import (
	"fmt"
	"strings"

	"github.com/cognitrig/cognitrig/internal/must"
)

// GroupConvention names Cognito groups after tenants, and optionally
// roles, with a pattern such as "tenant-{id}" or "tenant-{id}-{role}".
// Groups are set by administrators (or by this package after an
// invitation), never by the user, so a group name is trusted evidence of
// membership.
//
// When the pattern has both placeholders, the text between them separates
// them; the role is the part that does not contain the separator, so
// "tenant-{id}-{role}" reads "tenant-acme-corp-admin" as tenant
// "acme-corp", role "admin".
type GroupConvention struct {
	pattern             string
	prefix, mid, suffix string
	hasRole, roleFirst  bool
}

// ParseGroupConvention parses a pattern with exactly one "{id}" and at
// most one "{role}", separated by some text when both are present.
func ParseGroupConvention(pattern string) (*GroupConvention, error) {
	g := &GroupConvention{pattern: pattern}
	if strings.Count(pattern, "{id}") != 1 {
		return nil, fmt.Errorf("tenancy: group pattern %q must contain {id} exactly once, e.g. \"tenant-{id}\" or \"tenant-{id}-{role}\"", clip(pattern))
	}
	switch strings.Count(pattern, "{role}") {
	case 0:
		g.prefix, g.suffix, _ = strings.Cut(pattern, "{id}")
	case 1:
		g.hasRole = true
		first, second := "{id}", "{role}"
		if strings.Index(pattern, "{role}") < strings.Index(pattern, "{id}") {
			g.roleFirst = true
			first, second = second, first
		}
		var rest string
		g.prefix, rest, _ = strings.Cut(pattern, first)
		g.mid, g.suffix, _ = strings.Cut(rest, second)
		if g.mid == "" {
			return nil, fmt.Errorf("tenancy: group pattern %q: put a separator between {id} and {role}, e.g. \"tenant-{id}-{role}\"", clip(pattern))
		}
	default:
		return nil, fmt.Errorf("tenancy: group pattern %q must contain {role} at most once", clip(pattern))
	}
	if strings.ContainsAny(pattern, " \t\n") {
		return nil, fmt.Errorf("tenancy: group pattern %q must not contain white space", clip(pattern))
	}
	return g, nil
}

// MustParseGroupConvention is ParseGroupConvention that panics on error,
// for patterns fixed in the program.
func MustParseGroupConvention(pattern string) *GroupConvention {
	return must.Value(ParseGroupConvention(pattern))
}

// String returns the pattern.
func (g *GroupConvention) String() string { return g.pattern }

// HasRole reports whether the pattern names a role.
func (g *GroupConvention) HasRole() bool { return g.hasRole }

// Match reads a group name. It returns ok=false for groups that do not
// follow the convention or whose tenant ID or role is not valid (see
// ValidateID). role is empty when the pattern has no {role}.
func (g *GroupConvention) Match(group string) (tenantID, role string, ok bool) {
	if len(group) < len(g.prefix)+len(g.suffix) || !strings.HasPrefix(group, g.prefix) || !strings.HasSuffix(group, g.suffix) {
		return "", "", false
	}
	inner := group[len(g.prefix) : len(group)-len(g.suffix)]
	if !g.hasRole {
		tenantID = inner
	} else {
		var i int
		if g.roleFirst {
			i = strings.Index(inner, g.mid)
		} else {
			i = strings.LastIndex(inner, g.mid)
		}
		if i < 0 {
			return "", "", false
		}
		a, b := inner[:i], inner[i+len(g.mid):]
		if g.roleFirst {
			role, tenantID = a, b
		} else {
			tenantID, role = a, b
		}
		if !validID(role) || strings.Contains(role, g.mid) {
			return "", "", false
		}
	}
	if !validID(tenantID) {
		return "", "", false
	}
	return tenantID, role, true
}

// Name returns the group of tenantID (and role, when the pattern names
// one).
func (g *GroupConvention) Name(tenantID, role string) (string, error) {
	if err := ValidateID("tenant ID", tenantID); err != nil {
		return "", err
	}
	if !g.hasRole {
		return g.prefix + tenantID + g.suffix, nil
	}
	if err := ValidateID("role", role); err != nil {
		return "", err
	}
	if strings.Contains(role, g.mid) {
		return "", fmt.Errorf("tenancy: role %q contains %q, which separates tenant and role in group pattern %q", role, g.mid, g.pattern)
	}
	if g.roleFirst {
		return g.prefix + role + g.mid + tenantID + g.suffix, nil
	}
	return g.prefix + tenantID + g.mid + role + g.suffix, nil
}
