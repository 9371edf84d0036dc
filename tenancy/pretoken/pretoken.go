package pretoken

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/cognitrig/cognitrig/tenancy"
	"github.com/cognitrig/cognitrig/triggers"
)

// Omit, as the name of a claim in Claims, leaves that claim out.
const Omit = "-"

// DefaultTokenBudget is the default bound on the encoded size of a token.
const DefaultTokenBudget = 8 << 10

// Claims names the tenant claims of one token. An empty field takes its
// default; Omit leaves the claim out. A claim whose value is empty (a
// tenant without a tier, a role without permissions) is not added.
type Claims struct {
	TenantID     string // default "tenant_id"
	Name         string // ID token default "tenant_name"; access token default Omit
	Organisation string // ID token default "tenant_org"; access token default Omit
	Role         string // default "tenant_role"
	Tier         string // default "tenant_tier"
	Permissions  string // ID token default Omit; access token default "tenant_permissions"
}

func (c Claims) withDefaults(d Claims) Claims {
	pick := func(v, def string) string {
		if v == "" {
			return def
		}
		return v
	}
	return Claims{
		TenantID:     pick(c.TenantID, d.TenantID),
		Name:         pick(c.Name, d.Name),
		Organisation: pick(c.Organisation, d.Organisation),
		Role:         pick(c.Role, d.Role),
		Tier:         pick(c.Tier, d.Tier),
		Permissions:  pick(c.Permissions, d.Permissions),
	}
}

func (c Claims) named() [][2]string {
	return [][2]string{
		{"TenantID", c.TenantID}, {"Name", c.Name}, {"Organisation", c.Organisation},
		{"Role", c.Role}, {"Tier", c.Tier}, {"Permissions", c.Permissions},
	}
}

// DefaultScopes maps roles to the scope templates of the access token;
// "{id}" stands for the tenant ID, and the key "*" serves roles not
// listed. Roles that map to nothing get no tenant scope.
func DefaultScopes() map[string][]string {
	rw := []string{"tenant:{id}:read", "tenant:{id}:write"}
	return map[string][]string{
		"owner":  rw,
		"admin":  rw,
		"member": rw,
		"viewer": {"tenant:{id}:read"},
	}
}

// Config configures a Handler.
type Config struct {
	// Resolver finds the tenant of a user or app client. Required.
	Resolver *tenancy.Resolver

	// IDClaims and AccessClaims name the claims; see Claims for defaults.
	IDClaims     Claims
	AccessClaims Claims

	// Scopes maps roles to scope templates; nil means DefaultScopes().
	Scopes map[string][]string

	// SuppressIDClaims and SuppressAccessClaims are removed from the
	// tokens, e.g. personal attributes that APIs must not see. A claim
	// both added and suppressed is suppressed.
	SuppressIDClaims     []string
	SuppressAccessClaims []string
	// SuppressScopes are removed from the access token's scopes.
	SuppressScopes []string

	// Groups is the group naming convention. With DropOtherTenantGroups,
	// groups that name another tenant are removed from cognito:groups (of
	// both tokens), so that a token of one tenant does not reveal
	// membership of another; the user's other groups and IAM roles stay.
	Groups                *tenancy.GroupConvention
	DropOtherTenantGroups bool

	// IAMRoles maps roles (or "*") to an IAM role ARN template, "{id}"
	// standing for the tenant ID; the role becomes cognito:roles and
	// cognito:preferred_role (identity pools use it). The user's groups
	// stay in the tokens.
	IAMRoles map[string]string

	// TokenBudget bounds the estimated encoded size of each token, in
	// bytes. 0 means DefaultTokenBudget; a negative value turns the check
	// off.
	TokenBudget int

	// AllowUnboundClients lets a client-credentials grant of an app client
	// bound to no tenant through unchanged, instead of refusing it.
	AllowUnboundClients bool
}

// Handler handles pre token generation events. It is safe for concurrent
// use.
type Handler struct {
	resolver        *tenancy.Resolver
	id, access      Claims
	scopes          map[string][]scopeTemplate
	allScopes       []scopeTemplate // every template, to spot foreign scopes
	suppressID      []string
	suppressAccess  []string
	suppressScopes  []string
	groups          *tenancy.GroupConvention
	dropOtherGroups bool
	iamRoles        map[string]string
	budget          int
	allowUnbound    bool
}

// New checks cfg and returns a Handler. It refuses claims that Cognito
// does not let a trigger change (see triggers.ReservedClaim), the same
// claim named twice in one token, and malformed scope templates.
func New(cfg Config) (*Handler, error) {
	if cfg.Resolver == nil {
		return nil, errors.New("pretoken: Config.Resolver is nil; build one with tenancy.NewResolver")
	}
	h := &Handler{
		resolver:        cfg.Resolver,
		id:              cfg.IDClaims.withDefaults(Claims{"tenant_id", "tenant_name", "tenant_org", "tenant_role", "tenant_tier", Omit}),
		access:          cfg.AccessClaims.withDefaults(Claims{"tenant_id", Omit, Omit, "tenant_role", "tenant_tier", "tenant_permissions"}),
		suppressID:      slices.Clone(cfg.SuppressIDClaims),
		suppressAccess:  slices.Clone(cfg.SuppressAccessClaims),
		suppressScopes:  slices.Clone(cfg.SuppressScopes),
		groups:          cfg.Groups,
		dropOtherGroups: cfg.DropOtherTenantGroups,
		iamRoles:        cfg.IAMRoles,
		budget:          cfg.TokenBudget,
		allowUnbound:    cfg.AllowUnboundClients,
	}
	if h.budget == 0 {
		h.budget = DefaultTokenBudget
	}
	var problems []string
	problems = append(problems, checkClaims("IDClaims", h.id, false)...)
	problems = append(problems, checkClaims("AccessClaims", h.access, true)...)
	for _, name := range h.suppressID {
		if why := triggers.ReservedClaim(name, false); why != "" {
			problems = append(problems, "SuppressIDClaims: "+why)
		}
	}
	for _, name := range h.suppressAccess {
		if why := triggers.ReservedClaim(name, true); why != "" {
			problems = append(problems, "SuppressAccessClaims: "+why)
		}
	}
	for _, s := range h.suppressScopes {
		if s == "" || strings.ContainsAny(s, " \t\n") {
			problems = append(problems, fmt.Sprintf("SuppressScopes: scope %q is empty or has white space", s))
		}
	}
	scopes := cfg.Scopes
	if scopes == nil {
		scopes = DefaultScopes()
	}
	h.scopes = make(map[string][]scopeTemplate, len(scopes))
	for role, templates := range scopes {
		for _, raw := range templates {
			st, err := parseScope(raw)
			if err != nil {
				problems = append(problems, fmt.Sprintf("Scopes[%q]: %v", role, err))
				continue
			}
			h.scopes[role] = append(h.scopes[role], st)
			h.allScopes = append(h.allScopes, st)
		}
	}
	if h.dropOtherGroups && h.groups == nil {
		problems = append(problems, "DropOtherTenantGroups is set without Groups: set the group convention that names tenants")
	}
	for role, arn := range h.iamRoles {
		if !strings.HasPrefix(arn, "arn:") || strings.ContainsAny(arn, " \t\n") {
			problems = append(problems, fmt.Sprintf("IAMRoles[%q]: %q is not an IAM role ARN template such as arn:aws:iam::123456789012:role/{id}-%s", role, arn, role))
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("pretoken: invalid Config: %s", strings.Join(problems, "; "))
	}
	return h, nil
}

func checkClaims(field string, c Claims, accessToken bool) []string {
	var p []string
	seen := map[string]string{}
	for _, nv := range c.named() {
		what, name := nv[0], nv[1]
		if name == Omit {
			continue
		}
		if why := triggers.ReservedClaim(name, accessToken); why != "" {
			p = append(p, fmt.Sprintf("%s.%s: %s", field, what, why))
		}
		if other, dup := seen[name]; dup {
			p = append(p, fmt.Sprintf("%s.%s and %s.%s both name claim %q", field, other, field, what, name))
		}
		seen[name] = what
	}
	return p
}

// scopeTemplate is a scope with an optional "{id}" placeholder.
type scopeTemplate struct {
	prefix, suffix string
	hasID          bool
}

func parseScope(raw string) (scopeTemplate, error) {
	if raw == "" || strings.ContainsAny(raw, " \t\n") {
		return scopeTemplate{}, fmt.Errorf("scope %q is empty or has white space", raw)
	}
	switch strings.Count(raw, "{id}") {
	case 0:
		return scopeTemplate{prefix: raw}, nil
	case 1:
		p, s, _ := strings.Cut(raw, "{id}")
		return scopeTemplate{prefix: p, suffix: s, hasID: true}, nil
	}
	return scopeTemplate{}, fmt.Errorf("scope %q has {id} more than once", raw)
}

func (s scopeTemplate) expand(tenantID string) string {
	if !s.hasID {
		return s.prefix
	}
	return s.prefix + tenantID + s.suffix
}

// is reports whether scope is the template expanded for tenantID, without
// building the expansion.
func (s scopeTemplate) is(scope, tenantID string) bool {
	if !s.hasID {
		return scope == s.prefix
	}
	id, ok := s.tenantOf(scope)
	return ok && id == tenantID
}

// tenantOf reports the tenant that scope names under the template.
func (s scopeTemplate) tenantOf(scope string) (string, bool) {
	if !s.hasID || len(scope) <= len(s.prefix)+len(s.suffix) || !strings.HasPrefix(scope, s.prefix) || !strings.HasSuffix(scope, s.suffix) {
		return "", false
	}
	return scope[len(s.prefix) : len(scope)-len(s.suffix)], true
}

// Register registers the handler for pre token generation versions 1, 2
// and 3 on r.
func (h *Handler) Register(r *triggers.Router) {
	r.PreTokenGenerationV1(h.PreTokenGenerationV1)
	r.PreTokenGenerationV2(h.PreTokenGenerationV2)
}

// PreTokenGenerationV2 handles version-2 and version-3 events: it adds the
// tenant's claims to both tokens, or for a client-credentials grant the
// app client's tenant to the access token.
func (h *Handler) PreTokenGenerationV2(ctx context.Context, ev *triggers.PreTokenGenerationV2Event) error {
	if ev.TriggerSource == triggers.TokenGenerationClientCredentials {
		return h.clientCredentials(ctx, ev)
	}
	res, err := h.resolver.Resolve(ctx, userOf(ev.UserName, ev.Request.UserAttributes, ev.Request.GroupConfiguration))
	if err != nil {
		return err
	}
	d := ev.Response.Details()
	idt := d.IDToken()
	idt.ClaimsToAddOrOverride = h.claims(idt.ClaimsToAddOrOverride, h.id, res)
	idt.ClaimsToSuppress = appendNew(idt.ClaimsToSuppress, h.suppressID)
	deleteAll(idt.ClaimsToAddOrOverride, idt.ClaimsToSuppress)

	at := d.AccessToken()
	at.ClaimsToAddOrOverride = h.claims(at.ClaimsToAddOrOverride, h.access, res)
	at.ClaimsToSuppress = appendNew(at.ClaimsToSuppress, h.suppressAccess)
	deleteAll(at.ClaimsToAddOrOverride, at.ClaimsToSuppress)
	h.applyScopes(at, ev.Request.Scopes, res)

	d.GroupOverrideDetails = h.groupOverride(ev.Request.GroupConfiguration, d.GroupOverrideDetails, res)
	if h.budget < 0 {
		return nil
	}
	groups := effectiveGroups(ev.Request.GroupConfiguration, d.GroupOverrideDetails)
	err = h.check(&tokenModel{kind: "ID", h: &ev.Header, attrs: ev.Request.UserAttributes, groups: groups,
		add: idt.ClaimsToAddOrOverride, suppress: idt.ClaimsToSuppress})
	if err != nil {
		return err
	}
	return h.check(&tokenModel{kind: "access", h: &ev.Header, user: true, groups: groups,
		scopeLen: scopeLen(ev.Request.Scopes, at), add: at.ClaimsToAddOrOverride, suppress: at.ClaimsToSuppress})
}

// PreTokenGenerationV1 handles version-1 events, which customise the ID
// token only. Claim values are strings in version 1: a list (such as
// permissions) is sent as a JSON array in a string.
func (h *Handler) PreTokenGenerationV1(ctx context.Context, ev *triggers.PreTokenGenerationV1Event) error {
	res, err := h.resolver.Resolve(ctx, userOf(ev.UserName, ev.Request.UserAttributes, ev.Request.GroupConfiguration))
	if err != nil {
		return err
	}
	d := ev.Response.Details()
	claims := h.claims(nil, h.id, res)
	if d.ClaimsToAddOrOverride == nil {
		d.ClaimsToAddOrOverride = make(map[string]string, len(claims))
	}
	for k, v := range claims {
		d.ClaimsToAddOrOverride[k] = stringValue(v)
	}
	d.ClaimsToSuppress = appendNew(d.ClaimsToSuppress, h.suppressID)
	for _, name := range d.ClaimsToSuppress {
		delete(d.ClaimsToAddOrOverride, name)
	}
	d.GroupOverrideDetails = h.groupOverride(ev.Request.GroupConfiguration, d.GroupOverrideDetails, res)
	if h.budget < 0 {
		return nil
	}
	added := make(map[string]any, len(d.ClaimsToAddOrOverride))
	for k, v := range d.ClaimsToAddOrOverride {
		added[k] = v
	}
	groups := effectiveGroups(ev.Request.GroupConfiguration, d.GroupOverrideDetails)
	return h.check(&tokenModel{kind: "ID", h: &ev.Header, attrs: ev.Request.UserAttributes, groups: groups,
		add: added, suppress: d.ClaimsToSuppress})
}

func (h *Handler) clientCredentials(ctx context.Context, ev *triggers.PreTokenGenerationV2Event) error {
	res, err := h.resolver.ResolveClient(ctx, ev.CallerContext.ClientID)
	if errors.Is(err, tenancy.ErrUnknownClient) && h.allowUnbound {
		return nil
	}
	if err != nil {
		return err
	}
	at := ev.Response.Details().AccessToken()
	at.ClaimsToAddOrOverride = h.claims(at.ClaimsToAddOrOverride, h.access, res)
	at.ClaimsToSuppress = appendNew(at.ClaimsToSuppress, h.suppressAccess)
	deleteAll(at.ClaimsToAddOrOverride, at.ClaimsToSuppress)
	h.applyScopes(at, ev.Request.Scopes, res)
	if h.budget < 0 {
		return nil
	}
	return h.check(&tokenModel{kind: "access", h: &ev.Header, scopeLen: scopeLen(ev.Request.Scopes, at),
		add: at.ClaimsToAddOrOverride, suppress: at.ClaimsToSuppress})
}

func userOf(name string, attrs triggers.Attributes, g triggers.GroupConfiguration) tenancy.User {
	return tenancy.User{Name: name, Attributes: attrs, Groups: g.GroupsToOverride}
}

// claims adds the tenant claims named by c to m (created if nil).
func (h *Handler) claims(m map[string]any, c Claims, res tenancy.Resolution) map[string]any {
	if m == nil {
		m = make(map[string]any, 6)
	}
	set := func(name string, v string) {
		if name != Omit && v != "" {
			m[name] = v
		}
	}
	set(c.TenantID, res.Tenant.ID)
	set(c.Name, res.Tenant.Name)
	set(c.Organisation, res.Tenant.Organisation)
	set(c.Role, res.Role)
	set(c.Tier, res.Tenant.Tier)
	if c.Permissions != Omit && len(res.Permissions) > 0 {
		m[c.Permissions] = res.Permissions
	}
	return m
}

func (h *Handler) applyScopes(at *triggers.AccessTokenGeneration, requested []string, res tenancy.Resolution) {
	templates, ok := h.scopes[res.Role]
	if !ok {
		templates = h.scopes["*"]
	}
	at.ScopesToSuppress = appendNew(at.ScopesToSuppress, h.suppressScopes)
	for _, t := range templates {
		matches := func(s string) bool { return t.is(s, res.Tenant.ID) }
		if !slices.ContainsFunc(requested, matches) && !slices.ContainsFunc(at.ScopesToSuppress, matches) && !slices.ContainsFunc(at.ScopesToAdd, matches) {
			at.ScopesToAdd = append(at.ScopesToAdd, t.expand(res.Tenant.ID))
		}
	}
	// A requested scope of another tenant, or one the role does not
	// grant, must not reach the token.
	for _, s := range requested {
		if h.foreignScope(s, res) && !slices.Contains(at.ScopesToSuppress, s) {
			at.ScopesToSuppress = append(at.ScopesToSuppress, s)
		}
	}
	at.ScopesToAdd = slices.DeleteFunc(at.ScopesToAdd, func(s string) bool { return slices.Contains(at.ScopesToSuppress, s) })
}

// foreignScope reports whether s has the form of a tenant scope that the
// resolution does not grant: another tenant's, or a permission its role
// lacks.
func (h *Handler) foreignScope(s string, res tenancy.Resolution) bool {
	templates, ok := h.scopes[res.Role]
	if !ok {
		templates = h.scopes["*"]
	}
	for _, t := range templates {
		if t.is(s, res.Tenant.ID) {
			return false
		}
	}
	for _, t := range h.allScopes {
		if _, ok := t.tenantOf(s); ok || (!t.hasID && t.prefix == s) {
			return true
		}
	}
	return false
}

// groupOverride returns the group override of the response: prev (an
// earlier handler's, possibly nil) with other tenants' groups dropped and
// the role's IAM role set. Cognito replaces the whole group configuration
// with the override ("Pre token generation Lambda trigger": "The
// groupOverrideDetails object is replaced with the one you provide"), so a
// new override starts as a copy of the request's configuration and changes
// only what the configuration asks for; when nothing changes, prev is
// returned as it is.
func (h *Handler) groupOverride(g triggers.GroupConfiguration, prev *triggers.GroupOverride, res tenancy.Resolution) *triggers.GroupOverride {
	o := prev
	edit := func() *triggers.GroupOverride {
		if o == nil {
			o = g.Override()
		}
		return o
	}
	if h.dropOtherGroups {
		// The groups that reach the token: an earlier override's, else the
		// request's.
		current := g.GroupsToOverride
		if prev != nil {
			current = prev.GroupsToOverride
		}
		if slices.ContainsFunc(current, h.otherTenantGroup(res)) {
			// Never nil: an explicit [] when no group is left, so the
			// foreign group cannot survive as "unchanged".
			kept := make([]string, 0, len(current))
			for _, name := range current {
				if !h.otherTenantGroup(res)(name) {
					kept = append(kept, name)
				}
			}
			edit().GroupsToOverride = kept
		}
	}
	arn, ok := h.iamRoles[res.Role]
	if !ok {
		arn, ok = h.iamRoles["*"]
	}
	if ok {
		arn = strings.ReplaceAll(arn, "{id}", res.Tenant.ID)
		role := arn
		o := edit()
		o.IAMRolesToOverride, o.PreferredRole = []string{arn}, &role
	}
	return o
}

// otherTenantGroup reports whether a group names a tenant other than the
// resolved one.
func (h *Handler) otherTenantGroup(res tenancy.Resolution) func(string) bool {
	return func(name string) bool {
		id, _, ok := h.groups.Match(name)
		return ok && id != res.Tenant.ID
	}
}

func appendNew(dst, add []string) []string {
	for _, s := range add {
		if !slices.Contains(dst, s) {
			dst = append(dst, s)
		}
	}
	return dst
}

func deleteAll(m map[string]any, names []string) {
	for _, n := range names {
		delete(m, n)
	}
}

func stringValue(v any) string {
	switch v := v.(type) {
	case string:
		return v
	default:
		b, _ := json.Marshal(v)
		return string(b)
	}
}
