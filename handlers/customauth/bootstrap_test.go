package main

import (
	"context"
	"encoding/base64"
	"regexp"
	"strings"
	"testing"

	"github.com/cognitrig/cognitrig/customauth/secquestion"
	bt "github.com/cognitrig/cognitrig/handlers/internal/bootstraptest"
	"github.com/cognitrig/cognitrig/internal/awsfake"
	"github.com/cognitrig/cognitrig/internal/dynamotest"
	"github.com/cognitrig/cognitrig/internal/lambdart"
	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

func TestMain(m *testing.M) { bt.Main(m) }

// The recorded events' user pool and user (its sub keys its records).
const (
	pool = "us-east-1_EXAMPLE1"
	sub  = "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"
)

// masterKey is a test master key: its base64 must never be printed.
var masterKey = base64.StdEncoding.EncodeToString([]byte("master-key-SECRET-0123456789abcdef"))

var served = []triggers.Trigger{triggers.DefineAuthChallenge, triggers.CreateAuthChallenge, triggers.VerifyAuthChallengeResponse}

// start runs the shipped binary with a challenges table, the master key,
// local SES and SNS servers, and env.
func start(t *testing.T, env ...string) (*lambdart.Function, *bt.Log, *awsfake.SES, *awsfake.SNS, string) {
	t.Helper()
	table := bt.Table(t, bt.Challenges)
	ses, sns := awsfake.NewSES(t), awsfake.NewSNS(t)
	fn, log := bt.Start(t, bt.Build(t, "."), append(append(bt.AWSEnv(map[string]string{"SESV2": ses.URL, "SNS": sns.URL}),
		"COGNITRIG_CHALLENGES_TABLE="+table, "COGNITRIG_MASTER_KEY="+masterKey, "COGNITRIG_EMAIL_FROM=no-reply@example.com"), env...)...)
	return fn, log, ses, sns, table
}

func verifyEvent(t *testing.T, private triggers.SecretMap, answer string) []byte {
	return triggertest.From(t, "VerifyAuthChallengeResponse_Authentication").
		Set("request.privateChallengeParameters", map[string]string(private)).
		Set("request.challengeAnswer", answer).JSON(t)
}

func answerCorrect(t *testing.T, fn *lambdart.Function, name string, payload []byte) bool {
	t.Helper()
	return bt.Decode[triggers.VerifyAuthChallengeResponseEvent](t, name, bt.Invoke(t, fn, payload)).Response.AnswerCorrect
}

// TestBootstrapPasswordCaptchaQuestion runs the sequence of the recorded
// events - password, CAPTCHA, security question - and sends every recorded
// event.
func TestBootstrapPasswordCaptchaQuestion(t *testing.T) {
	captcha := awsfake.NewCaptcha(t)
	fn, log, _, _, table := start(t,
		"COGNITRIG_AUTH_SEQUENCE=password, captcha, security-question",
		"COGNITRIG_CAPTCHA_VERIFY_URL="+captcha.URL, "COGNITRIG_CAPTCHA_SECRET="+awsfake.CaptchaSecret,
		"COGNITRIG_CAPTCHA_SITE_KEY=0x4AAAA-site", "COGNITRIG_CAPTCHA_PROVIDER=turnstile", "COGNITRIG_LOG_LEVEL=debug")
	store, err := secquestion.NewDynamoStore(dynamotest.Client(t), table)
	if err != nil {
		t.Fatal(err)
	}
	cheap := secquestion.Params{Time: 1, Memory: 64, Threads: 1, SaltLen: 16, KeyLen: 32}
	if err := secquestion.Enroll(context.Background(), store, pool, sub, "What is your favourite colour?", "Sky SECRET Blue", cheap); err != nil {
		t.Fatal(err)
	}

	next := map[string]string{ // the recorded define events' next challenge
		"DefineAuthChallenge_Authentication":                "SRP_A",
		"DefineAuthChallenge_Authentication.after-srp-a":    "PASSWORD_VERIFIER",
		"DefineAuthChallenge_Authentication.after-password": "CUSTOM_CHALLENGE",
		// Cognito's own new-password round is not a step of the sequence.
		"DefineAuthChallenge_Authentication.new-password-required": "CUSTOM_CHALLENGE",
		"DefineAuthChallenge_Authentication.after-captcha":         "CUSTOM_CHALLENGE",
		"DefineAuthChallenge_Authentication.wrong-answer":          "CUSTOM_CHALLENGE",
		"DefineAuthChallenge_Authentication.user-not-found":        "SRP_A",
	}
	for _, name := range triggertest.Names() {
		payload := triggertest.Load(t, name)
		res := bt.Invoke(t, fn, payload)
		switch tr := bt.TriggerOf(t, payload); {
		case bt.Unserved(t, name, tr, res, served...):
		case tr == triggers.DefineAuthChallenge:
			r := bt.Decode[triggers.DefineAuthChallengeEvent](t, name, res).Response
			if want := next[name]; r.ChallengeName != want || r.IssueTokens != (want == "") || r.FailAuthentication {
				t.Errorf("%s: %+v, want next %q", name, r, want)
			}
		case name == "CreateAuthChallenge_Authentication.passwordless":
			// This sequence starts with the password: Create is not asked
			// for a first round; if it is, it fails rather than skip it.
			bt.Refusal(t, name, res)
		case tr == triggers.CreateAuthChallenge:
			r := bt.Decode[triggers.CreateAuthChallengeEvent](t, name, res).Response
			if r.ChallengeMetadata != "CAPTCHA_CHALLENGE" || r.PublicChallengeParameters["siteKey"] != "0x4AAAA-site" {
				t.Errorf("%s: %+v", name, r)
			}
		case tr == triggers.VerifyAuthChallengeResponse:
			// The recorded answer is not a token the CAPTCHA service takes.
			if bt.Decode[triggers.VerifyAuthChallengeResponseEvent](t, name, res).Response.AnswerCorrect {
				t.Errorf("%s: a wrong CAPTCHA answer passed", name)
			}
		}
	}
	recorded := triggertest.Decode[triggers.VerifyAuthChallengeResponseEvent](t, "VerifyAuthChallengeResponse_Authentication")
	if !answerCorrect(t, fn, "good CAPTCHA", verifyEvent(t, recorded.Request.PrivateChallengeParameters, awsfake.GoodToken)) {
		t.Error("the CAPTCHA service's good token did not pass")
	}

	// After the CAPTCHA: the enrolled question, checked by Verify.
	create := triggertest.From(t, "CreateAuthChallenge_Authentication").Append("request.session",
		map[string]any{"challengeName": "CUSTOM_CHALLENGE", "challengeResult": true, "challengeMetadata": "CAPTCHA_CHALLENGE"}).JSON(t)
	r := bt.Decode[triggers.CreateAuthChallengeEvent](t, "question", bt.Invoke(t, fn, create)).Response
	if r.ChallengeMetadata != "SECURITY_QUESTION" || r.PublicChallengeParameters["question"] != "What is your favourite colour?" {
		t.Fatalf("question round: %+v", r)
	}
	if !answerCorrect(t, fn, "right answer", verifyEvent(t, r.PrivateChallengeParameters, "  sky secret BLUE ")) {
		t.Error("the right answer did not pass")
	}
	if answerCorrect(t, fn, "wrong answer", verifyEvent(t, r.PrivateChallengeParameters, "green")) {
		t.Error("a wrong answer passed")
	}
	bt.ExpectCleanRun(t, fn, log, awsfake.GoodToken)
}

var sixDigits = regexp.MustCompile(`\b\d{6}\b`)

// TestBootstrapEmailOTP runs the default sequence, a code by email: the
// code reaches the local SES server, passes once, and never the log.
func TestBootstrapEmailOTP(t *testing.T) {
	fn, log, ses, _, _ := start(t)
	define := bt.Decode[triggers.DefineAuthChallengeEvent](t, "define", bt.Invoke(t, fn, triggertest.Load(t, "DefineAuthChallenge_Authentication"))).Response
	if define.ChallengeName != triggers.ChallengeCustom {
		t.Fatalf("define: %+v", define)
	}
	create := triggertest.Load(t, "CreateAuthChallenge_Authentication.passwordless")
	r := bt.Decode[triggers.CreateAuthChallengeEvent](t, "create", bt.Invoke(t, fn, create)).Response
	// Cognito's retry of Create sends no second email.
	bt.Decode[triggers.CreateAuthChallengeEvent](t, "retried create", bt.Invoke(t, fn, create))
	emails := ses.Emails()
	if r.ChallengeMetadata != "EMAIL_OTP" || len(emails) != 1 || emails[0].To != "jdoe@example.com" {
		t.Fatalf("create: %+v; emails %+v", r, emails)
	}
	code := sixDigits.FindString(emails[0].Text)
	if code == "" {
		t.Fatalf("no code in %q", emails[0].Text)
	}
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	if answerCorrect(t, fn, "wrong code", verifyEvent(t, r.PrivateChallengeParameters, wrong)) {
		t.Error("a wrong code passed")
	}
	if !answerCorrect(t, fn, "code", verifyEvent(t, r.PrivateChallengeParameters, code)) {
		t.Error("the code did not pass")
	}
	if answerCorrect(t, fn, "code again", verifyEvent(t, r.PrivateChallengeParameters, code)) {
		t.Error("the code passed twice")
	}
	if l := log.Final(); bt.HoldsCode(l, code) || strings.Contains(l, "SECRET") {
		t.Errorf("the log holds the code or a secret:\n%.3000s", l)
	}
}

// TestBootstrapEmailOrSMSOTP: the client picks SMS, and the code goes to
// the verified phone number through the local SNS server.
func TestBootstrapEmailOrSMSOTP(t *testing.T) {
	fn, log, ses, sns, _ := start(t, "COGNITRIG_AUTH_SEQUENCE=email-or-sms-otp")
	create := triggertest.From(t, "CreateAuthChallenge_Authentication.passwordless").
		UserAttribute("phone_number_verified", "true").ClientMetadata("channel", "SMS_OTP").JSON(t)
	r := bt.Decode[triggers.CreateAuthChallengeEvent](t, "create", bt.Invoke(t, fn, create)).Response
	sms := sns.Messages()
	if r.ChallengeMetadata != "SMS_OTP" || len(sms) != 1 || sms[0].To != "+15555550100" || len(ses.Emails()) != 0 {
		t.Fatalf("create: %+v; SMS %+v", r, sms)
	}
	code := sixDigits.FindString(sms[0].Text)
	if code == "" || !answerCorrect(t, fn, "code", verifyEvent(t, r.PrivateChallengeParameters, code)) {
		t.Errorf("the code %q from %q did not pass", code, sms[0].Text)
	}
	if strings.Contains(log.Final(), code) {
		t.Error("the code reached the log")
	}
}

// TestBootstrapMagicLink: with no page named by the client, the link opens
// the configured page; its token passes once.
func TestBootstrapMagicLink(t *testing.T) {
	fn, log, ses, _, _ := start(t, "COGNITRIG_AUTH_SEQUENCE=magic-link", "COGNITRIG_MAGICLINK_URL=https://app.example.com/signin")
	r := bt.Decode[triggers.CreateAuthChallengeEvent](t, "create", bt.Invoke(t, fn, triggertest.Load(t, "CreateAuthChallenge_Authentication.passwordless"))).Response
	emails := ses.Emails()
	if r.ChallengeMetadata != "MAGIC_LINK" || len(emails) != 1 {
		t.Fatalf("create: %+v; emails %+v", r, emails)
	}
	link := regexp.MustCompile(`https://app\.example\.com/signin#\S+`).FindString(emails[0].Text)
	if link == "" {
		t.Fatalf("no link in %q", emails[0].Text)
	}
	if !answerCorrect(t, fn, "link", verifyEvent(t, r.PrivateChallengeParameters, link)) {
		t.Error("the link did not pass")
	}
	if answerCorrect(t, fn, "link again", verifyEvent(t, r.PrivateChallengeParameters, link)) {
		t.Error("the link passed twice")
	}
	// A page that is not configured is refused, with a user-safe message.
	elsewhere := triggertest.From(t, "CreateAuthChallenge_Authentication.passwordless").ClientMetadata("page", "https://evil.example.net/").JSON(t)
	if msg := bt.Refusal(t, "elsewhere", bt.Invoke(t, fn, elsewhere)); msg != "The sign-in link cannot point to that page." {
		t.Errorf("elsewhere: %q", msg)
	}
	if l := log.Final(); strings.Contains(l, link[strings.IndexByte(link, '#')+1:]) {
		t.Error("the link reached the log")
	}
}

// TestBootstrapMagicLinkKMS: with COGNITRIG_MAGICLINK_KMS_KEY, links are
// signed and checked by KMS (GenerateMac, VerifyMac), not by a key in the
// function; a link signed by the master key's derived key is refused.
func TestBootstrapMagicLinkKMS(t *testing.T) {
	kms := awsfake.NewKMSMAC(t)
	table := bt.Table(t, bt.Challenges)
	ses := awsfake.NewSES(t)
	env := append(bt.AWSEnv(map[string]string{"SESV2": ses.URL, "KMS": kms.URL}),
		"COGNITRIG_CHALLENGES_TABLE="+table, "COGNITRIG_MASTER_KEY="+masterKey, "COGNITRIG_EMAIL_FROM=no-reply@example.com",
		"COGNITRIG_AUTH_SEQUENCE=magic-link", "COGNITRIG_MAGICLINK_URL=https://app.example.com/signin")
	fn, log := bt.Start(t, bt.Build(t, "."), append(env, "COGNITRIG_MAGICLINK_KMS_KEY="+awsfake.MACKeyID)...)
	create := func(fn *lambdart.Function) (triggers.CreateAuthChallengeResponse, string) {
		t.Helper()
		r := bt.Decode[triggers.CreateAuthChallengeEvent](t, "create", bt.Invoke(t, fn, triggertest.Load(t, "CreateAuthChallenge_Authentication.passwordless"))).Response
		emails := ses.Emails()
		link := regexp.MustCompile(`https://app\.example\.com/signin#\S+`).FindString(emails[len(emails)-1].Text)
		if link == "" {
			t.Fatalf("no link in %q", emails[len(emails)-1].Text)
		}
		return r, link
	}
	r, link := create(fn)
	if !answerCorrect(t, fn, "link", verifyEvent(t, r.PrivateChallengeParameters, link)) {
		t.Fatal("the KMS-signed link did not pass")
	}
	if ops := strings.Join(kms.Ops(), ","); ops != "GenerateMac,VerifyMac" {
		t.Errorf("KMS calls %s, want one GenerateMac and one VerifyMac", ops)
	}

	// A function signing with the master key's derived key: its link
	// names a live record in the same table, but KMS refuses its MAC.
	local, _ := bt.Start(t, bt.Build(t, "."), env...)
	r2, forged := create(local)
	if answerCorrect(t, fn, "forged", verifyEvent(t, r2.PrivateChallengeParameters, forged)) {
		t.Error("a link not signed by the KMS key passed")
	}
	if l := log.Final(); strings.Contains(l, link[strings.IndexByte(link, '#')+1:]) {
		t.Error("the link reached the log")
	}

	// An unknown key fails the sign-in with a message safe for the user,
	// and a log line naming the key and the permission to check.
	// (A table of its own: in the first, a link was sent a moment ago,
	// and the magic link does not send another so soon.)
	broken, brokenLog := bt.Start(t, bt.Build(t, "."), append(env, "COGNITRIG_MAGICLINK_KMS_KEY=alias/missing",
		"COGNITRIG_CHALLENGES_TABLE="+bt.Table(t, bt.Challenges))...)
	res := bt.Invoke(t, broken, triggertest.Load(t, "CreateAuthChallenge_Authentication.passwordless"))
	if msg := bt.Refusal(t, "unknown key", res); msg != "Sign-in is not available right now. Try again later." {
		t.Errorf("unknown key: the user is told %q", msg)
	}
	if l := brokenLog.WaitFor("alias/missing", "kms:GenerateMac"); !strings.Contains(l, "alias/missing") || !strings.Contains(l, "kms:GenerateMac") {
		t.Errorf("the log does not say which key and permission failed:\n%.3000s", l)
	}
}

// TestBadConfigurationFailsAtStart: every bad variable is named, and the
// function ends before it asks for an event.
func TestBadConfigurationFailsAtStart(t *testing.T) {
	bin := bt.Build(t, ".")
	base := append(bt.AWSEnv(nil), "AWS_REGION=us-east-1")
	short := base64.StdEncoding.EncodeToString([]byte("short-SECRET"))
	for _, c := range []struct {
		env   []string
		names []string
	}{
		{nil, []string{"COGNITRIG_CHALLENGES_TABLE", "COGNITRIG_MASTER_KEY", "COGNITRIG_EMAIL_FROM"}},
		{[]string{"COGNITRIG_AUTH_SEQUENCE=password,fingerprint", "COGNITRIG_MASTER_KEY=" + short, "COGNITRIG_CHALLENGES_TABLE=c"},
			[]string{`COGNITRIG_AUTH_SEQUENCE: unknown step "fingerprint"`, "COGNITRIG_MASTER_KEY"}},
		{[]string{"COGNITRIG_AUTH_SEQUENCE=captcha,magic-link", "COGNITRIG_MASTER_KEY=" + masterKey, "COGNITRIG_CHALLENGES_TABLE=c",
			"COGNITRIG_CAPTCHA_VERIFY_URL=ftp://captcha.example.com/"},
			[]string{"COGNITRIG_CAPTCHA_VERIFY_URL", "COGNITRIG_CAPTCHA_SECRET", "COGNITRIG_MAGICLINK_PAGES", "COGNITRIG_EMAIL_FROM"}},
		{[]string{"COGNITRIG_AUTH_SEQUENCE=email-otp,sms-otp", "COGNITRIG_MASTER_KEY=" + masterKey, "COGNITRIG_CHALLENGES_TABLE=c"},
			[]string{"COGNITRIG_AUTH_SEQUENCE: more than one one-time-code step"}},
		{[]string{"COGNITRIG_AUTH_SEQUENCE=magic-link", "COGNITRIG_MASTER_KEY=" + masterKey, "COGNITRIG_CHALLENGES_TABLE=c",
			"COGNITRIG_EMAIL_FROM=a@example.com", "COGNITRIG_MAGICLINK_ORIGINS=https://app.example.com/path"},
			[]string{"COGNITRIG_MAGICLINK_ORIGINS"}},
	} {
		out := bt.StartFails(t, bin, append(base[:len(base):len(base)], c.env...)...)
		for _, name := range c.names {
			if !strings.Contains(out, name) {
				t.Errorf("%v: the error does not name %s:\n%s", c.env, name, out)
			}
		}
		if strings.Contains(out, masterKey) || strings.Contains(out, short) {
			t.Errorf("a secret in the error: %s", out)
		}
	}
}

// TestNoTemplateExecution: this function sends no templated message, so
// it must not link template execution (see bt.NoTemplateExecution).
func TestNoTemplateExecution(t *testing.T) {
	bt.NoTemplateExecution(t, bt.Build(t, "."))
}
