// Package pretoken puts a user's tenant into the tokens that Cognito
// issues: a pre token generation handler for event versions 2 and 3 (ID
// and access tokens, and the access token of client-credentials grants)
// and version 1 (ID token only).
//
// The tenant comes from a tenancy.Resolver, normally reading through a
// tenancy.Cache, so a warm Lambda container issues tokens without a
// store read. The handler adds, in the ID token, the tenant's ID, name,
// organisation, the user's role and the tenant's tier; in the access
// token, the tenant ID, role, tier, permissions and scopes derived from
// the role (tenant:{id}:read, tenant:{id}:write by default). It removes
// requested scopes that name another tenant, can drop other tenants'
// groups from cognito:groups and set the IAM role per role, and for a
// machine-to-machine client (TokenGeneration_ClientCredentials) uses the
// tenant bound to the app client.
//
// Two mistakes are caught early. New refuses any configured claim that
// Cognito does not let a trigger add, override or suppress
// (triggers.ReservedClaim), since Cognito would silently ignore it. And
// every invocation estimates the size of the encoded token after its
// changes: over the budget (8 KB by default, a common limit of proxies on
// one request header) it fails with a *TokenSizeError that names the
// largest claims, instead of letting a token fail later, far away.
//
// Groups and IAM roles: Cognito replaces the whole group configuration
// with the group override a handler returns, in both tokens; it does not
// merge ("Pre token generation Lambda trigger"). So the handler sends an
// override only when it changes something (DropOtherTenantGroups finds
// another tenant's group, or IAMRoles maps the role), and then sends it
// whole: a copy of the request's groupConfiguration (or of an earlier
// handler's override) with that part changed. Mapping an IAM role keeps the
// user's groups; dropping the last group sends an explicit empty list.
//
// When a claim is both added and suppressed, suppression wins: the
// handler sends only the suppression, so the outcome does not depend on
// which of the two Cognito applies last.
package pretoken
