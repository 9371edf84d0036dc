// Package passhash verifies the password hashes that legacy user stores
// hold, so that a migration trigger can check a password without the legacy
// system. The algorithm and its parameters are read from the stored string;
// derived keys are compared in constant time.
//
// # Accepted formats
//
// bcrypt, as written by OpenBSD, PHP password_hash, Spring Security and
// most others:
//
//	$2a$10$<22-char salt><31-char hash>     (also $2b$ and $2y$)
//
// Argon2id in the PHC string format (libargon2, argon2-cffi, passlib,
// PHP password_hash with PASSWORD_ARGON2ID); only version 19:
//
//	$argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>
//
// scrypt in passlib's format, N given as its base-2 logarithm:
//
//	$scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt>$<hash>
//
// PBKDF2 with HMAC-SHA256, in four spellings:
//
//	$pbkdf2-sha256$<iterations>$<salt>$<hash>        passlib
//	$pbkdf2-sha256$i=<iterations>[,l=<len>]$<salt>$<hash>  PHC style
//	pbkdf2_sha256$<iterations>$<salt>$<hash>         Django (salt used as text)
//	pbkdf2:sha256:<iterations>$<salt>$<hex hash>     Werkzeug/Flask (salt used as text)
//
// Unless noted, salt and hash are base64, padded or not, in the standard
// alphabet or passlib's "adapted" one ('.' for '+'). The derived key is as
// long as the stored hash.
//
// # Limits
//
// A stored hash chooses its own cost, so a corrupt or hostile record could
// ask for gigabytes of memory or minutes of CPU. Verify refuses parameters
// above MaxBcryptCost, MaxArgon2MemoryKiB, MaxArgon2Time, MaxScryptLogN,
// MaxPBKDF2Iterations and friends, with an error that says which.
//
// Errors never quote the stored hash or the password.
package passhash
