// Package dynamostore keeps the records of package tenancy in one
// DynamoDB table: a tenancy.Store that passes the same conformance suite
// (package storetest) as the in-memory default.
//
// # Table design
//
// One table per user pool, with a string partition key "pk" and a string
// sort key "sk", on-demand billing, and DynamoDB TTL on the attribute
// "ttl" (see TableDefinition). No secondary index is needed: every access
// of the triggers is a GetItem, or a Query of one partition.
//
//	record       pk                     sk                    other attributes
//	tenant       TENANT#{tenantId}      TENANT                tenantId name organisation status tier
//	membership   USER#{userName}        MEMBER#{tenantId}     userName tenantId role permissions invitationId createdAt
//	invitation   INVITE#{invitationId}  INVITE                invitationId tenantId role invitedEmail createdAt expiresAt usedBy usedAt ttl
//	client       CLIENT#{clientId}      CLIENT                clientId tenantId role
//	link audit   LINK#{providerName}    IDENTITY#{subject}    providerName providerUserId userPoolId destinationUser linkedAt
//
// Every item also has "type" (tenant, membership, invitation, client,
// link). Times are numbers of Unix seconds; permissions is a list of
// strings. invitationId is the SHA-256 of the invitation token
// (tenancy.InvitationID): the token itself is never stored.
//
// # Conditional writes
//
// Correctness rests on single-item conditional writes, which DynamoDB
// applies atomically (transactions are not used):
//
//   - CreateInvitation: PutItem if attribute_not_exists(pk).
//   - ClaimInvitation: one UpdateItem
//     SET usedBy = :user, usedAt = if_not_exists(usedAt, :now)
//     if attribute_exists(pk) AND expiresAt > :now AND invitedEmail = :email
//     AND (attribute_not_exists(usedBy) OR usedBy = :user).
//     Of many concurrent claims by different users exactly one passes;
//     after a failed condition one consistent GetItem tells why.
//   - ReleaseInvitation: UpdateItem REMOVE usedBy, usedAt if usedBy = :user.
//   - RecordLink: PutItem if attribute_not_exists(pk), so that the first
//     audit record of an identity is kept.
//
// Tenants, memberships and clients are plain puts (last writer wins): they
// are written by administrators, and a membership put is idempotent.
//
// # Expiry
//
// "ttl" is expiresAt plus a retention (WithInvitationRetention, default
// 30 days), so that an expired invitation is still found, and refused as
// expired rather than as unknown, for a while; DynamoDB then deletes it.
// DynamoDB deletes expired items late (often days), so expiry is always
// checked on read and in the claim's condition, never left to TTL.
//
// Reads are strongly consistent, because a post-confirmation trigger
// reads the membership that pre sign-up wrote a moment before. Token
// generation reads through a tenancy.Cache, so this costs little.
package dynamostore
