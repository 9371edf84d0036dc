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
}

// LoadCommon reads the settings of every function. The secrets named in
// Secrets Manager (COGNITRIG_MASTER_KEY_SECRET_ARN and the others of
// SecretVariables) are read by WithSecrets.
func LoadCommon(lookup func(string) (string, bool)) (Common, error) {
	e := newReader(lookup)
	c := Common{LogLevel: e.Level(EnvLogLevel, slog.LevelInfo)}
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
