package secquestion

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"

	"github.com/cognitrig/cognitrig/triggers"
)

// Params are the argon2id costs of an answer hash. They are stored in the
// hash, so raising them later leaves existing hashes valid.
type Params struct {
	Time    uint32 // passes
	Memory  uint32 // KiB
	Threads uint8
	SaltLen uint32 // bytes
	KeyLen  uint32 // bytes
}

// DefaultParams are OWASP's minimum argon2id settings (19 MiB, 2 passes,
// one thread): about 30-60 ms in a 512 MB Lambda function, well within the
// trigger's 5-second budget.
func DefaultParams() Params {
	return Params{Time: 2, Memory: 19 * 1024, Threads: 1, SaltLen: 16, KeyLen: 32}
}

// Limits on the costs that Check accepts from a stored hash, so that a
// corrupt or hostile record cannot make a trigger run out of memory or time.
const (
	maxTime   = 10
	maxMemory = 256 * 1024 // KiB
)

func (p Params) check() error {
	switch {
	case p.Time < 1 || p.Time > maxTime:
		return fmt.Errorf("argon2id time %d is outside 1..%d", p.Time, maxTime)
	case p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemory:
		return fmt.Errorf("argon2id memory %d KiB is outside %d..%d", p.Memory, 8*uint32(p.Threads), maxMemory)
	case p.Threads < 1:
		return errors.New("argon2id needs at least one thread")
	case p.SaltLen < 8 || p.SaltLen > 64:
		return fmt.Errorf("salt length %d is outside 8..64", p.SaltLen)
	case p.KeyLen < 16 || p.KeyLen > 64:
		return fmt.Errorf("key length %d is outside 16..64", p.KeyLen)
	}
	return nil
}

// Normalize puts an answer in the form that is hashed: spaces trimmed and
// collapsed to one, letters case-folded (upper-casing then lower-casing, so
// that for instance the Greek final sigma matches sigma). Unicode NFKC
// normalisation is not applied: the standard library has none, and the
// project takes no dependency for it, so a composed "é" and an "e" with a
// combining accent differ.
func Normalize(answer string) string {
	return strings.Join(strings.Fields(strings.ToLower(strings.ToUpper(answer))), " ")
}

// ErrMalformedHash is wrapped by errors about hashes that are not
// PHC-encoded argon2id hashes within the accepted costs.
var ErrMalformedHash = errors.New("secquestion: malformed answer hash")

// Hash normalises answer and returns its salted argon2id hash in the PHC
// string format: $argon2id$v=19$m=19456,t=2,p=1$salt$hash.
func Hash(answer triggers.Secret, p Params) (string, error) {
	if err := p.check(); err != nil {
		return "", fmt.Errorf("secquestion: %w", err)
	}
	norm := Normalize(answer.Reveal())
	if norm == "" {
		return "", errors.New("secquestion: the answer is empty")
	}
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("secquestion: read salt: %w", err)
	}
	key := argon2.IDKey([]byte(norm), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// Check reports whether answer, normalised, matches the hash. The
// comparison is constant-time. A malformed hash is an error wrapping
// ErrMalformedHash, never a match.
func Check(answer triggers.Secret, encoded string) (bool, error) {
	p, salt, key, err := decodeHash(encoded)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(Normalize(answer.Reveal())), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

// decodeHash parses a PHC argon2id string.
func decodeHash(encoded string) (Params, []byte, []byte, error) {
	var p Params
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, fmt.Errorf("%w: not a $argon2id$ PHC string", ErrMalformedHash)
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return p, nil, nil, fmt.Errorf("%w: version is not v=%d", ErrMalformedHash, argon2.Version)
	}
	var threads uint32
	if n, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &threads); err != nil || n != 3 || threads > 255 {
		return p, nil, nil, fmt.Errorf("%w: bad parameters", ErrMalformedHash)
	}
	p.Threads = uint8(threads)
	salt, err := base64.RawStdEncoding.Strict().DecodeString(parts[4])
	if err != nil {
		return p, nil, nil, fmt.Errorf("%w: salt is not base64", ErrMalformedHash)
	}
	key, err := base64.RawStdEncoding.Strict().DecodeString(parts[5])
	if err != nil {
		return p, nil, nil, fmt.Errorf("%w: hash is not base64", ErrMalformedHash)
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	if err := p.check(); err != nil {
		return p, nil, nil, fmt.Errorf("%w: %v", ErrMalformedHash, err)
	}
	return p, salt, key, nil
}
