package main

// Attacks on the deployed function, driven as Cognito drives it: Define,
// Create and Verify with the session array, and the client metadata and
// answers that the attacker controls (issue 12).

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/cognitrig/cognitrig/customauth/customauthtest"
	"github.com/cognitrig/cognitrig/customauth/secquestion"
	"github.com/cognitrig/cognitrig/internal/awsfake"
	"github.com/cognitrig/cognitrig/internal/dynamotest"
	"github.com/cognitrig/cognitrig/internal/lambdart"
)

// lockedMessage is what a user over the failure budget is told (kept as
// text here, so that the test also runs against code without the budget).
const lockedMessage = "Too many sign-in attempts. Try again later."

// binary lets customauthtest drive the shipped function: a function error
// is the trigger's error, as Cognito reports it to the client.
type binary struct{ fn *lambdart.Function }

func (b binary) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	res, err := b.fn.Invoke(ctx, payload)
	if err != nil {
		return nil, err
	}
	if res.FunctionError != "" {
		var doc struct{ ErrorMessage string }
		_ = json.Unmarshal(res.Payload, &doc)
		return nil, errors.New(doc.ErrorMessage)
	}
	return res.Payload, nil
}

// victim is the recorded user jdoe, with a verified email address.
func victim() map[string]string {
	return map[string]string{"sub": sub, "email": "jdoe@example.com", "email_verified": "true", "cognito:user_status": "CONFIRMED"}
}

// campaign is an attacker's run of sign-ins against one user, each
// answered by answer until the function refuses: the rounds (answers)
// of each sign-in, and the refusal that ended the campaign.
type campaign struct {
	answers  int
	sessions []int
	refusal  string
}

func attack(t *testing.T, fn *lambdart.Function, s customauthtest.SignIn, sessions int) campaign {
	t.Helper()
	var c campaign
	answer := s.Answer
	for range sessions {
		n := 0
		s.Router = binary{fn}
		s.Answer = func(p customauthtest.Prompt) string { n++; c.answers++; return answer(p) }
		res, err := s.Run(context.Background())
		c.sessions = append(c.sessions, n)
		if res.Tokens {
			t.Fatalf("the attacker got tokens after %d answers", c.answers)
		}
		if err != nil {
			c.refusal = err.Error()[strings.LastIndex(err.Error(), ": ")+2:]
			return c
		}
	}
	return c
}

// TestAttackMagicLinkHijack (issue 12, item 1): an attacker starts a
// sign-in for the victim with a page address of its own making - text and
// a second address in the query, an open redirect on the allowed origin,
// or another host. The genuine email must hold exactly one address: the
// configured page with the token in its fragment.
func TestAttackMagicLinkHijack(t *testing.T) {
	for name, meta := range map[string]map[string]string{
		"text in the query": {"redirectUri": "https://app.example.com/signin?note=Your+link+has+moved+to+https://evil.example.net/steal+-+ignore+this:"},
		"open redirect":     {"redirectUri": "https://app.example.com/logout?next=https://evil.example.net/"},
		"other page":        {"redirectUri": "https://app.example.com/account/"},
		"page as address":   {"page": "https://evil.example.net/", "redirectUri": "https://evil.example.net/"},
	} {
		t.Run(name, func(t *testing.T) {
			fn, _, ses, _, _ := start(t, "COGNITRIG_AUTH_SEQUENCE=magic-link", "COGNITRIG_MAGICLINK_URL=https://app.example.com/signin")
			attack(t, fn, customauthtest.SignIn{Attributes: victim(), ClientMetadata: meta, MaxRounds: 2,
				Answer: func(customauthtest.Prompt) string { return "not-a-link" }}, 1)
			link := regexp.MustCompile(`^https://app\.example\.com/signin#[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$`)
			for _, e := range ses.Emails() {
				addresses := regexp.MustCompile(`\S*://\S*|www\.\S*`).FindAllString(e.Subject+"\n"+e.Text, -1)
				if len(addresses) != 1 || !link.MatchString(addresses[0]) || strings.Contains(e.Text, "evil") {
					t.Fatalf("the email holds %q, want only the configured page with the token:\n%s", addresses, e.Text)
				}
			}
		})
	}
}

// TestAttackCodeGuessingAcrossSessions (issue 12, item 2): an attacker
// loops sign-ins for the victim, guessing the emailed code three times a
// session. The failure budget ends the campaign after 5 wrong codes with
// the lockout refusal, the victim is mailed a bounded number of times, and
// even the right code does not sign in during the lockout. A user that
// does not exist is locked out after the same rounds, with the same words.
func TestAttackCodeGuessingAcrossSessions(t *testing.T) {
	fn, _, ses, _, _ := start(t, "COGNITRIG_AUTH_SEQUENCE=email-otp")
	guess := 0
	codeLength := ""
	wrong := func(p customauthtest.Prompt) string {
		guess++
		codeLength = p.Public["codeLength"]
		return fmt.Sprintf("%06d", 100000+guess)
	}
	real := attack(t, fn, customauthtest.SignIn{Attributes: victim(), Answer: wrong}, 20)
	if real.refusal != lockedMessage || real.answers != 5 {
		t.Fatalf("after %d wrong codes in %d sign-ins the attacker is told %q; want %q after 5", real.answers, len(real.sessions), real.refusal, lockedMessage)
	}
	if codeLength != "6" {
		t.Errorf("code length %q, want 6", codeLength)
	}
	if n := len(ses.Emails()); n > 2 {
		t.Errorf("the victim got %d emails during the campaign", n)
	}
	// The genuine code, as if guessed at last, is refused too.
	code := regexp.MustCompile(`\b\d{6}\b`).FindString(ses.Emails()[len(ses.Emails())-1].Text)
	right := attack(t, fn, customauthtest.SignIn{Attributes: victim(), Answer: func(customauthtest.Prompt) string { return code }}, 1)
	if right.refusal != lockedMessage {
		t.Fatalf("during the lockout the right code got %+v", right)
	}

	// A user that does not exist: the same rounds, then the same refusal.
	ghost := attack(t, fn, customauthtest.SignIn{UserName: "nobody@example.com", UserNotFound: true, Answer: wrong}, 20)
	if ghost.refusal != real.refusal || fmt.Sprint(ghost.sessions) != fmt.Sprint(real.sessions) {
		t.Fatalf("unknown user: sign-ins %v ending %q; real user: %v ending %q", ghost.sessions, ghost.refusal, real.sessions, real.refusal)
	}
}

// TestAttackSecurityQuestionDictionary (issue 12, item 4): a dictionary
// attack on the victim's security question over many sign-ins ends after
// 5 wrong answers; the right answer is then refused as well.
func TestAttackSecurityQuestionDictionary(t *testing.T) {
	fn, _, _, _, table := start(t, "COGNITRIG_AUTH_SEQUENCE=security-question")
	store, err := secquestion.NewDynamoStore(dynamotest.Client(t), table)
	if err != nil {
		t.Fatal(err)
	}
	cheap := secquestion.Params{Time: 1, Memory: 64, Threads: 1, SaltLen: 16, KeyLen: 32}
	if err := secquestion.Enroll(context.Background(), store, pool, sub, "What is your favourite colour?", "Sky SECRET Blue", cheap); err != nil {
		t.Fatal(err)
	}
	words := []string{"red", "green", "blue", "black", "white", "yellow", "purple", "orange", "pink", "grey", "brown", "teal",
		"navy", "gold", "silver", "maroon", "olive", "cyan", "magenta", "beige", "ivory", "coral", "indigo", "violet"}
	next := 0
	c := attack(t, fn, customauthtest.SignIn{Attributes: victim(), Answer: func(customauthtest.Prompt) string { next++; return words[next%len(words)] }}, 8)
	if c.refusal != lockedMessage || c.answers != 5 {
		t.Fatalf("after %d dictionary words in %d sign-ins the attacker is told %q; want %q after 5", c.answers, len(c.sessions), c.refusal, lockedMessage)
	}
	right := attack(t, fn, customauthtest.SignIn{Attributes: victim(), Answer: func(customauthtest.Prompt) string { return "Sky SECRET Blue" }}, 1)
	if right.refusal != lockedMessage {
		t.Fatalf("during the lockout the right answer got %+v", right)
	}
}

// TestAttackWeakCaptcha (issue 12, item 7): tokens that siteverify calls
// solved, but by a bot (low score), for another action or on another site,
// do not pass the deployed function configured with a minimum score, an
// action and host names; a good token does.
func TestAttackWeakCaptcha(t *testing.T) {
	captcha := awsfake.NewCaptcha(t)
	fn, _, _, _, _ := start(t, "COGNITRIG_AUTH_SEQUENCE=captcha",
		"COGNITRIG_CAPTCHA_VERIFY_URL="+captcha.URL, "COGNITRIG_CAPTCHA_SECRET="+awsfake.CaptchaSecret,
		"COGNITRIG_CAPTCHA_MIN_SCORE=0.5", "COGNITRIG_CAPTCHA_ACTION="+awsfake.CaptchaAction, "COGNITRIG_CAPTCHA_HOSTNAMES="+awsfake.CaptchaHostname)
	for _, token := range []string{awsfake.LowScoreToken, awsfake.OtherActionToken, awsfake.OtherHostToken} {
		attack(t, fn, customauthtest.SignIn{Attributes: victim(), Answer: func(customauthtest.Prompt) string { return token }}, 1)
	}
	res, err := (&customauthtest.SignIn{Router: binary{fn}, Attributes: victim(), Answer: func(customauthtest.Prompt) string { return awsfake.GoodToken }}).Run(context.Background())
	if err != nil || !res.Tokens {
		t.Fatalf("a good token: %+v, %v", res, err)
	}

	// reCAPTCHA without a configured minimum: 0.5 by default.
	recaptcha, _, _, _, _ := start(t, "COGNITRIG_AUTH_SEQUENCE=captcha", "COGNITRIG_CAPTCHA_PROVIDER=recaptcha",
		"COGNITRIG_CAPTCHA_VERIFY_URL="+captcha.URL, "COGNITRIG_CAPTCHA_SECRET="+awsfake.CaptchaSecret)
	attack(t, recaptcha, customauthtest.SignIn{Attributes: victim(), Answer: func(customauthtest.Prompt) string { return awsfake.LowScoreToken }}, 1)
}

// TestAttackEnumeration (issue 12, item 8): the security question shown
// for a name that does not exist is the same in every letter case and
// every sign-in, and the fake one-time-code round does the store work of a
// real one (a record in the challenges table).
func TestAttackEnumeration(t *testing.T) {
	fn, _, _, _, _ := start(t, "COGNITRIG_AUTH_SEQUENCE=security-question")
	questions := map[string]bool{}
	for _, name := range []string{"nobody@example.com", "Nobody@example.com", "NOBODY@EXAMPLE.COM", "nobody@Example.com", "noBody@example.com"} {
		for range 2 {
			attack(t, fn, customauthtest.SignIn{UserName: name, UserNotFound: true, MaxRounds: 2, Answer: func(p customauthtest.Prompt) string {
				questions[p.Public["question"]] = true
				return "red"
			}}, 1)
		}
	}
	if len(questions) != 1 {
		t.Fatalf("one unknown name in five spellings saw %d questions: %v", len(questions), questions)
	}

	otpFn, _, ses, _, table := start(t, "COGNITRIG_AUTH_SEQUENCE=email-otp")
	attack(t, otpFn, customauthtest.SignIn{UserName: "nobody@example.com", UserNotFound: true, MaxRounds: 2,
		Answer: func(customauthtest.Prompt) string { return "123456" }}, 1)
	items := dynamotest.Items(t, dynamotest.Client(t), table)
	records := 0
	for _, it := range items {
		if strings.Contains(fmt.Sprint(it["pk"]), "otp#") {
			records++
		}
	}
	if records != 1 || len(ses.Emails()) != 0 {
		t.Fatalf("the fake round made %d code records (want 1, as a real round) and sent %d emails", records, len(ses.Emails()))
	}
}
