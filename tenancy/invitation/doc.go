// Package invitation lets people join a tenant by invitation only, with
// two trigger handlers.
//
// PreSignUp reads the invitation token from the sign-up's validationData
// or clientMetadata, checks it (known, unexpired, sent to the address the
// user signs up with, its tenant active, not bound to an earlier user), and
// claims the invitation for the user name with one conditional write
// (tenancy.Store.ClaimInvitation): of many concurrent sign-ups with one
// invitation exactly one succeeds, and the others are refused with a
// message that says the invitation is used. It then confirms the user and
// verifies the email address, since holding the token that was sent to
// that address proves it. Without a valid invitation it confirms and
// verifies nothing. A sign-up that supplies its own tenant attribute is
// refused: the tenant comes from the invitation only. With
// RequireInvitation, federated sign-ups (PreSignUp_ExternalProvider), which
// cannot carry a token, are refused too, unless federation.Linker links the
// identity to an existing user first.
//
// # Memberships belong to the sub
//
// Memberships are keyed by the user's sub, which Cognito never reuses; a
// user name is freed when its user is deleted, and whoever signs up under
// it next must not inherit a tenant. The pre sign-up event has no sub (the
// user does not exist yet), so PostConfirmation, whose event has it, binds
// the newest claim the user name holds to the sub (Store.BindInvitation:
// once, for the invited and verified address only), records the
// membership under the sub, sets the tenant attribute (custom:tenantId)
// and adds the user to the tenant's group through the Cognito admin API.
// A newcomer with a reused name finds the earlier user's claim bound to
// another sub and gets nothing.
//
// # Crash behaviour
//
// The claim is the decisive write of pre sign-up. If the function times
// out after it, Cognito retries the same event: the claim succeeds again
// for the same user name (a claim by the holder is allowed). If every
// attempt fails, the invitation stays claimed by a user name that was never
// created; an administrator issues a new one (or the same name signs up
// again with it). Post confirmation's writes (binding to the same sub, the
// membership put, the attribute and group calls) are idempotent, so a
// failure there fails the confirmation and Cognito's retry completes it.
package invitation
