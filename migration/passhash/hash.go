package passhash

import (
	"crypto/pbkdf2"
	"crypto/sha256"
	"fmt"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
	"golang.org/x/crypto/scrypt"
)

// Default cost parameters of Hash, and of the benchmarks in BENCHMARKS.md.
const (
	// DefaultBcryptCost is bcrypt.DefaultCost.
	DefaultBcryptCost = bcrypt.DefaultCost
	// Argon2id: RFC 9106's second recommended option (t=3, 64 MiB, p=4).
	DefaultArgon2Time      = 3
	DefaultArgon2MemoryKiB = 64 * 1024
	DefaultArgon2Threads   = 4
	// scrypt: N=2^15, r=8, p=1, as golang.org/x/crypto/scrypt recommends.
	DefaultScryptLogN = 15
	DefaultScryptR    = 8
	DefaultScryptP    = 1
	// PBKDF2-HMAC-SHA256: 600,000 iterations, OWASP's 2023 figure.
	DefaultPBKDF2Iterations = 600_000
)

// Params are the cost parameters of Hash. Zero fields take the defaults
// above; only the fields of the chosen algorithm are read.
type Params struct {
	BcryptCost int

	Argon2Time      uint32
	Argon2MemoryKiB uint32
	Argon2Threads   uint8

	ScryptLogN, ScryptR, ScryptP int

	PBKDF2Iterations int

	// KeyLen is the length in bytes of the derived key of argon2id, scrypt
	// and PBKDF2 (bcrypt's is fixed); default 32.
	KeyLen int
}

const (
	saltLen = 16
	keyLen  = 32
)

// Hash hashes password with alg and a fresh random salt, in the format this
// package verifies (passlib's for scrypt and PBKDF2). It exists to seed test
// fixtures and in-memory sources; a migration only ever verifies.
func Hash(alg Algorithm, password string, p Params) (string, error) {
	switch alg {
	case Bcrypt:
		cost := p.BcryptCost
		if cost == 0 {
			cost = DefaultBcryptCost
		}
		b, err := bcrypt.GenerateFromPassword([]byte(password), cost)
		if err != nil {
			return "", fmt.Errorf("passhash: bcrypt: %w", err)
		}
		return string(b), nil
	case Argon2id:
		t, m, th := orDefault(p.Argon2Time, DefaultArgon2Time), orDefault(p.Argon2MemoryKiB, DefaultArgon2MemoryKiB), orDefault(p.Argon2Threads, DefaultArgon2Threads)
		s := salt(saltLen)
		k := argon2.IDKey([]byte(password), s, t, m, th, uint32(orDefault(p.KeyLen, keyLen)))
		return fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s", m, t, th, encodeB64(s), encodeB64(k)), nil
	case Scrypt:
		ln, r, pp := orDefault(p.ScryptLogN, DefaultScryptLogN), orDefault(p.ScryptR, DefaultScryptR), orDefault(p.ScryptP, DefaultScryptP)
		s := salt(saltLen)
		k, err := scrypt.Key([]byte(password), s, 1<<ln, r, pp, orDefault(p.KeyLen, keyLen))
		if err != nil {
			return "", fmt.Errorf("passhash: scrypt: %w", err)
		}
		return fmt.Sprintf("$scrypt$ln=%d,r=%d,p=%d$%s$%s", ln, r, pp, encodeB64(s), encodeB64(k)), nil
	case PBKDF2SHA256:
		iter := orDefault(p.PBKDF2Iterations, DefaultPBKDF2Iterations)
		s := salt(saltLen)
		k, err := pbkdf2.Key(sha256.New, password, s, iter, orDefault(p.KeyLen, keyLen))
		if err != nil {
			return "", fmt.Errorf("passhash: pbkdf2: %w", err)
		}
		return fmt.Sprintf("$pbkdf2-sha256$%d$%s$%s", iter, encodeB64(s), encodeB64(k)), nil
	}
	return "", fmt.Errorf("passhash: unknown algorithm %q; use one of %v", alg, Algorithms())
}

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// Like returns a hash of a random password made with the algorithm and the
// cost parameters of the stored hash encoded: bcrypt's cost; argon2id's
// memory, passes, lanes and key length; scrypt's N, r, p and key length;
// PBKDF2's iterations and key length. Verifying any password against it
// takes as long as against encoded, and no password matches it (the random
// password is never kept): it is the stand-in a legacy source verifies for
// an unknown user, so that an unknown name answers as slowly as a wrong
// password. It costs one hash computation, and fails as Verify would for a
// stored hash that is unknown, malformed or above the limits.
func Like(encoded string) (string, error) {
	alg, err := Identify(encoded)
	if err != nil {
		return "", err
	}
	var p Params
	switch alg {
	case Bcrypt:
		cost, err := bcrypt.Cost([]byte(encoded))
		if err != nil {
			return "", malformed(Bcrypt, "not a bcrypt hash of 60 characters with a two-digit cost")
		}
		if cost > MaxBcryptCost {
			return "", tooCostly(Bcrypt, "cost", cost, MaxBcryptCost)
		}
		p.BcryptCost = cost
	case Argon2id:
		a, err := parseArgon2id(encoded)
		if err != nil {
			return "", err
		}
		p.Argon2MemoryKiB, p.Argon2Time, p.Argon2Threads, p.KeyLen = uint32(a.m), uint32(a.t), uint8(a.p), len(a.want)
	case Scrypt:
		sp, err := parseScrypt(encoded)
		if err != nil {
			return "", err
		}
		p.ScryptLogN, p.ScryptR, p.ScryptP, p.KeyLen = sp.ln, sp.r, sp.p, len(sp.want)
	default:
		iter, _, want, err := parsePBKDF2(encoded)
		if err != nil {
			return "", err
		}
		p.PBKDF2Iterations, p.KeyLen = iter, len(want)
	}
	return Hash(alg, encodeB64(salt(24)), p)
}

// Cost describes the algorithm and cost parameters of a stored hash, for
// logs and tests: "bcrypt cost=12", "argon2id m=65536,t=3,p=4,len=32",
// "scrypt ln=15,r=8,p=1,len=32", "pbkdf2-sha256 i=600000,len=32". It
// never includes the salt or the hash.
func Cost(encoded string) (string, error) {
	alg, err := Identify(encoded)
	if err != nil {
		return "", err
	}
	switch alg {
	case Bcrypt:
		cost, err := bcrypt.Cost([]byte(encoded))
		if err != nil {
			return "", malformed(Bcrypt, "not a bcrypt hash of 60 characters with a two-digit cost")
		}
		return fmt.Sprintf("bcrypt cost=%d", cost), nil
	case Argon2id:
		a, err := parseArgon2id(encoded)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("argon2id m=%d,t=%d,p=%d,len=%d", a.m, a.t, a.p, len(a.want)), nil
	case Scrypt:
		sp, err := parseScrypt(encoded)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("scrypt ln=%d,r=%d,p=%d,len=%d", sp.ln, sp.r, sp.p, len(sp.want)), nil
	default:
		iter, _, want, err := parsePBKDF2(encoded)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("pbkdf2-sha256 i=%d,len=%d", iter, len(want)), nil
	}
}
