package secquestion_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"regexp"
	"strings"
	"testing"

	"github.com/cognitrig/cognitrig/customauth"
	"github.com/cognitrig/cognitrig/customauth/records"
	"github.com/cognitrig/cognitrig/customauth/secquestion"
	"github.com/cognitrig/cognitrig/internal/dynamotest"
	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

// cheap keeps the tests fast; production uses DefaultParams.
var cheap = secquestion.Params{Time: 1, Memory: 64, Threads: 1, SaltLen: 16, KeyLen: 32}

const (
	pool   = "us-east-1_EXAMPLE1"
	sub    = "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"
	answer = "Rex the SECRET Dog"
)

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{
		"  The   Beatles\t":  "the beatles",
		"THE BEATLES":        "the beatles",
		"Σίσυφος":            "σίσυφοσ",
		"ΣΊΣΥΦΟΣ":            "σίσυφοσ",
		"line\nbreak":        "line break",
		"   ":                "",
		"Ärger  über\u00a0X": "ärger über x",
	} {
		if got := secquestion.Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestHashAndCheck(t *testing.T) {
	h, err := secquestion.Hash(answer, cheap)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^\$argon2id\$v=19\$m=64,t=1,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`).MatchString(h) {
		t.Fatalf("hash %q is not a PHC argon2id string", h)
	}
	if strings.Contains(strings.ToLower(h), "secret") {
		t.Fatal("the hash holds the answer")
	}
	h2, _ := secquestion.Hash(answer, cheap)
	if h == h2 {
		t.Fatal("two hashes of one answer are equal: no salt")
	}
	for a, want := range map[string]bool{
		answer:                     true,
		"  rex THE secret   dog  ": true,
		"Rex the SECRET Dog!":      false,
		"Rex":                      false,
		"":                         false,
	} {
		ok, err := secquestion.Check(triggers.Secret(a), h)
		if err != nil || ok != want {
			t.Errorf("Check(%q) = %v, %v; want %v", a, ok, err, want)
		}
	}
	if _, err := secquestion.Hash("   ", cheap); err == nil {
		t.Error("Hash of a blank answer succeeded")
	}
	if _, err := secquestion.Hash(answer, secquestion.Params{}); err == nil {
		t.Error("Hash with zero params succeeded")
	}
}

func TestCheckMalformedHashes(t *testing.T) {
	good, _ := secquestion.Hash(answer, cheap)
	parts := strings.Split(good, "$")
	for name, h := range map[string]string{
		"plain text":     answer,
		"empty":          "",
		"bcrypt":         "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
		"argon2i":        strings.Replace(good, "argon2id", "argon2i", 1),
		"version 16":     strings.Replace(good, "v=19", "v=16", 1),
		"huge memory":    strings.Replace(good, "m=64", "m=4194304", 1),
		"huge time":      strings.Replace(good, "t=1", "t=1000", 1),
		"zero threads":   strings.Replace(good, "p=1", "p=0", 1),
		"300 threads":    strings.Replace(good, "p=1", "p=300", 1),
		"bad params":     strings.Replace(good, "m=64,t=1,p=1", "m=x", 1),
		"salt not b64":   strings.Join([]string{"", parts[1], parts[2], parts[3], "!!!", parts[5]}, "$"),
		"hash not b64":   strings.Join([]string{"", parts[1], parts[2], parts[3], parts[4], "!!!"}, "$"),
		"short salt":     strings.Join([]string{"", parts[1], parts[2], parts[3], "AAAA", parts[5]}, "$"),
		"extra field":    good + "$x",
		"missing fields": "$argon2id$v=19",
	} {
		ok, err := secquestion.Check(answer, h)
		if ok || !errors.Is(err, secquestion.ErrMalformedHash) {
			t.Errorf("%s: %v, %v; want ErrMalformedHash", name, ok, err)
		}
		if err != nil && strings.Contains(err.Error(), "SECRET") {
			t.Errorf("%s: error holds the answer: %v", name, err)
		}
	}
}

// ---- store conformance ----

func TestMemoryStore(t *testing.T) {
	testStore(t, func(t *testing.T) secquestion.Store { return &secquestion.MemoryStore{} })
}

func TestDynamoStore(t *testing.T) {
	client := dynamotest.Client(t)
	testStore(t, func(t *testing.T) secquestion.Store {
		table := dynamotest.CreateTable(t, client, records.TableDefinition("secquestion")) // ACTIVE when it returns
		s, err := secquestion.NewDynamoStore(client, table)
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// testStore is the conformance suite that every Store passes.
func testStore(t *testing.T, newStore func(t *testing.T) secquestion.Store) {
	ctx := context.Background()
	t.Run("EnrollGetDelete", func(t *testing.T) {
		s := newStore(t)
		if _, err := s.Get(ctx, pool, sub); !errors.Is(err, secquestion.ErrNotEnrolled) {
			t.Fatalf("Get before Enroll: %v, want ErrNotEnrolled", err)
		}
		if err := secquestion.Enroll(ctx, s, pool, sub, "Your first pet's name?", answer, cheap); err != nil {
			t.Fatal(err)
		}
		e, err := s.Get(ctx, pool, sub)
		if err != nil {
			t.Fatal(err)
		}
		if e.Question != "Your first pet's name?" || strings.Contains(e.AnswerHash, "Rex") {
			t.Fatalf("enrollment = %+v", e)
		}
		if ok, _ := secquestion.Check(answer, e.AnswerHash); !ok {
			t.Fatal("stored hash does not match the answer")
		}
		if _, err := s.Get(ctx, "eu-west-1_OTHER", sub); !errors.Is(err, secquestion.ErrNotEnrolled) {
			t.Fatal("an enrollment leaked into another pool")
		}
		if err := secquestion.Enroll(ctx, s, pool, sub, "Your city of birth?", "Lyon", cheap); err != nil {
			t.Fatal(err)
		}
		if e, _ := s.Get(ctx, pool, sub); e.Question != "Your city of birth?" {
			t.Fatalf("Put did not replace: %+v", e)
		}
		if err := s.Delete(ctx, pool, sub); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Get(ctx, pool, sub); !errors.Is(err, secquestion.ErrNotEnrolled) {
			t.Fatalf("Get after Delete: %v", err)
		}
		if err := s.Delete(ctx, pool, sub); err != nil {
			t.Fatalf("second Delete: %v", err)
		}
	})
	t.Run("RefusesPlainAnswers", func(t *testing.T) {
		s := newStore(t)
		for name, e := range map[string]secquestion.Enrollment{
			"plain answer":  {Question: "Pet?", AnswerHash: answer},
			"no question":   {AnswerHash: mustHash(t)},
			"long question": {Question: strings.Repeat("?", 1025), AnswerHash: mustHash(t)},
		} {
			err := s.Put(ctx, pool, sub, e)
			if err == nil {
				t.Errorf("%s: stored", name)
			} else if strings.Contains(err.Error(), "SECRET") {
				t.Errorf("%s: error holds the answer: %v", name, err)
			}
		}
		if _, err := s.Get(ctx, pool, sub); !errors.Is(err, secquestion.ErrNotEnrolled) {
			t.Fatal("a refused enrollment was stored")
		}
	})
	t.Run("BadUsers", func(t *testing.T) {
		s := newStore(t)
		if _, err := s.Get(ctx, "", sub); err == nil {
			t.Error("Get without pool")
		}
		if err := s.Put(ctx, pool, "", secquestion.Enrollment{Question: "q", AnswerHash: mustHash(t)}); err == nil {
			t.Error("Put without user")
		}
		if err := s.Delete(ctx, "", ""); err == nil {
			t.Error("Delete without pool and user")
		}
	})
}

func mustHash(t *testing.T) string {
	t.Helper()
	h, err := secquestion.Hash(answer, cheap)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// ---- challenge ----

var decoys = []string{"Your first pet's name?", "Your city of birth?", "Your first school?"}

func newChallenge(t *testing.T, s secquestion.Store, logs *bytes.Buffer) *secquestion.Challenge {
	t.Helper()
	c, err := secquestion.New(secquestion.Config{
		Store:          s,
		DecoyQuestions: decoys,
		DecoyKey:       []byte("decoy-key-0123456789abcdef-0123456789"),
		Params:         cheap,
		Logger:         slog.New(slog.NewJSONHandler(logs, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func create(t *testing.T, c *secquestion.Challenge, mod func(*triggers.CreateAuthChallengeEvent)) customauth.Params {
	t.Helper()
	ev := triggertest.Decode[triggers.CreateAuthChallengeEvent](t, "CreateAuthChallenge_Authentication")
	if mod != nil {
		mod(ev)
	}
	p, err := c.Create(context.Background(), ev, customauth.Round{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func verify(t *testing.T, c *secquestion.Challenge, p customauth.Params, a string, notFound bool) bool {
	t.Helper()
	ev := triggertest.Decode[triggers.VerifyAuthChallengeResponseEvent](t, "VerifyAuthChallengeResponse_Authentication")
	ev.Request.PrivateChallengeParameters = p.Private
	ev.Request.ChallengeAnswer = triggers.Secret(a)
	ev.Request.UserNotFound = notFound
	ok, err := c.Verify(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

func ghost(ev *triggers.CreateAuthChallengeEvent) {
	ev.UserName = "nobody@example.com"
	ev.Request.UserAttributes = triggers.Attributes{}
	ev.Request.UserNotFound = true
}

func TestChallenge(t *testing.T) {
	store := &secquestion.MemoryStore{}
	if err := secquestion.Enroll(context.Background(), store, pool, sub, "Your first pet's name?", answer, cheap); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	c := newChallenge(t, store, &logs)
	p := create(t, c, nil)
	if p.Public[secquestion.PublicQuestion] != "Your first pet's name?" {
		t.Fatalf("public = %v", p.Public)
	}
	for a, want := range map[string]bool{
		answer:                    true,
		" rex the secret dog":     true,
		"Rex":                     false,
		"":                        false,
		"   ":                     false,
		"483920":                  false,
		strings.Repeat("x", 4096): false,
	} {
		if got := verify(t, c, p, a, false); got != want {
			t.Errorf("Verify(%.20q) = %v, want %v", a, got, want)
		}
	}
	tampered := customauth.Params{Private: triggers.SecretMap{"answerHash": "Rex the SECRET Dog"}}
	if verify(t, c, tampered, answer, false) {
		t.Fatal("a plain answer in the private parameters was accepted")
	}
	if verify(t, c, customauth.Params{}, answer, false) {
		t.Fatal("missing private parameters were accepted")
	}
	if strings.Contains(logs.String(), "SECRET") || strings.Contains(logs.String(), "Rex") {
		t.Fatalf("log holds the answer: %s", logs.String())
	}
}

func TestUserNotFoundGetsAStableDecoy(t *testing.T) {
	var logs bytes.Buffer
	c := newChallenge(t, &secquestion.MemoryStore{}, &logs)
	p := create(t, c, ghost)
	q := p.Public[secquestion.PublicQuestion]
	found := false
	for _, d := range decoys {
		found = found || d == q
	}
	if !found {
		t.Fatalf("decoy question %q is not one of the decoys", q)
	}
	for range 3 {
		if again := create(t, c, ghost); again.Public[secquestion.PublicQuestion] != q {
			t.Fatal("the decoy changed between attempts: a tell")
		}
	}
	real := create(t, c, nil) // not enrolled: a decoy too
	if len(real.Public) != len(p.Public) || len(real.Private) != len(p.Private) {
		t.Fatal("decoy parameters differ in shape")
	}
	if verify(t, c, p, "anything", true) || verify(t, c, real, "anything", false) {
		t.Fatal("a decoy was passed")
	}
	// The letter case of the name does not change the decoy (Cognito user
	// names are case-insensitive): the decoy is the same in any spelling.
	for _, name := range []string{"NoBody@Example.com", "NOBODY@EXAMPLE.COM", " nobody@example.com"} {
		if again := create(t, c, func(ev *triggers.CreateAuthChallengeEvent) { ghost(ev); ev.UserName = name }); again.Public[secquestion.PublicQuestion] != q {
			t.Fatalf("the decoy for %q differs from the one for nobody@example.com: a tell", name)
		}
	}
	// Different user names spread over the decoys.
	seen := map[string]bool{}
	for _, name := range []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"} {
		seen[create(t, c, func(ev *triggers.CreateAuthChallengeEvent) { ghost(ev); ev.UserName = name }).Public[secquestion.PublicQuestion]] = true
	}
	if len(seen) < 2 {
		t.Fatal("every user name gets the same decoy")
	}
	if !strings.Contains(logs.String(), "no security question") {
		t.Fatalf("unenrolled user not logged: %s", logs.String())
	}
}

// countingStore counts the store reads of the challenge.
type countingStore struct {
	secquestion.Store
	gets int
}

func (s *countingStore) Get(ctx context.Context, pool, user string) (secquestion.Enrollment, error) {
	s.gets++
	return s.Store.Get(ctx, pool, user)
}

// TestDecoyReadsTheStore: the round of a user that does not exist reads
// the store as a real round does, so that it is not measurably faster.
func TestDecoyReadsTheStore(t *testing.T) {
	s := &countingStore{Store: &secquestion.MemoryStore{}}
	c := newChallenge(t, s, &bytes.Buffer{})
	create(t, c, ghost)
	if s.gets != 1 {
		t.Fatalf("the decoy round read the store %d times, want 1 as a real round", s.gets)
	}
}

func TestUserNotFoundWithTheRightAnswerFails(t *testing.T) {
	store := &secquestion.MemoryStore{}
	_ = secquestion.Enroll(context.Background(), store, pool, sub, "Pet?", answer, cheap)
	c := newChallenge(t, store, &bytes.Buffer{})
	p := create(t, c, nil)
	if verify(t, c, p, answer, true) {
		t.Fatal("userNotFound passed with the right hash")
	}
}

type failingStore struct{ secquestion.MemoryStore }

func (*failingStore) Get(context.Context, string, string) (secquestion.Enrollment, error) {
	return secquestion.Enrollment{}, errors.New("throttled")
}

func TestStoreErrorIsAnError(t *testing.T) {
	c := newChallenge(t, &failingStore{}, &bytes.Buffer{})
	_, err := c.Create(context.Background(), triggertest.Decode[triggers.CreateAuthChallengeEvent](t, "CreateAuthChallenge_Authentication"), customauth.Round{})
	if err == nil {
		t.Fatal("a store outage became a decoy question")
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	key := []byte("decoy-key-0123456789abcdef-0123456789")
	for name, cfg := range map[string]secquestion.Config{
		"no store":   {DecoyQuestions: decoys, DecoyKey: key, Params: cheap},
		"no decoys":  {Store: &secquestion.MemoryStore{}, DecoyKey: key, Params: cheap},
		"short key":  {Store: &secquestion.MemoryStore{}, DecoyQuestions: decoys, DecoyKey: key[:31], Params: cheap},
		"bad params": {Store: &secquestion.MemoryStore{}, DecoyQuestions: decoys, DecoyKey: key, Params: secquestion.Params{Time: 1}},
	} {
		if _, err := secquestion.New(cfg); err == nil {
			t.Errorf("%s: New accepted it", name)
		}
	}
}
