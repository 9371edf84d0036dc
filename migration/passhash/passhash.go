package passhash

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
	"golang.org/x/crypto/scrypt"
)

// Algorithm names a password hashing scheme.
type Algorithm string

// Supported algorithms.
const (
	Bcrypt       Algorithm = "bcrypt"
	Argon2id     Algorithm = "argon2id"
	Scrypt       Algorithm = "scrypt"
	PBKDF2SHA256 Algorithm = "pbkdf2-sha256"
)

// Algorithms lists the supported algorithms.
func Algorithms() []Algorithm { return []Algorithm{Bcrypt, Argon2id, Scrypt, PBKDF2SHA256} }

// Limits on the parameters of a stored hash that Verify accepts.
const (
	MaxBcryptCost       = 14      // about a second per check
	MaxArgon2MemoryKiB  = 1 << 20 // 1 GiB
	MaxArgon2Time       = 16
	MaxArgon2Threads    = 64
	MaxScryptLogN       = 20 // N = 1,048,576: 1 GiB with r = 8
	MaxScryptR          = 32
	MaxScryptP          = 16
	MaxPBKDF2Iterations = 5_000_000
	maxKeyLen           = 512
)

var (
	// ErrMismatch is returned by Verify when the password does not match.
	ErrMismatch = errors.New("passhash: password does not match the stored hash")
	// ErrUnknownFormat is returned for a stored string in none of the
	// accepted formats (see the package documentation).
	ErrUnknownFormat = errors.New("passhash: stored hash is in no format this package knows (bcrypt $2a$/$2b$/$2y$, $argon2id$, $scrypt$, $pbkdf2-sha256$, pbkdf2_sha256$, pbkdf2:sha256:)")
	// ErrMalformed is wrapped by the errors for a stored hash that names a
	// known algorithm but cannot be parsed.
	ErrMalformed = errors.New("passhash: malformed stored hash")
	// ErrTooCostly is wrapped by the errors for parameters above the limits.
	ErrTooCostly = errors.New("passhash: stored hash asks for more work than the limits allow")
)

// malformed describes what is wrong with a stored hash without quoting it.
func malformed(alg Algorithm, what string) error {
	return fmt.Errorf("%w: %s: %s", ErrMalformed, alg, what)
}

func tooCostly(alg Algorithm, what string, got, limit int) error {
	return fmt.Errorf("%w: %s %s is %d, the limit is %d", ErrTooCostly, alg, what, got, limit)
}

// Identify returns the algorithm of a stored hash, or ErrUnknownFormat.
func Identify(encoded string) (Algorithm, error) {
	switch {
	case strings.HasPrefix(encoded, "$2a$"), strings.HasPrefix(encoded, "$2b$"), strings.HasPrefix(encoded, "$2y$"):
		return Bcrypt, nil
	case strings.HasPrefix(encoded, "$argon2id$"):
		return Argon2id, nil
	case strings.HasPrefix(encoded, "$scrypt$"):
		return Scrypt, nil
	case strings.HasPrefix(encoded, "$pbkdf2-sha256$"), strings.HasPrefix(encoded, "pbkdf2_sha256$"), strings.HasPrefix(encoded, "pbkdf2:sha256:"):
		return PBKDF2SHA256, nil
	}
	return "", ErrUnknownFormat
}

// Verify checks password against a stored hash. It returns nil when they
// match, ErrMismatch when they do not, and another error when the stored
// hash cannot be used: ErrUnknownFormat, or an error wrapping ErrMalformed
// or ErrTooCostly.
func Verify(encoded, password string) error {
	alg, err := Identify(encoded)
	if err != nil {
		return err
	}
	switch alg {
	case Bcrypt:
		return verifyBcrypt(encoded, password)
	case Argon2id:
		return verifyArgon2id(encoded, password)
	case Scrypt:
		return verifyScrypt(encoded, password)
	default:
		return verifyPBKDF2(encoded, password)
	}
}

// Check validates a stored hash without a password: its format and its
// parameters against the limits. Use it when loading legacy records, so that
// a bad record shows before a user signs in.
func Check(encoded string) error {
	// A wrong password against a good hash gives ErrMismatch; any other
	// error is about the stored string. Check costs one verification.
	if err := Verify(encoded, "\x00passhash-check\x00"); err != nil && !errors.Is(err, ErrMismatch) {
		return err
	}
	return nil
}

func equal(a, b []byte) error {
	if subtle.ConstantTimeCompare(a, b) == 1 {
		return nil
	}
	return ErrMismatch
}

// ---- bcrypt ----

// verifyBcrypt reads at most 72 bytes of the password, as bcrypt always
// has: legacy systems (PHP, OpenBSD) truncate the same way, so a password
// they accepted is accepted here.
func verifyBcrypt(encoded, password string) error {
	cost, err := bcrypt.Cost([]byte(encoded))
	if err != nil {
		return malformed(Bcrypt, "not a bcrypt hash of 60 characters with a two-digit cost")
	}
	if cost > MaxBcryptCost {
		return tooCostly(Bcrypt, "cost", cost, MaxBcryptCost)
	}
	switch err := bcrypt.CompareHashAndPassword([]byte(encoded), []byte(password)); {
	case err == nil:
		return nil
	case errors.Is(err, bcrypt.ErrMismatchedHashAndPassword):
		return ErrMismatch
	default:
		return malformed(Bcrypt, "unreadable salt or hash")
	}
}

// ---- argon2id ----

type argon2Params struct {
	m, t, p    int
	salt, want []byte
}

func verifyArgon2id(encoded, password string) error {
	a, err := parseArgon2id(encoded)
	if err != nil {
		return err
	}
	got := argon2.IDKey([]byte(password), a.salt, uint32(a.t), uint32(a.m), uint8(a.p), uint32(len(a.want)))
	return equal(got, a.want)
}

func parseArgon2id(encoded string) (argon2Params, error) {
	// $argon2id$v=19$m=65536,t=3,p=4$salt$hash
	var a argon2Params
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 {
		return a, malformed(Argon2id, "want $argon2id$v=19$m=..,t=..,p=..$salt$hash")
	}
	if parts[2] != "v=19" {
		return a, malformed(Argon2id, "only version 19 (v=19) is supported")
	}
	params, err := parseParams(parts[3], "m", "t", "p")
	if err != nil {
		return a, malformed(Argon2id, err.Error())
	}
	a.m, a.t, a.p = params["m"], params["t"], params["p"]
	switch {
	case a.m > MaxArgon2MemoryKiB:
		return a, tooCostly(Argon2id, "memory (KiB)", a.m, MaxArgon2MemoryKiB)
	case a.t > MaxArgon2Time:
		return a, tooCostly(Argon2id, "time", a.t, MaxArgon2Time)
	case a.p > MaxArgon2Threads:
		return a, tooCostly(Argon2id, "parallelism", a.p, MaxArgon2Threads)
	case a.m < 8*a.p || a.t < 1 || a.p < 1:
		return a, malformed(Argon2id, "parameters out of range (t >= 1, p >= 1, m >= 8*p)")
	}
	if a.salt, err = decodeB64(parts[4]); err != nil || len(a.salt) == 0 {
		return a, malformed(Argon2id, "salt is not base64")
	}
	if a.want, err = decodeB64(parts[5]); err != nil || len(a.want) < 4 || len(a.want) > maxKeyLen {
		return a, malformed(Argon2id, "hash is not base64 of 4 to 512 bytes")
	}
	return a, nil
}

// ---- scrypt ----

type scryptParams struct {
	ln, r, p   int
	salt, want []byte
}

func verifyScrypt(encoded, password string) error {
	sp, err := parseScrypt(encoded)
	if err != nil {
		return err
	}
	got, err := scrypt.Key([]byte(password), sp.salt, 1<<sp.ln, sp.r, sp.p, len(sp.want))
	if err != nil {
		return malformed(Scrypt, "parameters rejected by scrypt")
	}
	return equal(got, sp.want)
}

func parseScrypt(encoded string) (scryptParams, error) {
	// $scrypt$ln=15,r=8,p=1$salt$hash
	var sp scryptParams
	parts := strings.Split(encoded, "$")
	if len(parts) != 5 {
		return sp, malformed(Scrypt, "want $scrypt$ln=..,r=..,p=..$salt$hash")
	}
	params, err := parseParams(parts[2], "ln", "r", "p")
	if err != nil {
		return sp, malformed(Scrypt, err.Error())
	}
	sp.ln, sp.r, sp.p = params["ln"], params["r"], params["p"]
	switch {
	case sp.ln > MaxScryptLogN:
		return sp, tooCostly(Scrypt, "ln", sp.ln, MaxScryptLogN)
	case sp.r > MaxScryptR:
		return sp, tooCostly(Scrypt, "r", sp.r, MaxScryptR)
	case sp.p > MaxScryptP:
		return sp, tooCostly(Scrypt, "p", sp.p, MaxScryptP)
	case sp.ln < 1 || sp.r < 1 || sp.p < 1:
		return sp, malformed(Scrypt, "parameters out of range (ln, r, p >= 1)")
	}
	if sp.salt, err = decodeB64(parts[3]); err != nil || len(sp.salt) == 0 {
		return sp, malformed(Scrypt, "salt is not base64")
	}
	if sp.want, err = decodeB64(parts[4]); err != nil || len(sp.want) < 4 || len(sp.want) > maxKeyLen {
		return sp, malformed(Scrypt, "hash is not base64 of 4 to 512 bytes")
	}
	return sp, nil
}

// ---- PBKDF2-SHA256 ----

func verifyPBKDF2(encoded, password string) error {
	iter, salt, want, err := parsePBKDF2(encoded)
	if err != nil {
		return err
	}
	got, err := pbkdf2.Key(sha256.New, password, salt, iter, len(want))
	if err != nil {
		return malformed(PBKDF2SHA256, "parameters rejected by PBKDF2")
	}
	return equal(got, want)
}

// parsePBKDF2 reads the iteration count, salt and derived key of any of
// the PBKDF2 spellings, within the limits.
func parsePBKDF2(encoded string) (iter int, salt, want []byte, err error) {
	var iterText string
	fail := func(what string) (int, []byte, []byte, error) { return 0, nil, nil, malformed(PBKDF2SHA256, what) }
	switch {
	case strings.HasPrefix(encoded, "$pbkdf2-sha256$"):
		// passlib: $pbkdf2-sha256$29000$salt$hash; PHC: $pbkdf2-sha256$i=29000,l=32$salt$hash
		parts := strings.Split(encoded, "$")
		if len(parts) != 5 {
			return fail("want $pbkdf2-sha256$<iterations>$salt$hash")
		}
		iterText = parts[2]
		if strings.HasPrefix(iterText, "i=") {
			params, perr := parseParams(iterText, "i")
			if perr != nil {
				return fail(perr.Error())
			}
			iterText = strconv.Itoa(params["i"])
		}
		if salt, err = decodeB64(parts[3]); err != nil {
			return fail("salt is not base64")
		}
		if want, err = decodeB64(parts[4]); err != nil {
			return fail("hash is not base64")
		}
	case strings.HasPrefix(encoded, "pbkdf2_sha256$"):
		// Django: pbkdf2_sha256$870000$salt$base64hash; the salt is text.
		parts := strings.Split(encoded, "$")
		if len(parts) != 4 {
			return fail("want pbkdf2_sha256$<iterations>$salt$hash")
		}
		iterText, salt = parts[1], []byte(parts[2])
		if want, err = decodeB64(parts[3]); err != nil {
			return fail("hash is not base64")
		}
	default:
		// Werkzeug: pbkdf2:sha256:600000$salt$hexhash; the salt is text.
		method, rest, _ := strings.Cut(strings.TrimPrefix(encoded, "pbkdf2:sha256"), "$")
		iterText = strings.TrimPrefix(method, ":")
		s, h, ok := strings.Cut(rest, "$")
		if !ok {
			return fail("want pbkdf2:sha256:<iterations>$salt$hexhash")
		}
		salt = []byte(s)
		if want, err = hex.DecodeString(h); err != nil {
			return fail("hash is not hexadecimal")
		}
	}
	iter, err = strconv.Atoi(iterText)
	if err != nil || iter < 1 {
		return fail("iteration count is not a positive number")
	}
	if iter > MaxPBKDF2Iterations {
		return 0, nil, nil, tooCostly(PBKDF2SHA256, "iterations", iter, MaxPBKDF2Iterations)
	}
	if len(salt) == 0 || len(want) < 4 || len(want) > maxKeyLen {
		return fail("empty salt, or hash not of 4 to 512 bytes")
	}
	return iter, salt, want, nil
}

// ---- helpers ----

// parseParams reads "k1=v1,k2=v2" with every key of want present once, in
// any order, and nothing else except PBKDF2's optional length "l".
func parseParams(s string, want ...string) (map[string]int, error) {
	out := make(map[string]int, len(want))
	for field := range strings.SplitSeq(s, ",") {
		k, v, ok := strings.Cut(field, "=")
		if !ok {
			return nil, fmt.Errorf("parameter list is not k=v,k=v")
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("parameter %q is not a non-negative number", k)
		}
		if _, dup := out[k]; dup {
			return nil, fmt.Errorf("parameter %q given twice", k)
		}
		out[k] = n
	}
	for _, k := range want {
		if _, ok := out[k]; !ok {
			return nil, fmt.Errorf("parameter %q is missing", k)
		}
	}
	for k := range out {
		if !slices.Contains(want, k) && k != "l" {
			return nil, fmt.Errorf("unknown parameter %q", k)
		}
	}
	return out, nil
}

// decodeB64 accepts standard base64 with or without padding, and passlib's
// adapted alphabet that writes '.' for '+'.
func decodeB64(s string) ([]byte, error) {
	s = strings.TrimRight(strings.ReplaceAll(s, ".", "+"), "=")
	return base64.RawStdEncoding.DecodeString(s)
}

func encodeB64(b []byte) string { return base64.RawStdEncoding.EncodeToString(b) }

func salt(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return b
}
