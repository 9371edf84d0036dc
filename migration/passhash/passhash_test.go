package passhash_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/cognitrig/cognitrig/migration/passhash"
)

// Hashes written by other implementations, so that the formats are checked
// against the real thing and not only against this package's own Hash.
var vectors = []struct {
	name, encoded, password string
	alg                     passhash.Algorithm
}{
	// Laravel's UserFactory hash of "password" (PHP password_hash, $2y$).
	{"bcrypt-2y-php", "$2y$10$92IXUNpkjO0rOQ5byMi.Ye4oKoEa3Ro9llC/.og/at2.uheWG/igi", "password", passhash.Bcrypt},
	// The reference implementation's (phc-winner-argon2) argon2id example.
	{"argon2id-reference", "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc", "password", passhash.Argon2id},
	// The following were computed with Python's hashlib and formatted as
	// passlib, Django and Werkzeug write them.
	{"scrypt-passlib-ab64", "$scrypt$ln=10,r=8,p=1$....................AQ$ovBzUWcd6E/NYaQkSOc6tef0g67v.DwnU.cuwRoHX6M", "correct horse battery staple", passhash.Scrypt},
	{"pbkdf2-passlib", "$pbkdf2-sha256$1000$AQIDBAUGBwgJCgsMDQ4PEA$m33AcPJmtZT4BCk55kw6VMWgiuKxPOc9CEFW8cSB5g8", "correct horse battery staple", passhash.PBKDF2SHA256},
	{"pbkdf2-phc", "$pbkdf2-sha256$i=1000,l=32$AQIDBAUGBwgJCgsMDQ4PEA$m33AcPJmtZT4BCk55kw6VMWgiuKxPOc9CEFW8cSB5g8", "correct horse battery staple", passhash.PBKDF2SHA256},
	{"pbkdf2-django", "pbkdf2_sha256$1000$seasalt2024abc$jC0RJvse2FDulii6yQ1jxXRDmp+9P575dTH3wV0dyqQ=", "correct horse battery staple", passhash.PBKDF2SHA256},
	{"pbkdf2-werkzeug", "pbkdf2:sha256:1000$wzsalt$14f575a40ce15e38f7a9d5b80f5c0138728bd4250b3a2b3745cc8afe0b867c3b", "correct horse battery staple", passhash.PBKDF2SHA256},
}

func TestVectors(t *testing.T) {
	for _, v := range vectors {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			alg, err := passhash.Identify(v.encoded)
			if err != nil || alg != v.alg {
				t.Fatalf("Identify = %q, %v; want %q", alg, err, v.alg)
			}
			if err := passhash.Verify(v.encoded, v.password); err != nil {
				t.Fatalf("Verify(right password) = %v", err)
			}
			// bcrypt and argon2id cost about a second each under -race:
			// one wrong password is enough to show a mismatch.
			if err := passhash.Verify(v.encoded, v.password+"x"); !errors.Is(err, passhash.ErrMismatch) {
				t.Fatalf("Verify(wrong password) = %v, want ErrMismatch", err)
			}
		})
	}
}

// cheap are low costs that keep the round-trip tests fast; the benchmarks
// use the defaults.
var cheap = passhash.Params{BcryptCost: 4, Argon2Time: 1, Argon2MemoryKiB: 64, Argon2Threads: 1, ScryptLogN: 4, PBKDF2Iterations: 10}

func TestHashRoundTrip(t *testing.T) {
	for _, alg := range passhash.Algorithms() {
		t.Run(string(alg), func(t *testing.T) {
			const pw = "pw-SECRET-ünïcode 🔑"
			h1, err := passhash.Hash(alg, pw, cheap)
			if err != nil {
				t.Fatal(err)
			}
			h2, _ := passhash.Hash(alg, pw, cheap)
			if h1 == h2 {
				t.Fatal("two hashes of one password are equal: the salt is not random")
			}
			if got, _ := passhash.Identify(h1); got != alg {
				t.Fatalf("Identify(Hash(%s)) = %s", alg, got)
			}
			if err := passhash.Verify(h1, pw); err != nil {
				t.Fatalf("Verify = %v", err)
			}
			if err := passhash.Verify(h1, "pw-SECRET-unicode 🔑"); !errors.Is(err, passhash.ErrMismatch) {
				t.Fatalf("Verify(wrong) = %v", err)
			}
			if err := passhash.Check(h1); err != nil {
				t.Fatalf("Check(good hash) = %v", err)
			}
		})
	}
	if _, err := passhash.Hash("md5", "x", cheap); err == nil {
		t.Fatal("Hash(md5) succeeded")
	}
}

func TestBadStoredHashes(t *testing.T) {
	const pw = "pw-SECRET-guess"
	cases := []struct {
		name, encoded string
		want          error
	}{
		{"empty", "", passhash.ErrUnknownFormat},
		{"plain text", "hunter2", passhash.ErrUnknownFormat},
		{"md5crypt", "$1$saltsalt$2vnaRpHa6Jxjz5n83ok8Z0", passhash.ErrUnknownFormat},
		{"argon2i", "$argon2i$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc", passhash.ErrUnknownFormat},
		{"bcrypt short", "$2a$10$tooshort", passhash.ErrMalformed},
		{"bcrypt bad cost", "$2b$xx$92IXUNpkjO0rOQ5byMi.Ye4oKoEa3Ro9llC/.og/at2.uheWG/igi", passhash.ErrMalformed},
		{"bcrypt too costly", "$2b$20$92IXUNpkjO0rOQ5byMi.Ye4oKoEa3Ro9llC/.og/at2.uheWG/igi", passhash.ErrTooCostly},
		{"argon2 old version", "$argon2id$v=16$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc", passhash.ErrMalformed},
		{"argon2 no version", "$argon2id$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc", passhash.ErrMalformed},
		{"argon2 missing param", "$argon2id$v=19$m=65536,t=2$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc", passhash.ErrMalformed},
		{"argon2 unknown param", "$argon2id$v=19$m=65536,t=2,p=1,x=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc", passhash.ErrMalformed},
		{"argon2 duplicate param", "$argon2id$v=19$m=65536,m=1,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc", passhash.ErrMalformed},
		{"argon2 negative", "$argon2id$v=19$m=-1,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc", passhash.ErrMalformed},
		{"argon2 zero time", "$argon2id$v=19$m=65536,t=0,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc", passhash.ErrMalformed},
		{"argon2 memory too big", "$argon2id$v=19$m=4194304,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc", passhash.ErrTooCostly},
		{"argon2 time too big", "$argon2id$v=19$m=64,t=1000,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc", passhash.ErrTooCostly},
		{"argon2 threads overflow uint8", "$argon2id$v=19$m=65536,t=1,p=257$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc", passhash.ErrTooCostly},
		{"argon2 bad salt", "$argon2id$v=19$m=64,t=1,p=1$!!!$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc", passhash.ErrMalformed},
		{"argon2 empty hash", "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ$", passhash.ErrMalformed},
		{"argon2 parts", "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ", passhash.ErrMalformed},
		{"scrypt N too big", "$scrypt$ln=30,r=8,p=1$AQ$ovBzUWcd6E/NYaQkSOc6tef0g67v.DwnU.cuwRoHX6M", passhash.ErrTooCostly},
		{"scrypt r too big", "$scrypt$ln=4,r=1000,p=1$AQ$ovBzUWcd6E/NYaQkSOc6tef0g67v.DwnU.cuwRoHX6M", passhash.ErrTooCostly},
		{"scrypt zero ln", "$scrypt$ln=0,r=8,p=1$AQ$ovBzUWcd6E/NYaQkSOc6tef0g67v.DwnU.cuwRoHX6M", passhash.ErrMalformed},
		{"scrypt parts", "$scrypt$ln=4,r=8,p=1$AQ", passhash.ErrMalformed},
		{"scrypt n instead of ln", "$scrypt$n=16,r=8,p=1$AQ$ovBzUWcd6E/NYaQkSOc6tef0g67v.DwnU.cuwRoHX6M", passhash.ErrMalformed},
		{"pbkdf2 zero iterations", "$pbkdf2-sha256$0$AQIDBAUGBwgJCgsMDQ4PEA$m33AcPJmtZT4BCk55kw6VMWgiuKxPOc9CEFW8cSB5g8", passhash.ErrMalformed},
		{"pbkdf2 too many iterations", "$pbkdf2-sha256$999999999$AQIDBAUGBwgJCgsMDQ4PEA$m33AcPJmtZT4BCk55kw6VMWgiuKxPOc9CEFW8cSB5g8", passhash.ErrTooCostly},
		{"pbkdf2 phc bad", "$pbkdf2-sha256$i=x$AQIDBAUGBwgJCgsMDQ4PEA$m33AcPJmtZT4BCk55kw6VMWgiuKxPOc9CEFW8cSB5g8", passhash.ErrMalformed},
		{"pbkdf2 bad hash b64", "$pbkdf2-sha256$1000$AQIDBAUGBwgJCgsMDQ4PEA$m33A*", passhash.ErrMalformed},
		{"pbkdf2 short hash", "$pbkdf2-sha256$1000$AQIDBAUGBwgJCgsMDQ4PEA$AQ", passhash.ErrMalformed},
		{"pbkdf2 empty salt", "$pbkdf2-sha256$1000$$m33AcPJmtZT4BCk55kw6VMWgiuKxPOc9CEFW8cSB5g8", passhash.ErrMalformed},
		{"django parts", "pbkdf2_sha256$1000$salt", passhash.ErrMalformed},
		{"django bad b64", "pbkdf2_sha256$1000$salt$***", passhash.ErrMalformed},
		{"werkzeug no salt", "pbkdf2:sha256:1000", passhash.ErrMalformed},
		{"werkzeug bad hex", "pbkdf2:sha256:1000$salt$zz", passhash.ErrMalformed},
		{"werkzeug bad iterations", "pbkdf2:sha256:lots$salt$14f575a4", passhash.ErrMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := passhash.Verify(c.encoded, pw)
			if !errors.Is(err, c.want) {
				t.Fatalf("Verify = %v, want %v", err, c.want)
			}
			if err := passhash.Check(c.encoded); !errors.Is(err, c.want) {
				t.Fatalf("Check = %v, want %v", err, c.want)
			}
			msg := err.Error()
			if strings.Contains(msg, pw) {
				t.Fatalf("error quotes the password: %s", msg)
			}
			if len(c.encoded) > 12 && strings.Contains(msg, c.encoded[len(c.encoded)-8:]) {
				t.Fatalf("error quotes the stored hash: %s", msg)
			}
		})
	}
}

func TestBcryptReadsSeventyTwoBytesLikeLegacySystems(t *testing.T) {
	h, err := passhash.Hash(passhash.Bcrypt, strings.Repeat("a", 72), cheap)
	if err != nil {
		t.Fatal(err)
	}
	if err := passhash.Verify(h, strings.Repeat("a", 73)); err != nil {
		t.Fatalf("bcrypt compares the first 72 bytes, as PHP does; got %v", err)
	}
	if err := passhash.Verify(h, strings.Repeat("a", 71)); !errors.Is(err, passhash.ErrMismatch) {
		t.Fatalf("71 bytes: %v, want ErrMismatch", err)
	}
}

func FuzzVerify(f *testing.F) {
	for _, v := range vectors {
		if v.alg == passhash.Bcrypt || v.alg == passhash.Argon2id {
			continue // a second each under -race; TestVectors covers them
		}
		f.Add(v.encoded, v.password)
	}
	f.Add("$2b$04$cVWp4XaNU8a4v1uMRum2SO6lFyQ4aUOjIjgs7sUxQHKZBkJSLHRZe", "x")
	f.Add("$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc", "x")
	f.Add("$argon2id$v=19$m=,t=,p=$$", "")
	f.Add("$scrypt$$$$", "x")
	f.Add("pbkdf2:sha256:$$$", "x")
	f.Fuzz(func(t *testing.T, encoded, password string) {
		// Must never panic; must classify every error.
		err := passhash.Verify(encoded, password)
		if err != nil && !errors.Is(err, passhash.ErrMismatch) && !errors.Is(err, passhash.ErrUnknownFormat) &&
			!errors.Is(err, passhash.ErrMalformed) && !errors.Is(err, passhash.ErrTooCostly) {
			t.Fatalf("unclassified error %v", err)
		}
	})
}

func ExampleVerify() {
	stored := "$2y$10$92IXUNpkjO0rOQ5byMi.Ye4oKoEa3Ro9llC/.og/at2.uheWG/igi" // PHP's password_hash("password")
	fmt.Println(passhash.Verify(stored, "password"))
	fmt.Println(passhash.Verify("{SSHA}abc", "password"))
	// Output:
	// <nil>
	// passhash: stored hash is in no format this package knows (bcrypt $2a$/$2b$/$2y$, $argon2id$, $scrypt$, $pbkdf2-sha256$, pbkdf2_sha256$, pbkdf2:sha256:)
}

// BenchmarkVerify measures one verification per algorithm with the default
// cost parameters (see the Default* constants), as a migration pays it on
// every sign-in.
func BenchmarkVerify(b *testing.B) {
	for _, alg := range passhash.Algorithms() {
		b.Run(string(alg), func(b *testing.B) {
			const pw = "correct horse battery staple"
			h, err := passhash.Hash(alg, pw, passhash.Params{})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if err := passhash.Verify(h, pw); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestLikeKeepsAlgorithmAndCost: a stand-in made Like a stored hash, in
// any spelling, has its algorithm, cost and key length, and matches no
// password.
func TestLikeKeepsAlgorithmAndCost(t *testing.T) {
	cheap := passhash.Params{BcryptCost: 5, Argon2Time: 2, Argon2MemoryKiB: 256, Argon2Threads: 2, ScryptLogN: 5, ScryptR: 4, ScryptP: 2, PBKDF2Iterations: 123}
	stored := []string{
		// Werkzeug and Django spellings, with a 64-byte key for the first.
		"pbkdf2:sha256:1000$salt$" + strings.Repeat("ab", 64),
		"pbkdf2_sha256$2000$salt$" + "YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXo0NTY3OA",
	}
	for _, alg := range passhash.Algorithms() {
		h, err := passhash.Hash(alg, "pw", cheap)
		if err != nil {
			t.Fatal(err)
		}
		stored = append(stored, h)
	}
	for _, h := range stored {
		like, err := passhash.Like(h)
		if err != nil {
			t.Fatalf("%s: %v", h, err)
		}
		want, err := passhash.Cost(h)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := passhash.Cost(like)
		if got != want || like == h {
			t.Errorf("Like(%s) = %s: cost %q, want %q", h, like, got, want)
		}
		if err := passhash.Verify(like, "pw"); !errors.Is(err, passhash.ErrMismatch) {
			t.Errorf("Like(%s) verifies the original's password: %v", h, err)
		}
	}
	if want := "pbkdf2-sha256 i=1000,len=64"; mustCost(t, stored[0]) != want {
		t.Errorf("Cost = %q, want %q", mustCost(t, stored[0]), want)
	}
	for _, bad := range []string{"plain", "$2a$15$" + strings.Repeat("a", 53), "$argon2id$v=19$m=1,t=1,p=1$c2FsdA$aGFzaGhhc2g"} {
		if _, err := passhash.Like(bad); err == nil {
			t.Errorf("Like(%q) made a stand-in", bad)
		}
	}
}

func mustCost(t *testing.T, h string) string {
	t.Helper()
	c, err := passhash.Cost(h)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
