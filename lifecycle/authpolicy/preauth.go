package authpolicy

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/cognitrig/cognitrig/internal/nilcheck"
	"github.com/cognitrig/cognitrig/triggers"
)

// Check is one pre-authentication rule. It returns nil to let the sign-in
// go on, a triggers.Refusal (triggers.RefuseBecause) to refuse it with a message
// safe to show the user, or another error when it cannot decide.
type Check func(ctx context.Context, ev *triggers.PreAuthenticationEvent) error

// The reasons of the refusals (ErrXxx, beside the rule that refuses) are
// for errors.Is and logs; the user sees only the refusal's message. The
// default messages (MsgXxx) are shown before Cognito checks the password,
// so they stay generic: they must not tell an attacker more than "no".

// MsgAccountUnavailable is the default message of the rules about the
// account: TenantActive, UserAttribute and RequireMFA.
const MsgAccountUnavailable = "Sign-in is not available for this account. Contact your administrator."

// PreAuthentication returns the pre-authentication handler that runs checks
// in order and stops at the first that refuses or fails. It fails when a
// check is nil. No checks lets every sign-in through.
//
//	h, err := authpolicy.PreAuthentication(clients, network)
//	if err != nil { ... }
//	r.PreAuthentication(h)
func PreAuthentication(checks ...Check) (triggers.Func[triggers.PreAuthenticationEvent], error) {
	for i, c := range checks {
		if c == nil {
			return nil, fmt.Errorf("authpolicy: check %d is nil; build checks with IPRule, ClientAllowList, UserAttribute or a func", i)
		}
	}
	checks = slices.Clone(checks)
	return func(ctx context.Context, ev *triggers.PreAuthenticationEvent) error {
		for _, c := range checks {
			if err := c(ctx, ev); err != nil {
				return err
			}
		}
		return nil
	}, nil
}

// All combines checks into one that runs them in order. It fails when a
// check is nil.
func All(checks ...Check) (Check, error) {
	h, err := PreAuthentication(checks...)
	if err != nil {
		return nil, err
	}
	return Check(h), nil
}

// ---- Tenant status ----

// Reasons of TenantActive's refusals.
var (
	ErrTenantInactive = errors.New("authpolicy: tenant is not active")
	ErrNoTenant       = errors.New("authpolicy: user has no tenant")
)

// DefaultTenantAttribute is the user attribute that holds the tenant ID,
// the default of TenantConfig.Attribute. It must equal
// tenancy.TenantAttribute, the attribute that package tenancy writes at
// confirmation and reads at token generation: this package may not import
// tenancy (feature packages do not import each other), so it keeps its own
// constant, and a test in handlers/internal/compose, which imports both,
// asserts that they are equal. (Earlier versions read "custom:tenant_id",
// which tenancy never writes: every user looked tenant-less.)
const DefaultTenantAttribute = "custom:tenantId"

// Status is the state of a tenant.
type Status int

// Tenant states. Only Active lets users sign in.
const (
	StatusUnknown Status = iota // no such tenant
	StatusActive
	StatusSuspended
	StatusDisabled
)

func (s Status) String() string {
	switch s {
	case StatusActive:
		return "active"
	case StatusSuspended:
		return "suspended"
	case StatusDisabled:
		return "disabled"
	default:
		return "unknown"
	}
}

// TenantStatus reports the status of a tenant. The tenancy package's store
// implements it (or an adapter does); this package does not import it.
type TenantStatus interface {
	TenantStatus(ctx context.Context, tenantID string) (Status, error)
}

// TenantStatusFunc adapts a function to TenantStatus.
type TenantStatusFunc func(ctx context.Context, tenantID string) (Status, error)

// TenantStatus calls f.
func (f TenantStatusFunc) TenantStatus(ctx context.Context, tenantID string) (Status, error) {
	return f(ctx, tenantID)
}

// TenantConfig configures TenantActive.
type TenantConfig struct {
	// Attribute names the user attribute that holds the tenant id. The
	// default is DefaultTenantAttribute ("custom:tenantId"), which is
	// what package tenancy writes; change it only together with tenancy's.
	Attribute string
	// AllowNoTenant lets users without the attribute sign in (say,
	// operators). By default they are refused. Users whose attribute names
	// a tenant that is not active are refused either way.
	AllowNoTenant bool
	// Message is shown to refused users; the default is MsgAccountUnavailable.
	Message string
}

// TenantActive refuses users whose tenant is not active (suspended,
// disabled or unknown) and, unless cfg.AllowNoTenant, users with no
// tenant. A lookup error fails the sign-in (fail closed) with an error
// that says what to do. It fails at once when ts is nil.
//
// It is a post-authentication check: register it alone
// (r.PostAuthentication(h) with h from TenantActive) or put it in
// PostAuthConfig.Checks. Cognito runs post authentication "after
// authentication is complete, before a user has received tokens", and a
// function that fails it makes the authentication fail (AWS: "Post
// authentication Lambda trigger"). Running it there, after the password
// and every challenge, is what keeps it from telling users apart: in pre
// authentication a refusal of an existing user without an active tenant
// came before the password check, while an unknown user went on to
// "Incorrect username or password", so anyone could learn which names
// exist (and whose organisation is suspended) without a password.
func TenantActive(ts TenantStatus, cfg TenantConfig) (triggers.Func[triggers.PostAuthenticationEvent], error) {
	if nilcheck.Is(ts) {
		return nil, errors.New("authpolicy: TenantActive: the TenantStatus is nil; give the tenant store (or a TenantStatusFunc) that reports each tenant's status")
	}
	if cfg.Attribute == "" {
		cfg.Attribute = DefaultTenantAttribute
	}
	if cfg.Message == "" {
		cfg.Message = MsgAccountUnavailable
	}
	return func(ctx context.Context, ev *triggers.PostAuthenticationEvent) error {
		tenant := ev.Request.UserAttributes[cfg.Attribute]
		if tenant == "" {
			if cfg.AllowNoTenant {
				return nil
			}
			return triggers.RefuseBecause(ErrNoTenant, cfg.Message)
		}
		st, err := ts.TenantStatus(ctx, tenant)
		if err != nil {
			return fmt.Errorf("authpolicy: look up the status of tenant %q: %w; sign-in fails until the tenant store answers", tenant, err)
		}
		if st != StatusActive {
			return triggers.RefuseBecause(fmt.Errorf("%w: tenant %q is %s", ErrTenantInactive, tenant, st), cfg.Message)
		}
		return nil
	}, nil
}

// ---- Source IP ----

// Reasons of IPRule's refusals.
var (
	ErrIPDenied     = errors.New("authpolicy: source IP is denied")
	ErrIPNotAllowed = errors.New("authpolicy: source IP is not in the allow list")
	ErrIPUnknown    = errors.New("authpolicy: source IP is unknown")
)

// MsgNetworkRefused is IPRule's default message.
const MsgNetworkRefused = "Sign-in is not allowed from this network."

// IPSource finds the source IP of a sign-in. ok is false when the event
// does not carry it.
type IPSource func(ctx context.Context, ev *triggers.PreAuthenticationEvent) (addr netip.Addr, ok bool)

// IPFromValidationData reads the source IP from the validation data (the
// ClientMetadata of InitiateAuth or AdminInitiateAuth) under key. Use it
// when the app's back end signs users in and passes the client's address:
// it is the documented way for an address to reach the trigger. The client
// controls this value unless a back end sets it.
func IPFromValidationData(key string) IPSource {
	return func(_ context.Context, ev *triggers.PreAuthenticationEvent) (netip.Addr, bool) {
		return parseAddr(ev.Request.ValidationData[key])
	}
}

// IPFromContext reads the source IP that WithSourceIP found in the raw
// event's request.userContextData.
func IPFromContext() IPSource {
	return func(ctx context.Context, _ *triggers.PreAuthenticationEvent) (netip.Addr, bool) {
		return SourceIP(ctx)
	}
}

// FirstIP tries sources in order. It fails when a source is nil.
func FirstIP(sources ...IPSource) (IPSource, error) {
	for i, s := range sources {
		if s == nil {
			return nil, fmt.Errorf("authpolicy: FirstIP: source %d is nil; use IPFromValidationData or IPFromContext", i)
		}
	}
	sources = slices.Clone(sources)
	return func(ctx context.Context, ev *triggers.PreAuthenticationEvent) (netip.Addr, bool) {
		for _, s := range sources {
			if a, ok := s(ctx, ev); ok {
				return a, true
			}
		}
		return netip.Addr{}, false
	}, nil
}

func parseAddr(s string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(strings.TrimSpace(s))
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

// IPConfig configures IPRule.
type IPConfig struct {
	// Allow lists the networks (CIDR, or single addresses) that may sign
	// in; empty allows every network not denied.
	Allow []string
	// Deny lists the networks that may not sign in. Deny wins over Allow.
	Deny []string
	// Source finds the address; required.
	Source IPSource
	// AllowUnknown lets a sign-in whose address is unknown pass an allow
	// list. By default it is refused when Allow is set (fail closed); a
	// deny list alone lets it pass.
	AllowUnknown bool
	// Message is shown to refused users; the default is MsgNetworkRefused.
	Message string
}

// IPRule returns a check of the source IP against allow and deny lists.
// It fails at construction on a malformed network.
func IPRule(cfg IPConfig) (Check, error) {
	if cfg.Source == nil {
		return nil, errors.New("authpolicy: IPConfig.Source is nil; use IPFromValidationData or IPFromContext")
	}
	allow, err := ParsePrefixes(cfg.Allow)
	if err != nil {
		return nil, fmt.Errorf("authpolicy: IPConfig.Allow: %w", err)
	}
	deny, err := ParsePrefixes(cfg.Deny)
	if err != nil {
		return nil, fmt.Errorf("authpolicy: IPConfig.Deny: %w", err)
	}
	if len(allow) == 0 && len(deny) == 0 {
		return nil, errors.New("authpolicy: IPConfig has neither Allow nor Deny networks")
	}
	msg := cfg.Message
	if msg == "" {
		msg = MsgNetworkRefused
	}
	return func(ctx context.Context, ev *triggers.PreAuthenticationEvent) error {
		addr, ok := cfg.Source(ctx, ev)
		if !ok {
			if len(allow) > 0 && !cfg.AllowUnknown {
				return triggers.RefuseBecause(ErrIPUnknown, msg)
			}
			return nil
		}
		if p, hit := match(deny, addr); hit {
			return triggers.RefuseBecause(fmt.Errorf("%w: %s is in %s", ErrIPDenied, addr, p), msg)
		}
		if len(allow) > 0 {
			if _, hit := match(allow, addr); !hit {
				return triggers.RefuseBecause(fmt.Errorf("%w: %s", ErrIPNotAllowed, addr), msg)
			}
		}
		return nil
	}, nil
}

// ParsePrefixes parses networks in CIDR notation ("10.0.0.0/8",
// "2001:db8::/32") or single addresses, and reports every malformed one.
func ParsePrefixes(networks []string) ([]netip.Prefix, error) {
	out := make([]netip.Prefix, 0, len(networks))
	var errs []error
	for _, n := range networks {
		n = strings.TrimSpace(n)
		if strings.Contains(n, "/") {
			p, err := netip.ParsePrefix(n)
			if err != nil {
				errs = append(errs, fmt.Errorf("%q is not a CIDR network", n))
				continue
			}
			if p.Addr().Is4In6() {
				p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(n)
		if err != nil {
			errs = append(errs, fmt.Errorf("%q is not an IP address or CIDR network", n))
			continue
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, errors.Join(errs...)
}

func match(prefixes []netip.Prefix, a netip.Addr) (netip.Prefix, bool) {
	for _, p := range prefixes {
		if p.Contains(a) {
			return p, true
		}
	}
	return netip.Prefix{}, false
}

// ---- App clients ----

// ErrClientNotAllowed is the reason of ClientAllowList's refusals.
var ErrClientNotAllowed = errors.New("authpolicy: app client is not allowed")

// MsgClientRefused is ClientAllowList's default message.
const MsgClientRefused = "Sign-in is not allowed from this application."

// ClientAllowList refuses sign-ins through any app client not listed. It
// fails when clientIDs is empty (every sign-in would be refused) or holds
// an empty ID.
func ClientAllowList(message string, clientIDs ...string) (Check, error) {
	if len(clientIDs) == 0 {
		return nil, errors.New("authpolicy: ClientAllowList has no app client IDs, so it would refuse every sign-in; list the IDs of the app clients that may sign in")
	}
	if i := slices.Index(clientIDs, ""); i >= 0 {
		return nil, fmt.Errorf("authpolicy: ClientAllowList: app client ID %d is empty", i)
	}
	if message == "" {
		message = MsgClientRefused
	}
	allowed := make(map[string]bool, len(clientIDs))
	for _, id := range clientIDs {
		allowed[id] = true
	}
	return func(_ context.Context, ev *triggers.PreAuthenticationEvent) error {
		if !allowed[ev.CallerContext.ClientID] {
			return triggers.RefuseBecause(fmt.Errorf("%w: %s", ErrClientNotAllowed, ev.CallerContext.ClientID), message)
		}
		return nil
	}, nil
}

// ---- User attributes ----

// ErrAttributeRefused is the reason of UserAttribute's refusals.
var ErrAttributeRefused = errors.New("authpolicy: user attributes refused")

// UserAttribute refuses users whose attributes do not satisfy allow, with
// message. Like TenantActive it does nothing for a user that does not exist.
// It fails at once when allow is nil.
func UserAttribute(message string, allow func(attrs triggers.Attributes) bool) (Check, error) {
	if allow == nil {
		return nil, errors.New("authpolicy: UserAttribute: the allow function is nil; give one that reports whether the attributes may sign in")
	}
	if message == "" {
		message = MsgAccountUnavailable
	}
	return func(_ context.Context, ev *triggers.PreAuthenticationEvent) error {
		if ev.Request.UserNotFound {
			return nil
		}
		if !allow(ev.Request.UserAttributes) {
			return triggers.RefuseBecause(ErrAttributeRefused, message)
		}
		return nil
	}, nil
}
