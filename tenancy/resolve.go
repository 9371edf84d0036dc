package tenancy

import (
	"context"
	"errors"
	"fmt"

	"github.com/cognitrig/cognitrig/triggers"
)

// TenantAttribute is the user attribute that holds the tenant ID: the one
// name that every cognitrig package and the CDK construct use for it
// (lifecycle/authpolicy, which may not import this package, keeps an equal
// constant of its own, authpolicy.DefaultTenantAttribute, and a test in
// handlers/internal/compose asserts that they are equal).
//
// Cognito cannot set an immutable attribute after the user is created, and
// this package sets it after confirmation; so declare it mutable in the
// pool's schema and leave it out of every app client's WriteAttributes.
// Then no user can change it, and only IAM-authorised admin calls can.
const TenantAttribute = "custom:tenantId"

// DefaultTenantAttribute is TenantAttribute, under its former name.
//
// Deprecated: use TenantAttribute.
const DefaultTenantAttribute = TenantAttribute

// DefaultRole is the role of a user whose tenant is known but whose role
// no step of the chain names.
const DefaultRole = "member"

// User is what resolution knows of a user from a trigger event.
type User struct {
	Name       string              // the event's userName
	Sub        string              // the user's sub; empty: Attributes["sub"]
	Attributes triggers.Attributes // the request's userAttributes
	Groups     []string            // the request's groupConfiguration.groupsToOverride
}

// SubjectID returns the user's sub: Sub, or else the sub attribute, which
// Cognito puts in the userAttributes of every token-generation event. It
// never falls back to the user name, which a later user can reuse.
func (u User) SubjectID() string {
	if u.Sub != "" {
		return u.Sub
	}
	return u.Attributes["sub"]
}

// Match is a tenant that a Step finds for a user, with the role and
// permissions if the step knows them.
type Match struct {
	TenantID    string
	Role        string
	Permissions []string
}

// Step is one link of a resolution chain: it finds the tenants that a user
// belongs to by one kind of evidence.
type Step struct {
	name string
	find func(ctx context.Context, r Reader, u User) ([]Match, error)
}

// Name names the step, e.g. "attribute"; Resolution.Source reports it.
func (s Step) Name() string { return s.name }

// StepFunc makes a Step of a function, for evidence this package does
// not know.
func StepFunc(name string, find func(ctx context.Context, r Reader, u User) ([]Match, error)) Step {
	return Step{name: name, find: find}
}

// FromAttribute finds the tenant in a user attribute, normally
// TenantAttribute. It names no role.
func FromAttribute(name string) Step {
	return Step{name: "attribute", find: func(_ context.Context, _ Reader, u User) ([]Match, error) {
		if id := u.Attributes[name]; id != "" {
			return []Match{{TenantID: id}}, nil
		}
		return nil, nil
	}}
}

// FromGroups finds tenants, and roles if the convention names them, in the
// user's groups, in the order Cognito lists them (by precedence).
func FromGroups(g *GroupConvention) Step {
	if g == nil {
		// No look-up: NewResolver refuses the step, naming it.
		return Step{name: "groups"}
	}
	return Step{name: "groups", find: func(_ context.Context, _ Reader, u User) ([]Match, error) {
		var out []Match
		for _, group := range u.Groups {
			if id, role, ok := g.Match(group); ok {
				out = append(out, Match{TenantID: id, Role: role})
			}
		}
		return out, nil
	}}
}

// FromMemberships finds tenants, roles and permissions in the membership
// records of the Reader, by the user's sub (User.SubjectID): a user
// without a sub has none, and a new user who takes a deleted user's name
// does not inherit that user's memberships. Through a Cache it reads once
// per user per TTL (tenants are read once per tenant); to keep token
// generation at one read per tenant, put roles in group names and this
// step after FromGroups.
func FromMemberships() Step {
	return Step{name: "membership", find: func(ctx context.Context, r Reader, u User) ([]Match, error) {
		sub := u.SubjectID()
		if sub == "" {
			return nil, nil
		}
		ms, err := r.ListMemberships(ctx, sub)
		if err != nil {
			return nil, err
		}
		out := make([]Match, len(ms))
		for i, m := range ms {
			out[i] = Match{TenantID: m.TenantID, Role: m.Role, Permissions: m.Permissions}
		}
		return out, nil
	}}
}

// ResolverConfig configures a Resolver.
type ResolverConfig struct {
	// Reader looks tenants, memberships and clients up: normally a Cache
	// in front of a Store. Required.
	Reader Reader
	// Steps is the chain, tried in order. Default: FromAttribute(
	// TenantAttribute), FromMemberships().
	Steps []Step
	// DefaultRole is the role when no step names one. Default DefaultRole.
	DefaultRole string
}

// Resolver finds the tenant of a user, or of a machine-to-machine app
// client, and refuses those that have none or whose tenant is suspended.
type Resolver struct {
	r           Reader
	steps       []Step
	defaultRole string
}

// NewResolver returns a Resolver, or an error if cfg is incomplete.
func NewResolver(cfg ResolverConfig) (*Resolver, error) {
	if cfg.Reader == nil {
		return nil, errors.New("tenancy: ResolverConfig.Reader is nil; set it to a Cache in front of your Store")
	}
	if cfg.Steps == nil {
		cfg.Steps = []Step{FromAttribute(TenantAttribute), FromMemberships()}
	}
	for i, s := range cfg.Steps {
		switch {
		case s.find == nil && s.name == "groups":
			return nil, fmt.Errorf("tenancy: ResolverConfig.Steps[%d] is FromGroups(nil); give it the GroupConvention (ParseGroupConvention) that names the tenant groups", i)
		case s.find == nil:
			return nil, fmt.Errorf("tenancy: ResolverConfig.Steps[%d] (%q) has no look-up; build steps with FromAttribute, FromGroups, FromMemberships or StepFunc with a non-nil function", i, s.name)
		}
	}
	if cfg.DefaultRole == "" {
		cfg.DefaultRole = DefaultRole
	}
	if err := ValidateID("role", cfg.DefaultRole); err != nil {
		return nil, fmt.Errorf("tenancy: ResolverConfig.DefaultRole: %w", err)
	}
	return &Resolver{r: cfg.Reader, steps: cfg.Steps, defaultRole: cfg.DefaultRole}, nil
}

// Resolution is the tenant of a user or client, with the role it holds.
type Resolution struct {
	Tenant      Tenant
	Role        string
	Permissions []string
	Source      string // the step that found the tenant, or "client"
}

// User-safe messages of the refusals that resolution returns.
const (
	msgNoTenant      = "Your account does not belong to an organisation. Ask your administrator for an invitation."
	msgAmbiguous     = "Your account belongs to several organisations and none is chosen. Ask your administrator to set your organisation."
	msgUnknownTenant = "Your organisation's account could not be found. Contact your administrator."
	msgSuspended     = "Your organisation's account is suspended. Contact your administrator."
	msgUnknownClient = "This application is not registered to an organisation."
)

// Resolve walks the chain: the first step that finds a tenant decides it
// (several different tenants from that step is a refusal). If that step
// names no role, later steps are asked for the user's role in that tenant,
// and failing them the default role applies. A user with no tenant, or
// whose tenant does not exist or is suspended, gets a *triggers.Refusal
// whose Reason is ErrNoTenant, ErrAmbiguousTenant, ErrUnknownTenant or
// ErrTenantSuspended. Other errors come from the Reader.
func (r *Resolver) Resolve(ctx context.Context, u User) (Resolution, error) {
	for i, s := range r.steps {
		ms, err := s.find(ctx, r.r, u)
		if err != nil {
			return Resolution{}, fmt.Errorf("tenancy: resolve tenant (%s): %w", s.name, err)
		}
		if len(ms) == 0 {
			continue
		}
		m, err := pick(ms)
		if err != nil {
			return Resolution{}, err
		}
		for _, later := range r.steps[i+1:] {
			if m.Role != "" {
				break
			}
			lms, err := later.find(ctx, r.r, u)
			if err != nil {
				return Resolution{}, fmt.Errorf("tenancy: resolve role (%s): %w", later.name, err)
			}
			for _, lm := range lms {
				if lm.TenantID == m.TenantID && lm.Role != "" {
					m.Role, m.Permissions = lm.Role, lm.Permissions
					break
				}
			}
		}
		if m.Role == "" {
			m.Role = r.defaultRole
		}
		t, err := r.tenant(ctx, m.TenantID)
		if err != nil {
			return Resolution{}, err
		}
		return Resolution{Tenant: t, Role: m.Role, Permissions: m.Permissions, Source: s.name}, nil
	}
	return Resolution{}, triggers.RefuseBecause(ErrNoTenant, msgNoTenant)
}

// pick returns the match of one tenant, preferring one that names a role.
func pick(ms []Match) (Match, error) {
	m := ms[0]
	for _, o := range ms[1:] {
		if o.TenantID != m.TenantID {
			return Match{}, triggers.RefuseBecause(ErrAmbiguousTenant, msgAmbiguous)
		}
		if m.Role == "" && o.Role != "" {
			m = o
		}
	}
	return m, nil
}

// ResolveClient finds the tenant of a machine-to-machine app client. An
// unbound client gets a refusal with Reason ErrUnknownClient.
func (r *Resolver) ResolveClient(ctx context.Context, clientID string) (Resolution, error) {
	c, err := r.r.GetClient(ctx, clientID)
	if errors.Is(err, ErrNotFound) {
		return Resolution{}, triggers.RefuseBecause(ErrUnknownClient, msgUnknownClient)
	}
	if err != nil {
		return Resolution{}, fmt.Errorf("tenancy: resolve app client: %w", err)
	}
	t, err := r.tenant(ctx, c.TenantID)
	if err != nil {
		return Resolution{}, err
	}
	return Resolution{Tenant: t, Role: c.Role, Source: "client"}, nil
}

func (r *Resolver) tenant(ctx context.Context, id string) (Tenant, error) {
	if !validID(id) {
		// Not a key any store holds: refuse without a read.
		return Tenant{}, triggers.RefuseBecause(ErrUnknownTenant, msgUnknownTenant)
	}
	t, err := r.r.GetTenant(ctx, id)
	switch {
	case errors.Is(err, ErrNotFound):
		return Tenant{}, triggers.RefuseBecause(fmt.Errorf("%w: %q", ErrUnknownTenant, id), msgUnknownTenant)
	case err != nil:
		return Tenant{}, fmt.Errorf("tenancy: read tenant %q: %w", id, err)
	case !t.Active():
		return Tenant{}, triggers.RefuseBecause(fmt.Errorf("%w: %q", ErrTenantSuspended, id), msgSuspended)
	}
	return t, nil
}
