package inbound

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"

	"github.com/cognitrig/cognitrig/tenancy"
	"github.com/cognitrig/cognitrig/triggers"
)

// DefaultMaxValueLength is the longest attribute value, in characters,
// that Cognito stores for a federated user: "For each mapped user pool
// attribute, the maximum value length of 2,048 characters must be large
// enough for the value that Amazon Cognito obtains from the IdP.
// Otherwise, Amazon Cognito reports an error when users sign in"
// (Amazon Cognito Developer Guide, "Mapping IdP attributes to profiles and
// tokens"). The API reference agrees: AttributeType's Value has "Maximum
// length of 2048" (Amazon Cognito API Reference, "AttributeType").
const DefaultMaxValueLength = 2048

// User-safe texts of the refusals; Cognito shows them to the user.
const (
	DefaultUnmappedMessage  = "Your organisation's sign-in is not set up for this application. Contact your administrator."
	DefaultSuspendedMessage = "Your organisation's account is suspended. Contact your administrator."
	msgUnknownTenant        = "Your organisation's account could not be found. Contact your administrator."
	msgOnlyTenant           = "Your sign-in could not be completed. Contact your administrator."
)

// Reasons of the refusals (Refusal.Reason), for errors.Is. A suspended or
// unknown tenant is refused with tenancy.ErrTenantSuspended or
// tenancy.ErrUnknownTenant.
var (
	// ErrUnmappedProvider: the provider maps to no tenant and
	// Config.Unmapped is RefuseUnmapped.
	ErrUnmappedProvider = errors.New("inbound: identity provider is mapped to no tenant")
	// ErrOnlyTenantAttribute: the provider sent nothing but the tenant
	// attribute. Dropping it would leave an empty userAttributesToMap,
	// which Cognito reads as "keep every attribute", the provider's
	// tenant claim included; so the sign-in is refused instead.
	ErrOnlyTenantAttribute = errors.New("inbound: identity provider sent only the tenant attribute, which cannot be dropped")
)

// Lookup finds the tenant of an identity provider, for pools with too
// many providers for a static map.
type Lookup interface {
	// TenantOf returns the tenant ID of the provider named providerName
	// (the event's request.providerName, exactly as configured in the user
	// pool), ok false if it has none, or an error if the look-up failed.
	TenantOf(ctx context.Context, providerName string) (tenantID string, ok bool, err error)
}

// LookupFunc adapts a function to Lookup.
type LookupFunc func(ctx context.Context, providerName string) (string, bool, error)

// TenantOf calls f.
func (f LookupFunc) TenantOf(ctx context.Context, providerName string) (string, bool, error) {
	return f(ctx, providerName)
}

// TenantReader reads a tenant to check its status. tenancy.Reader,
// tenancy.Store and *tenancy.Cache satisfy it; put a Cache in front of
// the store so that a sign-in rarely waits for a read.
type TenantReader interface {
	// GetTenant returns the tenant with id, or an error wrapping
	// tenancy.ErrNotFound.
	GetTenant(ctx context.Context, id string) (tenancy.Tenant, error)
}

// UnmappedPolicy says what happens to a sign-in through a provider that
// maps to no tenant.
type UnmappedPolicy int

const (
	// PassUnmapped (the default) lets the sign-in through without a
	// tenant: the attributes are kept, trimmed, and any tenant attribute
	// the provider sent is dropped.
	PassUnmapped UnmappedPolicy = iota
	// RefuseUnmapped refuses the sign-in with Config.UnmappedMessage.
	RefuseUnmapped
)

// Config configures a Handler. Set exactly one of Providers and Lookup,
// and Tenants; the rest has defaults.
type Config struct {
	// Providers maps identity provider names (request.providerName, as
	// configured in the user pool, e.g. "AcmeSAML") to tenant IDs
	// (tenancy.ValidateID). It is copied by New.
	Providers map[string]string
	// Lookup finds the tenant of a provider, instead of Providers.
	Lookup Lookup
	// Tenants reads the tenant to check that it is active; a suspended
	// tenant's federated sign-ins are refused. Required.
	Tenants TenantReader
	// Attribute is the name under which the tenant ID is written into
	// userAttributesToMap. Cognito maps the returned attributes with the
	// provider's attribute mapping, so the mapping must map this name to
	// the pool's tenant attribute. Default tenancy.TenantAttribute
	// ("custom:tenantId").
	Attribute string
	// Unmapped is what happens to a provider with no tenant. Default
	// PassUnmapped.
	Unmapped UnmappedPolicy
	// UnmappedMessage is the refusal text under RefuseUnmapped. Default
	// DefaultUnmappedMessage.
	UnmappedMessage string
	// SuspendedMessage is the refusal text for a suspended tenant.
	// Default DefaultSuspendedMessage.
	SuspendedMessage string
	// MaxValueLength is the longest attribute value kept, in UTF-16 code
	// units (see Handler); longer values are cut on a character boundary.
	// Default, and maximum, DefaultMaxValueLength.
	MaxValueLength int
	// Logger receives one line per sign-in with attribute names and
	// counts, never values. Default slog.Default().
	Logger *slog.Logger
}

// Handler handles InboundFederation_ExternalProvider events (Lambda
// version V1_0). It is safe for concurrent use.
type Handler struct {
	providers map[string]string
	lookup    Lookup
	tenants   TenantReader
	attribute string
	unmapped  UnmappedPolicy
	unmapMsg  string
	suspMsg   string
	max       int
	log       *slog.Logger
}

// New returns a Handler, or an error naming the Config field that is
// missing or wrong.
func New(cfg Config) (*Handler, error) {
	switch {
	case cfg.Providers == nil && cfg.Lookup == nil:
		return nil, errors.New("inbound: Config.Providers and Config.Lookup are both unset; map provider names to tenant IDs in one of them")
	case cfg.Providers != nil && cfg.Lookup != nil:
		return nil, errors.New("inbound: Config.Providers and Config.Lookup are both set; set only one")
	case cfg.Providers != nil && len(cfg.Providers) == 0:
		return nil, errors.New("inbound: Config.Providers is empty; map at least one provider name to a tenant ID")
	case cfg.Tenants == nil:
		return nil, errors.New("inbound: Config.Tenants is nil; set it to a tenancy.Cache in front of your tenancy.Store")
	case cfg.Unmapped != PassUnmapped && cfg.Unmapped != RefuseUnmapped:
		return nil, fmt.Errorf("inbound: Config.Unmapped is %d; use PassUnmapped or RefuseUnmapped", cfg.Unmapped)
	case cfg.MaxValueLength < 0 || cfg.MaxValueLength > DefaultMaxValueLength:
		return nil, fmt.Errorf("inbound: Config.MaxValueLength is %d; use 1 to %d (Cognito's limit), or 0 for the limit", cfg.MaxValueLength, DefaultMaxValueLength)
	}
	for name, id := range cfg.Providers {
		if name == "" {
			return nil, errors.New("inbound: Config.Providers has an empty provider name; use the names configured in the user pool")
		}
		if err := tenancy.ValidateID("tenant", id); err != nil {
			return nil, fmt.Errorf("inbound: Config.Providers[%q]: %w", name, err)
		}
	}
	h := &Handler{
		providers: maps.Clone(cfg.Providers),
		lookup:    cfg.Lookup,
		tenants:   cfg.Tenants,
		attribute: cmp(cfg.Attribute, tenancy.TenantAttribute),
		unmapped:  cfg.Unmapped,
		unmapMsg:  cmp(cfg.UnmappedMessage, DefaultUnmappedMessage),
		suspMsg:   cmp(cfg.SuspendedMessage, DefaultSuspendedMessage),
		max:       cfg.MaxValueLength,
		log:       cfg.Logger,
	}
	if h.max == 0 {
		h.max = DefaultMaxValueLength
	}
	if h.log == nil {
		h.log = slog.Default()
	}
	return h, nil
}

func cmp(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// Register registers h on r for InboundFederation_* events.
func (h *Handler) Register(r *triggers.Router) { r.InboundFederation(h.InboundFederation) }

// InboundFederation fills ev.Response.UserAttributesToMap.
//
// Cognito replaces the provider's attributes with a non-empty
// userAttributesToMap, and keeps them all for an empty one ("Inbound
// federation Lambda trigger": attributes left out of a non-empty map are
// dropped; {} keeps every attribute as if no function ran). So when it
// changes anything, the handler returns every attribute the provider sent
// (tokenResponse, userInfo, idToken and samlResponse, later ones winning
// a name both hold), with these changes:
//
//   - for a mapped provider, Attribute is set to the provider's tenant; an
//     attribute named Attribute or tenancy.TenantAttribute
//     (compared without case) that the provider sent is dropped, so a
//     provider never chooses a tenant;
//   - for an unmapped provider under PassUnmapped, such an attribute is
//     dropped and no tenant is set; if nothing changes, the response is {};
//   - values longer than MaxValueLength are cut, tokens from tokenResponse
//     included (Cognito does not support mapping tokens longer than
//     2,048 characters, "Mapping IdP attributes to profiles and tokens").
//
// It refuses, with a *triggers.Refusal: an unmapped provider under
// RefuseUnmapped (ErrUnmappedProvider); a tenant that is suspended
// (tenancy.ErrTenantSuspended) or does not exist
// (tenancy.ErrUnknownTenant); and a provider that sent only the tenant
// attribute (ErrOnlyTenantAttribute). Errors of Lookup and Tenants are
// returned wrapped.
func (h *Handler) InboundFederation(ctx context.Context, ev *triggers.InboundFederationEvent) error {
	provider := ev.Request.ProviderName
	tenantID, ok, err := h.tenantOf(ctx, provider)
	if err != nil {
		return err
	}
	if !ok && h.unmapped == RefuseUnmapped {
		return triggers.RefuseBecause(fmt.Errorf("%w: %q", ErrUnmappedProvider, clip(provider)), h.unmapMsg)
	}
	if ok {
		if err := h.checkTenant(ctx, tenantID); err != nil {
			return err
		}
	}

	attrs, dropped, trimmed := h.collect(ev)
	changed := len(dropped) > 0 || len(trimmed) > 0
	switch {
	case ok:
		attrs[h.attribute] = tenantID
	case !changed:
		// Nothing to change: {} keeps every attribute, exactly as if no
		// function ran ("Inbound federation Lambda trigger"). A nil map
		// would encode as null, which AWS does not document.
		ev.Response.UserAttributesToMap = map[string]string{}
		h.log.LogAttrs(ctx, slog.LevelInfo, "inbound federation: provider mapped to no tenant; attributes unchanged",
			slog.String("providerName", provider), slog.Int("attributes", len(attrs)))
		return nil
	case len(attrs) == 0:
		return triggers.RefuseBecause(fmt.Errorf("%w (provider %q)", ErrOnlyTenantAttribute, clip(provider)), msgOnlyTenant)
	}
	ev.Response.UserAttributesToMap = attrs

	level := slog.LevelInfo
	if len(dropped) > 0 {
		level = slog.LevelWarn // a provider asserting a tenant is misconfigured or hostile
	}
	h.log.LogAttrs(ctx, level, "inbound federation: attributes mapped",
		slog.String("providerName", provider),
		slog.String("tenantId", tenantID),
		slog.Int("attributes", len(attrs)),
		slog.Any("droppedTenantAttributes", dropped),
		slog.Any("trimmedAttributes", trimmed))
	return nil
}

func (h *Handler) tenantOf(ctx context.Context, provider string) (string, bool, error) {
	if h.lookup == nil {
		id, ok := h.providers[provider]
		return id, ok, nil
	}
	id, ok, err := h.lookup.TenantOf(ctx, provider)
	if err != nil {
		return "", false, fmt.Errorf("inbound: look up the tenant of provider %q: %w", clip(provider), err)
	}
	if !ok {
		return "", false, nil
	}
	if err := tenancy.ValidateID("tenant", id); err != nil {
		return "", false, fmt.Errorf("inbound: Lookup returned a bad tenant ID for provider %q; fix the mapping: %w", clip(provider), err)
	}
	return id, true, nil
}

func (h *Handler) checkTenant(ctx context.Context, id string) error {
	t, err := h.tenants.GetTenant(ctx, id)
	switch {
	case errors.Is(err, tenancy.ErrNotFound):
		return triggers.RefuseBecause(fmt.Errorf("%w: %q", tenancy.ErrUnknownTenant, id), msgUnknownTenant)
	case err != nil:
		return fmt.Errorf("inbound: read tenant %q: %w", id, err)
	case !t.Active():
		return triggers.RefuseBecause(fmt.Errorf("%w: %q", tenancy.ErrTenantSuspended, id), h.suspMsg)
	}
	return nil
}

// collect merges the provider's attributes into a new map, without the
// tenant attribute and with long values cut. It returns the names it
// dropped and cut, sorted.
func (h *Handler) collect(ev *triggers.InboundFederationEvent) (attrs map[string]string, dropped, trimmed []string) {
	a := ev.Request.Attributes
	attrs = make(map[string]string, len(a.TokenResponse)+len(a.UserInfo)+len(a.IDToken)+len(a.SAMLResponse)+1)
	// tokenResponse first: a pool may map access_token or id_token to a
	// custom attribute ("Mapping IdP attributes to profiles and tokens"),
	// and {} would have kept them. Claims override token fields of the
	// same name, and ID-token claims override userInfo.
	for k, v := range a.TokenResponse {
		attrs[k] = v
	}
	copyAttributes(attrs, a.UserInfo)
	copyAttributes(attrs, a.IDToken)
	copyAttributes(attrs, a.SAMLResponse)
	for k, v := range attrs {
		if h.protected(k) {
			delete(attrs, k)
			dropped = append(dropped, k)
			continue
		}
		if cut, ok := trim(v, h.max); ok {
			attrs[k] = cut
			trimmed = append(trimmed, k)
		}
	}
	slices.Sort(dropped)
	slices.Sort(trimmed)
	return attrs, dropped, trimmed
}

// protected reports whether a provider may not send the attribute name:
// Config.Attribute or tenancy.TenantAttribute, compared without
// case (a claim that differs only in case is hostile or a mistake, and a
// mapping may be matched without case).
func (h *Handler) protected(name string) bool {
	return strings.EqualFold(name, h.attribute) || strings.EqualFold(name, tenancy.TenantAttribute)
}

// copyAttributes copies src into dst. It is the one place that knows the
// type of an attribute value.
func copyAttributes(dst map[string]string, src triggers.Attributes) {
	for k, v := range src {
		dst[k] = v
	}
}

// trim cuts s to at most max UTF-16 code units, on a character (rune)
// boundary, and reports whether it cut. AWS states the limit in
// characters without saying how they are counted; a UTF-16 count is never
// smaller than a count of code points, so the result fits either way.
func trim(s string, max int) (string, bool) {
	if len(s) <= max { // every code unit takes at least one byte
		return s, false
	}
	n := 0
	for i, r := range s {
		w := 1
		if r > 0xFFFF {
			w = 2 // a surrogate pair
		}
		if n+w > max {
			return s[:i], true
		}
		n += w
	}
	return s, false
}

// clip bounds provider-controlled text placed in an error.
func clip(s string) string {
	const max = 64
	if len(s) <= max {
		return s
	}
	cut, _ := trim(s, max)
	return cut + "…"
}
