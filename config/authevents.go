package config

import "time"

// DefaultAuditRetentionDays is how long sign-in audit records are kept.
const DefaultAuditRetentionDays = 90

// AuthEvents are the settings of the authentication events
// (PreAuthentication, PostAuthentication).
type AuthEvents struct {
	AuditTable     string   // COGNITRIG_AUDIT_TABLE, required
	AllowedClients []string // COGNITRIG_ALLOWED_CLIENTS; none allows every app client
	// IPAllow and IPDeny are COGNITRIG_IP_ALLOW and COGNITRIG_IP_DENY: IP
	// addresses and CIDR networks, checked by authpolicy.ParsePrefixes.
	IPAllow, IPDeny []string
	MFAOnNewDevice  bool          // COGNITRIG_MFA_ON_NEW_DEVICE
	AuditRetention  time.Duration // COGNITRIG_AUDIT_RETENTION_DAYS, 1..3650 days
}

// LoadAuthEvents reads the settings of the authentication events.
func LoadAuthEvents(lookup func(string) (string, bool)) (AuthEvents, error) {
	e := newReader(lookup)
	a := AuthEvents{
		AllowedClients: e.List(EnvAllowedClients),
		IPAllow:        e.List(EnvIPAllow),
		IPDeny:         e.List(EnvIPDeny),
		AuditTable:     e.Required(EnvAuditTable),
		AuditRetention: time.Duration(e.Int(EnvAuditRetainDays, DefaultAuditRetentionDays, 1, 3650)) * 24 * time.Hour,
		MFAOnNewDevice: e.Bool(EnvMFAOnNewDevice, false),
	}
	return a, e.err()
}
