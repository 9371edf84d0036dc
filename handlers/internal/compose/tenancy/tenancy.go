package tenancy

import (
	"context"
	"html"
	"strings"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/cognitrig/cognitrig/config"
	"github.com/cognitrig/cognitrig/delivery/ses"
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
	// What only package tenancy can check is checked whatever else is
	// wrong, so that every bad variable is named at once.
	c, err := config.LoadTenancy(d.Lookup)
	ok := d.Fail(err)
	for role := range c.Scopes {
		if role == "*" {
			continue
		}
		if err := tenancy.ValidateID("role", role); err != nil {
			d.Invalid(config.EnvScopeMap, err)
			ok = false
			break
		}
	}
	var groups *tenancy.GroupConvention
	if c.GroupPattern != "" {
		if groups, err = tenancy.ParseGroupConvention(c.GroupPattern); err != nil {
			d.Invalid(config.EnvGroupPattern, err)
			ok = false
		}
	}
	if !ok {
		return
	}
	store, err := dynamostore.New(compose.Client(d, dynamodb.NewFromConfig), c.Table)
	if err != nil {
		d.Invalid(config.EnvTenancyTable, err)
		return
	}
	cognito := compose.Client(d, cip.NewFromConfig)

	invitations, err := invitation.New(invitation.Config{Store: store, RequireInvitation: c.RequireInvitation, Cognito: cognito, Groups: groups})
	if err != nil {
		d.Invalid(config.EnvTenancyTable, err)
		return
	}
	preSignUp := invitations.PreSignUp
	if len(c.FederationProviders) > 0 {
		linker, err := federation.New(federation.Config{Cognito: cognito, Store: store, Providers: c.FederationProviders, TrustedEmailProviders: c.TrustedEmailProviders})
		if err != nil {
			d.Invalid(config.EnvFederationProviders, err)
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
	if c.Welcome {
		welcome, err := welcomeRunner(d, c.ConfirmTable, c.EmailFrom)
		if err != nil {
			d.Invalid(config.EnvWelcomeEmail, err)
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
		d.Invalid(config.EnvTenancyTable, err)
		return
	}
	resolver, err := tenancy.NewResolver(tenancy.ResolverConfig{Reader: cache, Steps: steps})
	if err != nil {
		d.Invalid(config.EnvTenancyTable, err)
		return
	}
	tokens, err := pretoken.New(pretoken.Config{Resolver: resolver, Scopes: c.Scopes, Groups: groups, DropOtherTenantGroups: groups != nil})
	if err != nil {
		d.Invalid(config.EnvScopeMap, err)
		return
	}
	tokens.Register(r)

	if c.InboundProviders != nil {
		h, err := inbound.New(inbound.Config{Providers: c.InboundProviders, Tenants: cache, Logger: d.Logger})
		if err != nil {
			d.Invalid(config.EnvInboundProviders, err)
			return
		}
		h.Register(r)
	}
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
	markers, err := confirm.NewDynamoStore(compose.Client(d, dynamodb.NewFromConfig), table, nil)
	if err != nil {
		return nil, err
	}
	hook, err := confirm.EmailHook(WelcomeHook, &ses.Sender{Client: compose.Client(d, sesv2.NewFromConfig), From: from}, Welcome)
	if err != nil {
		return nil, err
	}
	return confirm.New(confirm.Config{Store: markers, Hooks: []confirm.Hook{hook}, Logger: d.Logger})
}
