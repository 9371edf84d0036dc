package otp_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cognitrig/cognitrig/customauth"
	"github.com/cognitrig/cognitrig/customauth/deliver"
	"github.com/cognitrig/cognitrig/customauth/otp"
	"github.com/cognitrig/cognitrig/customauth/records"
	"github.com/cognitrig/cognitrig/internal/dynamotest"
	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

var testKey = []byte("0123456789abcdef0123456789abcdef")

type fixture struct {
	ch    *otp.Challenge
	box   *triggertest.Recorder[deliver.Message]
	store *records.MemoryStore
	clock *triggertest.Clock
	logs  *bytes.Buffer
}

func newFixture(t *testing.T, mod func(*otp.Config)) *fixture {
	t.Helper()
	f := &fixture{box: &triggertest.Recorder[deliver.Message]{}, store: &records.MemoryStore{}, clock: triggertest.NewClock(time.Unix(1_800_000_000, 0)), logs: &bytes.Buffer{}}
	cfg := otp.Config{
		Channel: deliver.Email,
		Sender:  f.box,
		Store:   f.store,
		Key:     testKey,
		Now:     f.clock.Now,
		Logger:  slog.New(slog.NewJSONHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if mod != nil {
		mod(&cfg)
	}
	ch, err := otp.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.ch = ch
	return f
}

func createEvent(t *testing.T) *triggers.CreateAuthChallengeEvent {
	return triggertest.Decode[triggers.CreateAuthChallengeEvent](t, "CreateAuthChallenge_Authentication.passwordless")
}

func (f *fixture) create(t *testing.T, ev *triggers.CreateAuthChallengeEvent) customauth.Params {
	t.Helper()
	p, err := f.ch.Create(context.Background(), ev, customauth.Round{Attempt: 1, MaxAttempts: 3})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (f *fixture) verify(t *testing.T, p customauth.Params, answer string, mod func(*triggers.VerifyAuthChallengeResponseEvent)) bool {
	t.Helper()
	ev := triggertest.Decode[triggers.VerifyAuthChallengeResponseEvent](t, "VerifyAuthChallengeResponse_Authentication")
	ev.Request.PrivateChallengeParameters = triggers.SecretMap{}
	for k, v := range p.Private {
		ev.Request.PrivateChallengeParameters[k] = v
	}
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

func TestCreateSendsOneCode(t *testing.T) {
	f := newFixture(t, nil)
	p := f.create(t, createEvent(t))
	m := f.box.Last(t)
	code := m.Secret.Reveal()
	if !regexp.MustCompile(`^[0-9]{6}$`).MatchString(code) {
		t.Fatalf("code %q is not 6 digits", code)
	}
	if m.To != "jdoe@example.com" || m.Channel != deliver.Email || !strings.Contains(m.Text(), code) {
		t.Fatalf("message = %+v", m)
	}
	if p.Public[otp.PublicChannel] != "EMAIL" || p.Public[otp.PublicCodeLength] != "6" || len(p.Public) != 2 {
		t.Fatalf("public parameters = %v", p.Public)
	}
	for k, v := range p.Private {
		if strings.Contains(v, code) {
			t.Fatalf("private parameter %s holds the code", k)
		}
	}
	for _, slot := range []string{"otp#us-east-1_EXAMPLE1#a1b2c3d4-5678-90ab-cdef-EXAMPLE11111#EMAIL_OTP"} {
		rec, ok := f.store.Get(slot)
		if !ok {
			t.Fatalf("no record in slot %s", slot)
		}
		if strings.Contains(rec.Nonce, code) {
			t.Fatal("the record holds the code")
		}
	}
	if !f.verify(t, p, code, nil) {
		t.Fatal("the sent code is wrong")
	}
}

func TestRetriedCreateReusesTheCode(t *testing.T) {
	f := newFixture(t, nil)
	first := f.create(t, createEvent(t))
	f.clock.Advance(5 * time.Second) // Cognito's retry after a slow first attempt
	second := f.create(t, createEvent(t))
	f.clock.Advance(5 * time.Second)
	third := f.create(t, createEvent(t))
	if len(f.box.Sent()) != 1 {
		t.Fatalf("three Creates sent %d messages, want 1", len(f.box.Sent()))
	}
	for _, p := range []customauth.Params{second, third} {
		for k, v := range first.Private {
			if p.Private[k] != v {
				t.Fatalf("retried Create changed private parameter %s", k)
			}
		}
	}
	code := f.box.Last(t).Secret.Reveal()
	if !f.verify(t, third, code, nil) {
		t.Fatal("the code is wrong for the retried round")
	}
}

func TestConcurrentCreatesSendOnce(t *testing.T) {
	f := newFixture(t, nil)
	var wg sync.WaitGroup
	macs := make([]string, 3)
	for i := range macs {
		wg.Go(func() {
			p, err := f.ch.Create(context.Background(), createEvent(t), customauth.Round{Attempt: 1})
			if err != nil {
				t.Error(err)
				return
			}
			macs[i] = p.Private["mac"]
		})
	}
	wg.Wait()
	if len(f.box.Sent()) != 1 || macs[0] != macs[1] || macs[1] != macs[2] {
		t.Fatalf("%d sends, macs equal: %v; want one send of one code", len(f.box.Sent()), macs[0] == macs[1] && macs[1] == macs[2])
	}
}

func TestResendAfterIntervalSendsTheSameCode(t *testing.T) {
	f := newFixture(t, nil)
	f.create(t, createEvent(t))
	first := f.box.Last(t).Secret
	f.clock.Advance(otp.DefaultResendAfter)
	f.create(t, createEvent(t))
	if len(f.box.Sent()) != 2 || f.box.Last(t).Secret != first {
		t.Fatalf("after ResendAfter: %d sends; want 2 of the same code", len(f.box.Sent()))
	}
}

func TestCodeIsSingleUse(t *testing.T) {
	f := newFixture(t, nil)
	p := f.create(t, createEvent(t))
	code := f.box.Last(t).Secret.Reveal()
	if !f.verify(t, p, code, nil) {
		t.Fatal("correct code rejected")
	}
	if f.verify(t, p, code, nil) {
		t.Fatal("a used code was accepted again (replay)")
	}
	f.create(t, createEvent(t))
	if len(f.box.Sent()) != 2 || f.box.Last(t).Secret.Reveal() == code {
		t.Fatal("a new sign-in after a used code did not get a new code")
	}
}

func TestWrongAnswers(t *testing.T) {
	f := newFixture(t, nil)
	p := f.create(t, createEvent(t))
	code := f.box.Last(t).Secret.Reveal()
	wrong := "000000"
	if wrong == code {
		wrong = "111111"
	}
	for name, answer := range map[string]string{
		"wrong digits":   wrong,
		"empty":          "",
		"too short":      code[:5],
		"too long":       code + "0",
		"letters":        "abcdef",
		"code plus junk": code + "\x00",
		"magic link":     "eyJ2IjoxfQ.c2ln",
		"huge":           strings.Repeat("9", 100000),
	} {
		if f.verify(t, p, answer, nil) {
			t.Errorf("%s: accepted", name)
		}
	}
	// Eight wrong answers burned the code (MaxGuesses 5).
	if f.verify(t, p, code, nil) {
		t.Fatal("the code still works after more than MaxGuesses wrong answers")
	}
}

func TestSpacesInTheAnswerAreIgnored(t *testing.T) {
	f := newFixture(t, nil)
	p := f.create(t, createEvent(t))
	code := f.box.Last(t).Secret.Reveal()
	if !f.verify(t, p, " "+code[:3]+" "+code[3:]+" ", nil) {
		t.Fatal(`"123 456" was not accepted for 123456`)
	}
}

func TestGuessesAreLimitedAcrossSignIns(t *testing.T) {
	f := newFixture(t, func(c *otp.Config) { c.MaxGuesses = 3 })
	p := f.create(t, createEvent(t))
	code := f.box.Last(t).Secret.Reveal()
	wrong := "000000"
	if wrong == code {
		wrong = "111111"
	}
	f.verify(t, p, wrong, nil)
	f.verify(t, p, wrong, nil)
	// A new sign-in gets the same live record ...
	p2 := f.create(t, createEvent(t))
	if p2.Private["nonce"] != p.Private["nonce"] {
		t.Fatal("a restart within the code's life got a new code")
	}
	// ... and the third wrong answer overall burns it.
	f.verify(t, p2, wrong, nil)
	if f.verify(t, p2, code, nil) {
		t.Fatal("restarting the sign-in gave more than MaxGuesses guesses")
	}
}

func TestExpiredCode(t *testing.T) {
	f := newFixture(t, nil)
	p := f.create(t, createEvent(t))
	code := f.box.Last(t).Secret.Reveal()
	f.clock.Advance(otp.DefaultTTL)
	if f.verify(t, p, code, nil) {
		t.Fatal("an expired code was accepted")
	}
	p2 := f.create(t, createEvent(t))
	if len(f.box.Sent()) != 2 || p2.Private["nonce"] == p.Private["nonce"] {
		t.Fatal("no new code after expiry")
	}
}

func TestTamperedParameters(t *testing.T) {
	f := newFixture(t, nil)
	p := f.create(t, createEvent(t))
	code := f.box.Last(t).Secret.Reveal()
	for name, mod := range map[string]func(m triggers.SecretMap){
		"later expiry":  func(m triggers.SecretMap) { m["exp"] = "9999999999" },
		"bad expiry":    func(m triggers.SecretMap) { m["exp"] = "soon" },
		"other nonce":   func(m triggers.SecretMap) { m["nonce"] = "AAAAAAAAAAAAAAAAAAAAAA" },
		"other slot":    func(m triggers.SecretMap) { m["slot"] = "otp#pool#mallory#EMAIL_OTP" },
		"short mac":     func(m triggers.SecretMap) { m["mac"] = "AAAA" },
		"not base64":    func(m triggers.SecretMap) { m["mac"] = "!!!" },
		"no parameters": func(m triggers.SecretMap) { clear(m) },
	} {
		ok := f.verify(t, p, code, func(ev *triggers.VerifyAuthChallengeResponseEvent) { mod(ev.Request.PrivateChallengeParameters) })
		if ok {
			t.Errorf("%s: accepted", name)
		}
	}
	if !f.verify(t, p, code, nil) {
		t.Fatal("untampered parameters rejected after the tampering attempts")
	}
}

func TestUserNotFoundLooksTheSame(t *testing.T) {
	f := newFixture(t, nil)
	real := f.create(t, createEvent(t))
	ghost := createEvent(t)
	ghost.UserName = "nobody@example.com"
	ghost.Request.UserAttributes = triggers.Attributes{}
	ghost.Request.UserNotFound = true
	fake := f.create(t, ghost)
	if len(f.box.Sent()) != 1 {
		t.Fatalf("a code was sent for a user that does not exist (%d sends)", len(f.box.Sent()))
	}
	if !sameKeys(real.Public, fake.Public) || !sameKeys(real.Private, fake.Private) {
		t.Fatalf("parameters differ in shape: %v / %v", real.Public, fake.Public)
	}
	for k, v := range real.Public {
		if fake.Public[k] != v {
			t.Fatalf("public parameter %s differs: %q / %q", k, v, fake.Public[k])
		}
	}
	if f.verify(t, fake, "123456", func(ev *triggers.VerifyAuthChallengeResponseEvent) { ev.Request.UserNotFound = true }) {
		t.Fatal("a user that does not exist passed")
	}
}

// TestDecoyDoesTheWork: the decoy round of a user that does not exist opens
// and claims a record as a real round does (keyed by the name in any
// letter case), takes a send's time, and counts wrong answers on it; it
// never sends and never passes.
func TestDecoyDoesTheWork(t *testing.T) {
	f := newFixture(t, nil)
	ghost := func(name string) *triggers.CreateAuthChallengeEvent {
		ev := createEvent(t)
		ev.UserName = name
		ev.Request.UserAttributes = triggers.Attributes{}
		ev.Request.UserNotFound = true
		return ev
	}
	a := f.create(t, ghost("nobody@example.com"))
	b := f.create(t, ghost("NoBody@Example.COM"))
	if len(f.box.Sent()) != 0 {
		t.Fatal("a decoy sent a message")
	}
	slot := a.Private["slot"]
	rec, ok := f.store.Get(slot)
	if !ok || slot == "" || rec.SentAt.IsZero() {
		t.Fatalf("the decoy made no claimed record: slot %q, %+v", slot, rec)
	}
	if strings.Contains(slot, "nobody") {
		t.Fatalf("the decoy slot holds the user name: %q", slot)
	}
	if b.Private["slot"] != slot || b.Private["nonce"] != a.Private["nonce"] {
		t.Fatal("the decoy changes with the letter case of the name")
	}
	if f.verify(t, a, "123456", func(ev *triggers.VerifyAuthChallengeResponseEvent) { ev.Request.UserNotFound = true }) {
		t.Fatal("a decoy passed")
	}
	if rec, _ := f.store.Get(slot); rec.Failures != 1 {
		t.Fatalf("the decoy's wrong answer was not counted: %+v", rec)
	}
}

func TestUnverifiedEmailGetsNoCode(t *testing.T) {
	f := newFixture(t, nil)
	ev := createEvent(t)
	ev.Request.UserAttributes["email_verified"] = "false"
	p := f.create(t, ev)
	if len(f.box.Sent()) != 0 {
		t.Fatal("a code was sent to an unverified address")
	}
	if f.verify(t, p, "123456", nil) {
		t.Fatal("the decoy challenge passed")
	}
	if !strings.Contains(f.logs.String(), "no verified destination") || strings.Contains(f.logs.String(), "jdoe@example.com") {
		t.Fatalf("log: %s", f.logs.String())
	}

	g := newFixture(t, func(c *otp.Config) { c.AllowUnverified = true })
	g.create(t, ev)
	if len(g.box.Sent()) != 1 {
		t.Fatal("AllowUnverified did not send")
	}
}

func TestSMS(t *testing.T) {
	f := newFixture(t, func(c *otp.Config) { c.Channel = deliver.SMS; c.Length = 8 })
	ev := createEvent(t)
	ev.Request.UserAttributes["phone_number_verified"] = "true"
	p := f.create(t, ev)
	m := f.box.Last(t)
	if f.ch.Name() != "SMS_OTP" || m.Channel != deliver.SMS || m.To != "+15555550100" || len(m.Secret.Reveal()) != 8 {
		t.Fatalf("name %s, message %+v", f.ch.Name(), m)
	}
	if p.Public[otp.PublicChannel] != "SMS" || p.Public[otp.PublicCodeLength] != "8" {
		t.Fatalf("public = %v", p.Public)
	}
}

func TestSendFailureAllowsARetry(t *testing.T) {
	f := newFixture(t, nil)
	f.box.FailWith(errors.New("SES is down"))
	_, err := f.ch.Create(context.Background(), createEvent(t), customauth.Round{})
	if err == nil || !strings.Contains(err.Error(), "SES is down") {
		t.Fatalf("err = %v, want the send error", err)
	}
	f.box.FailWith(nil)
	f.clock.Advance(time.Second)
	f.create(t, createEvent(t))
	if len(f.box.Sent()) != 1 {
		t.Fatal("Cognito's retry after a failed send did not send")
	}
}

func TestNoSecretInLogs(t *testing.T) {
	f := newFixture(t, nil)
	p := f.create(t, createEvent(t))
	code := f.box.Last(t).Secret.Reveal()
	f.verify(t, p, "000000", nil)
	f.clock.Advance(time.Hour)
	f.verify(t, p, code, nil)
	for _, secret := range []string{code, p.Private["mac"], p.Private["nonce"]} {
		if strings.Contains(f.logs.String(), secret) {
			t.Fatalf("log holds a secret: %s", f.logs.String())
		}
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	base := otp.Config{Channel: deliver.Email, Sender: &triggertest.Recorder[deliver.Message]{}, Store: &records.MemoryStore{}, Key: testKey}
	for name, mod := range map[string]func(*otp.Config){
		"no channel":    func(c *otp.Config) { c.Channel = "" },
		"no sender":     func(c *otp.Config) { c.Sender = nil },
		"no store":      func(c *otp.Config) { c.Store = nil },
		"short key":     func(c *otp.Config) { c.Key = testKey[:31] },
		"length 3":      func(c *otp.Config) { c.Length = 3 },
		"length 4":      func(c *otp.Config) { c.Length = 4 },
		"length 5":      func(c *otp.Config) { c.Length = 5 },
		"length 11":     func(c *otp.Config) { c.Length = 11 },
		"ttl 10s":       func(c *otp.Config) { c.TTL = 10 * time.Second },
		"ttl 2h":        func(c *otp.Config) { c.TTL = 2 * time.Hour },
		"neg resend":    func(c *otp.Config) { c.ResendAfter = -time.Second },
		"neg guesses":   func(c *otp.Config) { c.MaxGuesses = -1 },
		"no secret":     func(c *otp.Config) { c.Body = "Hello" },
		"secret twice ": func(c *otp.Config) { c.Body = deliver.Placeholder + deliver.Placeholder },
	} {
		cfg := base
		mod(&cfg)
		if _, err := otp.New(cfg); err == nil {
			t.Errorf("%s: New accepted it", name)
		}
	}
	if _, err := otp.New(base); err != nil {
		t.Fatalf("valid config: %v", err)
	}
}

func TestCodesAreUniform(t *testing.T) {
	// Every digit position should see every digit: a cheap guard against
	// a biased or constant derivation.
	f := newFixture(t, func(c *otp.Config) { c.Length = 6 })
	var counts [6][10]int
	for i := range 2000 {
		ev := createEvent(t)
		ev.Request.UserAttributes["sub"] = "user-" + string(rune('a'+i%26)) + strings.Repeat("x", i/26)
		f.create(t, ev)
		for pos, d := range f.box.Last(t).Secret.Reveal() {
			counts[pos][d-'0']++
		}
	}
	for pos := range counts {
		for d, n := range counts[pos] {
			if n < 120 || n > 290 { // expected 200; far outside means bias
				t.Errorf("digit %d at position %d seen %d times in 2000 codes", d, pos, n)
			}
		}
	}
}

func sameKeys[M ~map[string]string](a, b M) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if _, ok := b[k]; !ok {
			return false
		}
	}
	return true
}

// TestRetryOnAnotherInstance runs Cognito's retry of Create on a second
// Lambda instance (a second Challenge with its own memory) sharing the
// DynamoDB table: the retry derives the same code and does not send it
// again, and the code works once.
func TestRetryOnAnotherInstance(t *testing.T) {
	client := dynamotest.Client(t)
	table := dynamotest.CreateTable(t, client, records.TableDefinition("otp")) // ACTIVE when it returns
	box := &triggertest.Recorder[deliver.Message]{}
	clk := triggertest.NewClock(time.Unix(1_800_000_000, 0))
	store, err := records.NewDynamoStore(client, table)
	if err != nil {
		t.Fatal(err)
	}
	instance := func() *otp.Challenge {
		ch, err := otp.New(otp.Config{Channel: deliver.Email, Sender: box, Store: store, Key: testKey, Now: clk.Now})
		if err != nil {
			t.Fatal(err)
		}
		return ch
	}
	first, second := instance(), instance()
	ctx := context.Background()
	p1, err := first.Create(ctx, createEvent(t), customauth.Round{Attempt: 1})
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(6 * time.Second)
	p2, err := second.Create(ctx, createEvent(t), customauth.Round{Attempt: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(box.Sent()) != 1 || p1.Private["mac"] != p2.Private["mac"] {
		t.Fatalf("%d sends, same MAC %v: want one send of one code", len(box.Sent()), p1.Private["mac"] == p2.Private["mac"])
	}
	f := &fixture{ch: first, box: box, clock: clk}
	code := box.Last(t).Secret.Reveal()
	if !f.verify(t, p2, code, nil) {
		t.Fatal("the code from the first instance failed on the retried round")
	}
	f.ch = second
	if f.verify(t, p1, code, nil) {
		t.Fatal("the code was accepted twice")
	}
}

// FuzzVerify feeds arbitrary answers and private parameters to Verify:
// never a panic, never an error, and no pass without the code's MAC.
func FuzzVerify(f *testing.F) {
	f.Add("123456", "otp#p#u#EMAIL_OTP", "AAAAAAAAAAAAAAAAAAAAAA", "1800000300", "AAAA")
	f.Add("", "", "", "", "")
	f.Add("１２３４５６", "slot", "nonce", "-1", strings.Repeat("A", 43))
	f.Add("12 34-56", "s\x00", "n", "99999999999999999999", "!!")
	f.Fuzz(func(t *testing.T, answer, slot, nonce, exp, mac string) {
		fx := newFixture(t, nil)
		p := customauth.Params{Private: triggers.SecretMap{"slot": slot, "nonce": nonce, "exp": exp, "mac": mac}}
		if fx.verify(t, p, answer, nil) {
			t.Fatalf("forged parameters passed: %q %q %q %q %q", answer, slot, nonce, exp, mac)
		}
	})
}
