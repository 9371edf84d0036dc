package authevents

import (
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/cognitrig/cognitrig/config"
	"github.com/cognitrig/cognitrig/handlers/internal/compose"
	"github.com/cognitrig/cognitrig/lifecycle/authpolicy"
	"github.com/cognitrig/cognitrig/triggers"
)

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
	c, err := config.LoadAuthEvents(d.Lookup)
	ok := d.Fail(err)
	var checks []authpolicy.Check
	if len(c.AllowedClients) > 0 {
		if check, err := authpolicy.ClientAllowList("", c.AllowedClients...); err != nil {
			d.Invalid(config.EnvAllowedClients, err)
			ok = false
		} else {
			checks = append(checks, check)
		}
	}
	_, allowErr := authpolicy.ParsePrefixes(c.IPAllow)
	if allowErr != nil {
		d.Invalid(config.EnvIPAllow, allowErr)
	}
	_, denyErr := authpolicy.ParsePrefixes(c.IPDeny)
	if denyErr != nil {
		d.Invalid(config.EnvIPDeny, denyErr)
	}
	if !ok || allowErr != nil || denyErr != nil {
		return
	}
	if len(c.IPAllow) > 0 || len(c.IPDeny) > 0 {
		rule, err := authpolicy.IPRule(authpolicy.IPConfig{Allow: c.IPAllow, Deny: c.IPDeny, Source: authpolicy.IPFromContext()})
		if err != nil {
			d.Invalid(config.EnvIPAllow, err)
			return
		}
		checks = append(checks, rule)
	}
	if pre, err := authpolicy.PreAuthentication(checks...); err != nil {
		d.Invalid(config.EnvAllowedClients, err)
	} else {
		r.PreAuthentication(pre)
	}
	// The checks and the audit read the source IP from the raw event.
	d.Wrap(func(next compose.Invoker) compose.Invoker { return authpolicy.WithSourceIP(next) })

	store, err := authpolicy.NewDynamoAuditStore(compose.Client(d, dynamodb.NewFromConfig), c.AuditTable, nil)
	if err != nil {
		d.Invalid(config.EnvAuditTable, err)
		return
	}
	post := authpolicy.PostAuthConfig{
		Audit:     store,
		Signals:   authpolicy.ContextSignals(),
		Retention: c.AuditRetention,
	}
	if c.MFAOnNewDevice {
		post.MFA = &authpolicy.RequireMFA{API: compose.Client(d, cip.NewFromConfig), When: authpolicy.NewDevice()}
	}
	h, err := authpolicy.PostAuthentication(post)
	if err != nil {
		d.Invalid(config.EnvAuditTable, err)
		return
	}
	r.PostAuthentication(h)
}
