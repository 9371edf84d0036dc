// Package tenancy gives every token of a shared, multi-tenant user pool
// its tenant context (tenant ID, name, organisation, role, tier and
// tenant-scoped OAuth scopes) without a store round trip on every
// sign-in, and without letting a user choose a tenant.
//
// This package holds the model and what the triggers share:
//
//   - Tenant, Membership, Invitation, Client (machine-to-machine app
//     clients bound to a tenant) and Link (audit of linked identities);
//   - Store, with MemoryStore as the embedded default; package dynamostore
//     keeps the same records in DynamoDB, and package storetest is the
//     conformance suite both pass;
//   - Cache, a per-container cache in front of a Reader: TTL, bounded
//     size, negative caching, and one read for concurrent misses of a key;
//   - Resolver, the chain that finds a user's tenant: the custom:tenantId
//     attribute (TenantAttribute, FromAttribute), a group naming
//     convention (FromGroups with a GroupConvention such as
//     "tenant-{id}-{role}"), or the membership records (FromMemberships),
//     which are keyed by the user's sub, never by the user name that a
//     later user can take. A user without a tenant,
//     or whose tenant is suspended or unknown, is refused with a
//     triggers.Refusal whose message is safe to show.
//
// The trigger handlers are in subpackages:
//
//   - pretoken: claims and scopes in pre token generation (versions 1, 2
//     and 3, including client-credentials grants), with a check of the
//     encoded token's size;
//   - invitation: invitation-only sign-up (pre sign-up, single use under
//     concurrency) and provisioning after confirmation (custom:tenantId
//     and the tenant group, through the Cognito admin API);
//   - federation: linking a federated identity to the existing user with
//     the same verified email.
//
// Invitation tokens are secrets: they are generated here
// (NewInvitationToken), handed out once, and stored only as their SHA-256
// (InvitationID).
package tenancy
