package authevents

import (
	"time"

	"github.com/cognitrig/cognitrig/handlers/internal/compose"
	"github.com/cognitrig/cognitrig/lifecycle/authpolicy"
	"github.com/cognitrig/cognitrig/triggers"
)

// DefaultAuditRetentionDays is how long sign-in audit records are kept.
const DefaultAuditRetentionDays = 90

// AuthEvents is the authentication events concern.
//
// PreAuthentication refuses sign-ins through app clients not in
// COGNITRIG_ALLOWED_CLIENTS (when set), and from networks in
// COGNITRIG_IP_DENY or outside COGNITRIG_IP_ALLOW (CIDR lists, when set).
// The source IP is the one Cognito threat protection adds to the raw event
// (authpolicy.WithSourceIP); with an allow list, a sign-in whose address is
// unknown is refused.
//
// PostAuthentication writes one audit record per sign-in to
// COGNITRIG_AUDIT_TABLE (required), kept COGNITRIG_AUDIT_RETENTION_DAYS
// (default 90), and, with COGNITRIG_MFA_ON_NEW_DEVICE=true, turns MFA on
// for a user who signed in from a new device
// (cognito-idp:AdminSetUserMFAPreference).
func AuthEvents(d *compose.Deps, r *triggers.Router) {
	e := d.Env
	var checks []authpolicy.Check
	if clients := e.List(compose.EnvAllowedClients); len(clients) > 0 {
		if check, err := authpolicy.ClientAllowList("", clients...); err != nil {
			d.Invalid(compose.EnvAllowedClients, err)
		} else {
			checks = append(checks, check)
		}
	}
	allow, deny := e.List(compose.EnvIPAllow), e.List(compose.EnvIPDeny)
	_, allowErr := authpolicy.ParsePrefixes(allow)
	if allowErr != nil {
		d.Invalid(compose.EnvIPAllow, allowErr)
	}
	_, denyErr := authpolicy.ParsePrefixes(deny)
	if denyErr != nil {
		d.Invalid(compose.EnvIPDeny, denyErr)
	}
	if (len(allow) > 0 || len(deny) > 0) && allowErr == nil && denyErr == nil {
		rule, err := authpolicy.IPRule(authpolicy.IPConfig{Allow: allow, Deny: deny, Source: authpolicy.IPFromContext()})
		if err != nil {
			d.Invalid(compose.EnvIPAllow, err)
		} else {
			checks = append(checks, rule)
		}
	}
	if pre, err := authpolicy.PreAuthentication(checks...); err != nil {
		d.Invalid(compose.EnvAllowedClients, err)
	} else {
		r.PreAuthentication(pre)
	}
	// The checks and the audit read the source IP from the raw event.
	d.Wrap(func(next compose.Invoker) compose.Invoker { return authpolicy.WithSourceIP(next) })

	table := e.Required(compose.EnvAuditTable)
	days := e.Int(compose.EnvAuditRetainDays, DefaultAuditRetentionDays, 1, 3650)
	mfaOnNewDevice := e.Bool(compose.EnvMFAOnNewDevice, false)
	if table == "" {
		return
	}
	store, err := authpolicy.NewDynamoAuditStore(dynamo(d), table, nil)
	if err != nil {
		d.Invalid(compose.EnvAuditTable, err)
		return
	}
	cfg := authpolicy.PostAuthConfig{
		Audit:     store,
		Signals:   authpolicy.ContextSignals(),
		Retention: time.Duration(days) * 24 * time.Hour,
	}
	if mfaOnNewDevice {
		cfg.MFA = &authpolicy.RequireMFA{API: cognito(d), When: authpolicy.NewDevice()}
	}
	post, err := authpolicy.PostAuthentication(cfg)
	if err != nil {
		d.Invalid(compose.EnvAuditTable, err)
		return
	}
	r.PostAuthentication(post)
}
