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
//	membership   SUB#{sub}              MEMBER#{tenantId}     sub userName tenantId role permissions invitationId createdAt
//	invitation   INVITE#{invitationId}  INVITE                invitationId tenantId role invitedEmail createdAt expiresAt usedBy usedAt boundSub ttl
//	claim        CLAIM#{userName}       INVITE#{invitationId} invitationId userName claimedAt ttl
//	client       CLIENT#{clientId}      CLIENT                clientId tenantId role
//	link audit   LINK#{providerName}    IDENTITY#{subject}    providerName providerUserId userPoolId destinationUser linkedAt
//
// Every item also has "type" (tenant, membership, invitation, claim,
// client, link). Memberships are keyed by the user's sub, never by the
// user name, which Cognito frees when a user is deleted: a new user with
// an old name finds nothing under it. (Memberships that earlier versions
// wrote under USER#{userName} are not read; rewrite them under the sub.)
// A claim record ties a user name to an invitation claimed at pre sign-up,
// when the sub does not exist yet; post confirmation finds it and binds
// the invitation to the sub (boundSub) before it writes the membership. Times are numbers of Unix seconds; permissions is a list of
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
//   - ClaimInvitation first puts the claim record (if
//     attribute_not_exists(pk); a repeat keeps the first).
//   - BindInvitation: UpdateItem SET boundSub = :sub if usedBy = :user AND
//     invitedEmail = :email AND (attribute_not_exists(boundSub) OR
//     boundSub = :sub).
//   - ReleaseInvitation: UpdateItem REMOVE usedBy, usedAt if usedBy = :user
//     AND attribute_not_exists(boundSub).
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
