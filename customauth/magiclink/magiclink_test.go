package magiclink_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/cognitrig/cognitrig/customauth"
	"github.com/cognitrig/cognitrig/customauth/deliver"
	"github.com/cognitrig/cognitrig/customauth/magiclink"
	"github.com/cognitrig/cognitrig/customauth/records"
	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

var (
	key      = []byte("magic-link-key-0123456789abcdef-0123")
	otherKey = []byte("another-key-0123456789abcdef-012345")
)

type fixture struct {
	ch    *magiclink.Challenge
	box   *triggertest.Recorder[deliver.Message]
	store records.Store
	now   time.Time
	logs  bytes.Buffer
}

func newFixture(t *testing.T, mod func(*magiclink.Config)) *fixture {
	t.Helper()
	f := &fixture{box: &triggertest.Recorder[deliver.Message]{}, store: &records.MemoryStore{}, now: time.Unix(1_800_000_000, 0)}
	signer, err := magiclink.NewHMACSigner(key)
	if err != nil {
		t.Fatal(err)
	}
	cfg := magiclink.Config{
		Signer:      signer,
		Store:       f.store,
		Sender:      f.box,
		Pages:       map[string]string{"app": "https://app.example.com/signin", "local": "http://localhost:3000/cb"},
		DefaultPage: "app",
		Now:         func() time.Time { return f.now },
		Logger:      slog.New(slog.NewJSONHandler(&f.logs, nil)),
	}
	if mod != nil {
		mod(&cfg)
	}
	f.ch, err = magiclink.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func createEvent(t *testing.T, page string) *triggers.CreateAuthChallengeEvent {
	ev := triggertest.Decode[triggers.CreateAuthChallengeEvent](t, "CreateAuthChallenge_Authentication.passwordless")
	ev.Request.ClientMetadata = triggers.Metadata{"page": page}
	return ev
}

func (f *fixture) create(t *testing.T, ev *triggers.CreateAuthChallengeEvent) customauth.Params {
	t.Helper()
	p, err := f.ch.Create(context.Background(), ev, customauth.Round{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// link sends a link and returns it.
func (f *fixture) link(t *testing.T) string {
	t.Helper()
	f.create(t, createEvent(t, "app"))
	return f.box.Last(t).Secret.Reveal()
}

func token(link string) string { return link[strings.IndexByte(link, '#')+1:] }

func (f *fixture) verify(t *testing.T, answer string, mod func(*triggers.VerifyAuthChallengeResponseEvent)) bool {
	t.Helper()
	ev := triggertest.Decode[triggers.VerifyAuthChallengeResponseEvent](t, "VerifyAuthChallengeResponse_Authentication")
	ev.Request.ChallengeAnswer = triggers.Secret(answer)
	if mod != nil {
		mod(ev)
	}
	ok, err := f.ch.Verify(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

func TestLinkSignsInOnce(t *testing.T) {
	f := newFixture(t, nil)
	link := f.link(t)
	if !strings.HasPrefix(link, "https://app.example.com/signin#") {
		t.Fatalf("link %q does not open the redirect page with the token in the fragment", link)
	}
	m := f.box.Sent()[0]
	if m.To != "jdoe@example.com" || !strings.Contains(m.Text(), link) || strings.Contains(m.Masked(), token(link)) {
		t.Fatalf("message = %+v", m)
	}
	if !f.verify(t, token(link), nil) {
		t.Fatal("the link's token was refused")
	}
	if f.verify(t, token(link), nil) {
		t.Fatal("a used link was accepted again (replay)")
	}
	if strings.Contains(f.logs.String(), token(link)) {
		t.Fatal("log holds the token")
	}
}

func TestWholeLinkAsAnswer(t *testing.T) {
	f := newFixture(t, nil)
	if link := f.link(t); !f.verify(t, " "+link+" ", nil) {
		t.Fatal("the whole link pasted as the answer was refused")
	}
}

func TestRetriedCreateSendsOnce(t *testing.T) {
	f := newFixture(t, nil)
	first := f.link(t)
	f.now = f.now.Add(5 * time.Second)
	f.create(t, createEvent(t, "app"))
	if len(f.box.Sent()) != 1 {
		t.Fatalf("a retried Create sent %d links, want 1", len(f.box.Sent()))
	}
	f.now = f.now.Add(magiclink.DefaultResendAfter)
	if again := f.link(t); again != first {
		t.Fatal("the resent link differs: the first one would be dead")
	}
}

func TestHaveLinkSendsNothing(t *testing.T) {
	f := newFixture(t, nil)
	link := f.link(t)
	// The user opens the link: the app starts a new sign-in and says it
	// has a link. No new email, no new record, and the link still works.
	ev := triggertest.Decode[triggers.CreateAuthChallengeEvent](t, "CreateAuthChallenge_Authentication.passwordless")
	ev.Request.ClientMetadata = triggers.Metadata{"alreadyHaveMagicLink": "yes"}
	f.now = f.now.Add(10 * time.Minute)
	p := f.create(t, ev)
	if len(f.box.Sent()) != 1 || p.Public[magiclink.PublicChannel] != "EMAIL" {
		t.Fatalf("sends %d, public %v", len(f.box.Sent()), p.Public)
	}
	if !f.verify(t, token(link), nil) {
		t.Fatal("the link was refused in the new session")
	}
}

func TestBadLinks(t *testing.T) {
	f := newFixture(t, nil)
	link := f.link(t)
	tok := token(link)
	payload, sig, _ := strings.Cut(tok, ".")
	other, _ := magiclink.NewHMACSigner(otherKey)
	signer, _ := magiclink.NewHMACSigner(key)
	resign := func(s magiclink.Signer, mod func(map[string]any)) string {
		c := decodeClaims(t, payload)
		mod(c)
		return sign(t, s, c)
	}
	cases := map[string]string{
		"empty":             "",
		"garbage":           "not a token",
		"no signature":      payload,
		"three parts":       tok + ".x",
		"bad base64 sig":    payload + ".!!!",
		"bad base64 body":   "!!!." + sig,
		"truncated sig":     payload + "." + sig[:10],
		"flipped payload":   flip(payload) + "." + sig,
		"other key":         resign(other, func(map[string]any) {}),
		"later expiry":      payload[:len(payload)-2] + "xx." + sig,
		"huge":              strings.Repeat("a", magiclink.MaxTokenLength+1),
		"otp code":          "483920",
		"signed other pool": resign(signer, func(c map[string]any) { c["pool"] = "us-east-1_OTHER" }),
		"signed other app":  resign(signer, func(c map[string]any) { c["cid"] = "another-client" }),
		"signed other user": resign(signer, func(c map[string]any) { c["sub"] = "mallory" }),
		"signed other step": resign(signer, func(c map[string]any) { c["ch"] = "EMAIL_OTP" }),
		"signed version 2":  resign(signer, func(c map[string]any) { c["v"] = 2 }),
		"signed no nonce":   resign(signer, func(c map[string]any) { delete(c, "n") }),
		"signed extra":      resign(signer, func(c map[string]any) { c["admin"] = true }),
		"signed new nonce":  resign(signer, func(c map[string]any) { c["n"] = "AAAAAAAAAAAAAAAAAAAAAA" }),
		"signed not JSON":   signRaw(t, signer, []byte("{not json")),
	}
	for name, answer := range cases {
		if f.verify(t, answer, nil) {
			t.Errorf("%s: accepted", name)
		}
	}
	if !f.verify(t, tok, nil) {
		t.Fatal("the genuine link was refused after the attempts")
	}
	if strings.Contains(f.logs.String(), sig) {
		t.Fatal("log holds a signature")
	}
}

func TestExpiredLink(t *testing.T) {
	f := newFixture(t, nil)
	tok := token(f.link(t))
	f.now = f.now.Add(magiclink.DefaultTTL)
	if f.verify(t, tok, nil) {
		t.Fatal("an expired link was accepted")
	}
}

func TestLinkBoundToEvent(t *testing.T) {
	f := newFixture(t, nil)
	tok := token(f.link(t))
	for name, mod := range map[string]func(*triggers.VerifyAuthChallengeResponseEvent){
		"other app client": func(ev *triggers.VerifyAuthChallengeResponseEvent) { ev.CallerContext.ClientID = "another-client" },
		"other pool":       func(ev *triggers.VerifyAuthChallengeResponseEvent) { ev.UserPoolID = "us-east-1_OTHER" },
		"other user":       func(ev *triggers.VerifyAuthChallengeResponseEvent) { ev.Request.UserAttributes["sub"] = "mallory" },
		"user not found":   func(ev *triggers.VerifyAuthChallengeResponseEvent) { ev.Request.UserNotFound = true },
	} {
		if f.verify(t, tok, mod) {
			t.Errorf("%s: accepted", name)
		}
	}
	if !f.verify(t, tok, nil) {
		t.Fatal("genuine link refused")
	}
}

func TestPages(t *testing.T) {
	f := newFixture(t, nil)
	for key, want := range map[string]string{"": "https://app.example.com/signin#", "app": "https://app.example.com/signin#", "local": "http://localhost:3000/cb#"} {
		f.now = f.now.Add(time.Hour) // a new record and a new send
		f.create(t, createEvent(t, key))
		if link := f.box.Last(t).Secret.Reveal(); !strings.HasPrefix(link, want) || strings.Count(link, "#") != 1 {
			t.Errorf("page key %q: link %q, want %s<token>", key, link, want)
		}
	}
	for _, bad := range []string{
		"evil", "APP", "app ", "https://app.example.com/signin", "https://evil.example.com/",
		"https://app.example.com/signin?next=https://evil.example.net", "javascript:alert(1)",
	} {
		_, err := f.ch.Create(context.Background(), createEvent(t, bad), customauth.Round{})
		var r *triggers.Refusal
		if !errors.As(err, &r) || !errors.Is(err, magiclink.ErrPageNotAllowed) {
			t.Errorf("%q: err = %v, want a refusal", bad, err)
		}
	}
	// The same refusal for a user that does not exist.
	ev := createEvent(t, "evil")
	ev.Request.UserNotFound = true
	if _, err := f.ch.Create(context.Background(), ev, customauth.Round{}); !errors.Is(err, magiclink.ErrPageNotAllowed) {
		t.Errorf("userNotFound: err = %v, want the same refusal", err)
	}
	// Several pages and no default: the client must name one.
	g := newFixture(t, func(c *magiclink.Config) { c.DefaultPage = "" })
	if _, err := g.ch.Create(context.Background(), createEvent(t, ""), customauth.Round{}); !errors.Is(err, magiclink.ErrPageNotAllowed) {
		t.Errorf("no page and no default: err = %v, want a refusal", err)
	}
}

func TestUserNotFoundAndUnverified(t *testing.T) {
	f := newFixture(t, nil)
	real := f.create(t, createEvent(t, ""))
	ghost := createEvent(t, "")
	ghost.UserName = "nobody@example.com"
	ghost.Request.UserAttributes = triggers.Attributes{}
	ghost.Request.UserNotFound = true
	fake := f.create(t, ghost)
	unverified := createEvent(t, "")
	unverified.Request.UserAttributes["sub"] = "someone-else"
	unverified.Request.UserAttributes["email_verified"] = "false"
	quiet := f.create(t, unverified)
	if len(f.box.Sent()) != 1 {
		t.Fatalf("%d emails, want only the real user's", len(f.box.Sent()))
	}
	for _, p := range []customauth.Params{fake, quiet} {
		if len(p.Public) != len(real.Public) || p.Public[magiclink.PublicChannel] != real.Public[magiclink.PublicChannel] {
			t.Fatalf("parameters differ: %v / %v", p.Public, real.Public)
		}
	}
}

type brokenSigner struct{}

func (brokenSigner) Sign(context.Context, []byte) ([]byte, error) {
	return nil, errors.New("kms: throttled")
}
func (brokenSigner) Verify(context.Context, []byte, []byte) (bool, error) {
	return false, errors.New("kms: throttled")
}

func TestSignerAndSenderFailures(t *testing.T) {
	f := newFixture(t, func(c *magiclink.Config) { c.Signer = brokenSigner{} })
	if _, err := f.ch.Create(context.Background(), createEvent(t, ""), customauth.Round{}); err == nil {
		t.Fatal("a signer failure was ignored")
	}
	ev := triggertest.Decode[triggers.VerifyAuthChallengeResponseEvent](t, "VerifyAuthChallengeResponse_Authentication")
	ev.Request.ChallengeAnswer = "eyJ2IjoxfQ.c2ln"
	if _, err := f.ch.Verify(context.Background(), ev); err == nil {
		t.Fatal("a signer outage was answered as a wrong answer")
	}

	g := newFixture(t, nil)
	g.box.FailWith(errors.New("SES down"))
	if _, err := g.ch.Create(context.Background(), createEvent(t, ""), customauth.Round{}); err == nil {
		t.Fatal("a send failure was ignored")
	}
	g.box.FailWith(nil)
	if g.link(t) == "" {
		t.Fatal("the retry after a failed send sent nothing")
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	signer, _ := magiclink.NewHMACSigner(key)
	base := magiclink.Config{Signer: signer, Store: &records.MemoryStore{}, Sender: &triggertest.Recorder[deliver.Message]{}, Pages: map[string]string{"app": "https://app.example.com/signin"}}
	for name, mod := range map[string]func(*magiclink.Config){
		"no signer":     func(c *magiclink.Config) { c.Signer = nil },
		"no store":      func(c *magiclink.Config) { c.Store = nil },
		"no sender":     func(c *magiclink.Config) { c.Sender = nil },
		"no pages":      func(c *magiclink.Config) { c.Pages = nil },
		"page query":    func(c *magiclink.Config) { c.Pages = map[string]string{"a": "https://app.example.com/x?next=y"} },
		"page empty q":  func(c *magiclink.Config) { c.Pages = map[string]string{"a": "https://app.example.com/x?"} },
		"page fragment": func(c *magiclink.Config) { c.Pages = map[string]string{"a": "https://app.example.com/x#y"} },
		"page bare":     func(c *magiclink.Config) { c.Pages = map[string]string{"a": "app.example.com"} },
		"page http":     func(c *magiclink.Config) { c.Pages = map[string]string{"a": "http://app.example.com/"} },
		"page user":     func(c *magiclink.Config) { c.Pages = map[string]string{"a": "https://u:p@app.example.com/"} },
		"page no key":   func(c *magiclink.Config) { c.Pages = map[string]string{"": "https://app.example.com/"} },
		"bad default":   func(c *magiclink.Config) { c.DefaultPage = "other" },
		"body address":  func(c *magiclink.Config) { c.Body = "Open " + deliver.Placeholder + " or see https://help.example.com" },
		"body www":      func(c *magiclink.Config) { c.Body = "Open " + deliver.Placeholder + " - www.example.com" },
		"subject url":   func(c *magiclink.Config) { c.Subject = "https://evil" },
		"short ttl":     func(c *magiclink.Config) { c.TTL = time.Second },
		"long ttl":      func(c *magiclink.Config) { c.TTL = 2 * time.Hour },
		"body no link":  func(c *magiclink.Config) { c.Body = "hello" },
	} {
		cfg := base
		mod(&cfg)
		if _, err := magiclink.New(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := magiclink.NewHMACSigner(key[:31]); err == nil {
		t.Error("a short HMAC key was accepted")
	}
}

func decodeClaims(t *testing.T, payload string) map[string]any {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

func sign(t *testing.T, s magiclink.Signer, claims map[string]any) string {
	t.Helper()
	b, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	return signRaw(t, s, b)
}

// signRaw signs body the way the package does: over a prefix and the
// base64url body.
func signRaw(t *testing.T, s magiclink.Signer, body []byte) string {
	t.Helper()
	payload := base64.RawURLEncoding.EncodeToString(body)
	sig, err := s.Sign(context.Background(), []byte("cognitrig-magiclink-v1."+payload))
	if err != nil {
		t.Fatal(err)
	}
	return payload + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func flip(s string) string {
	b := []byte(s)
	if b[5] == 'A' {
		b[5] = 'B'
	} else {
		b[5] = 'A'
	}
	return string(b)
}

// FuzzVerify feeds arbitrary answers to Verify: never a panic, never an
// error, and nothing but the genuine token passes.
func FuzzVerify(f *testing.F) {
	for _, seed := range []string{"", ".", "a.b", "a.b.c", "#", "https://app.example.com/#x.y", "eyJ2IjoxfQ.c2ln", strings.Repeat("A", 3000)} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, answer string) {
		fx := newFixture(t, nil)
		genuine := token(fx.link(t))
		ev := triggertest.Decode[triggers.VerifyAuthChallengeResponseEvent](t, "VerifyAuthChallengeResponse_Authentication")
		ev.Request.ChallengeAnswer = triggers.Secret(answer)
		ok, err := fx.ch.Verify(context.Background(), ev)
		if err != nil {
			t.Fatalf("Verify(%q) error: %v", answer, err)
		}
		if ok && strings.TrimSpace(answer) != genuine && !strings.HasSuffix(strings.TrimSpace(answer), "#"+genuine) {
			t.Fatalf("Verify(%q) accepted a non-genuine answer", answer)
		}
	})
}
