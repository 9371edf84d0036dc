// Package kmssigner signs magic links with an AWS KMS HMAC key, so that
// the signing key never enters the function.
//
// magiclink.HMACSigner holds its key in the function's memory, so anyone
// who reads the function's configuration or secrets can forge sign-in
// links. A Signer instead asks KMS to compute and check the MAC: Sign calls
// GenerateMac and Verify calls VerifyMac, both with MacAlgorithm
// HMAC_SHA_256, and the key material never leaves KMS.
//
// The key: a symmetric KMS key with key spec HMAC_256 and key usage
// GENERATE_VERIFY_MAC. The function's role needs kms:GenerateMac and
// kms:VerifyMac on that key (in its key policy or an IAM policy), nothing
// else. If the key is named by an alias, repointing the alias invalidates
// the links already sent.
//
// Cost and latency: one KMS request per link sent (GenerateMac) and one per
// link checked (VerifyMac), each a network round trip inside the trigger's
// 5-second budget and billed as a KMS request. Verify answers a malformed
// MAC (not 32 bytes) or a message Sign would not sign (empty or over 4096
// bytes) with false and no request, so junk answers cost nothing.
//
// A wrong MAC is (false, nil): KMS reports it as KMSInvalidMacException,
// which Verify translates. Any other failure (access denied, disabled or
// missing key, throttling, network) is an error that wraps the SDK's error
// and names the operation and the key; no error carries the message or the
// MAC, which are link tokens.
package kmssigner
