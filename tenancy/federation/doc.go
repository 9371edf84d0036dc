// Package federation links a federated identity (Google, an OIDC or SAML
// provider) to the existing user with the same verified email address,
// so that one person keeps one account, one tenant and one set of groups
// however they sign in.
//
// Linker.PreSignUp handles PreSignUp_ExternalProvider, the one moment
// when linking is possible: AdminLinkProviderForUser needs a provider
// identity that is not a user yet, and once Cognito has created the
// federated user (as it has by post authentication) its identity can only
// be linked after deleting that user. So linking cannot be done after
// authentication; this helper does it before sign-up.
//
// It links only when both addresses are verified: the provider's
// (email_verified, or a provider listed as trusted) and the existing
// user's; otherwise anyone who can create a provider account with a
// victim's address would take over the victim's account. It links to
// exactly one enabled, native (not federated) user; with none or several
// it lets Cognito create the federated user as usual.
//
// Linking is idempotent: an identity already in the user's "identities"
// attribute is not linked again, and the audit record
// (tenancy.Store.RecordLink) keeps the first link. Once linked, Cognito
// cannot complete this sign-up as a new user, so the handler refuses it
// with a message asking the user to sign in again; the next sign-in
// through the provider signs in as the existing user.
package federation
