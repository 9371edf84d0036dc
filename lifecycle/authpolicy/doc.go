// Package authpolicy holds sign-in policies for the pre- and
// post-authentication triggers.
//
// Pre-authentication: PreAuthentication composes Checks, each of which
// refuses with a message safe to show the user (a triggers.Refusal, whose
// reason is kept for logs and errors.Is): IPRule (allow and deny lists in
// CIDR notation), ClientAllowList and UserAttribute. Cognito shows the message before it
// checks the password, so the default messages say no more than "no"; checks
// that depend on the user do nothing for a user that does not exist, so that
// the answer does not reveal who does.
//
// Source IP: the documented pre-authentication event carries no address.
// IPFromValidationData reads one that the app's back end passes as
// ClientMetadata; WithSourceIP wraps the function's handler to read
// request.userContextData.ipAddress (or sourceIp), which Cognito threat
// protection adds to the raw event, for IPFromContext and ContextSignals.
//
// Post-authentication: TenantActive (through the small TenantStatus
// interface) refuses users whose tenant, in DefaultTenantAttribute, is not
// active; it runs after the password and challenges, so that its refusal
// cannot tell an existing user from an unknown one. PostAuthentication
// runs such Checks, then writes one AuditRecord per
// sign-in (who, when, client, IP, device key and risk level when known) to
// an AuditStore (MemoryAuditStore, or DynamoAuditStore with a TTL
// attribute, expiry also checked on read), and, with RequireMFA, turns MFA
// on for the user through AdminSetUserMFAPreference when a RiskSignal says
// the sign-in was risky. AuthEventSignals reads threat protection's risk
// level through AdminListUserAuthEvents.
//
// Every constructor checks what it is given: a nil check, source, signal,
// store or client, or an empty client allow list, fails when the handler is
// built, with an error that names it, not at the first sign-in.
package authpolicy
