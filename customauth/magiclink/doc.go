// Package magiclink is a customauth challenge that emails a sign-in link.
//
// A link is <page>#<token>, where the page is one of Config.Pages: exact
// URLs (scheme, host, path) from the configuration, which the client
// chooses among by key (clientMetadata "page"); nothing the client sends
// reaches the email, and the link is the only web address in it. The token is
// base64url(claims) "." base64url(signature): the claims bind it to the
// user pool, the app client, the user (sub) and the challenge, and carry
// its expiry and the nonce of its record; the signature is HMAC-SHA-256
// (HMACSigner) or any Signer, such as one backed by a KMS key. The page is
// in the fragment, so it stays out of server logs; the app reads it and
// answers the challenge with it.
//
// Package kmssigner provides a KMS Signer: it signs with an AWS KMS
// HMAC_256 key through GenerateMac and VerifyMac, so the key never enters
// the function (one KMS request per link sent and one per link checked).
//
// Single use: each (user pool, user, challenge) has one live record in a
// records.Store (DynamoDB in deployment) holding the nonce. Verify consumes
// the record with a conditional delete, which succeeds once; a replayed
// link finds no record and is a wrong answer, and so is a link whose record
// was replaced. The same record makes Create idempotent: Cognito's retries
// find it and do not send a second email (a conditional update of the send
// time; the email is sent again, with the same link, only after
// ResendAfter).
//
// Links usually outlive Cognito's session (3 to 15 minutes), so the app
// signs in again when the user opens the link and sets clientMetadata
// {"alreadyHaveMagicLink": "yes"}: Create then sends nothing, and the link
// answers the new session's challenge. A page key that is not configured
// is refused before the user is looked at, so the refusal reveals nothing
// about the user. A user that does not exist, or has no verified email,
// gets the same parameters after the same work (a decoy record, a
// signature, a send's time) and no email.
//
// A forged, tampered, expired, replayed or foreign link is a wrong answer,
// never an error or a panic; only a Signer or Store failure is an error.
package magiclink
