// Package invitation lets people join a tenant by invitation only, with
// two trigger handlers.
//
// PreSignUp reads the invitation token from the sign-up's validationData
// or clientMetadata, checks it (known, unexpired, sent to the address the
// user signs up with, its tenant active), and binds the invitation to the
// new user with one conditional write (tenancy.Store.ClaimInvitation): of
// many concurrent sign-ups with one invitation exactly one succeeds, and
// the others are refused with a message that says the invitation is used.
// It then records the membership, and confirms the user and verifies the
// email address, since holding the token that was sent to that address
// proves it. Without a valid invitation it confirms and verifies nothing.
// A sign-up that supplies its own tenant attribute is refused: the tenant
// comes from the invitation only.
//
// A pre sign-up trigger cannot set user attributes, so the tenant travels
// in the membership record; PostConfirmation then sets the tenant
// attribute (custom:tenantId) and adds the user to the tenant's group
// through the Cognito admin API. Both calls are idempotent, so Cognito's
// retries are harmless.
//
// # Crash behaviour
//
// The claim is the decisive write; the membership put that follows is
// idempotent. If the put fails, PreSignUp releases the claim and fails the
// sign-up, so the person can sign up again with the same invitation. If
// the function times out between the two writes, Cognito retries the same
// event: the claim succeeds again for the same user name (a claim by the
// holder is allowed) and the put is repeated. Only if every attempt dies
// there does the invitation stay bound to a user that was never created;
// an administrator then issues a new one. If post-confirmation fails, the user still resolves to the tenant
// through the membership record (tenancy.FromMemberships), and the next
// retry completes the attribute and group.
package invitation
