package config

import (
	"errors"
	"fmt"
	"strings"
)

// Tenancy are the settings of the tenancy triggers (PreSignUp,
// PostConfirmation, PreTokenGeneration, InboundFederation).
type Tenancy struct {
	Table string // COGNITRIG_TENANCY_TABLE, required
	// Scopes is COGNITRIG_SCOPE_MAP parsed by ParseScopeMap: the access
	// token scopes of each role; nil is pretoken.DefaultScopes. The role
	// names are checked by tenancy.ValidateID.
	Scopes map[string][]string
	// GroupPattern is COGNITRIG_GROUP_PATTERN, "tenant-{id}" or
	// "tenant-{id}-{role}" (tenancy.ParseGroupConvention); "" is no groups.
	GroupPattern          string
	RequireInvitation     bool     // COGNITRIG_REQUIRE_INVITATION
	FederationProviders   []string // COGNITRIG_FEDERATION_PROVIDERS
	TrustedEmailProviders []string // COGNITRIG_TRUSTED_EMAIL_PROVIDERS; only with FederationProviders
	// InboundProviders is COGNITRIG_INBOUND_PROVIDERS: identity provider
	// name to tenant ID, for tenancy/inbound; nil is no inbound trigger.
	InboundProviders map[string]string
	// Welcome is COGNITRIG_WELCOME_EMAIL: a welcome email once per
	// confirmed user, with markers in ConfirmTable
	// (COGNITRIG_CONFIRM_TABLE), sent from EmailFrom
	// (COGNITRIG_EMAIL_FROM); both are then required.
	Welcome      bool
	ConfirmTable string
	EmailFrom    string
}

// LoadTenancy reads the settings of the tenancy triggers.
func LoadTenancy(lookup func(string) (string, bool)) (Tenancy, error) {
	e := newReader(lookup)
	t := Tenancy{
		Table:                 e.Required(EnvTenancyTable),
		GroupPattern:          e.String(EnvGroupPattern, ""),
		RequireInvitation:     e.Bool(EnvRequireInvitation, false),
		FederationProviders:   e.List(EnvFederationProviders),
		TrustedEmailProviders: e.List(EnvTrustedEmailProviders),
		Welcome:               e.Bool(EnvWelcomeEmail, false),
	}
	var err error
	if t.Scopes, err = ParseScopeMap(e.String(EnvScopeMap, "")); err != nil {
		e.invalid(EnvScopeMap, err)
	}
	if len(t.TrustedEmailProviders) > 0 && len(t.FederationProviders) == 0 {
		e.fail(EnvTrustedEmailProviders, "is set, but %s names no provider to link", EnvFederationProviders)
	}
	if t.Welcome {
		t.ConfirmTable, t.EmailFrom = e.Required(EnvConfirmTable), e.Required(EnvEmailFrom)
	}
	if spec := e.String(EnvInboundProviders, ""); spec != "" {
		if t.InboundProviders, err = ParseInboundProviders(spec); err != nil {
			e.invalid(EnvInboundProviders, err)
		}
	}
	return t, e.err()
}

// ParseInboundProviders reads "AcmeSAML=acme,Globex=globex": identity
// provider name to tenant ID, for tenancy/inbound.
func ParseInboundProviders(spec string) (map[string]string, error) {
	out := map[string]string{}
	for _, item := range strings.Split(spec, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name, tenant, ok := strings.Cut(item, "=")
		name, tenant = strings.TrimSpace(name), strings.TrimSpace(tenant)
		if !ok || name == "" || tenant == "" {
			return nil, fmt.Errorf("%q is not PROVIDER=TENANT; write it as AcmeSAML=acme,Globex=globex", item)
		}
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("provider %q is named twice", name)
		}
		out[name] = tenant
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("names no provider; write it as AcmeSAML=acme,Globex=globex")
	}
	return out, nil
}

// ParseScopeMap parses the access token scopes of each role:
// "admin=read,write;member=read;viewer=". A scope without ':' stands for
// tenant:{id}:scope; one with ':' is taken as written, {id} standing for
// the tenant ID. A role with no scopes gets none; the role "*" serves roles
// not listed. Empty is nil: pretoken.DefaultScopes. The roles' spelling is
// left to tenancy.ValidateID.
func ParseScopeMap(s string) (map[string][]string, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	out := map[string][]string{}
	for _, entry := range strings.Split(s, ";") {
		if strings.TrimSpace(entry) == "" {
			continue
		}
		role, list, ok := strings.Cut(entry, "=")
		role = strings.TrimSpace(role)
		if !ok || role == "" {
			return nil, fmt.Errorf("%q is not role=scope,scope", strings.TrimSpace(entry))
		}
		if _, dup := out[role]; dup {
			return nil, fmt.Errorf("role %q is listed twice", role)
		}
		scopes := []string{}
		for _, sc := range strings.Split(list, ",") {
			sc = strings.TrimSpace(sc)
			switch {
			case sc == "":
				continue
			case strings.ContainsAny(sc, " \t"):
				return nil, fmt.Errorf("scope %q has white space", sc)
			case !strings.Contains(sc, ":"):
				sc = "tenant:{id}:" + sc
			}
			scopes = append(scopes, sc)
		}
		out[role] = scopes
	}
	if len(out) == 0 {
		return nil, errors.New("names no role")
	}
	return out, nil
}
