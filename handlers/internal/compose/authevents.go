package compose

import (
	"time"

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
func AuthEvents(d *Deps, r *triggers.Router) {
	e := d.Env
	var checks []authpolicy.Check
	if clients := e.List(EnvAllowedClients); len(clients) > 0 {
		checks = append(checks, authpolicy.ClientAllowList("", clients...))
	}
	allow, deny := e.List(EnvIPAllow), e.List(EnvIPDeny)
	_, allowErr := authpolicy.ParsePrefixes(allow)
	if allowErr != nil {
		d.Invalid(EnvIPAllow, allowErr)
	}
	_, denyErr := authpolicy.ParsePrefixes(deny)
	if denyErr != nil {
		d.Invalid(EnvIPDeny, denyErr)
	}
	if (len(allow) > 0 || len(deny) > 0) && allowErr == nil && denyErr == nil {
		rule, err := authpolicy.IPRule(authpolicy.IPConfig{Allow: allow, Deny: deny, Source: authpolicy.IPFromContext()})
		if err != nil {
			d.Invalid(EnvIPAllow, err)
		} else {
			checks = append(checks, rule)
		}
	}
	r.PreAuthentication(authpolicy.PreAuthentication(checks...))
	// The checks and the audit read the source IP from the raw event.
	d.Wrap(func(next Invoker) Invoker { return authpolicy.WithSourceIP(next) })

	table := e.Required(EnvAuditTable)
	days := e.Int(EnvAuditRetainDays, DefaultAuditRetentionDays, 1, 3650)
	mfaOnNewDevice := e.Bool(EnvMFAOnNewDevice, false)
	if table == "" {
		return
	}
	store, err := authpolicy.NewDynamoAuditStore(d.DynamoDB(), table, nil)
	if err != nil {
		d.Invalid(EnvAuditTable, err)
		return
	}
	cfg := authpolicy.PostAuthConfig{
		Audit:     store,
		Signals:   authpolicy.ContextSignals(),
		Retention: time.Duration(days) * 24 * time.Hour,
	}
	if mfaOnNewDevice {
		cfg.MFA = &authpolicy.RequireMFA{API: d.Cognito(), When: authpolicy.NewDevice()}
	}
	post, err := authpolicy.PostAuthentication(cfg)
	if err != nil {
		d.Invalid(EnvAuditTable, err)
		return
	}
	r.PostAuthentication(post)
}
