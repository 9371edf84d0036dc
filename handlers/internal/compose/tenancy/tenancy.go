package tenancy

import (
	"context"
	"errors"
	"fmt"
	"html"
	"strings"

	"github.com/cognitrig/cognitrig/handlers/internal/compose"
	"github.com/cognitrig/cognitrig/lifecycle/confirm"
	"github.com/cognitrig/cognitrig/lifecycle/messages"
	"github.com/cognitrig/cognitrig/tenancy"
	"github.com/cognitrig/cognitrig/tenancy/dynamostore"
	"github.com/cognitrig/cognitrig/tenancy/federation"
	"github.com/cognitrig/cognitrig/tenancy/inbound"
	"github.com/cognitrig/cognitrig/tenancy/invitation"
	"github.com/cognitrig/cognitrig/tenancy/pretoken"
	"github.com/cognitrig/cognitrig/triggers"
)

// Tenancy is the tenancy concern, on the tenancy table
// COGNITRIG_TENANCY_TABLE (required):
//
//   - PreSignUp: invitation-only tenant membership (package
//     tenancy/invitation; COGNITRIG_REQUIRE_INVITATION=true refuses
//     sign-ups without one, federated sign-ups included unless they are
//     linked to an existing user), and, for the identity providers in
//     COGNITRIG_FEDERATION_PROVIDERS, linking a federated identity to the
//     existing user with the same verified email (tenancy/federation;
//     COGNITRIG_TRUSTED_EMAIL_PROVIDERS count as verified);
//   - PostConfirmation: the tenant attribute, and the tenant's group when
//     COGNITRIG_GROUP_PATTERN names groups ("tenant-{id}" or
//     "tenant-{id}-{role}"), through the Cognito admin API; with
//     COGNITRIG_WELCOME_EMAIL=true, then a welcome email (Welcome,
//     through Amazon SES from COGNITRIG_EMAIL_FROM) sent once per user
//     however often Cognito delivers the confirmation, with markers in
//     COGNITRIG_CONFIRM_TABLE (lifecycle/confirm);
//   - PreTokenGeneration versions 1, 2 and 3: the tenant claims, and the
//     access token scopes of each role from COGNITRIG_SCOPE_MAP
//     ("admin=read,write;member=read", a scope without ':' standing for
//     tenant:{id}:scope); tenants are read through a per-container cache;
//   - InboundFederation (V1_0), with COGNITRIG_INBOUND_PROVIDERS
//     ("AcmeSAML=acme,..."): each named identity provider's users get its
//     tenant in custom:tenantId, never one the provider asserts; users of a
//     suspended tenant are refused (tenancy/inbound). The attribute must be
//     mapped in each provider's attribute mapping and writable by the app
//     clients that sign those users in (see tenancy/inbound).
func Tenancy(d *compose.Deps, r *triggers.Router) {
	e := d.Env
	table := e.Required(compose.EnvTenancyTable)
	ok := table != ""
	scopes, err := ParseScopeMap(e.String(compose.EnvScopeMap, ""))
	if err != nil {
		d.Invalid(compose.EnvScopeMap, err)
		ok = false
	}
	var groups *tenancy.GroupConvention
	if pattern := e.String(compose.EnvGroupPattern, ""); pattern != "" {
		if groups, err = tenancy.ParseGroupConvention(pattern); err != nil {
			d.Invalid(compose.EnvGroupPattern, err)
			ok = false
		}
	}
	requireInvitation := e.Bool(compose.EnvRequireInvitation, false)
	providers := e.List(compose.EnvFederationProviders)
	trusted := e.List(compose.EnvTrustedEmailProviders)
	if len(trusted) > 0 && len(providers) == 0 {
		d.Invalid(compose.EnvTrustedEmailProviders, fmt.Errorf("is set, but %s names no provider to link", compose.EnvFederationProviders))
		ok = false
	}
	var welcomeTable, welcomeFrom string
	if e.Bool(compose.EnvWelcomeEmail, false) {
		welcomeTable, welcomeFrom = e.Required(compose.EnvConfirmTable), e.Required(compose.EnvEmailFrom)
		ok = ok && welcomeTable != "" && welcomeFrom != ""
	}
	if !ok {
		return
	}
	store := dynamostore.New(dynamo(d), table)

	invitations, err := invitation.New(invitation.Config{Store: store, RequireInvitation: requireInvitation, Cognito: cognito(d), Groups: groups})
	if err != nil {
		d.Invalid(compose.EnvTenancyTable, err)
		return
	}
	preSignUp := invitations.PreSignUp
	if len(providers) > 0 {
		linker, err := federation.New(federation.Config{Cognito: cognito(d), Store: store, Providers: providers, TrustedEmailProviders: trusted})
		if err != nil {
			d.Invalid(compose.EnvFederationProviders, err)
			return
		}
		// A federated sign-up that brings its own tenant is refused before
		// anything is linked; one that is linked to an existing user ends
		// with the linker's refusal; the rest meet the invitation rules
		// (with COGNITRIG_REQUIRE_INVITATION=true, refused: a federated
		// sign-up carries no invitation token).
		preSignUp = inOrder(invitations.CheckTenantAttribute, linker.PreSignUp, invitations.PreSignUp)
	}
	r.PreSignUp(preSignUp)
	postConfirmation := invitations.PostConfirmation
	if welcomeTable != "" {
		welcome, err := welcomeRunner(d, welcomeTable, welcomeFrom)
		if err != nil {
			d.Invalid(compose.EnvWelcomeEmail, err)
			return
		}
		// The tenant first: a failure there fails the confirmation, and
		// Cognito's retry binds it again (both admin calls are idempotent)
		// before the welcome, which the markers keep to one email.
		postConfirmation = inOrder(invitations.PostConfirmation, welcome.PostConfirmation)
	}
	r.PostConfirmation(postConfirmation)

	steps := []tenancy.Step{tenancy.FromAttribute(tenancy.TenantAttribute)}
	if groups != nil {
		steps = append(steps, tenancy.FromGroups(groups))
	}
	steps = append(steps, tenancy.FromMemberships())
	cache, err := tenancy.NewCache(store, tenancy.CacheConfig{})
	if err != nil {
		d.Invalid(compose.EnvTenancyTable, err)
		return
	}
	resolver, err := tenancy.NewResolver(tenancy.ResolverConfig{Reader: cache, Steps: steps})
	if err != nil {
		d.Invalid(compose.EnvTenancyTable, err)
		return
	}
	tokens, err := pretoken.New(pretoken.Config{Resolver: resolver, Scopes: scopes, Groups: groups, DropOtherTenantGroups: groups != nil})
	if err != nil {
		d.Invalid(compose.EnvScopeMap, err)
		return
	}
	tokens.Register(r)

	if spec := e.String(compose.EnvInboundProviders, ""); spec != "" {
		providers, err := parseInboundProviders(spec)
		if err != nil {
			d.Invalid(compose.EnvInboundProviders, err)
			return
		}
		tenants, err := tenancy.NewCache(store, tenancy.CacheConfig{})
		if err != nil {
			d.Invalid(compose.EnvInboundProviders, err)
			return
		}
		h, err := inbound.New(inbound.Config{Providers: providers, Tenants: tenants, Logger: d.Logger})
		if err != nil {
			d.Invalid(compose.EnvInboundProviders, err)
			return
		}
		h.Register(r)
	}
}

// parseInboundProviders reads "AcmeSAML=acme,Globex=globex": identity
// provider name to tenant ID, for tenancy/inbound.
func parseInboundProviders(spec string) (map[string]string, error) {
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

// inOrder returns a handler that runs hs on the same event one after the
// other, and stops at the first error.
func inOrder[E any](hs ...func(context.Context, *E) error) func(context.Context, *E) error {
	return func(ctx context.Context, ev *E) error {
		for _, h := range hs {
			if err := h(ctx, ev); err != nil {
				return err
			}
		}
		return nil
	}
}

// WelcomeHook is the name of the welcome email's post-confirmation markers.
// Keep it stable: a new name would welcome again every user confirmed
// afterwards whose marker is under the old one.
const WelcomeHook = "welcome-email"

// Welcome is the welcome email of the tenancy concern. It is built
// without templates, which keeps the function 13 MB smaller (see
// confirm.EmailHook).
func Welcome(ev *triggers.PostConfirmationEvent) (messages.Email, error) {
	attrs := ev.Request.UserAttributes
	subject, hello := "Welcome", "Hello"
	if name := strings.TrimSpace(attrs["given_name"]); name != "" {
		subject, hello = "Welcome, "+name, "Hello "+html.EscapeString(name)
	}
	body := "<p>" + hello + ",</p>\n<p>your account is confirmed. You can sign in now with " + html.EscapeString(attrs["email"]) + ".</p>"
	return messages.Email{Subject: subject, HTML: body}, nil
}

func welcomeRunner(d *compose.Deps, table, from string) (*confirm.Runner, error) {
	markers, err := confirm.NewDynamoStore(dynamo(d), table, nil)
	if err != nil {
		return nil, err
	}
	hook, err := confirm.EmailHook(WelcomeHook, &messages.SES{Client: sesClient(d), From: from}, Welcome)
	if err != nil {
		return nil, err
	}
	return confirm.New(confirm.Config{Store: markers, Hooks: []confirm.Hook{hook}, Logger: d.Logger})
}

// ParseScopeMap parses the access token scopes of each role:
// "admin=read,write;member=read;viewer=". A scope without ':' stands for
// tenant:{id}:scope; one with ':' is taken as written, {id} standing for
// the tenant ID. A role with no scopes gets none; the role "*" serves roles
// not listed. Empty is nil: pretoken.DefaultScopes.
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
		if !ok {
			return nil, fmt.Errorf("%q is not role=scope,scope", strings.TrimSpace(entry))
		}
		if role != "*" {
			if err := tenancy.ValidateID("role", role); err != nil {
				return nil, err
			}
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
