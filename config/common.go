package config

import (
	"crypto/hkdf"
	"crypto/sha256"
	"log/slog"

	"github.com/cognitrig/cognitrig/triggers"
)

// Common are the settings of every function.
type Common struct {
	// LogLevel is COGNITRIG_LOG_LEVEL: debug, info (default), warn or error.
	LogLevel slog.Level
	// MasterKeySecretARN is COGNITRIG_MASTER_KEY_SECRET_ARN: the Secrets
	// Manager secret (ARN or name) whose value is the master key. The
	// shipped functions read it once at start-up and serve it as
	// COGNITRIG_MASTER_KEY; a team's own main that uses it reads the secret
	// itself and passes the value in its lookup.
	MasterKeySecretARN string
}

// LoadCommon reads the settings of every function. COGNITRIG_MASTER_KEY and
// COGNITRIG_MASTER_KEY_SECRET_ARN together are an error: keep one.
func LoadCommon(lookup func(string) (string, bool)) (Common, error) {
	e := newReader(lookup)
	c := Common{
		LogLevel:           e.Level(EnvLogLevel, slog.LevelInfo),
		MasterKeySecretARN: e.String(EnvMasterKeySecret, ""),
	}
	if c.MasterKeySecretARN != "" {
		if _, set := e.lookup(EnvMasterKey); set {
			e.fail(EnvMasterKeySecret, "is set, and so is %s: keep only one (the secret)", EnvMasterKey)
		}
	}
	return c, e.err()
}

// MinKeyBytes is the least length of the master key and of the legacy name
// key, in bytes (before base64).
const MinKeyBytes = 32

// DeriveKey returns a 32-byte key for purpose from the master key
// (HKDF-SHA-256 with the info "cognitrig " + purpose), so that a deployment
// holds one secret instead of one per use. It returns nil when master is
// empty. The shipped functions derive "otp", "magiclink" and
// "secquestion decoy".
func DeriveKey(master triggers.Secret, purpose string) []byte {
	if master.IsZero() {
		return nil
	}
	key, err := hkdf.Key(sha256.New, []byte(master.Reveal()), nil, "cognitrig "+purpose, 32)
	if err != nil {
		return nil
	}
	return key
}
